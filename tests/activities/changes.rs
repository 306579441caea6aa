//! Changing activities: patches with optimistic versions, null emptying a text, and an
//! engagement's recipients kept to where its activities were recorded.

use serde_json::json;

use super::*;

on_both_engines!(
    updates_patch_fields_and_a_stale_version_changes_nothing,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05"),
        )
        .await;
        let data = app
            .ok(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"title": "Renamed", "country": "UZB",
                       "participants": {"total": 40, "female": 20, "male": 20}}}),
                Some(&w.admin),
            )
            .await;
        let u = &data["updateActivity"];
        assert_eq!(u["version"], 2);
        assert_eq!(u["title"], "Renamed");
        assert_eq!(u["country"]["iso3"], "UZB");
        assert_eq!(u["participants"]["unreported"], 0);

        let before = written(&app).await;
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"title": "Lost update"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        // The id as the API writes it, to paste back.
        let id = a["id"].as_str().unwrap();
        assert_eq!(
            e.message,
            format!("{id} is at version 2, not 1: reload it and apply your change again")
        );
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"country": "IDN"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (
                Some("input.country"),
                "input.country: IDN is not one of the engagement's recipient countries \
                 (allowed: KAZ, UZB)"
            ),
            "{e:?}"
        );
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"endDate": "2021-01-01"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.endDate"), "{e:?}");
        let ahead = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"startDate": ahead, "endDate": ahead}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.startDate"), "{e:?}");
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"participants": {"total": 10, "female": 11}}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.participants.female"),
            "{e:?}"
        );
        assert_eq!(written(&app).await, before);
        let got = app.ok(GET, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert_eq!(got["activity"]["title"], "Renamed");
        assert_eq!(got["activity"]["version"], 2);

        // Moving it to an engagement where its country is not a recipient is refused too.
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"engagement": w.idn}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        let e = app
            .err(
                UPDATE,
                json!({"id": "Activity:999", "v": 1, "i": {"title": "x"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("NOT_FOUND", "Activity:999 not found"),
            "{e:?}"
        );
    }
);

on_both_engines!(
    null_empties_a_text_that_may_be_empty_and_absence_keeps_it,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-03-01", "2021-03-05"),
        )
        .await;
        let data = app
            .ok(
                "mutation($id: ID!) { updateActivity(id: $id, version: 1, \
                 input: {targetGroup: null, title: \"Renamed\"}) { title targetGroup } }",
                json!({"id": a["id"]}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateActivity"]["targetGroup"], "");
        assert_eq!(data["updateActivity"]["title"], "Renamed");
        let data = app
            .ok(
                "mutation($id: ID!) { u: updateEngagement(id: $id, version: 1, \
                 input: {description: \"Said\"}) { version } }",
                json!({"id": w.idn}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["u"]["version"], 2);
        let data = app
            .ok(
                "mutation($id: ID!) { u: updateEngagement(id: $id, version: 2, \
                 input: {description: null}) { title description } }",
                json!({"id": w.idn}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["u"]["description"], "");
        assert_eq!(data["u"]["title"], "Indonesia");
    }
);

on_both_engines!(
    a_corrected_total_keeps_the_breakdown_by_sex,
    |app: TestApp| async move {
        let w = world(&app).await;
        let mut t = training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05");
        t["participants"] = json!({"total": 24, "female": 11, "male": 12});
        let a = log(&app, &w.admin, t).await;
        let change =
            |v: i64, p: serde_json::Value| json!({"id": a["id"], "v": v, "i": {"participants": p}});
        // The total alone: the 11 women and 12 men stay, the unreported one becomes two. It read
        // as female 0 and male 0, the breakdown lost without a word.
        let data = app
            .ok(UPDATE, change(1, json!({"total": 25})), Some(&w.admin))
            .await;
        assert_eq!(
            data["updateActivity"]["participants"],
            json!({"total": 25, "female": 11, "male": 12, "unreported": 2})
        );
        // One part alone keeps the others.
        let data = app
            .ok(UPDATE, change(2, json!({"male": 13})), Some(&w.admin))
            .await;
        assert_eq!(
            data["updateActivity"]["participants"],
            json!({"total": 25, "female": 11, "male": 13, "unreported": 1})
        );
        // A total the recorded parts no longer fit in names the total, the field sent.
        let before = written(&app).await;
        let e = app
            .err(UPDATE, change(3, json!({"total": 20})), Some(&w.admin))
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.participants.total"),
            "{e:?}"
        );
        assert_eq!(
            e.message,
            "input.participants.total: is less than the female (11) and male (13) participants \
             recorded together; give female and male with it"
        );
        // Given with it, the parts are judged as sent.
        let e = app
            .err(
                UPDATE,
                change(3, json!({"total": 20, "female": 15})),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.participants.female"),
            "{e:?}"
        );
        // Null is no count.
        let e = app
            .err(UPDATE, change(3, json!({"female": null})), Some(&w.admin))
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.participants.female"),
            "{e:?}"
        );
        assert_eq!(written(&app).await, before, "nothing written by a refusal");
        let data = app
            .ok(
                UPDATE,
                change(3, json!({"total": 20, "female": 10, "male": 10})),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateActivity"]["participants"]["unreported"], 0);
    }
);

on_both_engines!(
    recipients_cannot_change_away_from_where_activities_were_recorded,
    |app: TestApp| async move {
        let w = world(&app).await;
        log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "UZB", "2021-03-01", "2021-03-05"),
        )
        .await;
        let update = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { \
            updateEngagement(id: $id, version: $v, input: $i) { version } }";
        let before = written(&app).await;
        let e = app
            .err(
                update,
                json!({"id": w.kaz_uzb, "v": 1,
                       "i": {"recipientCountries": [{"country": "KAZ", "percentage": 100}]}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.recipientCountries"),
            "{e:?}"
        );
        assert!(e.message.contains("UZB"), "{e:?}");
        // Nor to a region that does not hold Uzbekistan.
        let e = app
            .err(
                update,
                json!({"id": w.kaz_uzb, "v": 1,
                       "i": {"recipientCountries": [], "recipientRegion": "011"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.recipientRegion"), "{e:?}");
        assert_eq!(written(&app).await, before, "refused updates wrote nothing");
        // A region that holds it, or countries that keep it, are fine.
        app.ok(
            update,
            json!({"id": w.kaz_uzb, "v": 1,
                   "i": {"recipientCountries": [], "recipientRegion": "143"}}),
            Some(&w.admin),
        )
        .await;
        app.ok(
            update,
            json!({"id": w.kaz_uzb, "v": 2,
                   "i": {"recipientCountries": [{"country": "UZB", "percentage": 100}],
                         "recipientRegion": null}}),
            Some(&w.admin),
        )
        .await;
    }
);

on_both_engines!(
    an_activity_written_while_the_recipients_change_is_not_left_outside_them,
    |app: TestApp| async move {
        let w = world(&app).await;
        let engagement = number(&json!(w.kaz_uzb));
        // An activity in Uzbekistan is being written: its transaction has locked the engagement
        // and inserted the row, and has not committed yet.
        let mut tx = app.db.begin().await.unwrap();
        ta_tracker::storage::engagements::lock(&mut tx, &[engagement])
            .await
            .unwrap();
        let fields = ta_tracker::storage::activities::ActivityFields {
            engagement_id: engagement,
            kind: "training",
            title: "Training in Tashkent",
            start_date: "2021-03-01",
            end_date: "2021-03-05",
            country_iso3: "UZB",
            place: "",
            participants_total: 20,
            participants_female: 10,
            participants_male: 10,
            target_group: "",
            description: "",
        };
        ta_tracker::storage::activities::insert(&mut tx, &fields)
            .await
            .unwrap();
        // Meanwhile the engagement is narrowed to Kazakhstan. Whichever way the two meet, it
        // must not end with the activity outside the recipients.
        let update = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { \
            updateEngagement(id: $id, version: $v, input: $i) { version } }";
        let narrow = app.post(
            update,
            json!({"id": w.kaz_uzb, "v": 1,
                   "i": {"recipientCountries": [{"country": "KAZ", "percentage": 100}]}}),
            Some(&w.admin),
        );
        let commit = async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            tx.commit().await.unwrap();
        };
        let ((_, body), ()) = tokio::join!(narrow, commit);
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "input.recipientCountries",
            "{body}"
        );
        let (stranded,): (i64,) = sqlx::query_as(
            "select count(*) from activities a where a.engagement_id = $1 and a.country_iso3 \
             not in (select country_iso3 from engagement_countries c where c.engagement_id = $1)",
        )
        .bind(engagement)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(stranded, 0);
    }
);

on_both_engines!(
    an_activity_logged_while_its_country_leaves_the_recipients_is_refused,
    |app: TestApp| async move {
        let w = world(&app).await;
        let engagement = number(&json!(w.kaz_uzb));
        // The engagement is being narrowed to Kazakhstan: its transaction holds the engagement
        // and has taken Uzbekistan out, and has not committed yet.
        let mut tx = app.db.begin().await.unwrap();
        ta_tracker::storage::engagements::lock(&mut tx, &[engagement])
            .await
            .unwrap();
        sqlx::query(
            "delete from engagement_countries where engagement_id = $1 and country_iso3 = 'UZB'",
        )
        .bind(engagement)
        .execute(&mut *tx)
        .await
        .unwrap();
        let before = written(&app).await;
        let logging = app.post(
            LOG,
            json!({"i": training(&w.kaz_uzb, "UZB", "2021-03-01", "2021-03-05")}),
            Some(&w.admin),
        );
        let commit = async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            tx.commit().await.unwrap();
        };
        let ((_, body), ()) = tokio::join!(logging, commit);
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "input.country",
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("allowed: KAZ"),
            "{body}"
        );
        assert_eq!(written(&app).await, before, "nothing written");
    }
);
