//! The IATI 2.03 export as a publisher and a donor see it: the demo data validates against the
//! IATI schema, every code belongs to its codelist, hostile text cannot break the XML, and a
//! donor's file holds only what it funds.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};

use common::TestApp;

const XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/iati-2.03-schema/iati-activities-schema.xsd"
);

async fn export(
    app: &TestApp,
    query: &str,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::get(format!("/export/iati.xml{query}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

#[track_caller]
fn exported(r: (StatusCode, HeaderMap, String)) -> String {
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    assert_eq!(
        r.1.get(header::CONTENT_TYPE).unwrap(),
        "application/xml; charset=utf-8"
    );
    r.2
}

/// Runs xmllint on `xml` (against the IATI schema when `schema`); `false` when xmllint or the
/// schema is missing outside CI, where that is a skip, not a failure.
fn xmllint(xml: &str, schema: bool) -> bool {
    let have_xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    let have_xsd = std::path::Path::new(XSD).exists();
    if !have_xmllint || (schema && !have_xsd) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must validate the IATI export: install xmllint (libxml2-utils) and the schema at {XSD}"
        );
        eprintln!("skipped: xmllint or the IATI schema is missing");
        return false;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("iati.xml");
    std::fs::write(&file, xml).unwrap();
    let mut cmd = Command::new("xmllint");
    cmd.args(["--nonet", "--noout"]);
    if schema {
        cmd.args(["--schema", XSD]);
    }
    let out = cmd.arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "xmllint refused the export:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

fn identifiers(xml: &str) -> BTreeSet<String> {
    xml.split("<iati-identifier>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_string())
        .collect()
}

/// `xml` with the indentation and line breaks between elements taken out, so a test can state
/// an element and its children on one line.
fn compact(xml: &str) -> String {
    xml.lines().map(str::trim).collect()
}

/// The `iati-activity` element whose identifier is `identifier`.
#[track_caller]
fn activity<'a>(xml: &'a str, identifier: &str) -> &'a str {
    let wanted = format!("<iati-identifier>{identifier}</iati-identifier>");
    xml.split("<iati-activity ")
        .skip(1)
        .find(|a| a.contains(&wanted))
        .map(|a| &a[..a.find("</iati-activity>").expect("activity closes")])
        .unwrap_or_else(|| panic!("no activity {identifier} in\n{xml}"))
}

/// An admin token, and programme GLOZ85 made through the API as a user would.
async fn api_programme(app: &TestApp) -> String {
    let admin = app.admin().await;
    app.ok(
        "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }",
        json!({"i": {"code": "GLOZ85", "title": "Prison reform"}}),
        Some(&admin),
    )
    .await;
    admin
}

/// The number in a global id such as `Engagement:7`.
fn number(id: &str) -> i64 {
    id.split_once(':').unwrap().1.parse().unwrap()
}

/// `base` with the fields of `extra` set over it.
fn merged(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// A described GLOZ85 engagement made through the API, in Kazakhstan (60%) and Uzbekistan
/// (40%), with `input` merged into its creation input; returns its id and its activity's
/// identifier.
async fn api_engagement(app: &TestApp, admin: &str, input: Value) -> (String, String) {
    let base = json!({"programme": "GLOZ85", "title": "Prison reform in Central Asia",
        "description": "Prison management in line with the Nelson Mandela Rules",
        "status": "2", "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2021-01-01", "plannedEnd": "2024-12-31",
        "recipientCountries": [{"country": "KAZ", "percentage": 60},
                               {"country": "UZB", "percentage": 40}]});
    let data = app
        .ok(
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({ "i": merged(base, input) }),
            Some(admin),
        )
        .await;
    let id = data["createEngagement"]["id"].as_str().unwrap().to_string();
    let identifier = format!("XX-UNODC-DEMO-ENG-{}", number(&id));
    (id, identifier)
}

/// An outcome of `engagement` with one indicator ("officers trained", summed, by sex) with
/// `input` merged in; returns the result's and the indicator's ids.
async fn api_indicator(
    app: &TestApp,
    admin: &str,
    engagement: &str,
    input: Value,
) -> (String, String) {
    let data = app
        .ok(
            "mutation($i: CreateResultInput!) { createResult(input: $i) { id } }",
            json!({"i": {"engagement": engagement, "type": "2", "title": "Safer prisons"}}),
            Some(admin),
        )
        .await;
    let result = data["createResult"]["id"].as_str().unwrap().to_string();
    let base = json!({"result": result, "code": "GLOZ85-KZU-1",
        "title": "Number of prison officers trained", "measure": "UNIT", "aggregation": "SUM",
        "dimensions": [{"name": "sex", "values": ["female", "male"]}]});
    let data = app
        .ok(
            "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
            json!({ "i": merged(base, input) }),
            Some(admin),
        )
        .await;
    (
        result,
        data["createIndicator"]["id"].as_str().unwrap().to_string(),
    )
}

/// Records (`recordIndicatorActual`) or sets (`setIndicatorTarget`) a 2021 value.
async fn api_value(app: &TestApp, admin: &str, mutation: &str, input: Value) {
    let base = json!({"periodStart": "2021-01-01", "periodEnd": "2021-12-31"});
    app.ok(
        &format!("mutation($i: IndicatorValueInput!) {{ {mutation}(input: $i) {{ id }} }}"),
        json!({ "i": merged(base, input) }),
        Some(admin),
    )
    .await;
}

// The tests, by concern; `#[path]` because a test crate's root looks for modules beside it.
#[path = "iati_export/access.rs"]
mod access;
#[path = "iati_export/content.rs"]
mod content;
#[path = "iati_export/data_quality.rs"]
mod data_quality;
#[path = "iati_export/selection.rs"]
mod selection;
#[path = "iati_export/validity.rs"]
mod validity;
