//! Listing indicators and results: pages in code order, archived records dropping out, and the
//! demo data's progress across engagements and the programme.

use serde_json::json;

use super::*;

on_both_engines!(
    indicator_pages_follow_their_codes,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        for code in ["C", "A", "E", "B", "D"] {
            indicator(&app, &w.admin, officers_trained(&r, code)).await;
        }
        let q = "query($after: String) { indicators(first: 2, after: $after) { totalCount \
                 nodes { code } pageInfo { hasNextPage endCursor } } }";
        let mut after: Option<String> = None;
        let mut seen = Vec::new();
        loop {
            let data = app.ok(q, json!({"after": after}), Some(&w.admin)).await;
            let page = &data["indicators"];
            assert_eq!(page["totalCount"], 5);
            for n in page["nodes"].as_array().unwrap() {
                seen.push(n["code"].as_str().unwrap().to_string());
            }
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen, vec!["A", "B", "C", "D", "E"]);
    }
);

on_both_engines!(
    archived_indicators_and_results_drop_out_of_lists_and_take_no_values,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        let kept = indicator(&app, &w.admin, officers_trained(&r, "KEEP")).await;
        let gone = indicator(&app, &w.admin, officers_trained(&r, "GONE")).await;
        let archive = "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { version } }";
        app.ok(archive, json!({"id": gone["id"], "v": 1}), Some(&w.admin))
            .await;
        let q = "query($r: ID!) { live: indicators { nodes { code } } \
                 all: indicators(filter: {includeArchived: true}) { nodes { code archivedAt } } \
                 result(id: $r) { indicators { code } } }";
        let data = app.ok(q, json!({"r": r["id"]}), Some(&w.admin)).await;
        assert_eq!(data["live"]["nodes"], json!([{"code": "KEEP"}]));
        assert_eq!(data["all"]["nodes"].as_array().unwrap().len(), 2);
        assert_eq!(data["result"]["indicators"], json!([{"code": "KEEP"}]));
        let before = written(&app).await;
        let e = app
            .err(
                &set_target_q(),
                json!({"i": year(&gone, 2021, Some(1.0))}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert_eq!(written(&app).await, before);

        app.ok(archive, json!({"id": r["id"], "v": 1}), Some(&w.admin))
            .await;
        let data = app
            .ok("{ indicators { totalCount } results { totalCount } archived: results(filter: {includeArchived: true}) { totalCount } }", json!({}), Some(&w.admin))
            .await;
        assert_eq!(
            data["indicators"]["totalCount"], 0,
            "an archived result takes its indicators along"
        );
        assert_eq!(data["results"]["totalCount"], 0);
        assert_eq!(data["archived"]["totalCount"], 1);
        let e = app
            .err(
                "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
                json!({"i": officers_trained(&r, "LATE")}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.result"), "{e:?}");
        let data = app
            .ok(
                "query($id: ID!) { indicator(id: $id) { code } }",
                json!({"id": kept["id"]}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["indicator"]["code"], "KEEP", "still readable by id");
    }
);

on_both_engines!(
    the_demo_results_show_progress_across_engagements_and_the_programme,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let q = "{ indicators(first: 50) { totalCount nodes { code title progress sdgIndicator \
                 result { level title } actuals { value country { iso3 } dimension { value } } } } \
                 programmeLevel: results(filter: {level: PROGRAMME}) { nodes { title indicators { code } } } }";
        let data = app.ok(q, json!({}), Some(&admin)).await;
        let nodes = data["indicators"]["nodes"].as_array().unwrap();
        let progress = |code: &str| {
            let n = nodes
                .iter()
                .find(|n| n["code"] == code)
                .unwrap_or_else(|| panic!("{code}"));
            (
                n["progress"]
                    .as_f64()
                    .map(|p| (p * 1000.0).round() / 1000.0),
                n,
            )
        };
        assert_eq!(progress("DEMO-VEP-IDN-OP1.1").0, Some(0.7));
        assert_eq!(progress("DEMO-VEP-CA-OC1.1").0, Some(0.313));
        let (p, tun) = progress("DEMO-VEP-TUN-OC1.1");
        assert_eq!(p, Some(0.583), "descending: fewer unsentenced detainees");
        assert_eq!(tun["sdgIndicator"], "16.3.2");
        assert_eq!(progress("DEMO-VEP-TUN-OC1.2").0, None, "qualitative");
        let (_, bfa) = progress("DEMO-VEP-BFA-OC1.1");
        assert!(
            bfa["actuals"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["dimension"]["value"] == "female")
        );
        for n in nodes {
            assert!(
                n["title"].as_str().unwrap().starts_with("[Illustrative]"),
                "{n}"
            );
        }
        assert_eq!(
            data["programmeLevel"]["nodes"][0]["indicators"][0]["code"],
            "DEMO-VEP-PO1"
        );
    }
);
