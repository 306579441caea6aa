//! Logging an activity: read back with participants by sex and its country, results and
//! documents; refused with the field named when it breaks a rule, and then nothing is written.

use serde_json::{Value, json};

use super::*;

on_both_engines!(
    an_activity_is_logged_and_read_back_with_unreported_participants_derived,
    |app: TestApp| async move {
        let w = world(&app).await;
        let doc = app
            .ok(
                "mutation { createDocument(input: {title: \"Nelson Mandela Rules\", \
                 url: \"https://www.unodc.org/mandela.pdf\", category: \"A12\"}) { id } }",
                json!({}),
                Some(&w.admin),
            )
            .await["createDocument"]["id"]
            .clone();
        // A result of the engagement, written directly: results have their own module.
        let (result_id,): (i64,) = sqlx::query_as(
            "insert into results (engagement_id, result_type, title, created_at, updated_at) \
             values ($1, '2', 'Staff trained', '2020-01-01', '2020-01-01') returning id",
        )
        .bind(number(&json!(w.kaz_uzb)))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let audits = app.count("audit_log").await;

        let mut input = training(&w.kaz_uzb, "kz", "2021-03-01", "2021-03-05");
        input["place"] = json!("Astana");
        input["description"] = json!("Five days on the Nelson Mandela Rules.");
        input["results"] = json!([format!("Result:{result_id}")]);
        input["documents"] = json!([doc]);
        let a = log(&app, &w.admin, input).await;
        assert_eq!(a["kind"], "TRAINING");
        assert_eq!(a["version"], 1);
        assert_eq!(a["country"]["iso3"], "KAZ", "ISO2 codes are accepted");
        assert_eq!(a["country"]["name"], "Kazakhstan");
        assert_eq!(
            a["participants"],
            json!({"total": 30, "female": 12, "male": 15, "unreported": 3})
        );
        assert_eq!(a["engagementId"], json!(w.kaz_uzb));
        assert_eq!(a["resultIds"], json!([format!("Result:{result_id}")]));
        assert_eq!(a["documents"][0]["title"], "Nelson Mandela Rules");
        assert_eq!(a["place"], "Astana");
        assert_eq!(app.count("audit_log").await, audits + 1, "one audit entry");

        let got = app.ok(GET, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert_eq!(got["activity"]["title"], "Training in kz from 2021-03-01");
        assert_eq!(got["activity"]["participants"]["unreported"], 3);
        assert!(got["activity"]["archivedAt"].is_null());

        // An engagement that names only a region takes any country inside it.
        let mut input = training(&w.west_africa, "BFA", "2022-01-10", "2022-01-12");
        input["kind"] = json!("EQUIPMENT_DELIVERY");
        input["participants"] = json!({"total": 0});
        let a = log(&app, &w.admin, input).await;
        assert_eq!(a["country"]["iso3"], "BFA");
        assert_eq!(a["participants"]["unreported"], 0);
    }
);

on_both_engines!(
    bad_activities_are_refused_by_field_and_nothing_is_written,
    |app: TestApp| async move {
        let w = world(&app).await;
        let other_result: (i64,) = sqlx::query_as(
            "insert into results (engagement_id, result_type, title, created_at, updated_at) \
             values ($1, '2', 'Elsewhere', '2020-01-01', '2020-01-01') returning id",
        )
        .bind(number(&json!(w.tun)))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let before = written(&app).await;
        let ok = training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05");
        let ahead = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
        let cases: Vec<(Value, &str, &str)> = vec![
            (
                json!({"startDate": ahead, "endDate": ahead}),
                "input.startDate",
                "logged once it has begun",
            ),
            (
                json!({"participants": {"total": 20, "female": 12, "male": 10}}),
                "input.participants.female",
                "exceed the total",
            ),
            (
                json!({"participants": {"total": -1}}),
                "input.participants.total",
                "negative",
            ),
            (
                json!({"participants": {"total": 9_223_372_036_854_775_807_i64, "female": 0}}),
                "input.participants.total",
                "at most 1000000",
            ),
            (
                json!({"participants": {"total": 30, "male": 3_000_000_000_i64}}),
                "input.participants.male",
                "at most 1000000",
            ),
            (
                json!({"endDate": "2021-02-28"}),
                "input.endDate",
                "before the start date",
            ),
            (
                json!({"startDate": "2021-13-01"}),
                "input.startDate",
                "not a day of the calendar",
            ),
            (
                json!({"startDate": "2021-3-1"}),
                "input.startDate",
                "YYYY-MM-DD",
            ),
            (json!({"country": "TUN"}), "input.country", "KAZ, UZB"),
            (
                json!({"country": "XXX"}),
                "input.country",
                "not a known country",
            ),
            (json!({"title": "  "}), "input.title", "empty"),
            (
                json!({"results": [format!("Result:{}", other_result.0)]}),
                "input.results[0]",
                "not a live result",
            ),
            (
                json!({"documents": ["Document:999"]}),
                "input.documents[0]",
                "no document",
            ),
            (
                json!({"engagement": "Engagement:999"}),
                "input.engagement",
                "no engagement",
            ),
            (
                json!({"engagement": "Activity:1"}),
                "input.engagement",
                "must be the id of an Engagement, not of an Activity",
            ),
        ];
        for (change, field, words) in cases {
            let mut input = ok.clone();
            for (k, v) in change.as_object().unwrap() {
                input[k] = v.clone();
            }
            let e = app.err(LOG, json!({ "i": input }), Some(&w.admin)).await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{change}: {e:?}");
            assert_eq!(e.field.as_deref(), Some(field), "{change}: {e:?}");
            assert!(e.message.contains(words), "{change}: {e:?}");
        }
        // A country outside the recipient region of a region-only engagement.
        let e = app
            .err(
                LOG,
                json!({"i": training(&w.west_africa, "KEN", "2021-03-01", "2021-03-05")}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        // Unknown kinds fail on the enum.
        let mut input = ok.clone();
        input["kind"] = json!("PICNIC");
        let e = app.err(LOG, json!({ "i": input }), Some(&w.admin)).await;
        assert_eq!(e.code, "BAD_USER_INPUT", "{e:?}");
        assert_eq!(
            written(&app).await,
            before,
            "refused mutations wrote nothing"
        );
    }
);

on_both_engines!(
    activities_stay_within_their_engagements_actual_dates,
    |app: TestApp| async move {
        let w = world(&app).await;
        let change = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { \
                      updateEngagement(id: $id, version: $v, input: $i) { version } }";
        // Indonesia actually ran from 2019-03-01 to 2022-06-30.
        let closed = json!({"status": "4", "actualStart": "2019-03-01", "actualEnd": "2022-06-30"});
        let v = app
            .ok(
                change,
                json!({"id": w.idn, "v": 1, "i": closed}),
                Some(&w.admin),
            )
            .await["updateEngagement"]["version"]
            .as_i64()
            .unwrap();
        let before = written(&app).await;
        for (start, end, field, says) in [
            (
                "2023-01-10",
                "2023-01-12",
                "input.startDate",
                "2023-01-10 is after Engagement",
            ),
            (
                "2019-02-25",
                "2019-03-02",
                "input.startDate",
                "2019-02-25 is before Engagement",
            ),
            (
                "2022-06-28",
                "2022-07-01",
                "input.endDate",
                "2022-07-01 is after Engagement",
            ),
        ] {
            let e = app
                .err(
                    LOG,
                    json!({"i": training(&w.idn, "IDN", start, end)}),
                    Some(&w.admin),
                )
                .await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{start}..{end}");
            assert_eq!(e.field.as_deref(), Some(field), "{start}..{end}");
            assert!(e.message.contains(says), "{}", e.message);
            assert!(e.message.contains("actual"), "{}", e.message);
        }
        assert_eq!(written(&app).await, before, "nothing written");

        // Its first and last actual days are inside; so is an engagement with planned dates only.
        let first = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2019-03-01", "2019-03-01"),
        )
        .await;
        let last = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2022-06-30", "2022-06-30"),
        )
        .await;
        let kaz = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2015-01-05", "2015-01-06"),
        )
        .await;

        // Changing or moving an activity out is refused as logging it there is.
        let e = app
            .err(
                UPDATE,
                json!({"id": last["id"], "v": 1, "i": {"endDate": "2022-07-04"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.endDate"), "{}", e.message);
        let e = app
            .err(
                UPDATE,
                json!({"id": kaz["id"], "v": 1, "i": {"engagement": w.idn, "country": "IDN"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.startDate"), "{}", e.message);
        assert!(
            e.message.contains("2015-01-05 is before Engagement"),
            "{}",
            e.message
        );
        assert_eq!(written(&app).await.0, before.0 + 3, "nothing else written");

        // The engagement's dates may not leave a logged activity outside them.
        let e = app
            .err(
                change,
                json!({"id": w.idn, "v": v, "i": {"actualStart": "2019-03-02"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.actualStart"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains(&format!(
                "{} begins earlier, on 2019-03-01",
                first["id"].as_str().unwrap()
            )),
            "{}",
            e.message
        );
        let e = app
            .err(
                change,
                json!({"id": w.idn, "v": v, "i": {"actualEnd": "2022-06-29"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.actualEnd"), "{}", e.message);
        assert!(
            e.message.contains(&format!(
                "{} ends later, on 2022-06-30",
                last["id"].as_str().unwrap()
            )),
            "{}",
            e.message
        );
        // Once the activity is archived, the dates may close in; widening them is always fine.
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { id } }",
            json!({"id": last["id"]}),
            Some(&w.admin),
        )
        .await;
        app.ok(change, json!({"id": w.idn, "v": v, "i": {"actualEnd": "2022-06-29", "actualStart": "2019-01-01"}}), Some(&w.admin))
            .await;
    }
);
