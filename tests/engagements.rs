//! Programmes and engagements end to end: nested reads, validation that writes nothing,
//! versions, archiving, filters, and who may see and change what.

mod common;

use serde_json::{Value, json};

const CREATE_ORG: &str =
    "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }";
const CREATE_ENG: &str =
    "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id version } }";
const UPDATE_ENG: &str = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { updateEngagement(id: $id, version: $v, input: $i) { id version title iatiIdentifier activeTo } }";

struct World {
    admin: String,
    norway: String,
    belgium: String,
    unodc: String,
}

async fn world(app: &common::TestApp) -> World {
    let admin = app.admin().await;
    let org = |name: &str, kind: &str| json!({"i": {"name": name, "type": kind}});
    let norway = app
        .ok(CREATE_ORG, org("Government of Norway", "10"), Some(&admin))
        .await["createOrganisation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let belgium = app
        .ok(CREATE_ORG, org("Government of Belgium", "10"), Some(&admin))
        .await["createOrganisation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unodc =
        app.ok(CREATE_ORG, org("UNODC", "40"), Some(&admin)).await["createOrganisation"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    app.ok(r#"mutation { createProgramme(input: {code: "vep", title: "Violent extremist prisoners"}) { id } }"#, json!({}), Some(&admin)).await;
    app.ok(r#"mutation { createProgramme(input: {code: "OTHER", title: "Another programme"}) { id } }"#, json!({}), Some(&admin)).await;
    World {
        admin,
        norway,
        belgium,
        unodc,
    }
}

fn engagement(w: &World, title: &str, countries: Value, donor: &str) -> Value {
    json!({"i": {
        "programme": "VEP", "title": title, "status": "2",
        "plannedStart": "2020-01-01", "plannedEnd": "2022-12-31",
        "recipientCountries": countries,
        "participatingOrganisations": [{"organisation": donor, "role": "1"}, {"organisation": w.unodc, "role": "4"}],
        "sectors": [{"code": "15130", "percentage": 100}],
        "sdgTargets": ["16.3", "16.a"],
        "policyMarkers": [{"code": "1", "significance": "1"}],
        "budgets": [{"periodStart": "2020-01-01", "periodEnd": "2020-12-31", "amount": 100000, "currency": "usd"}]
    }})
}

async fn create(app: &common::TestApp, token: &str, input: Value) -> (String, i64) {
    let data = app.ok(CREATE_ENG, input, Some(token)).await;
    let e = &data["createEngagement"];
    (
        e["id"].as_str().unwrap().to_string(),
        e["version"].as_i64().unwrap(),
    )
}

// The tests, by concern; `#[path]` because a test crate's root looks for modules beside it.
#[path = "engagements/access.rs"]
mod access;
#[path = "engagements/lists.rs"]
mod lists;
#[path = "engagements/recording.rs"]
mod recording;
#[path = "engagements/versions.rs"]
mod versions;
