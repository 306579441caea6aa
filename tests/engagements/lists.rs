//! Listing engagements: archived ones drop out unless asked for, filters by place, time,
//! status, donor and search, list filters that cannot mean anything refused by name, and
//! cursors that page through once and keep the order they came from.

use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

use super::*;

on_both_engines!(
    archived_engagements_drop_out_of_lists_unless_asked_for,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let (id, v) = create(
            &app,
            &w.admin,
            engagement(
                &w,
                "To archive",
                json!([{"country": "TUN", "percentage": 100}]),
                &w.norway,
            ),
        )
        .await;
        let archive =
            "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id version } }";
        assert_eq!(
            app.err(archive, json!({"id": id, "v": v + 5}), Some(&w.admin))
                .await
                .code,
            "CONFLICT"
        );
        let data = app
            .ok(archive, json!({"id": id, "v": v}), Some(&w.admin))
            .await;
        assert_eq!(data["archive"]["version"], v + 1);
        let data = app.ok("{ live: engagements { totalCount } all: engagements(filter: {includeArchived: true}) { totalCount nodes { archivedAt } } }", json!({}), Some(&w.admin)).await;
        assert_eq!(data["live"]["totalCount"], 0);
        assert_eq!(data["all"]["totalCount"], 1);
        assert!(data["all"]["nodes"][0]["archivedAt"].is_string());
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v + 1, "i": {"title": "After"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.code, "CONFLICT",
            "an archived engagement is not changed: {e:?}"
        );
        let log = app.ok("query($id: ID!) { auditLog(entityId: $id) { totalCount nodes { action actor before after } } }", json!({"id": id}), Some(&w.admin)).await;
        assert_eq!(log["auditLog"]["totalCount"], 2);
        assert_eq!(log["auditLog"]["nodes"][0]["action"], "archive");
        assert_eq!(log["auditLog"]["nodes"][1]["action"], "create");
        assert!(log["auditLog"]["nodes"][1]["before"].is_null());
    }
);

on_both_engines!(
    filters_find_engagements_by_place_time_status_and_donor,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Kazakhstan",
                json!([{"country": "KAZ", "percentage": 100}]),
                &w.norway,
            ),
        )
        .await;
        create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Indonesia",
                json!([{"country": "IDN", "percentage": 100}]),
                &w.belgium,
            ),
        )
        .await;
        let mut later = engagement(
            &w,
            "Tunisia later",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        later["i"]["plannedStart"] = json!("2024-01-01");
        later["i"]["plannedEnd"] = Value::Null;
        later["i"]["budgets"] = json!([]);
        create(&app, &w.admin, later).await;
        let titles = |data: &Value| -> Vec<String> {
            data["engagements"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_string())
                .collect()
        };
        let q = "query($f: EngagementFilterInput) { engagements(filter: $f, orderBy: TITLE) { totalCount nodes { title } } }";
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"region": "035"}}), Some(&w.admin))
                    .await
            ),
            vec!["Indonesia"]
        );
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"region": "143"}}), Some(&w.admin))
                    .await
            ),
            vec!["Kazakhstan"]
        );
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"country": "TN"}}), Some(&w.admin))
                    .await
            ),
            vec!["Tunisia later"]
        );
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"donor": w.belgium}}), Some(&w.admin))
                    .await
            ),
            vec!["Indonesia"]
        );
        // Overlap: an engagement with no end is ongoing.
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"from": "2030-01-01"}}), Some(&w.admin))
                    .await
            ),
            vec!["Tunisia later"]
        );
        assert_eq!(
            titles(
                &app.ok(
                    q,
                    json!({"f": {"from": "2021-01-01", "to": "2021-12-31"}}),
                    Some(&w.admin)
                )
                .await
            ),
            vec!["Indonesia", "Kazakhstan"]
        );
        assert_eq!(
            app.ok(q, json!({"f": {"search": "indo"}}), Some(&w.admin))
                .await["engagements"]["totalCount"],
            1
        );
        // Pages of one in start order visit all three once.
        let mut after: Option<String> = None;
        let mut seen = 0;
        loop {
            let data = app.ok("query($a: String) { engagements(first: 1, after: $a) { pageInfo { hasNextPage endCursor } } }", json!({"a": after}), Some(&w.admin)).await;
            seen += 1;
            let info = &data["engagements"]["pageInfo"];
            if !info["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = info["endCursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen, 3);
    }
);

on_both_engines!(
    list_filters_refuse_what_cannot_mean_anything_and_cursors_keep_their_order,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        for (title, country) in [("Alpha", "KAZ"), ("Bravo", "IDN"), ("Charlie", "TUN")] {
            let mut e = engagement(
                &w,
                title,
                json!([{"country": country, "percentage": 100}]),
                &w.norway,
            );
            // Bravo starts first, then Charlie, then Alpha: start order is not title order.
            e["i"]["plannedStart"] = json!(match title {
                "Alpha" => "2021-06-01",
                "Bravo" => "2019-01-01",
                _ => "2020-03-01",
            });
            create(&app, &w.admin, e).await;
        }
        let eng = "query($f: EngagementFilterInput) { engagements(filter: $f) { totalCount } }";
        let act = "query($f: ActivityFilter) { activities(filter: $f) { totalCount } }";
        let refused = [
            (
                eng,
                json!({"from": "2021-12-31", "to": "2021-01-01"}),
                "filter.to",
                "must not be before the start date 2021-12-31",
            ),
            (
                act,
                json!({"from": "2021-12-31", "to": "2021-01-01"}),
                "filter.to",
                "must not be before the start date 2021-12-31",
            ),
            (
                eng,
                json!({"programme": "NOPE"}),
                "filter.programme",
                "there is no programme NOPE",
            ),
            (
                act,
                json!({"programme": "NOPE"}),
                "filter.programme",
                "there is no programme NOPE",
            ),
            (
                eng,
                json!({"status": "9"}),
                "filter.status",
                "9 is not in the IATI ActivityStatus codelist",
            ),
            (
                eng,
                json!({"donor": "Organisation:999"}),
                "filter.donor",
                "there is no organisation Organisation:999",
            ),
        ];
        for (q, f, field, message) in refused {
            let e = app.err(q, json!({"f": f}), Some(&w.admin)).await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{f}");
            assert_eq!(e.field.as_deref(), Some(field), "{f}");
            assert!(e.message.ends_with(message), "{f}: {}", e.message);
        }
        // What they are checked against still finds: any case of a programme code, a status.
        let total = |data: Value| data["engagements"]["totalCount"].as_i64().unwrap();
        for f in [
            json!({"programme": " vep "}),
            json!({"status": "2"}),
            json!({"from": "2021-07-01", "to": "2021-07-01"}),
        ] {
            assert_eq!(
                total(app.ok(eng, json!({"f": f}), Some(&w.admin)).await),
                3,
                "{f}"
            );
        }
        assert_eq!(
            total(
                app.ok(eng, json!({"f": {"programme": "OTHER"}}), Some(&w.admin))
                    .await
            ),
            0
        );
        // A donor is told of no programme it cannot see, and sees its own.
        let norway_id: i64 = w.norway.rsplit(':').next().unwrap().parse().unwrap();
        let donor = app
            .token(Role::Donor)
            .organisation(norway_id)
            .create()
            .await;
        let e = app
            .err(eng, json!({"f": {"programme": "OTHER"}}), Some(&donor))
            .await;
        assert_eq!(e.field.as_deref(), Some("filter.programme"));
        assert_eq!(
            total(
                app.ok(eng, json!({"f": {"programme": "VEP"}}), Some(&donor))
                    .await
            ),
            3
        );

        // A cursor continues the order it came from, and no other.
        let q = "query($o: EngagementOrderBy!, $a: String) { engagements(orderBy: $o, first: 1, after: $a) { nodes { title } pageInfo { endCursor } } }";
        let first = app.ok(q, json!({"o": "TITLE"}), Some(&w.admin)).await;
        assert_eq!(first["engagements"]["nodes"][0]["title"], "Alpha");
        let cursor = first["engagements"]["pageInfo"]["endCursor"].clone();
        let next = app
            .ok(q, json!({"o": "TITLE", "a": cursor}), Some(&w.admin))
            .await;
        assert_eq!(next["engagements"]["nodes"][0]["title"], "Bravo");
        for other in ["START_DATE_ASC", "START_DATE_DESC"] {
            let e = app
                .err(q, json!({"o": other, "a": cursor}), Some(&w.admin))
                .await;
            assert_eq!(e.field.as_deref(), Some("after"), "{other}");
            assert!(e.message.contains("another order"), "{}", e.message);
        }
    }
);

/// Engagements, activities and results listed, and the world summary's engagements, activities
/// and participants, for one programme or (null) all of them.
async fn listed_and_counted(app: &common::TestApp, admin: &str, programme: &Value) -> [i64; 6] {
    let query = r#"query($p: String) {
        engagements(filter: {programme: $p}) { totalCount }
        activities(filter: {programme: $p}) { totalCount }
        results(filter: {programme: $p}) { totalCount }
        regionalSummary(region: "001", programme: $p) {
          engagements { total } activities { total } participants { total } } }"#;
    let d = app.ok(query, json!({ "p": programme }), Some(admin)).await;
    let n = |v: &Value| v.as_i64().unwrap();
    [
        n(&d["engagements"]["totalCount"]),
        n(&d["activities"]["totalCount"]),
        n(&d["results"]["totalCount"]),
        n(&d["regionalSummary"]["engagements"]["total"]),
        n(&d["regionalSummary"]["activities"]["total"]),
        n(&d["regionalSummary"]["participants"]["total"]),
    ]
}

on_both_engines!(
    archiving_a_programme_archives_its_engagements_and_results_with_it,
    |app: common::TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        // The demo programme with the most engagements.
        let programmes = app
            .ok(
                "{ programmes { nodes { id code version engagements { id } } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        let programme = programmes["programmes"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|p| p["engagements"].as_array().unwrap().len())
            .unwrap()
            .clone();
        let code = programme["code"].clone();
        let held = listed_and_counted(&app, &admin, &code).await;
        assert!(held.iter().all(|n| *n > 0), "{code}: {held:?}");
        let everything = listed_and_counted(&app, &admin, &Value::Null).await;

        let archive = "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { version } }";
        let vars = json!({"id": programme["id"], "v": programme["version"]});
        app.ok(archive, vars, Some(&admin)).await;

        // Nothing of it is listed or counted any more, and everything else still is.
        assert_eq!(
            listed_and_counted(&app, &admin, &code).await,
            [0; 6],
            "{code}"
        );
        let rest: Vec<i64> = everything.iter().zip(held).map(|(a, b)| a - b).collect();
        assert_eq!(
            listed_and_counted(&app, &admin, &Value::Null)
                .await
                .to_vec(),
            rest
        );

        // Still there when asked for, archived, each with an audit entry naming the programme.
        let kept = app
            .ok(
                "query($p: String) { engagements(first: 100, filter: {programme: $p, includeArchived: true}) { nodes { id archivedAt } } }",
                json!({ "p": code }),
                Some(&admin),
            )
            .await;
        let kept = kept["engagements"]["nodes"].as_array().unwrap().clone();
        assert_eq!(kept.len() as i64, held[0]);
        for e in &kept {
            assert!(e["archivedAt"].is_string(), "{e}");
            let log = app
                .ok(
                    "query($e: ID) { auditLog(entityId: $e) { nodes { action after } } }",
                    json!({ "e": e["id"] }),
                    Some(&admin),
                )
                .await;
            let entries = log["auditLog"]["nodes"].as_array().unwrap();
            assert!(
                entries
                    .iter()
                    .any(|a| a["action"] == "archive" && a["after"]["with"] == programme["id"]),
                "{log}"
            );
        }
    }
);
