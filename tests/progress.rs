//! Indicator progress by country, period and disaggregation, and donor portfolios, end to end
//! through the real router on SQLite and PostgreSQL: every figure reconciles with the values and
//! records the test created; donors see only what they fund.

mod common;
mod reporting_fixture;

use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

use common::TestApp;
use reporting_fixture::{TRAINED, World, world};

const PROGRESS: &str = "query($id: ID!, $by: ProgressBy) { indicatorProgress(indicator: $id, by: $by) { \
    by aggregation indicator { code } baseline { value } rows { country { iso3 } periodStart periodEnd \
    dimension { name value } target actual actualToDate progress derived \
    targets { value } actuals { value } } } }";

async fn progress(app: &TestApp, token: &str, id: &str, by: &str) -> Value {
    app.ok(PROGRESS, json!({"id": id, "by": by}), Some(token))
        .await["indicatorProgress"]
        .clone()
}

/// The `trained` values in a group, as `(kind, year, value)`.
fn group(pick: impl Fn(Option<&str>, Option<&str>) -> bool) -> Vec<(&'static str, i32, f64)> {
    TRAINED
        .iter()
        .filter(|(_, _, _, c, s)| pick(*c, *s))
        .map(|(k, y, v, _, _)| (*k, *y, *v))
        .collect()
}

fn sum(values: &[(&str, i32, f64)], kind: &str) -> f64 {
    values.iter().filter(|v| v.0 == kind).map(|v| v.2).sum()
}

fn latest(values: &[(&str, i32, f64)], kind: &str) -> Option<f64> {
    values
        .iter()
        .filter(|v| v.0 == kind)
        .max_by_key(|v| v.1)
        .map(|v| v.2)
}

fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("not a number: {a}"));
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

on_both_engines!(
    progress_by_country_period_and_dimension_reconciles_with_the_values,
    |app: TestApp| async move {
        let w: World = world(&app).await;

        // By COUNTRY: values for a country and not disaggregated, summed over periods; the target
        // is the latest one.
        let p = progress(&app, &w.admin, &w.trained, "COUNTRY").await;
        assert_eq!(p["by"], "COUNTRY");
        assert_eq!(p["aggregation"], "SUM");
        close(&p["baseline"]["value"], 0.0);
        let rows = p["rows"].as_array().unwrap();
        let countries: Vec<&str> = rows
            .iter()
            .map(|r| r["country"]["iso3"].as_str().unwrap())
            .collect();
        assert_eq!(countries, ["KAZ", "UZB"]);
        for r in rows {
            let iso3 = r["country"]["iso3"].as_str().unwrap();
            let values = group(|c, s| c == Some(iso3) && s.is_none());
            let (target, actual) = (latest(&values, "T").unwrap(), sum(&values, "A"));
            close(&r["target"], target);
            close(&r["actual"], actual);
            close(&r["progress"], actual / target);
            assert_eq!(r["derived"], true);
            assert_eq!(r["periodStart"], Value::Null);
            let listed =
                r["actuals"].as_array().unwrap().len() + r["targets"].as_array().unwrap().len();
            assert_eq!(
                listed,
                values.len(),
                "{iso3}: the row lists its own values only"
            );
        }

        assert!(rows.iter().all(|r| r["actualToDate"].is_null()));

        // By PERIOD: whole values only. The indicator sums its actuals toward its latest target,
        // so each period's target is a milestone of that running total: a period's progress is
        // the actuals to its end against it (2021: 60 + 80 of 200, not 80 of 200).
        let p = progress(&app, &w.admin, &w.trained, "PERIOD").await;
        let rows = p["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        let whole = group(|c, s| c.is_none() && s.is_none());
        for (r, year) in rows.iter().zip([2020, 2021]) {
            assert_eq!(r["periodStart"], format!("{year}-01-01"));
            assert_eq!(r["periodEnd"], format!("{year}-12-31"));
            let values: Vec<_> = whole.iter().filter(|v| v.1 == year).copied().collect();
            let to_date: Vec<_> = whole.iter().filter(|v| v.1 <= year).copied().collect();
            let (target, actual) = (sum(&values, "T"), sum(&values, "A"));
            close(&r["target"], target);
            close(&r["actual"], actual);
            close(&r["actualToDate"], sum(&to_date, "A"));
            close(&r["progress"], sum(&to_date, "A") / target);
        }
        // The last period reads as the indicator does.
        let overall = app
            .ok(
                "query($id: ID!) { indicator(id: $id) { progress } }",
                json!({"id": w.trained}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(rows[1]["progress"], overall["indicator"]["progress"]);
        // The default breakdown is by period.
        let default = app
            .ok(
                "query($id: ID!) { indicatorProgress(indicator: $id) { by rows { periodStart } } }",
                json!({"id": w.trained}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(default["indicatorProgress"]["by"], "PERIOD");

        // By DIMENSION: disaggregated values without a country; no target, no progress.
        let p = progress(&app, &w.admin, &w.trained, "DIMENSION").await;
        let rows = p["rows"].as_array().unwrap();
        let dims: Vec<&str> = rows
            .iter()
            .map(|r| r["dimension"]["value"].as_str().unwrap())
            .collect();
        assert_eq!(dims, ["female", "male"]);
        let female = group(|c, s| c.is_none() && s == Some("female"));
        close(&rows[0]["actual"], sum(&female, "A"));
        close(
            &rows[0]["progress"],
            sum(&female, "A") / latest(&female, "T").unwrap(),
        );
        let male = group(|c, s| c.is_none() && s == Some("male"));
        close(&rows[1]["actual"], sum(&male, "A"));
        assert_eq!(rows[1]["target"], Value::Null);
        assert_eq!(rows[1]["progress"], Value::Null);
    }
);

on_both_engines!(
    mean_latest_descending_and_qualitative_indicators_follow_their_rules,
    |app: TestApp| async move {
        let w = world(&app).await;
        // MEAN, descending, baseline 60: actuals 50 and 40 average 45; target 40.
        let p = progress(&app, &w.admin, &w.detained, "COUNTRY").await;
        let r = &p["rows"][0];
        close(&r["actual"], 45.0);
        close(&r["target"], 40.0);
        close(&r["progress"], (60.0 - 45.0) / (60.0 - 40.0));
        // LATEST, baseline 2: the 2021 actual (8) stands; target 12.
        let p = progress(&app, &w.admin, &w.prisons, "COUNTRY").await;
        let r = &p["rows"][0];
        close(&r["actual"], 8.0);
        close(&r["progress"], (8.0 - 2.0) / (12.0 - 2.0));
        // Qualitative: rows with their narratives, but no figures.
        let p = progress(&app, &w.admin, &w.narrative, "COUNTRY").await;
        let r = &p["rows"][0];
        assert_eq!(r["country"]["iso3"], "KAZ");
        assert_eq!(r["target"], Value::Null);
        assert_eq!(r["actual"], Value::Null);
        assert_eq!(r["progress"], Value::Null);
        assert_eq!(r["actuals"].as_array().unwrap().len(), 1);
        // An indicator without values has no rows.
        let p = progress(&app, &w.admin, &w.narrative, "DIMENSION").await;
        assert_eq!(p["rows"], json!([]));
    }
);

on_both_engines!(
    indicator_progress_is_null_outside_a_donors_scope_and_needs_a_credential,
    |app: TestApp| async move {
        let w = world(&app).await;
        let belgium = app
            .token(Role::Donor)
            .organisation(w.belgium)
            .create()
            .await;
        let tunisia = app
            .token(Role::Donor)
            .organisation(w.tunisia)
            .create()
            .await;
        let p = progress(&app, &belgium, &w.trained, "COUNTRY").await;
        assert_eq!(p["rows"].as_array().unwrap().len(), 2);
        let p = progress(&app, &tunisia, &w.trained, "COUNTRY").await;
        assert_eq!(p, Value::Null, "Tunisia does not fund this engagement");
        let p = progress(&app, &w.admin, "Indicator:99999", "COUNTRY").await;
        assert_eq!(p, Value::Null);
        let e = app
            .err(PROGRESS, json!({"id": w.trained, "by": "PERIOD"}), None)
            .await;
        assert_eq!(e.code, "UNAUTHENTICATED");
    }
);

const PORTFOLIO: &str = "query($o: ID!) { donorPortfolio(organisation: $o) { \
    organisation { name } \
    engagements { engagement { id } funders activities { total byKind { kind count } } \
      participants { total female male unreported } budgets { currency amount share } \
      results { title indicators { code progress } } } \
    totals { engagements activities { total byKind { kind count } } \
      participants { total female male unreported } budgets { currency amount } } } }";

on_both_engines!(
    a_donor_portfolio_adds_up_its_engagements_and_splits_shared_budgets,
    |app: TestApp| async move {
        let w = world(&app).await;
        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let data = app
            .ok(
                PORTFOLIO,
                json!({"o": format!("Organisation:{}", w.norway)}),
                Some(&norway),
            )
            .await;
        let p = &data["donorPortfolio"];
        assert_eq!(p["organisation"]["name"], "Government of Norway");
        let engagements = p["engagements"].as_array().unwrap();
        let mut ids: Vec<&str> = engagements
            .iter()
            .map(|e| e["engagement"]["id"].as_str().unwrap())
            .collect();
        ids.sort();
        let mut expected = vec![w.kaz_uzb.as_str(), w.idn.as_str()];
        expected.sort();
        assert_eq!(ids, expected, "only what Norway funds");

        // Each engagement against the records created: activities and participants.
        for e in engagements {
            let id = e["engagement"]["id"].as_str().unwrap();
            let (n, total, female, male) = if id == w.kaz_uzb {
                (3, 30 + 24 + 8, 12 + 10 + 3, 15 + 14 + 5)
            } else {
                (1, 5, 0, 0)
            };
            assert_eq!(e["activities"]["total"], n);
            assert_eq!(e["participants"]["total"], total);
            assert_eq!(e["participants"]["female"], female);
            assert_eq!(e["participants"]["male"], male);
            assert_eq!(e["participants"]["unreported"], total - female - male);
            let funders = if id == w.kaz_uzb { 2.0 } else { 1.0 };
            assert_eq!(e["funders"], funders as i64);
            for b in e["budgets"].as_array().unwrap() {
                close(&b["share"], b["amount"].as_f64().unwrap() / funders);
            }
        }
        let kaz = engagements
            .iter()
            .find(|e| e["engagement"]["id"] == w.kaz_uzb.as_str())
            .unwrap();
        assert_eq!(
            kaz["activities"]["byKind"],
            json!([{"kind": "TRAINING", "count": 2}, {"kind": "WORKSHOP", "count": 1}])
        );
        let trained = &kaz["results"][0]["indicators"][0];
        assert_eq!(trained["code"], "KU-1");
        close(&trained["progress"], (60.0 + 80.0) / 200.0);

        // Totals equal the sums over the engagements, with shared budgets split.
        let t = &p["totals"];
        assert_eq!(t["engagements"], 2);
        let total = |f: &dyn Fn(&Value) -> i64| engagements.iter().map(f).sum::<i64>();
        assert_eq!(
            t["activities"]["total"],
            total(&|e| e["activities"]["total"].as_i64().unwrap())
        );
        for k in ["total", "female", "male", "unreported"] {
            assert_eq!(
                t["participants"][k],
                total(&|e| e["participants"][k].as_i64().unwrap())
            );
        }
        // USD: half of Kazakhstan/Uzbekistan's 100000 and all of Indonesia's 75000; EUR: half of 30000.
        assert_eq!(
            t["budgets"],
            json!([{"currency": "EUR", "amount": 15000.0}, {"currency": "USD", "amount": 125000.0}])
        );
        // Belgium's share of the same engagement: the two shares make the whole, never twice.
        let belgium = app
            .ok(
                PORTFOLIO,
                json!({"o": format!("Organisation:{}", w.belgium)}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            belgium["donorPortfolio"]["totals"]["budgets"],
            json!([{"currency": "EUR", "amount": 15000.0}, {"currency": "USD", "amount": 50000.0}])
        );
    }
);

on_both_engines!(
    a_donor_may_read_only_its_own_portfolio,
    |app: TestApp| async move {
        let w = world(&app).await;
        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let e = app
            .err(
                PORTFOLIO,
                json!({"o": format!("Organisation:{}", w.belgium)}),
                Some(&norway),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN");
        let reporter = app.token(Role::Reporter).create().await;
        let data = app
            .ok(
                PORTFOLIO,
                json!({"o": format!("Organisation:{}", w.tunisia)}),
                Some(&reporter),
            )
            .await;
        assert_eq!(data["donorPortfolio"]["totals"]["engagements"], 1);
        let data = app
            .ok(
                PORTFOLIO,
                json!({"o": "Organisation:99999"}),
                Some(&reporter),
            )
            .await;
        assert_eq!(data["donorPortfolio"], Value::Null);
        let e = app
            .err(
                PORTFOLIO,
                json!({"o": format!("Organisation:{}", w.norway)}),
                None,
            )
            .await;
        assert_eq!(e.code, "UNAUTHENTICATED");
    }
);

on_both_engines!(
    a_donor_token_need_not_name_its_own_organisation,
    |app: TestApp| async move {
        // A donor had to look its id up with me { organisationId } before asking.
        let w = world(&app).await;
        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let own = "{ donorPortfolio { organisation { name } totals { engagements } } }";
        let data = app.ok(own, json!({}), Some(&norway)).await;
        let named = app
            .ok(
                PORTFOLIO,
                json!({"o": format!("Organisation:{}", w.norway)}),
                Some(&norway),
            )
            .await;
        assert_eq!(
            data["donorPortfolio"]["organisation"]["name"],
            "Government of Norway"
        );
        assert_eq!(
            data["donorPortfolio"]["totals"]["engagements"],
            named["donorPortfolio"]["totals"]["engagements"]
        );
        // Other roles have no organisation of their own to default to.
        let reporter = app.token(Role::Reporter).create().await;
        let e = app.err(own, json!({}), Some(&reporter)).await;
        assert_eq!(e.field.as_deref(), Some("organisation"), "{e:?}");
        assert_eq!(
            e.message,
            "organisation: is required: only a donor token's portfolio is its own organisation's"
        );
        let e = app.err(own, json!({}), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED");
    }
);

/// The `trained` indicator's progress, its actuals and the Norway portfolio's figure for it.
async fn trained_figures(app: &TestApp, w: &World) -> Value {
    let q = "query($id: ID!, $o: ID!) { indicator(id: $id) { progress actuals { id version value \
             periodStart country { iso3 } dimension { value } } } \
             donorPortfolio(organisation: $o) { engagements { results { indicators { code progress } } } } }";
    app.ok(
        q,
        json!({"id": w.trained, "o": format!("Organisation:{}", w.norway)}),
        Some(&w.admin),
    )
    .await
}

/// The actual of `trained` for `year`, for `country` or the whole, not disaggregated.
fn actual_of(figures: &Value, year: i32, country: Option<&str>) -> Value {
    figures["indicator"]["actuals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["periodStart"] == format!("{year}-01-01")
                && a["country"]["iso3"].as_str() == country
                && a["dimension"].is_null()
        })
        .unwrap_or_else(|| panic!("no actual for {year} {country:?}"))
        .clone()
}

/// KU-1 in Norway's portfolio.
fn portfolio_progress(figures: &Value) -> f64 {
    figures["donorPortfolio"]["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["results"].as_array().unwrap())
        .flat_map(|r| r["indicators"].as_array().unwrap())
        .find(|i| i["code"] == "KU-1")
        .and_then(|i| i["progress"].as_f64())
        .expect("KU-1 in Norway's portfolio")
}

/// The KU-1 actuals in the indicators CSV, added up, for `country` ("" for the whole).
async fn csv_actuals(app: &TestApp, w: &World, country: &str) -> f64 {
    let body = app.get_text("/export/indicators.csv", &w.admin).await;
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (code, iso3, dim, actual) = (
        col("indicator_code"),
        col("country_iso3"),
        col("dimension_value"),
        col("actual_value"),
    );
    r.records()
        .map(|r| r.unwrap())
        .filter(|r| &r[code] == "KU-1" && &r[iso3] == country && r[dim].is_empty())
        .filter_map(|r| r[actual].parse::<f64>().ok())
        .sum()
}

on_both_engines!(
    an_archived_actual_leaves_progress_the_portfolio_and_the_exports_by_exactly_its_value,
    |app: TestApp| async move {
        let w: World = world(&app).await;
        let archive =
            "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id version } }";
        let before = trained_figures(&app, &w).await;
        let kaz_before = progress(&app, &w.admin, &w.trained, "COUNTRY").await["rows"][0].clone();
        assert_eq!(kaz_before["country"]["iso3"], "KAZ");
        let iati_before = app.get_text("/export/iati.xml", &w.admin).await;
        let (csv_kaz, csv_whole) = (
            csv_actuals(&app, &w, "KAZ").await,
            csv_actuals(&app, &w, "").await,
        );

        // Kazakhstan's 2021 actual (50) goes: its country's figures drop by exactly 50.
        let kaz = actual_of(&before, 2021, Some("KAZ"));
        close(&kaz["value"], 50.0);
        let data = app
            .ok(
                archive,
                json!({"id": kaz["id"], "v": kaz["version"]}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            data["archive"]["version"],
            kaz["version"].as_i64().unwrap() + 1
        );
        let kaz_after = progress(&app, &w.admin, &w.trained, "COUNTRY").await["rows"][0].clone();
        close(
            &kaz_after["actual"],
            kaz_before["actual"].as_f64().unwrap() - 50.0,
        );
        close(
            &kaz_after["progress"],
            kaz_after["actual"].as_f64().unwrap() / kaz_after["target"].as_f64().unwrap(),
        );
        assert_eq!(
            kaz_after["actuals"].as_array().unwrap().len() + 1,
            kaz_before["actuals"].as_array().unwrap().len()
        );
        assert_eq!(csv_actuals(&app, &w, "KAZ").await, csv_kaz - 50.0);

        // The whole 2021 actual (80) goes: whole-value progress drops by exactly 80 / 200 (SUM
        // against the latest target, from a baseline of 0), in the indicator and the portfolio.
        let whole = actual_of(&before, 2021, None);
        close(&whole["value"], 80.0);
        app.ok(
            archive,
            json!({"id": whole["id"], "v": whole["version"]}),
            Some(&w.admin),
        )
        .await;
        let after = trained_figures(&app, &w).await;
        let drop = 80.0 / 200.0;
        close(
            &after["indicator"]["progress"],
            before["indicator"]["progress"].as_f64().unwrap() - drop,
        );
        let portfolio = portfolio_progress(&after);
        assert!((portfolio - (portfolio_progress(&before) - drop)).abs() < 1e-9);
        assert_eq!(
            after["indicator"]["actuals"].as_array().unwrap().len() + 2,
            before["indicator"]["actuals"].as_array().unwrap().len(),
            "both archived actuals are out of the list"
        );
        let period = progress(&app, &w.admin, &w.trained, "PERIOD").await;
        let y2021 = &period["rows"][1];
        assert_eq!(y2021["periodStart"], "2021-01-01");
        assert_eq!(y2021["actuals"], json!([]));
        assert_eq!(y2021["actual"], Value::Null);
        assert_eq!(csv_actuals(&app, &w, "").await, csv_whole - 80.0);
        let iati_after = app.get_text("/export/iati.xml", &w.admin).await;
        assert_eq!(
            iati_after.matches("<actual").count() + 2,
            iati_before.matches("<actual").count(),
            "the IATI export leaves both out"
        );

        // The slot is free again: a corrected actual is recorded as a new value.
        let q = "mutation($i: IndicatorValueInput!) { recordIndicatorActual(input: $i) { id version value } }";
        let data = app
            .ok(
                q,
                json!({"i": {"indicator": w.trained, "periodStart": "2021-01-01",
                "periodEnd": "2021-12-31", "country": "KAZ", "value": 45}}),
                Some(&w.admin),
            )
            .await;
        let again = &data["recordIndicatorActual"];
        assert_ne!(again["id"], kaz["id"]);
        assert_eq!(again["version"], 1);
        let kaz_again = progress(&app, &w.admin, &w.trained, "COUNTRY").await["rows"][0].clone();
        close(
            &kaz_again["actual"],
            kaz_after["actual"].as_f64().unwrap() + 45.0,
        );
    }
);
