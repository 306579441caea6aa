//! budgets.csv end to end through the real router on SQLite and PostgreSQL: one row per budget
//! line of a live engagement, totals that reconcile with the budgets the API shows the same
//! caller under the same filters, donors kept to what they fund, and the CSV exports' parameters,
//! refusals, formula guard, byte order mark, paging and command line.

mod common;
mod reporting_fixture;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

use common::TestApp;
use reporting_fixture::{HOSTILE_TITLE, World, number, world};

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, headers, body) = app.send(req.body(Body::empty()).unwrap()).await;
    if status == StatusCode::OK {
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"budgets.csv\""
        );
    }
    (status, body)
}

/// The rows of a file, each as column name → cell, read with the `csv` crate.
fn rows(body: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("a well-formed record");
            assert_eq!(rec.len(), header.len());
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// (engagement number, period start, period end, amount, currency, value date) for each line.
type Line = (i64, String, String, String, String, String);

fn lines_of_file(rows: &[BTreeMap<String, String>]) -> Vec<Line> {
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|r| {
            (
                r["engagement_id"].parse().unwrap(),
                r["period_start"].clone(),
                r["period_end"].clone(),
                r["value"].clone(),
                r["currency"].clone(),
                r["value_date"].clone(),
            )
        })
        .collect();
    lines.sort();
    lines
}

/// The budget lines of the engagements the API lists to `token` under `filter`, those whose
/// period overlaps [from, to].
async fn lines_of_api(
    app: &TestApp,
    token: &str,
    filter: Value,
    from: Option<&str>,
    to: Option<&str>,
) -> Vec<Line> {
    let q = "query($f: EngagementFilterInput) { engagements(filter: $f, first: 100) { \
             nodes { id budgets { periodStart periodEnd amount currency valueDate } } } }";
    let data = app.ok(q, json!({ "f": filter }), Some(token)).await;
    let mut lines: Vec<Line> = Vec::new();
    for e in data["engagements"]["nodes"].as_array().unwrap() {
        for b in e["budgets"].as_array().unwrap() {
            let (start, end) = (
                b["periodStart"].as_str().unwrap(),
                b["periodEnd"].as_str().unwrap(),
            );
            if from.is_some_and(|f| end < f) || to.is_some_and(|t| start > t) {
                continue;
            }
            lines.push((
                number(&e["id"]),
                start.to_string(),
                end.to_string(),
                b["amount"].as_f64().unwrap().to_string(),
                b["currency"].as_str().unwrap().to_string(),
                b["valueDate"].as_str().unwrap().to_string(),
            ));
        }
    }
    lines.sort();
    lines
}

/// Amount per currency.
fn totals(lines: &[Line]) -> BTreeMap<String, f64> {
    let mut t = BTreeMap::new();
    for l in lines {
        *t.entry(l.4.clone()).or_insert(0.0) += l.3.parse::<f64>().unwrap();
    }
    t
}

/// Beside the fixture: an engagement recorded for Central Asia (143) as a region, with an IATI
/// identifier and a hostile title; and an archived one, whose budget stays out.
async fn more_engagements(app: &TestApp, w: &World) -> (String, String) {
    let create = "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
    let base = json!({"programme": "OTHER1", "status": "2",
        "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2019-01-01",
        "plannedEnd": "2024-12-31",
        "participatingOrganisations": [{"organisation": format!("Organisation:{}", w.belgium), "role": "1"}]});
    let mut regional = base.clone();
    regional["title"] = json!(HOSTILE_TITLE);
    regional["iatiIdentifier"] = json!("XX-UNODC-DEMO-CA-7");
    regional["recipientRegion"] = json!("143");
    regional["budgets"] = json!([
        {"periodStart": "2022-07-01", "periodEnd": "2023-06-30", "amount": 1234.5,
         "currency": "EUR", "valueDate": "2022-07-01"},
        {"periodStart": "2021-07-01", "periodEnd": "2022-06-30", "amount": 0.25,
         "currency": "EUR", "valueDate": "2021-07-01"}]);
    let data = app.ok(create, json!({"i": regional}), Some(&w.admin)).await;
    let regional = data["createEngagement"]["id"].as_str().unwrap().to_string();
    let mut gone = base;
    gone["title"] = json!("Withdrawn");
    gone["recipientCountries"] = json!([{"country": "KAZ", "percentage": 100}]);
    gone["budgets"] = json!([{"periodStart": "2021-01-01", "periodEnd": "2021-12-31",
        "amount": 999, "currency": "USD"}]);
    let data = app.ok(create, json!({"i": gone}), Some(&w.admin)).await;
    let gone = data["createEngagement"]["id"].as_str().unwrap().to_string();
    app.ok(
        "mutation($id: ID!) { archive(id: $id, version: 1) { version } }",
        json!({"id": gone}),
        Some(&w.admin),
    )
    .await;
    (regional, gone)
}

on_both_engines!(
    budgets_csv_has_one_row_per_budget_line_reconciling_with_the_api,
    |app: TestApp| async move {
        let w = world(&app).await;
        let (regional, gone) = more_engagements(&app, &w).await;
        let (status, body) = get(&app, "/export/budgets.csv", Some(&w.admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.starts_with(
            "engagement_id,iati_identifier,engagement_title,programme_code,status,status_name,\
             budget_type,budget_type_name,budget_status,budget_status_name,period_start,\
             period_end,value,currency,value_date,recipient_countries,recipient_region,\
             recipient_region_name\n"
        ));
        let all = rows(&body);
        // Every line of every live engagement, and nothing else: 2 + 2 + 1 + 2.
        assert_eq!(all.len(), 7);
        let gone = number(&json!(gone)).to_string();
        assert!(all.iter().all(|r| r["engagement_id"] != gone));
        assert_eq!(
            lines_of_file(&all),
            lines_of_api(&app, &w.admin, json!({}), None, None).await
        );

        // One engagement's lines together, by period, with its labels.
        let kaz_uzb = number(&json!(w.kaz_uzb)).to_string();
        let mine: Vec<_> = all
            .iter()
            .filter(|r| r["engagement_id"] == kaz_uzb)
            .collect();
        let first = mine[0];
        assert_eq!(
            (
                first["programme_code"].as_str(),
                first["status"].as_str(),
                first["status_name"].as_str(),
                first["budget_type"].as_str(),
                first["budget_type_name"].as_str(),
                first["budget_status"].as_str(),
                first["budget_status_name"].as_str(),
            ),
            (
                "GLOZ85",
                "2",
                "Implementation",
                "1",
                "Original",
                "1",
                "Indicative"
            )
        );
        assert_eq!(
            (
                first["period_start"].as_str(),
                first["value"].as_str(),
                first["currency"].as_str()
            ),
            ("2020-01-01", "100000", "USD")
        );
        assert_eq!(mine[1]["period_start"], "2021-01-01");
        assert_eq!(first["recipient_countries"], "KAZ:60;UZB:40");
        assert_eq!(first["iati_identifier"], "");
        assert_eq!(first["recipient_region"], "");

        // The regional engagement: its identifier, its region, every digit of its amounts,
        // and its title defused.
        let regional = number(&json!(regional)).to_string();
        let lines: Vec<_> = all
            .iter()
            .filter(|r| r["engagement_id"] == regional)
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["period_start"], "2021-07-01");
        assert_eq!(lines[0]["value"], "0.25");
        assert_eq!(lines[1]["value"], "1234.5");
        assert_eq!(lines[0]["iati_identifier"], "XX-UNODC-DEMO-CA-7");
        assert_eq!(lines[0]["engagement_title"], format!("'{HOSTILE_TITLE}"));
        assert_eq!(lines[0]["recipient_countries"], "");
        assert_eq!(
            (
                lines[0]["recipient_region"].as_str(),
                lines[0]["recipient_region_name"].as_str()
            ),
            ("143", "Central Asia")
        );

        // The filters select what the engagements list selects, and the period the budget
        // lines overlapping it; totals per currency reconcile.
        for (query, filter, from, to) in [
            (
                "programme=GLOZ85",
                json!({"programme": "GLOZ85"}),
                None,
                None,
            ),
            ("country=uzb", json!({"country": "UZB"}), None, None),
            ("region=143", json!({"region": "143"}), None, None),
            ("region=001", json!({"region": "001"}), None, None),
            ("region=002", json!({"region": "002"}), None, None),
            ("from=2021-01-01", json!({}), Some("2021-01-01"), None),
            (
                "from=2021-12-31&to=2022-01-01",
                json!({}),
                Some("2021-12-31"),
                Some("2022-01-01"),
            ),
            (
                "region=143&to=2021-06-30",
                json!({"region": "143"}),
                None,
                Some("2021-06-30"),
            ),
        ] {
            let (status, body) = get(
                &app,
                &format!("/export/budgets.csv?{query}"),
                Some(&w.admin),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            let file = lines_of_file(&rows(&body));
            let api = lines_of_api(&app, &w.admin, filter, from, to).await;
            assert_eq!(file, api, "{query}");
            assert_eq!(totals(&file), totals(&api), "{query}");
        }
        let (_, body) = get(&app, "/export/budgets.csv?region=143", Some(&w.admin)).await;
        let eur: f64 = totals(&lines_of_file(&rows(&body)))["EUR"];
        assert_eq!(eur, 30000.0 + 1234.5 + 0.25, "KAZ-UZB's and the regional's");

        // A donor: only the lines of engagements it funds, as its engagements list shows.
        for (donor, expected) in [
            (w.norway, vec![w.kaz_uzb.clone(), w.idn.clone()]),
            (w.tunisia, vec![w.tun.clone()]),
        ] {
            let token = app.token(Role::Donor).organisation(donor).create().await;
            let (status, body) = get(&app, "/export/budgets.csv", Some(&token)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let file = lines_of_file(&rows(&body));
            let mut seen: Vec<i64> = file.iter().map(|l| l.0).collect();
            seen.dedup();
            let mut expected: Vec<i64> = expected.iter().map(|e| number(&json!(e))).collect();
            expected.sort();
            assert_eq!(seen, expected);
            assert_eq!(
                file,
                lines_of_api(&app, &token, json!({}), None, None).await
            );
        }
        let tunisia = app
            .token(Role::Donor)
            .organisation(w.tunisia)
            .create()
            .await;
        let (status, body) =
            get(&app, "/export/budgets.csv?programme=GLOZ85", Some(&tunisia)).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "a programme it funds nothing in: {body}"
        );
    }
);

on_both_engines!(
    budgets_csv_takes_the_csv_parameters_and_refuses_others_by_name,
    |app: TestApp| async move {
        let w = world(&app).await;
        let (status, _) = get(&app, "/export/budgets.csv", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        for (query, says) in [
            (
                "regoin=143",
                "regoin: is not a filter of this export; it takes programme, country, region, \
                 from, to, bom",
            ),
            (
                "country=KAZ&country=UZB",
                "country: is given more than once",
            ),
            ("region=", "region: must not be blank"),
            ("region=398", "398 is a country (Kazakhstan)"),
            ("country=XX", "country: XX is not a known country code"),
            ("programme=NOPE", "programme: there is no programme NOPE"),
            ("from=2021-13-01", "from"),
            (
                "from=2022-01-01&to=2021-01-01",
                "to: must not be before from",
            ),
            ("bom=yes", "bom: must be true or false, not yes"),
        ] {
            let (status, body) = get(
                &app,
                &format!("/export/budgets.csv?{query}"),
                Some(&w.admin),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
            assert!(body.starts_with("BAD_USER_INPUT: "), "{query}: {body}");
            assert!(body.contains(says), "{query}: {body}");
        }
        let (_, plain) = get(&app, "/export/budgets.csv?country=KAZ", Some(&w.admin)).await;
        assert!(!plain.starts_with('\u{feff}'));
        let (_, marked) = get(
            &app,
            "/export/budgets.csv?country=KAZ&bom=true",
            Some(&w.admin),
        )
        .await;
        assert_eq!(marked.strip_prefix('\u{feff}'), Some(plain.as_str()));
    }
);

#[tokio::test]
async fn budgets_stream_the_same_rows_a_page_at_a_time() {
    use futures_util::StreamExt;
    use ta_tracker::export::csv::{CsvFilter, Table, stream, stream_paged};
    use ta_tracker::storage::scope::Scope;
    let app = TestApp::sqlite().await;
    let w = world(&app).await;
    more_engagements(&app, &w).await;
    let filter = CsvFilter::default()
        .resolve(&app.db, &Scope::All)
        .await
        .unwrap();
    let whole: Vec<_> = stream(app.db.clone(), Scope::All, filter.clone(), Table::Budgets)
        .collect()
        .await;
    let paged: Vec<_> = stream_paged(app.db.clone(), Scope::All, filter, Table::Budgets, 1)
        .collect()
        .await;
    let bytes = |chunks: Vec<ta_tracker::error::AppResult<Vec<u8>>>| -> Vec<u8> {
        chunks.into_iter().flat_map(|c| c.unwrap()).collect()
    };
    // The header, then one chunk per engagement: four engagements, not seven lines.
    assert_eq!(paged.len(), 1 + 4);
    assert_eq!(bytes(whole), bytes(paged));
}

#[tokio::test]
async fn the_command_line_writes_the_budgets_an_administrator_downloads() {
    let app = TestApp::sqlite().await;
    let w = world(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("budgets.csv");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ta-tracker"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TA_TRACKER_") {
            cmd.env_remove(&key);
        }
    }
    let out = cmd
        .env_remove("RUST_LOG")
        .args(["export", "csv", "budgets", "--database-url", &app.url])
        .args(["--region", "143", "--from", "2021-01-01", "--bom"])
        .arg("--output")
        .arg(&file)
        .output()
        .expect("run ta-tracker");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("wrote budgets.csv"), "{stderr}");
    let written = std::fs::read_to_string(&file).unwrap();
    let (_, http) = get(
        &app,
        "/export/budgets.csv?region=143&from=2021-01-01&bom=true",
        Some(&w.admin),
    )
    .await;
    assert_eq!(written, http);
    assert_eq!(
        rows(http.trim_start_matches('\u{feff}')).len(),
        1,
        "KAZ-UZB's 2021 line"
    );
}
