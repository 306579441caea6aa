//! Results and outcome indicators, end to end through the real router on SQLite and PostgreSQL:
//! results under engagements and programmes, indicators with baselines, dimensions, targets and
//! actuals read back nested; values refused with the field named when they break a rule (and
//! then nothing is written); replaced slot by slot; stale versions refused; officers kept to
//! their programmes and donors to what they fund.

mod common;

use serde_json::{Value, json};

use common::TestApp;

const CREATE_RESULT: &str = "mutation($i: CreateResultInput!) { createResult(input: $i) { \
    id type typeName level title programmeCode version parent { id } engagement { id } } }";

const UPDATE_RESULT: &str = "mutation($id: ID!, $v: Int!, $i: UpdateResultInput!) { \
    updateResult(id: $id, version: $v, input: $i) { id version title parent { id } } }";

const INDICATOR_FIELDS: &str = "id code title measure measureCode ascending aggregation \
    sdgIndicator version progress dimensions { name values } \
    baseline { year date value comment } result { id }";

const VALUE_FIELDS: &str = "id kind periodStart periodEnd value comment version \
    country { iso3 } dimension { name value } document { title }";

/// Two programmes and their engagements, and the donors funding them, made as an admin would.
struct World {
    admin: String,
    /// Norway funds `idn` only.
    norway: i64,
    /// Belgium funds `kaz_uzb` only.
    belgium: i64,
    /// GLOZ85 in Indonesia.
    idn: String,
    /// GLOZ85 in Kazakhstan (60%) and Uzbekistan (40%).
    kaz_uzb: String,
    /// OTHER1 in Tunisia.
    tun: String,
    /// A document to cite as evidence.
    checklist: String,
}

fn number(id: &Value) -> i64 {
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
    funder: i64,
) -> String {
    let input = json!({"programme": programme, "title": format!("Engagement in {countries}"),
        "status": "2", "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2019-01-01", "plannedEnd": "2024-12-31",
        "recipientCountries": countries,
        "participatingOrganisations": [{"organisation": format!("Organisation:{funder}"), "role": "1"}]});
    let data = app
        .ok(
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({ "i": input }),
            Some(admin),
        )
        .await;
    data["createEngagement"]["id"].as_str().unwrap().to_string()
}

async fn world(app: &TestApp) -> World {
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
    let idn = engagement(
        app,
        &admin,
        "GLOZ85",
        json!([{"country": "IDN", "percentage": 100}]),
        norway,
    )
    .await;
    let kaz_uzb = engagement(
        app,
        &admin,
        "GLOZ85",
        json!([{"country": "KAZ", "percentage": 60}, {"country": "UZB", "percentage": 40}]),
        belgium,
    )
    .await;
    let tun = engagement(
        app,
        &admin,
        "OTHER1",
        json!([{"country": "TUN", "percentage": 100}]),
        tunisia,
    )
    .await;
    let doc = app
        .ok(
            "mutation($i: DocumentInput!) { createDocument(input: $i) { id } }",
            json!({"i": {"title": "Assessing Compliance with the Nelson Mandela Rules", "category": "B12",
                         "url": "https://www.unodc.org/unodc/en/justice-and-prison-reform/"}}),
            Some(&admin),
        )
        .await;
    World {
        admin,
        norway,
        belgium,
        idn,
        kaz_uzb,
        tun,
        checklist: doc["createDocument"]["id"].as_str().unwrap().to_string(),
    }
}

async fn result(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(CREATE_RESULT, json!({ "i": input }), Some(token))
        .await["createResult"]
        .clone()
}

fn outcome(engagement: &str, title: &str) -> Value {
    json!({"engagement": engagement, "type": "2", "title": title})
}

async fn indicator(app: &TestApp, token: &str, input: Value) -> Value {
    let q = format!(
        "mutation($i: CreateIndicatorInput!) {{ createIndicator(input: $i) {{ {INDICATOR_FIELDS} }} }}"
    );
    app.ok(&q, json!({ "i": input }), Some(token)).await["createIndicator"].clone()
}

/// "Number of prison officers trained": units, summed, disaggregated by sex.
fn officers_trained(result: &Value, code: &str) -> Value {
    json!({"result": result["id"], "code": code, "title": "Number of prison officers trained",
           "measure": "UNIT", "aggregation": "SUM",
           "dimensions": [{"name": "sex", "values": ["female", "male"]}],
           "baseline": {"year": 2019, "value": 0, "comment": "No training before the engagement"}})
}

fn set_target_q() -> String {
    format!(
        "mutation($i: IndicatorValueInput!) {{ setIndicatorTarget(input: $i) {{ {VALUE_FIELDS} }} }}"
    )
}

fn record_actual_q() -> String {
    format!(
        "mutation($i: IndicatorValueInput!) {{ recordIndicatorActual(input: $i) {{ {VALUE_FIELDS} }} }}"
    )
}

fn year(indicator: &Value, y: i32, value: Option<f64>) -> Value {
    json!({"indicator": indicator["id"], "periodStart": format!("{y}-01-01"),
           "periodEnd": format!("{y}-12-31"), "value": value})
}

async fn target(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(&set_target_q(), json!({ "i": input }), Some(token))
        .await["setIndicatorTarget"]
        .clone()
}

async fn actual(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(&record_actual_q(), json!({ "i": input }), Some(token))
        .await["recordIndicatorActual"]
        .clone()
}

/// Row counts a refused mutation must leave alone.
async fn written(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("results").await,
        app.count("indicators").await,
        app.count("indicator_values").await,
        app.count("audit_log").await,
    )
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

// The tests, by concern; `#[path]` because a test crate's root looks for modules beside it.
#[path = "indicators/access.rs"]
mod access;
#[path = "indicators/archived.rs"]
mod archived;
#[path = "indicators/changes.rs"]
mod changes;
#[path = "indicators/lists.rs"]
mod lists;
#[path = "indicators/values.rs"]
mod values;
