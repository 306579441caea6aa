//! The CSV exports end to end through the real router on SQLite and PostgreSQL: the files open
//! cleanly with a CSV reader, hold one row per observation (counted here independently from the
//! tables), keep donors to what they fund, honour the filters, and carry hostile text intact and
//! defused.

mod common;
mod reporting_fixture;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ta_tracker::domain::auth::Role;

use common::TestApp;
use reporting_fixture::{HOSTILE_PLACE, HOSTILE_TITLE, number, world};

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, headers, body) = app.send(req.body(Body::empty()).unwrap()).await;
    if status == StatusCode::OK {
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename="),
            "{disposition}"
        );
    }
    (status, body, String::new())
}

/// The header and the records, read with the `csv` crate (which fails on a malformed file).
fn read(body: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|r| r.expect("a well-formed record"))
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(app.db.pool()).await.unwrap();
    n
}

/// Distinct slots (indicator, period, country, disaggregation), optionally of one engagement.
async fn slots(app: &TestApp, engagement: Option<i64>) -> i64 {
    let only = engagement
        .map(|e| format!(" and r.engagement_id = {e}"))
        .unwrap_or_default();
    scalar(
        app,
        &format!(
            "select count(*) from (select distinct v.indicator_id, v.period_start, v.period_end, \
             coalesce(v.country_iso3, '') as c, v.dimension_name, v.dimension_value \
             from indicator_values v join indicators i on i.id = v.indicator_id \
             join results r on r.id = i.result_id where 1 = 1{only}) s"
        ),
    )
    .await
}

on_both_engines!(
    indicators_csv_has_one_row_per_slot_and_donors_get_only_funded_rows,
    |app: TestApp| async move {
        let w = world(&app).await;
        let (status, body, _) = get(&app, "/export/indicators.csv", Some(&w.admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (header, rows) = read(&body);
        assert_eq!(header.len(), 20);
        assert_eq!(header[0], "indicator_id");
        assert_eq!(header[19], "comment");
        assert_eq!(rows.len() as i64, slots(&app, None).await);
        assert!(rows.iter().all(|r| r.len() == header.len()));

        // A slot with a target and an actual shares one row; one with only an actual leaves the
        // target empty.
        let (code, start, country, dim, target, actual) = (
            column(&header, "indicator_code"),
            column(&header, "period_start"),
            column(&header, "country_iso3"),
            column(&header, "dimension_value"),
            column(&header, "target_value"),
            column(&header, "actual_value"),
        );
        let find = |c: &str, y: &str, iso3: &str, d: &str| {
            rows.iter()
                .find(|r| {
                    r[code] == *c && r[start].starts_with(y) && r[country] == *iso3 && r[dim] == *d
                })
                .unwrap_or_else(|| panic!("no row {c} {y} {iso3} {d}"))
        };
        let kaz = find("KU-1", "2021", "KAZ", "");
        assert_eq!((&kaz[target], &kaz[actual]), ("120", "50"));
        assert_eq!(&kaz[column(&header, "country_name")], "Kazakhstan");
        let male = find("KU-1", "2020", "", "male");
        assert_eq!((&male[target], &male[actual]), ("", "35"));

        // Hostile text: quoted as text; numbers keep their sign.
        let tun = find("TUN-1", "2020", "", "");
        assert_eq!(
            &tun[column(&header, "indicator_title")],
            &format!("'{HOSTILE_TITLE}")
        );
        assert_eq!(
            &tun[column(&header, "result_title")],
            &format!("'{HOSTILE_TITLE}")
        );
        assert_eq!(&tun[target], "-5");
        let narrative = find("KU-4", "2021", "KAZ", "");
        assert!(
            narrative[column(&header, "comment")].starts_with("'="),
            "{narrative:?}"
        );

        // A donor gets only the rows of engagements it funds.
        let tunisia = app
            .token(Role::Donor)
            .organisation(w.tunisia)
            .create()
            .await;
        let (_, body, _) = get(&app, "/export/indicators.csv", Some(&tunisia)).await;
        let (header, rows) = read(&body);
        let engagement = column(&header, "engagement_id");
        assert_eq!(
            rows.len() as i64,
            slots(&app, Some(number(&w.tun.clone().into()))).await
        );
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r[engagement] == number(&w.tun.clone().into()).to_string())
        );

        // Filters: a country keeps its own rows and the wholes of engagements there.
        let (_, body, _) = get(&app, "/export/indicators.csv?country=UZB", Some(&w.admin)).await;
        let (header, rows) = read(&body);
        let country = column(&header, "country_iso3");
        assert!(
            rows.iter()
                .all(|r| r[country] == *"UZB" || r[country].is_empty())
        );
        assert!(rows.iter().any(|r| r[country] == *"UZB"));
        assert!(rows.iter().all(|r| r[column(&header, "engagement_id")]
            == number(&w.kaz_uzb.clone().into()).to_string()));
        let (_, body, _) = get(
            &app,
            "/export/indicators.csv?programme=OTHER1&from=2021-01-01",
            Some(&w.admin),
        )
        .await;
        assert_eq!(read(&body).1.len(), 0, "the only OTHER1 value is for 2020");

        // Credentials and bad filters.
        let (status, _, _) = get(&app, "/export/indicators.csv", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body, _) =
            get(&app, "/export/indicators.csv?region=XYZ", Some(&w.admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body, _) = get(
            &app,
            "/export/activities.csv?form=2021-01-01",
            Some(&w.admin),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body.contains("form: is not a filter of this export; it takes programme, country"),
            "{body}"
        );
    }
);

on_both_engines!(
    activities_csv_has_one_row_per_activity_with_filters_and_hostile_text_intact,
    |app: TestApp| async move {
        let w = world(&app).await;
        // One archived activity stays out.
        let archived = reporting_fixture::activity(
            &app,
            &w.admin,
            &w.idn,
            "OTHER",
            "IDN",
            "2023-01-01",
            (1, 0, 0),
        )
        .await;
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { version } }",
            serde_json::json!({"id": archived}),
            Some(&w.admin),
        )
        .await;
        let (status, body, _) = get(&app, "/export/activities.csv", Some(&w.admin)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (header, rows) = read(&body);
        assert_eq!(header.len(), 17);
        let live = scalar(
            &app,
            "select count(*) from activities where archived_at is null",
        )
        .await;
        assert_eq!(rows.len() as i64, live);

        let title = column(&header, "title");
        let hostile = rows
            .iter()
            .find(|r| r[title].contains("HYPERLINK"))
            .expect("the Tunisian workshop");
        assert_eq!(&hostile[title], &format!("'{HOSTILE_TITLE}"));
        assert_eq!(&hostile[column(&header, "place")], HOSTILE_PLACE);
        assert_eq!(&hostile[column(&header, "target_group")], "'-prison staff");
        assert_eq!(&hostile[column(&header, "sub_region")], "Northern Africa");
        assert_eq!(&hostile[column(&header, "participants_unreported")], "0");
        // The kind is spelled as the API spells it.
        let kinds: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| &r[column(&header, "kind")]).collect();
        assert_eq!(kinds, ["ASSESSMENT", "TRAINING", "WORKSHOP"].into());
        let sums: i64 = rows
            .iter()
            .map(|r| {
                r[column(&header, "participants_total")]
                    .parse::<i64>()
                    .unwrap()
            })
            .sum();
        let expected = scalar(
            &app,
            "select cast(sum(participants_total) as bigint) from activities where archived_at is null",
        )
        .await;
        assert_eq!(sums, expected);

        // Filters: region (Central Asia), country, period overlap.
        for (query, sql) in [
            ("region=143", "country_iso3 in ('KAZ', 'UZB')"),
            ("country=KAZ", "country_iso3 = 'KAZ'"),
            (
                "from=2021-01-01&to=2021-12-31",
                "start_date <= '2021-12-31' and end_date >= '2021-01-01'",
            ),
            (
                "programme=GLOZ85&region=001",
                "engagement_id in (select id from engagements where programme_id = (select id from programmes where code = 'GLOZ85'))",
            ),
        ] {
            let (_, body, _) = get(
                &app,
                &format!("/export/activities.csv?{query}"),
                Some(&w.admin),
            )
            .await;
            let n = scalar(
                &app,
                &format!("select count(*) from activities where archived_at is null and {sql}"),
            )
            .await;
            assert_eq!(read(&body).1.len() as i64, n, "{query}");
        }

        // A donor: only its engagements' activities.
        let tunisia = app
            .token(Role::Donor)
            .organisation(w.tunisia)
            .create()
            .await;
        let (_, body, _) = get(&app, "/export/activities.csv", Some(&tunisia)).await;
        let (header, rows) = read(&body);
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][column(&header, "country_iso3")], "TUN");
    }
);

#[tokio::test]
async fn small_pages_stream_the_same_rows() {
    use futures_util::StreamExt;
    use ta_tracker::export::csv::{CsvFilter, Table, stream, stream_paged};
    use ta_tracker::storage::scope::Scope;
    let app = TestApp::sqlite().await;
    let _w = world(&app).await;
    for table in [Table::Indicators, Table::Activities] {
        let filter = CsvFilter::default()
            .resolve(&app.db, &Scope::All)
            .await
            .unwrap();
        let collect = |s: std::pin::Pin<Box<dyn futures_util::Stream<Item = _> + Send>>| async move {
            let chunks: Vec<ta_tracker::error::AppResult<Vec<u8>>> = s.collect().await;
            chunks
                .into_iter()
                .flat_map(|c| c.unwrap())
                .collect::<Vec<u8>>()
        };
        let whole = collect(Box::pin(stream(
            app.db.clone(),
            Scope::All,
            filter.clone(),
            table,
        )))
        .await;
        let paged = collect(Box::pin(stream_paged(
            app.db.clone(),
            Scope::All,
            filter,
            table,
            1,
        )))
        .await;
        assert_eq!(whole, paged);
    }
}

/// Runs the real binary on the test's database, isolated from the caller's configuration.
fn cli(args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ta-tracker"));
    cmd.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TA_TRACKER_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("RUST_LOG").output().expect("run ta-tracker")
}

#[tokio::test]
async fn the_command_line_writes_the_same_files_as_an_administrator_downloads() {
    let app = TestApp::sqlite().await;
    let w = world(&app).await;
    let out = cli(&["export", "csv", "indicators", "--database-url", &app.url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, http, _) = get(&app, "/export/indicators.csv", Some(&w.admin)).await;
    assert_eq!(String::from_utf8(out.stdout).unwrap(), http);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kaz.csv");
    let out = cli(&[
        "export",
        "csv",
        "activities",
        "--database-url",
        &app.url,
        "--country",
        "KAZ",
        "--from",
        "2020-01-01",
        "--to",
        "2021-12-31",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&file).unwrap();
    let (_, http, _) = get(
        &app,
        "/export/activities.csv?country=KAZ&from=2020-01-01&to=2021-12-31",
        Some(&w.admin),
    )
    .await;
    assert_eq!(written, http);
    assert_eq!(
        read(&written).1.len(),
        1,
        "one activity in Kazakhstan in 2020-2021"
    );

    let out = cli(&[
        "export",
        "csv",
        "activities",
        "--database-url",
        &app.url,
        "--region",
        "nowhere",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("region"), "{err}");
}

on_both_engines!(
    a_file_for_excel_begins_with_a_byte_order_mark_when_asked,
    |app: TestApp| async move {
        let w = world(&app).await;
        for table in ["activities", "indicators"] {
            let path = format!("/export/{table}.csv?country=KAZ");
            let (_, plain, _) = get(&app, &path, Some(&w.admin)).await;
            assert!(!plain.starts_with('\u{feff}'), "none unless asked");
            let (status, marked, _) = get(&app, &format!("{path}&bom=true"), Some(&w.admin)).await;
            assert_eq!(status, StatusCode::OK, "{marked}");
            assert_eq!(
                marked.strip_prefix('\u{feff}'),
                Some(plain.as_str()),
                "{table}"
            );
            let (_, off, _) = get(&app, &format!("{path}&bom=false"), Some(&w.admin)).await;
            assert_eq!(off, plain);
        }
        let (status, body, _) = get(&app, "/export/activities.csv?bom=yes", Some(&w.admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body.contains("bom") && body.contains("true or false"),
            "{body}"
        );

        // The command line's --bom writes the same bytes.
        let out = cli(&[
            "export",
            "csv",
            "activities",
            "--bom",
            "--database-url",
            &app.url,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (_, http, _) = get(&app, "/export/activities.csv?bom=true", Some(&w.admin)).await;
        assert_eq!(String::from_utf8(out.stdout).unwrap(), http);
    }
);

on_both_engines!(
    indicators_csv_spells_each_measure_as_the_api_does,
    |app: TestApp| async move {
        let w = world(&app).await;
        let (_, body, _) = get(&app, "/export/indicators.csv", Some(&w.admin)).await;
        let (header, rows) = read(&body);
        let (id, measure) = (column(&header, "indicator_id"), column(&header, "measure"));
        let api = app
            .ok(
                "{ indicators(first: 100) { nodes { id measure } } }",
                serde_json::json!({}),
                Some(&w.admin),
            )
            .await;
        let api: std::collections::HashMap<String, String> = api["indicators"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let id = n["id"].as_str().unwrap().trim_start_matches("Indicator:");
                (id.to_string(), n["measure"].as_str().unwrap().to_string())
            })
            .collect();
        assert!(!rows.is_empty());
        for r in &rows {
            assert_eq!(r[measure], api[&r[id]], "indicator {}", &r[id]);
        }
        let spelt: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[measure]).collect();
        assert!(spelt.contains("QUALITATIVE"), "{spelt:?}");
    }
);
