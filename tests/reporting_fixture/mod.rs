//! A small world for the reporting tests (indicator progress, donor portfolios, CSV exports):
//! two programmes, three engagements with their funders and budgets, activities with hostile
//! text, and indicators with whole, per-country and disaggregated targets and actuals.
#![allow(dead_code)]

use serde_json::{Value, json};

use crate::common::TestApp;

pub struct World {
    pub admin: String,
    /// Funds `kaz_uzb` (with Belgium) and `idn`.
    pub norway: i64,
    /// Funds `kaz_uzb` (with Norway).
    pub belgium: i64,
    /// Funds `tun` only.
    pub tunisia: i64,
    pub kaz_uzb: String,
    pub idn: String,
    pub tun: String,
    /// UNIT, SUM, ascending, baseline 0, disaggregated by sex (under `kaz_uzb`).
    pub trained: String,
    /// PERCENTAGE, MEAN, descending, baseline 60 (under `kaz_uzb`).
    pub detained: String,
    /// UNIT, LATEST, baseline 2 (under `kaz_uzb`).
    pub prisons: String,
    /// QUALITATIVE (under `kaz_uzb`).
    pub narrative: String,
    /// UNIT, SUM, baseline 0 (under `tun`), with a hostile title.
    pub tun_indicator: String,
}

/// A title a spreadsheet would run as a formula.
pub const HOSTILE_TITLE: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";
/// A place with a comma, quotes and a line break.
pub const HOSTILE_PLACE: &str = "Tunis, \"old town\"\nsecond line";

pub fn number(id: &Value) -> i64 {
    id.as_str()
        .and_then(|s| s.split_once(':'))
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("not an id: {id}"))
}

async fn organisation(app: &TestApp, admin: &str, name: &str, country: &str) -> i64 {
    let data = app
        .ok(
            "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
            json!({"i": {"name": name, "type": "10", "country": country}}),
            Some(admin),
        )
        .await;
    number(&data["createOrganisation"]["id"])
}

async fn engagement(
    app: &TestApp,
    admin: &str,
    programme: &str,
    countries: Value,
    funders: &[i64],
    budgets: Value,
) -> String {
    let orgs: Vec<Value> = funders
        .iter()
        .map(|f| json!({"organisation": format!("Organisation:{f}"), "role": "1"}))
        .collect();
    let input = json!({"programme": programme, "title": format!("Engagement in {countries}"),
        "status": "2", "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2019-01-01", "plannedEnd": "2024-12-31",
        "recipientCountries": countries, "participatingOrganisations": orgs, "budgets": budgets});
    let data = app
        .ok(
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({ "i": input }),
            Some(admin),
        )
        .await;
    data["createEngagement"]["id"].as_str().unwrap().to_string()
}

fn budget(year: i32, amount: f64, currency: &str) -> Value {
    json!({"periodStart": format!("{year}-01-01"), "periodEnd": format!("{year}-12-31"),
           "amount": amount, "currency": currency})
}

pub async fn activity(
    app: &TestApp,
    admin: &str,
    engagement: &str,
    kind: &str,
    country: &str,
    start: &str,
    people: (i64, i64, i64),
) -> String {
    let words = ("An activity", "Capital");
    activity_titled(app, admin, engagement, kind, country, start, people, words).await
}

/// An activity with its title and place given as `(title, place)`.
#[allow(clippy::too_many_arguments)]
pub async fn activity_titled(
    app: &TestApp,
    admin: &str,
    engagement: &str,
    kind: &str,
    country: &str,
    start: &str,
    people: (i64, i64, i64),
    (title, place): (&str, &str),
) -> String {
    let input = json!({"engagement": engagement, "kind": kind, "title": title,
        "startDate": start, "endDate": start, "country": country, "place": place,
        "participants": {"total": people.0, "female": people.1, "male": people.2},
        "targetGroup": "-prison staff"});
    let data = app
        .ok(
            "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
            json!({ "i": input }),
            Some(admin),
        )
        .await;
    data["logActivity"]["id"].as_str().unwrap().to_string()
}

async fn indicator(app: &TestApp, admin: &str, input: Value) -> String {
    let data = app
        .ok(
            "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
            json!({ "i": input }),
            Some(admin),
        )
        .await;
    data["createIndicator"]["id"].as_str().unwrap().to_string()
}

async fn result(app: &TestApp, admin: &str, engagement: &str, title: &str) -> String {
    let data = app
        .ok(
            "mutation($i: CreateResultInput!) { createResult(input: $i) { id } }",
            json!({"i": {"engagement": engagement, "type": "2", "title": title}}),
            Some(admin),
        )
        .await;
    data["createResult"]["id"].as_str().unwrap().to_string()
}

/// A target ("T") or an actual ("A") for a calendar year, optionally for a country and a sex.
#[allow(clippy::too_many_arguments)]
pub async fn value(
    app: &TestApp,
    admin: &str,
    indicator: &str,
    kind: &str,
    year: i32,
    value: Option<f64>,
    country: Option<&str>,
    sex: Option<&str>,
) {
    let mutation = if kind == "T" {
        "mutation($i: IndicatorValueInput!) { setIndicatorTarget(input: $i) { id } }"
    } else {
        "mutation($i: IndicatorValueInput!) { recordIndicatorActual(input: $i) { id } }"
    };
    let mut input = json!({"indicator": indicator, "periodStart": format!("{year}-01-01"),
        "periodEnd": format!("{year}-12-31"), "value": value, "country": country});
    if let Some(s) = sex {
        input["dimension"] = json!({"name": "sex", "value": s});
    }
    if value.is_none() {
        input["comment"] = json!("=cmd|' /C calc'!A0 narrative");
    }
    app.ok(mutation, json!({ "i": input }), Some(admin)).await;
}

/// Records each observation of `indicator`.
pub async fn observe(app: &TestApp, admin: &str, indicator: &str, values: &[Observation]) {
    for (kind, year, v, country, sex) in values {
        value(app, admin, indicator, kind, *year, Some(*v), *country, *sex).await;
    }
}

/// A value as `(kind, year, value, country, sex)`.
pub type Observation = (
    &'static str,
    i32,
    f64,
    Option<&'static str>,
    Option<&'static str>,
);

/// The values of `trained`.
pub const TRAINED: &[Observation] = &[
    ("T", 2020, 100.0, None, None),
    ("T", 2021, 200.0, None, None),
    ("A", 2020, 60.0, None, None),
    ("A", 2021, 80.0, None, None),
    ("T", 2020, 60.0, Some("KAZ"), None),
    ("T", 2021, 120.0, Some("KAZ"), None),
    ("A", 2020, 40.0, Some("KAZ"), None),
    ("A", 2021, 50.0, Some("KAZ"), None),
    ("T", 2021, 80.0, Some("UZB"), None),
    ("A", 2020, 20.0, Some("UZB"), None),
    ("A", 2021, 30.0, Some("UZB"), None),
    ("T", 2021, 100.0, None, Some("female")),
    ("A", 2020, 25.0, None, Some("female")),
    ("A", 2021, 35.0, None, Some("female")),
    ("A", 2020, 35.0, None, Some("male")),
    ("A", 2021, 15.0, Some("KAZ"), Some("male")),
];

pub async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let norway = organisation(app, &admin, "Government of Norway", "NOR").await;
    let belgium = organisation(app, &admin, "Government of Belgium", "BEL").await;
    let tunisia = organisation(app, &admin, "Government of Tunisia", "TUN").await;
    for code in ["GLOZ85", "OTHER1"] {
        app.ok(
            "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }",
            json!({"i": {"code": code, "title": format!("Programme {code}")}}),
            Some(&admin),
        )
        .await;
    }
    let kaz_uzb = engagement(
        app,
        &admin,
        "GLOZ85",
        json!([{"country": "KAZ", "percentage": 60}, {"country": "UZB", "percentage": 40}]),
        &[norway, belgium],
        json!([budget(2020, 100000.0, "USD"), budget(2021, 30000.0, "EUR")]),
    )
    .await;
    let idn = engagement(
        app,
        &admin,
        "GLOZ85",
        json!([{"country": "IDN", "percentage": 100}]),
        &[norway],
        json!([budget(2020, 50000.0, "USD"), budget(2021, 25000.0, "USD")]),
    )
    .await;
    let tun = engagement(
        app,
        &admin,
        "OTHER1",
        json!([{"country": "TUN", "percentage": 100}]),
        &[tunisia],
        json!([budget(2020, 7000.0, "USD")]),
    )
    .await;

    let r = result(
        app,
        &admin,
        &kaz_uzb,
        "Prison staff apply the Nelson Mandela Rules",
    )
    .await;
    let trained = indicator(
        app,
        &admin,
        json!({"result": r, "code": "KU-1",
        "title": "Officers trained", "measure": "UNIT", "aggregation": "SUM",
        "dimensions": [{"name": "sex", "values": ["female", "male"]}],
        "baseline": {"year": 2019, "value": 0}}),
    )
    .await;
    observe(app, &admin, &trained, TRAINED).await;
    let detained = indicator(
        app,
        &admin,
        json!({"result": r, "code": "KU-2",
        "title": "Share of detainees unsentenced", "measure": "PERCENTAGE", "aggregation": "MEAN",
        "ascending": false, "baseline": {"year": 2019, "value": 60}}),
    )
    .await;
    let kaz = Some("KAZ");
    let detained_values = [
        ("A", 2020, 50.0, kaz, None),
        ("A", 2021, 40.0, kaz, None),
        ("T", 2021, 40.0, kaz, None),
    ];
    observe(app, &admin, &detained, &detained_values).await;
    let prisons = indicator(
        app,
        &admin,
        json!({"result": r, "code": "KU-3",
        "title": "Prisons with a procedure", "measure": "UNIT", "aggregation": "LATEST",
        "baseline": {"year": 2019, "value": 2}}),
    )
    .await;
    let prisons_values = [
        ("A", 2020, 5.0, kaz, None),
        ("A", 2021, 8.0, kaz, None),
        ("T", 2021, 12.0, kaz, None),
    ];
    observe(app, &admin, &prisons, &prisons_values).await;
    let narrative = indicator(
        app,
        &admin,
        json!({"result": r, "code": "KU-4",
        "title": "Quality of the classification policy", "measure": "QUALITATIVE",
        "aggregation": "LATEST",
        "baseline": {"year": 2019, "comment": "No policy"}}),
    )
    .await;
    value(app, &admin, &narrative, "T", 2021, None, kaz, None).await;
    value(app, &admin, &narrative, "A", 2021, None, kaz, None).await;

    let rt = result(app, &admin, &tun, HOSTILE_TITLE).await;
    let tun_indicator = indicator(
        app,
        &admin,
        json!({"result": rt, "code": "TUN-1",
        "title": HOSTILE_TITLE, "measure": "NOMINAL", "aggregation": "SUM",
        "baseline": {"year": 2019, "value": 0}}),
    )
    .await;
    observe(
        app,
        &admin,
        &tun_indicator,
        &[("T", 2020, -5.0, None, None)],
    )
    .await;

    let activities = [
        (&kaz_uzb, "TRAINING", "KAZ", "2020-03-02", (30, 12, 15)),
        (&kaz_uzb, "TRAINING", "UZB", "2021-05-17", (24, 10, 14)),
        (&kaz_uzb, "WORKSHOP", "KAZ", "2022-09-12", (8, 3, 5)),
        (&idn, "ASSESSMENT", "IDN", "2020-06-01", (5, 0, 0)),
    ];
    for (e, kind, country, start, people) in activities {
        activity(app, &admin, e, kind, country, start, people).await;
    }
    let hostile = (HOSTILE_TITLE, HOSTILE_PLACE);
    activity_titled(
        app,
        &admin,
        &tun,
        "WORKSHOP",
        "TUN",
        "2021-02-01",
        (11, 6, 5),
        hostile,
    )
    .await;
    World {
        admin,
        norway,
        belgium,
        tunisia,
        kaz_uzb,
        idn,
        tun,
        trained,
        detained,
        prisons,
        narrative,
        tun_indicator,
    }
}
