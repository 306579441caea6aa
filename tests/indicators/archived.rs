//! Archived targets and actuals: a value taken back ties its indicator to nothing, neither a
//! country in the indicators filter nor an engagement's recipient country, and is listed only
//! when asked for.

use serde_json::json;
use ta_tracker::domain::auth::Role;

use super::*;

const ARCHIVE: &str =
    "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id version } }";

on_both_engines!(
    an_archived_value_no_longer_brings_its_indicator_into_the_country_filter,
    |app: TestApp| async move {
        let w = world(&app).await;
        // A programme-level result names no country: only its values tie it to Tunisia, where
        // GLOZ85 has no engagement.
        let r = result(
            &app,
            &w.admin,
            json!({"programme": "GLOZ85", "type": "2", "title": "Programme-wide"}),
        )
        .await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "PW-1")).await;
        let mut v = year(&i, 2021, Some(10.0));
        v["country"] = json!("TUN");
        let t = target(&app, &w.admin, v.clone()).await;
        let a = actual(&app, &w.admin, v).await;
        let q = "{ tun: indicators(filter: {country: \"TUN\"}) { totalCount nodes { code } } \
                 all: indicators(filter: {country: \"TUN\", includeArchived: true}) { totalCount } }";
        let codes = |data: &Value| {
            data["tun"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["code"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let data = app.ok(q, json!({}), Some(&w.admin)).await;
        assert_eq!(codes(&data), ["PW-1"], "{data}");

        // While one value for Tunisia is live the indicator stays; once both are archived it
        // goes, from the count too, and asking for archived indicators does not bring it back.
        app.ok(ARCHIVE, json!({"id": a["id"], "v": 1}), Some(&w.admin))
            .await;
        let data = app.ok(q, json!({}), Some(&w.admin)).await;
        assert_eq!(codes(&data), ["PW-1"], "the target still ties it: {data}");
        app.ok(ARCHIVE, json!({"id": t["id"], "v": 1}), Some(&w.admin))
            .await;
        let data = app.ok(q, json!({}), Some(&w.admin)).await;
        assert_eq!(data["tun"], json!({"totalCount": 0, "nodes": []}));
        assert_eq!(data["all"]["totalCount"], 0, "{data}");

        // A value recorded for Tunisia again brings it back.
        let mut v = year(&i, 2022, Some(4.0));
        v["country"] = json!("TUN");
        actual(&app, &w.admin, v).await;
        let data = app.ok(q, json!({}), Some(&w.admin)).await;
        assert_eq!(codes(&data), ["PW-1"], "{data}");
    }
);

on_both_engines!(
    an_archived_value_does_not_keep_its_country_among_the_engagement_recipients,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.kaz_uzb, "Outcome")).await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "CA-1")).await;
        let mut v = year(&i, 2021, Some(7.0));
        v["country"] = json!("UZB");
        let uzb = actual(&app, &w.admin, v).await;
        let update = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { \
            updateEngagement(id: $id, version: $v, input: $i) { version \
            recipientCountries { country { iso3 } percentage } } }";
        let kaz_only = json!({"id": w.kaz_uzb, "v": 1,
            "i": {"recipientCountries": [{"country": "KAZ", "percentage": 100}]}});

        // The live value keeps Uzbekistan among the recipients.
        let e = app.err(update, kaz_only.clone(), Some(&w.admin)).await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.recipientCountries"),
            "{e:?}"
        );
        assert!(e.message.contains("would leave out UZB"), "{e:?}");

        // Archived, it no longer does: the recipients change, and the value is kept as it was.
        app.ok(ARCHIVE, json!({"id": uzb["id"], "v": 1}), Some(&w.admin))
            .await;
        let data = app.ok(update, kaz_only, Some(&w.admin)).await;
        assert_eq!(
            data["updateEngagement"],
            json!({"version": 2,
                   "recipientCountries": [{"country": {"iso3": "KAZ"}, "percentage": 100.0}]})
        );
        assert_eq!(app.count("indicator_values").await, 1);
    }
);

on_both_engines!(
    archived_values_are_listed_when_asked_for_with_when_they_were_archived,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.kaz_uzb, "Outcome")).await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "CA-1")).await;
        target(&app, &w.admin, year(&i, 2021, Some(100.0))).await;
        let wrong = actual(&app, &w.admin, year(&i, 2021, Some(40.0))).await;
        app.ok(ARCHIVE, json!({"id": wrong["id"], "v": 1}), Some(&w.admin))
            .await;
        let right = actual(&app, &w.admin, year(&i, 2021, Some(30.0))).await;

        let q = "query($id: ID!) { indicator(id: $id) { progress \
                 actuals { id value archivedAt } \
                 all: actuals(includeArchived: true) { id value version archivedAt } \
                 targets(includeArchived: true) { value archivedAt } } }";
        let data = app.ok(q, json!({"id": i["id"]}), Some(&w.admin)).await;
        let ind = &data["indicator"];
        assert_eq!(
            ind["actuals"],
            json!([{"id": right["id"], "value": 30.0, "archivedAt": null}]),
            "left out unless asked for"
        );
        let all = ind["all"].as_array().unwrap();
        assert_eq!(all.len(), 2, "{ind}");
        assert_eq!(all[0]["id"], wrong["id"], "the archived one first: {ind}");
        assert_eq!(all[0]["value"], 40.0);
        assert_eq!(all[0]["version"], 2);
        assert_eq!(all[1]["id"], right["id"]);
        assert_eq!(all[1]["archivedAt"], Value::Null);
        assert_eq!(
            ind["targets"],
            json!([{"value": 100.0, "archivedAt": null}])
        );
        // Asking for archived values changes no figure: progress counts the live 30 only.
        let progress = ind["progress"].as_f64().unwrap();
        assert!((progress - 0.3).abs() < 1e-9, "{ind}");

        // When it was archived, as its audit entry says.
        let log = app
            .ok(
                "query($id: ID!) { auditLog(entityId: $id) { nodes { action after } } }",
                json!({"id": i["id"]}),
                Some(&w.admin),
            )
            .await;
        let entry = log["auditLog"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "archive_actual")
            .expect("an archive_actual entry")
            .clone();
        assert!(all[0]["archivedAt"].is_string(), "{ind}");
        assert_eq!(all[0]["archivedAt"], entry["after"]["archived_at"]);

        // In lists too, and for a donor within what it funds: Belgium funds this engagement,
        // Norway does not.
        let list =
            "{ indicators { nodes { code actuals(includeArchived: true) { value archivedAt } } } }";
        let belgium = app
            .token(Role::Donor)
            .organisation(w.belgium)
            .create()
            .await;
        let data = app.ok(list, json!({}), Some(&belgium)).await;
        assert_eq!(
            data["indicators"]["nodes"],
            json!([{"code": "CA-1", "actuals": [
                {"value": 40.0, "archivedAt": all[0]["archivedAt"]},
                {"value": 30.0, "archivedAt": null}]}])
        );
        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let data = app.ok(list, json!({}), Some(&norway)).await;
        assert_eq!(data["indicators"]["nodes"], json!([]));

        // By its id, as any record: node(id) finds the archived value for its funder, and for
        // another donor it reads as one that does not exist.
        let by_id = "query($id: ID!) { node(id: $id) { __typename id \
                     ... on IndicatorValue { kind value archivedAt } } }";
        let data = app
            .ok(by_id, json!({"id": wrong["id"]}), Some(&belgium))
            .await;
        assert_eq!(
            data["node"],
            json!({"__typename": "IndicatorValue", "id": wrong["id"], "kind": "ACTUAL",
                   "value": 40.0, "archivedAt": all[0]["archivedAt"]})
        );
        let data = app
            .ok(by_id, json!({"id": wrong["id"]}), Some(&norway))
            .await;
        assert_eq!(data["node"], Value::Null);
        let data = app
            .ok(by_id, json!({"id": "IndicatorValue:999"}), Some(&w.admin))
            .await;
        assert_eq!(data["node"], Value::Null);
    }
);
