//! Activities, end to end through the real router on SQLite and PostgreSQL: logged under an
//! engagement, read back with participants by sex, refused with the field named when they break a
//! rule (and then nothing is written), changed with optimistic versions, filtered, archived, and
//! seen or refused according to who is asking.

mod common;

use serde_json::{Value, json};

use common::TestApp;

const LOG: &str = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id version kind title \
    startDate endDate place targetGroup description engagementId resultIds \
    participants { total female male unreported } country { iso3 name } documents { title } } }";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $i: UpdateActivityInput!) { \
    updateActivity(id: $id, version: $v, input: $i) { id version title place country { iso3 } \
    participants { total female male unreported } } }";

const GET: &str = "query($id: ID!) { activity(id: $id) { id title version archivedAt kind \
    participants { total female male unreported } country { iso3 } } }";

const LIST: &str = "query($f: ActivityFilter, $first: Int, $after: String) { \
    activities(filter: $f, first: $first, after: $after) { totalCount \
    nodes { id title startDate } pageInfo { hasNextPage endCursor } } }";

/// Two programmes and their engagements, a donor that funds one of them, made as an admin would.
struct World {
    admin: String,
    /// Norway, which funds `kaz_uzb` only.
    norway: i64,
    /// GLOZ85 in Kazakhstan (60%) and Uzbekistan (40%).
    kaz_uzb: String,
    /// GLOZ85 in Indonesia.
    idn: String,
    /// GLOZ85 in Western Africa (a region, no countries).
    west_africa: String,
    /// OTHER1 in Tunisia.
    tun: String,
}

fn number(id: &Value) -> i64 {
    id.as_str()
        .and_then(|s| s.split_once(':'))
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("not an id: {id}"))
}

async fn engagement(app: &TestApp, admin: &str, input: Value) -> String {
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
    let org = app
        .ok(
            "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
            json!({"i": {"name": "Government of Norway", "type": "10", "country": "NOR"}}),
            Some(&admin),
        )
        .await;
    let norway = number(&org["createOrganisation"]["id"]);
    for code in ["GLOZ85", "OTHER1"] {
        app.ok(
            "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }",
            json!({"i": {"code": code, "title": format!("Programme {code}")}}),
            Some(&admin),
        )
        .await;
    }
    let base = |programme: &str, title: &str| {
        json!({"programme": programme, "title": title, "status": "2",
               "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2019-01-01", "plannedEnd": "2024-12-31"})
    };
    let mut input = base("GLOZ85", "Central Asia");
    input["recipientCountries"] =
        json!([{"country": "KAZ", "percentage": 60.0}, {"country": "UZB", "percentage": 40.0}]);
    input["participatingOrganisations"] =
        json!([{"organisation": format!("Organisation:{norway}"), "role": "1"}]);
    let kaz_uzb = engagement(app, &admin, input).await;
    let mut input = base("GLOZ85", "Indonesia");
    input["recipientCountries"] = json!([{"country": "IDN", "percentage": 100.0}]);
    let idn = engagement(app, &admin, input).await;
    let mut input = base("GLOZ85", "Western Africa");
    input["recipientRegion"] = json!("011");
    let west_africa = engagement(app, &admin, input).await;
    let mut input = base("OTHER1", "Tunisia");
    input["recipientCountries"] = json!([{"country": "TUN", "percentage": 100.0}]);
    let tun = engagement(app, &admin, input).await;
    World {
        admin,
        norway,
        kaz_uzb,
        idn,
        west_africa,
        tun,
    }
}

fn training(engagement: &str, country: &str, start: &str, end: &str) -> Value {
    json!({"engagement": engagement, "kind": "TRAINING",
           "title": format!("Training in {country} from {start}"),
           "startDate": start, "endDate": end, "country": country,
           "participants": {"total": 30, "female": 12, "male": 15},
           "targetGroup": "Prison staff"})
}

async fn log(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(LOG, json!({ "i": input }), Some(token)).await["logActivity"].clone()
}

/// Row counts that a refused mutation must leave alone.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("activities").await,
        app.count("audit_log").await,
        app.count("activity_results").await,
    )
}

fn ids(list: &Value) -> Vec<String> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

// The tests, by concern; `#[path]` because a test crate's root looks for modules beside it.
#[path = "activities/access.rs"]
mod access;
#[path = "activities/changes.rs"]
mod changes;
#[path = "activities/lists.rs"]
mod lists;
#[path = "activities/logging.rs"]
mod logging;
