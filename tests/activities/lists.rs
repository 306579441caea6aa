//! Listing activities and engagements: filters, newest-first pages, archived records, searches
//! for `%` and `_`, and lists by region that agree with the regional summary.

use serde_json::{Value, json};

use super::*;

on_both_engines!(
    filters_narrow_the_list_and_pages_run_newest_first,
    |app: TestApp| async move {
        let w = world(&app).await;
        let kaz = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2019-05-01", "2019-05-03"),
        )
        .await;
        let mut input = training(&w.kaz_uzb, "UZB", "2020-06-01", "2020-06-20");
        input["kind"] = json!("ASSESSMENT");
        input["title"] = json!("Assessment of classification and risk assessment");
        input["targetGroup"] = json!("Policymakers");
        let uzb = log(&app, &w.admin, input).await;
        let mut input = training(&w.idn, "IDN", "2021-09-01", "2021-09-02");
        input["kind"] = json!("ADVISORY_MISSION");
        input["description"] = json!("Advice on the Nelson Mandela Rules");
        let idn = log(&app, &w.admin, input).await;
        let tun = log(
            &app,
            &w.admin,
            training(&w.tun, "TUN", "2022-02-01", "2022-02-03"),
        )
        .await;
        let id = |v: &Value| v["id"].as_str().unwrap().to_string();

        let cases = vec![
            (json!({}), vec![id(&tun), id(&idn), id(&uzb), id(&kaz)]),
            (json!({"kind": "TRAINING"}), vec![id(&tun), id(&kaz)]),
            (json!({"country": "UZ"}), vec![id(&uzb)]),
            (json!({"region": "035"}), vec![id(&idn)]),
            (json!({"region": "143"}), vec![id(&uzb), id(&kaz)]),
            (json!({"region": "002"}), vec![id(&tun)]),
            (json!({"engagement": w.kaz_uzb}), vec![id(&uzb), id(&kaz)]),
            (json!({"programme": "other1"}), vec![id(&tun)]),
            // Overlap: the Uzbek assessment runs 1-20 June 2020.
            (
                json!({"from": "2020-06-15", "to": "2021-12-31"}),
                vec![id(&idn), id(&uzb)],
            ),
            (json!({"to": "2019-05-01"}), vec![id(&kaz)]),
            (json!({"from": "2022-02-03"}), vec![id(&tun)]),
            (json!({"targetGroup": "policy"}), vec![id(&uzb)]),
            (json!({"search": "MANDELA"}), vec![id(&idn)]),
        ];
        for (filter, expected) in cases {
            let data = app
                .ok(LIST, json!({"f": filter, "first": 10}), Some(&w.admin))
                .await;
            assert_eq!(ids(&data["activities"]), expected, "{filter}");
            assert_eq!(data["activities"]["totalCount"], expected.len(), "{filter}");
        }
        let e = app
            .err(LIST, json!({"f": {"region": "999"}}), Some(&w.admin))
            .await;
        assert_eq!(e.field.as_deref(), Some("filter.region"), "{e:?}");

        // Two pages of two cover the four activities once, newest first.
        let first = app.ok(LIST, json!({"first": 2}), Some(&w.admin)).await;
        assert_eq!(ids(&first["activities"]), vec![id(&tun), id(&idn)]);
        assert_eq!(first["activities"]["pageInfo"]["hasNextPage"], true);
        let after = first["activities"]["pageInfo"]["endCursor"].clone();
        let second = app
            .ok(LIST, json!({"first": 2, "after": after}), Some(&w.admin))
            .await;
        assert_eq!(ids(&second["activities"]), vec![id(&uzb), id(&kaz)]);
        assert_eq!(second["activities"]["pageInfo"]["hasNextPage"], false);
    }
);

on_both_engines!(
    archived_activities_drop_out_of_lists_unless_asked_for,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05"),
        )
        .await;
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { id version } }",
            json!({"id": a["id"]}),
            Some(&w.admin),
        )
        .await;
        let data = app.ok(LIST, json!({}), Some(&w.admin)).await;
        assert_eq!(data["activities"]["totalCount"], 0);
        let data = app
            .ok(
                LIST,
                json!({"f": {"includeArchived": true}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(ids(&data["activities"]), vec![a["id"].as_str().unwrap()]);
        let data = app.ok(GET, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert!(data["activity"]["archivedAt"].is_string());
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"title": "x"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
    }
);

on_both_engines!(
    an_archived_engagement_takes_its_activities_out_of_lists_and_exports,
    |app: TestApp| async move {
        let w = world(&app).await;
        let kaz = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05"),
        )
        .await;
        let idn = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-04-01", "2021-04-02"),
        )
        .await;
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { id } }",
            json!({"id": w.kaz_uzb}),
            Some(&w.admin),
        )
        .await;
        let data = app.ok(LIST, json!({}), Some(&w.admin)).await;
        assert_eq!(ids(&data["activities"]), vec![idn["id"].as_str().unwrap()]);
        let summary = app
            .ok(
                "{ regionalSummary(region: \"001\") { activities { total } } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(summary["regionalSummary"]["activities"]["total"], 1);
        let csv = app.get_text("/export/activities.csv", &w.admin).await;
        assert_eq!(
            csv.lines().count(),
            2,
            "a header and Indonesia's row: {csv}"
        );
        assert!(csv.contains("Training in IDN"), "{csv}");
        // Still there when asked for, and under the engagement itself.
        let data = app
            .ok(
                LIST,
                json!({"f": {"includeArchived": true}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["activities"]["totalCount"], 2);
        let data = app
            .ok(
                LIST,
                json!({"f": {"engagement": w.kaz_uzb}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(ids(&data["activities"]), vec![kaz["id"].as_str().unwrap()]);
    }
);

on_both_engines!(
    a_search_for_a_percent_sign_or_underscore_finds_that_character,
    |app: TestApp| async move {
        let w = world(&app).await;
        let mut input = json!({"programme": "GLOZ85", "title": "Reach 100% of prisons",
            "status": "2", "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2019-01-01",
            "recipientCountries": [{"country": "TUN", "percentage": 100.0}]});
        let hundred = engagement(&app, &w.admin, input.clone()).await;
        input["title"] = json!("Prison_staff training");
        let underscore = engagement(&app, &w.admin, input).await;
        let search = "query($s: String!) { engagements(filter: {search: $s}) { nodes { id } } \
            countries(filter: {search: $s}) { totalCount } }";
        for (text, expected) in [
            ("%", vec![&hundred]),
            ("100%", vec![&hundred]),
            ("_", vec![&underscore]),
            ("h_1", vec![]),
        ] {
            let data = app.ok(search, json!({"s": text}), Some(&w.admin)).await;
            let found: Vec<&str> = data["engagements"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap())
                .collect();
            let expected: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
            assert_eq!(found, expected, "{text}");
            assert_eq!(data["countries"]["totalCount"], 0, "{text}");
        }
    }
);

on_both_engines!(
    lists_by_region_hold_the_engagements_the_summary_counts,
    |app: TestApp| async move {
        let w = world(&app).await;
        // Western Africa (011) is recorded as a region: it lies in Sub-Saharan Africa (202),
        // Africa (002, with Tunisia) and the world, as it does in the summary.
        for (region, expected) in [("011", 1), ("202", 1), ("002", 2), ("001", 4), ("143", 1)] {
            let data = app
                .ok(
                    "query($r: String!) { engagements(filter: {region: $r}) { totalCount } \
                     regionalSummary(region: $r) { engagements { total } } }",
                    json!({"r": region}),
                    Some(&w.admin),
                )
                .await;
            assert_eq!(data["engagements"]["totalCount"], expected, "{region}");
            assert_eq!(
                data["regionalSummary"]["engagements"]["total"], expected,
                "{region}"
            );
        }
        let data = app
            .ok(
                "{ engagements(filter: {region: \"002\"}) { nodes { id } } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        let nodes = data["engagements"]["nodes"].as_array().unwrap();
        assert!(
            nodes.iter().any(|n| n["id"] == w.west_africa.as_str()),
            "{nodes:?}"
        );
    }
);
