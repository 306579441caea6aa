//! A regional summary's `bySubRegion` at every level of the M49 hierarchy: the sub-regions
//! inside the area asked for (or the area itself, for a sub-region), never a larger one, and
//! rows that add up as the README says. On SQLite and PostgreSQL.

mod common;

use serde_json::{Value, json};

use common::TestApp;

const SUMMARY: &str = "query($r: String!) { regionalSummary(region: $r) {
  engagements { total } budgetTotal { currency amount }
  bySubRegion { region { code } engagements budgetTotal { currency amount } }
  byCountry { country { iso3 } } } }";

/// Creates an active engagement for countries (ISO3, percentage) or for a region, with a
/// budget of `amount` USD for 2021.
async fn engagement(app: &TestApp, admin: &str, place: Value, amount: f64) {
    let mut input = json!({
        "programme": "LVL", "title": "[Test] Engagement", "status": "2",
        "plannedStart": "2021-01-01", "plannedEnd": "2021-12-31",
        "sectors": [{ "code": "15130", "percentage": 100 }],
        "budgets": [{ "periodStart": "2021-01-01", "periodEnd": "2021-12-31",
                      "amount": amount, "currency": "USD" }],
    });
    match place {
        Value::String(region) => input["recipientRegion"] = json!(region),
        countries => {
            input["recipientCountries"] = countries
                .as_array()
                .unwrap()
                .iter()
                .map(|c| json!({ "country": c[0], "percentage": c[1] }))
                .collect()
        }
    }
    let q = "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
    app.ok(q, json!({ "i": input }), Some(admin)).await;
}

/// (sub-region code, engagements, USD budget) per row, and the (engagements, USD) totals.
async fn rows(app: &TestApp, admin: &str, region: &str) -> (Vec<(String, i64, f64)>, (i64, f64)) {
    let s = &app.ok(SUMMARY, json!({ "r": region }), Some(admin)).await["regionalSummary"];
    let usd = |money: &Value| {
        money
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["currency"] == "USD")
            .map(|m| m["amount"].as_f64().unwrap())
            .sum::<f64>()
    };
    // To the cent: shares are percentages of whole amounts here, so nothing finer is meant.
    let usd = |money: &Value| (usd(money) * 100.0).round() / 100.0;
    let rows = s["bySubRegion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["region"]["code"].as_str().unwrap().to_string(),
                r["engagements"].as_i64().unwrap(),
                usd(&r["budgetTotal"]),
            )
        })
        .collect();
    let totals = (
        s["engagements"]["total"].as_i64().unwrap(),
        usd(&s["budgetTotal"]),
    );
    (rows, totals)
}

on_both_engines!(
    by_sub_region_lists_the_sub_regions_inside_the_area_at_every_level,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let q = "mutation { createProgramme(input: {code: \"LVL\", title: \"Levels\"}) { id } }";
        app.ok(q, json!({}), Some(&admin)).await;
        // Nigeria and Ghana are in Western Africa (011), an intermediate region of Sub-Saharan
        // Africa (202); Kenya in Eastern Africa (014), also of 202; Egypt in Northern Africa (015).
        engagement(&app, &admin, json!([["NGA", 60], ["GHA", 40]]), 1000.0).await;
        engagement(&app, &admin, json!([["KEN", 100]]), 200.0).await;
        engagement(&app, &admin, json!([["EGY", 100]]), 30.0).await;
        engagement(&app, &admin, json!("011"), 4.0).await;
        engagement(&app, &admin, json!("002"), 0.5).await;
        let create = "mutation { createGrouping(input: {code: \"LVL-G\", name: \"Levels\", countries: [\"NGA\", \"EGY\"]}) { code } }";
        app.ok(create, json!({}), Some(&admin)).await;

        let row = |code: &str, engagements: i64, usd: f64| (code.to_string(), engagements, usd);
        // Western Africa holds no sub-region: an empty list, not its parent Sub-Saharan Africa.
        // Its totals are its own (the Nigeria/Ghana engagement and the one recorded for it).
        assert_eq!(rows(&app, &admin, "011").await, (vec![], (2, 1004.0)));
        assert_eq!(rows(&app, &admin, "14").await, (vec![], (1, 200.0)));
        // A sub-region is its own single row, equal to its totals.
        assert_eq!(
            rows(&app, &admin, "202").await,
            (vec![row("202", 3, 1204.0)], (3, 1204.0))
        );
        // A region and the world list their sub-regions (by name); the engagement recorded for
        // Africa is in the totals only, as the README says.
        let africa = (
            vec![row("015", 1, 30.0), row("202", 3, 1204.0)],
            (5, 1234.5),
        );
        assert_eq!(rows(&app, &admin, "002").await, africa);
        assert_eq!(rows(&app, &admin, "001").await, africa);
        // A grouping lists the sub-regions its countries are in, each with the grouping's part.
        assert_eq!(
            rows(&app, &admin, "LVL-G").await,
            (vec![row("015", 1, 30.0), row("202", 1, 600.0)], (2, 630.0))
        );
    }
);

on_both_engines!(
    only_sub_regions_and_countries_with_something_in_the_period_have_a_row,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let q = "mutation { createProgramme(input: {code: \"LVL\", title: \"Levels\"}) { id } }";
        app.ok(q, json!({}), Some(&admin)).await;
        // Work in Kenya (Sub-Saharan Africa, 202) in 2021, none in Northern Africa (015).
        engagement(&app, &admin, json!([["KEN", 100]]), 200.0).await;
        let q = "query($r: String!, $p: PeriodInput) { regionalSummary(region: $r, period: $p) {
          bySubRegion { region { code } } byCountry { country { iso3 } } } }";
        let listed = |s: &Value| {
            let codes = |list: &str, key: &str, code: &str| -> Vec<String> {
                s["regionalSummary"][list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r[key][code].as_str().unwrap().to_string())
                    .collect()
            };
            (
                codes("bySubRegion", "region", "code"),
                codes("byCountry", "country", "iso3"),
            )
        };
        let kenya = (vec!["202".to_string()], vec!["KEN".to_string()]);
        for region in ["002", "001"] {
            let s = app
                .ok(
                    q,
                    json!({ "r": region, "p": { "year": 2021 } }),
                    Some(&admin),
                )
                .await;
            assert_eq!(listed(&s), kenya, "{region} in 2021");
            // A year with nothing in it: no row at all, not rows of zeros.
            let s = app
                .ok(
                    q,
                    json!({ "r": region, "p": { "year": 2019 } }),
                    Some(&admin),
                )
                .await;
            assert_eq!(listed(&s), (vec![], vec![]), "{region} in 2019");
        }
    }
);
