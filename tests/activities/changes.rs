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
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"country": "IDN"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"endDate": "2021-01-01"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.endDate"), "{e:?}");
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
        assert_eq!(e.code, "NOT_FOUND", "{e:?}");
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
