//! Regional summaries reconcile with the records behind them. A generated dataset (fixed shapes,
//! numbers from a seeded LCG) is created through the API as an admin would; every figure of
//! `regionalSummary`, for the world, a region, a sub-region, a grouping and an empty region, in
//! every period shape, equals the same figure computed in Rust from the records the test created
//! (see `reports_model`). On SQLite and PostgreSQL.

mod common;
mod reports_model;

use chrono::NaiveDate;
use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

use common::TestApp;
use reports_model::dataset::{Dataset, dataset};
use reports_model::observe::{assert_reconciles, observed};
use reports_model::{Area, Ask, date};

const SUMMARY: &str = "query($r: String!, $p: PeriodInput, $prog: String) {
  regionalSummary(region: $r, period: $p, programme: $prog) {
    area { code name isGrouping } period { from to } programme countriesReached
    engagements { total byStatus { status name count } }
    activities { total byKind { kind count } }
    participants { total female male unreported }
    events lessonsRecorded
    funding { donor { id name } currency amount }
    budgetTotal { currency amount }
    bySubRegion { region { code name } countriesReached engagements activities
      participants { total female male unreported } events budgetTotal { currency amount } }
    byCountry { country { iso3 name } engagements activities
      participants { total female male unreported } events budgetTotal { currency amount } }
  } }";

const AREAS: [Area; 6] = [
    Area::World,
    Area::Region("142"),
    Area::Region("143"),
    Area::Mena,
    Area::Region("009"),
    Area::Region("002"),
];

/// The first and last day a period must resolve to; None for all time.
type Days = Option<(&'static str, &'static str)>;

/// Every period shape with the days it must resolve to (None: all time).
fn periods() -> Vec<(Option<Value>, Days)> {
    vec![
        (None, None),
        (
            Some(json!({ "year": 2021 })),
            Some(("2021-01-01", "2021-12-31")),
        ),
        (
            Some(json!({ "year": 2020, "quarter": 2 })),
            Some(("2020-04-01", "2020-06-30")),
        ),
        (
            Some(json!({ "year": 2021, "month": 3 })),
            Some(("2021-03-01", "2021-03-31")),
        ),
        (
            Some(json!({ "fiscalYear": 2021, "fiscalYearStartMonth": 7 })),
            Some(("2020-07-01", "2021-06-30")),
        ),
        (
            Some(json!({ "from": "2019-11-15", "to": "2020-04-10" })),
            Some(("2019-11-15", "2020-04-10")),
        ),
        (
            Some(json!({ "from": "2019-03-10", "to": "2021-12-31" })),
            Some(("2019-03-10", "2021-12-31")),
        ),
    ]
}

/// Asks for a summary and checks it against the records; returns the summary.
async fn reconcile(
    app: &TestApp,
    d: &Dataset,
    token: &str,
    ask: Ask,
    period: &Option<Value>,
    programme: Option<&str>,
) -> Value {
    let vars = json!({ "r": ask.area.code(), "p": period, "prog": programme });
    let data = app.ok(SUMMARY, vars, Some(token)).await;
    let s = data["regionalSummary"].clone();
    let resolved = ask
        .period
        .map(|(f, t)| json!({ "from": f.to_string(), "to": t.to_string() }));
    assert_eq!(s["period"], resolved.unwrap_or(Value::Null), "{period:?}");
    assert_eq!(s["area"]["code"], ask.area.code());
    let label = format!(
        "{} {period:?} {programme:?} donor {:?}",
        ask.area.code(),
        ask.donor
    );
    let expected = reports_model::expected(&d.records, ask);
    assert_reconciles(&label, &expected, &observed(&s));
    s
}

fn days(p: Days) -> Option<(NaiveDate, NaiveDate)> {
    p.map(|(f, t)| (date(f), date(t)))
}

on_both_engines!(
    every_summary_figure_reconciles_with_the_records_for_every_area_and_period,
    |app: TestApp| async move {
        let d = dataset(&app).await;
        for area in AREAS {
            for (period, resolved) in periods() {
                let ask = Ask {
                    area,
                    period: days(resolved),
                    programme: None,
                    donor: None,
                };
                let s = reconcile(&app, &d, &d.admin, ask, &period, None).await;
                if area.code() == "001" && period.is_none() {
                    // The dataset is not trivial: the agreement above covers real figures.
                    assert_eq!(s["engagements"]["total"], 6, "the archived one left out");
                    assert!(s["activities"]["total"].as_i64().unwrap() >= 12);
                    assert!(s["participants"]["unreported"].as_i64().unwrap() > 0);
                    assert_eq!(s["budgetTotal"].as_array().unwrap().len(), 2, "EUR and USD");
                    let donors = s["funding"].as_array().unwrap();
                    assert!(donors.iter().any(|f| f["donor"].is_null()));
                    assert!(
                        donors
                            .iter()
                            .any(|f| f["donor"]["name"] == "Government of Norway")
                    );
                    assert!(
                        donors
                            .iter()
                            .any(|f| f["donor"]["name"] == "Government of Belgium")
                    );
                    assert!(s["lessonsRecorded"].as_i64().unwrap() >= 6);
                    assert!(s["byCountry"].as_array().unwrap().len() >= 8);
                }
            }
        }
        for programme in ["REC", "OTH"] {
            for (period, resolved) in periods().into_iter().take(2) {
                for area in [Area::World, Area::Mena] {
                    let ask = Ask {
                        area,
                        period: days(resolved),
                        programme: Some(programme),
                        donor: None,
                    };
                    let s = reconcile(&app, &d, &d.admin, ask, &period, Some(programme)).await;
                    assert_eq!(s["programme"], programme);
                }
            }
        }
    }
);

on_both_engines!(
    the_figures_mean_what_a_reader_expects_in_2021,
    |app: TestApp| async move {
        let d = dataset(&app).await;
        let vars = json!({ "r": "143", "p": { "year": 2021 } });
        let s = &app.ok(SUMMARY, vars, Some(&d.admin)).await["regionalSummary"];
        assert_eq!(
            s["area"],
            json!({ "code": "143", "name": "Central Asia", "isGrouping": false })
        );
        // Active in 2021 in Central Asia: the ongoing KAZ/UZB engagement and the one recorded
        // for the sub-region itself; the KGZ one ended in 2019.
        assert_eq!(s["engagements"]["total"], 2);
        assert_eq!(s["bySubRegion"][0]["region"]["code"], "143");
        // The UZB share of a USD budget is 40% of it, prorated by days inside 2021.
        let b = &d.records.engs[0].budgets[1];
        let days_in_2021 = (b.end - date("2021-01-01")).num_days() + 1;
        let share =
            b.amount * 0.4 * days_in_2021 as f64 / ((b.end - b.start).num_days() + 1) as f64;
        let uzb = s["byCountry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["country"]["iso3"] == "UZB")
            .unwrap();
        let usd = uzb["budgetTotal"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["currency"] == "USD")
            .unwrap();
        assert!(
            (usd["amount"].as_f64().unwrap() - share).abs() < 1e-6,
            "{usd} vs {share}"
        );
        // A grouping spans M49 regions: its sub-regions come from Africa and Asia.
        let vars = json!({ "r": "UNODC-MENA", "p": { "year": 2021 } });
        let s = &app.ok(SUMMARY, vars, Some(&d.admin)).await["regionalSummary"];
        assert_eq!(s["area"]["isGrouping"], true);
        let subs: Vec<&str> = s["bySubRegion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["region"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(subs, ["Northern Africa", "Western Asia"]);
        // The unfunded engagement's budget is attributed to no donor.
        assert!(
            s["funding"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["donor"].is_null()),
            "{}",
            s["funding"]
        );
    }
);

on_both_engines!(
    an_empty_region_answers_zeros_not_errors,
    |app: TestApp| async move {
        let d = dataset(&app).await;
        let s = &app.ok(SUMMARY, json!({ "r": "009" }), Some(&d.admin)).await["regionalSummary"];
        assert_eq!(s["area"]["name"], "Oceania");
        for field in ["countriesReached", "events", "lessonsRecorded"] {
            assert_eq!(s[field], 0, "{field}");
        }
        assert_eq!(s["engagements"], json!({ "total": 0, "byStatus": [] }));
        assert_eq!(s["activities"], json!({ "total": 0, "byKind": [] }));
        assert_eq!(
            s["participants"],
            json!({ "total": 0, "female": 0, "male": 0, "unreported": 0 })
        );
        for list in ["funding", "budgetTotal", "bySubRegion", "byCountry"] {
            assert_eq!(s[list], json!([]), "{list}");
        }
    }
);

on_both_engines!(
    a_donor_summary_covers_only_what_the_donor_funds,
    |app: TestApp| async move {
        let d = dataset(&app).await;
        for donor in [d.norway, d.belgium] {
            let token = app.token(Role::Donor).organisation(donor).create().await;
            for area in [
                Area::World,
                Area::Region("142"),
                Area::Region("143"),
                Area::Mena,
            ] {
                for (period, resolved) in periods().into_iter().take(3) {
                    let ask = Ask {
                        area,
                        period: days(resolved),
                        programme: None,
                        donor: Some(donor),
                    };
                    reconcile(&app, &d, &token, ask, &period, None).await;
                }
            }
        }
        // Norway funds three live engagements (KAZ/UZB, IDN, EGY); the admin sees six.
        let norway = app.token(Role::Donor).organisation(d.norway).create().await;
        let count = |s: &Value| s["regionalSummary"]["engagements"]["total"].clone();
        assert_eq!(
            count(&app.ok(SUMMARY, json!({ "r": "001" }), Some(&norway)).await),
            3
        );
        assert_eq!(
            count(&app.ok(SUMMARY, json!({ "r": "001" }), Some(&d.admin)).await),
            6
        );
        // The engagement without a donor is not Norway's: no unattributed budget in its view.
        let s = app.ok(SUMMARY, json!({ "r": "001" }), Some(&norway)).await;
        assert!(
            s["regionalSummary"]["funding"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| !f["donor"].is_null())
        );
    }
);

on_both_engines!(
    bad_periods_regions_and_programmes_are_refused_by_field,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let q = "query($r: String!, $p: PeriodInput, $prog: String) { regionalSummary(region: $r, period: $p, programme: $prog) { countriesReached } }";
        let cases = [
            (json!({ "r": "001", "p": {} }), "period"),
            (
                json!({ "r": "001", "p": { "year": 2021, "quarter": 5 } }),
                "period.quarter",
            ),
            (
                json!({ "r": "001", "p": { "year": 2021, "month": 13 } }),
                "period.month",
            ),
            (
                json!({ "r": "001", "p": { "year": 2021, "quarter": 1, "month": 1 } }),
                "period.month",
            ),
            (
                json!({ "r": "001", "p": { "year": 2021, "fiscalYear": 2021 } }),
                "period.fiscalYear",
            ),
            (
                json!({ "r": "001", "p": { "fiscalYear": 2021, "fiscalYearStartMonth": 0 } }),
                "period.fiscalYearStartMonth",
            ),
            (json!({ "r": "001", "p": { "month": 3 } }), "period.year"),
            (
                json!({ "r": "001", "p": { "from": "2021-01-01" } }),
                "period.to",
            ),
            (
                json!({ "r": "001", "p": { "from": "2021-02-01", "to": "2021-01-01" } }),
                "period.to",
            ),
            (
                json!({ "r": "001", "p": { "from": "01/02/2021", "to": "2021-03-01" } }),
                "period.from",
            ),
            (json!({ "r": "999" }), "region"),
            (json!({ "r": "001", "prog": "NOPE" }), "programme"),
        ];
        for (vars, field) in cases {
            let e = app.err(q, vars.clone(), Some(&admin)).await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref()),
                ("BAD_USER_INPUT", Some(field)),
                "{vars}: {e:?}"
            );
        }
        let e = app.err(q, json!({ "r": "001" }), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED");
    }
);

/// The world summary and the programme's, all time.
async fn world_and_programme(app: &TestApp, admin: &str, programme: &str) -> (Value, Value) {
    let world = json!({ "r": "001", "p": null, "prog": null });
    let scoped = json!({ "r": "001", "p": null, "prog": programme });
    (
        app.ok(SUMMARY, world, Some(admin)).await["regionalSummary"].clone(),
        app.ok(SUMMARY, scoped, Some(admin)).await["regionalSummary"].clone(),
    )
}

on_both_engines!(
    an_activity_logged_then_archived_leaves_every_summary_as_it_was,
    |app: TestApp| async move {
        let d = dataset(&app).await;
        let e = d
            .records
            .engs
            .iter()
            .find(|e| !e.archived && !e.countries.is_empty())
            .unwrap();
        let before = world_and_programme(&app, &d.admin, e.programme).await;
        // A kind the dataset never logs, so its totals start from nothing.
        let input = json!({ "engagement": e.id, "kind": "OTHER",
            "title": "Body scanners handed over", "startDate": e.from.to_string(),
            "endDate": e.from.to_string(), "country": e.countries[0].0,
            "participants": { "total": 7, "female": 3, "male": 4 } });
        let id = app
            .ok(
                "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                json!({ "i": input }),
                Some(&d.admin),
            )
            .await["logActivity"]["id"]
            .clone();
        let logged = world_and_programme(&app, &d.admin, e.programme).await;
        for (was, is) in [(&before.0, &logged.0), (&before.1, &logged.1)] {
            let total = |s: &Value, f: &str, g: &str| s[f][g].as_i64().unwrap();
            assert_eq!(
                total(is, "activities", "total"),
                total(was, "activities", "total") + 1
            );
            assert_eq!(
                total(is, "participants", "total"),
                total(was, "participants", "total") + 7
            );
            let kinds = is["activities"]["byKind"].as_array().unwrap();
            let other = json!({ "kind": "OTHER", "count": 1 });
            assert!(kinds.contains(&other), "{kinds:?}");
        }
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { id } }",
            json!({ "id": id }),
            Some(&d.admin),
        )
        .await;
        // Not a zero left behind: the kind and the figures are gone again.
        assert_eq!(
            world_and_programme(&app, &d.admin, e.programme).await,
            before
        );
    }
);
