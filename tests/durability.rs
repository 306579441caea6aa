//! Concurrent writers: exactly one update wins per version, with no lost update; and the online
//! SQLite backup holds every committed record.

mod common;

use serde_json::json;

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $name: String!) { updateOrganisation(id: $id, version: $v, input: {name: $name, type: \"10\"}) { version } }";

on_both_engines!(
    concurrent_updates_of_one_version_have_exactly_one_winner,
    |app: common::TestApp| async move {
        let admin = app.admin().await;
        let data = app
            .ok(
                "mutation { createOrganisation(input: {name: \"Start\", type: \"10\"}) { id } }",
                json!({}),
                Some(&admin),
            )
            .await;
        let id = data["createOrganisation"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (app, admin, id) = (app.clone(), admin.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let (_, body) = app
                    .post(
                        UPDATE,
                        json!({"id": id, "v": 1, "name": format!("Writer {i}")}),
                        Some(&admin),
                    )
                    .await;
                body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .map(str::to_string)
            }));
        }
        let mut wins = 0;
        let mut conflicts = 0;
        for t in tasks {
            match t.await.unwrap() {
                None => wins += 1,
                Some(code) if code == "CONFLICT" => conflicts += 1,
                Some(other) => panic!("unexpected {other}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 7));
        let data = app
            .ok(
                "query($id: ID!) { organisation(id: $id) { name version } }",
                json!({"id": id}),
                None,
            )
            .await;
        assert_eq!(data["organisation"]["version"], 2);
        let log = app
            .ok(
                "query($id: ID!) { auditLog(entityId: $id) { totalCount nodes { after } } }",
                json!({"id": id}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            log["auditLog"]["totalCount"], 2,
            "one create, one update: no lost or phantom update"
        );
        assert_eq!(
            log["auditLog"]["nodes"][0]["after"]["name"],
            data["organisation"]["name"]
        );
    }
);

#[tokio::test]
async fn an_online_sqlite_backup_holds_every_committed_record() {
    let app = common::TestApp::sqlite().await;
    let admin = app.admin().await;
    for i in 0..5 {
        app.ok(
            "mutation($n: String!) { createOrganisation(input: {name: $n, type: \"10\"}) { id } }",
            json!({"n": format!("Org {i}")}),
            Some(&admin),
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup.db");
    app.db.backup(path.to_str().unwrap()).await.unwrap();
    let copy = ta_tracker::storage::Db::connect(&format!("sqlite://{}", path.display()), 1)
        .await
        .unwrap();
    let (n,): (i64,) = sqlx::query_as("select count(*) from organisations")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert_eq!(n, 5);
    let (ok,): (String,) = sqlx::query_as("pragma integrity_check")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert_eq!(ok, "ok");
    assert!(
        app.db.backup(path.to_str().unwrap()).await.is_err(),
        "never overwrites a file"
    );
}

async fn post_with_key(
    app: &common::TestApp,
    token: &str,
    key: &str,
    name: &str,
) -> (u16, bool, serde_json::Value) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let body = json!({"query": "mutation($n: String!) { createOrganisation(input: {name: $n, type: \"10\"}) { id name } }", "variables": {"n": name}});
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("Idempotency-Key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, headers, text) = app.send(req).await;
    (
        status.as_u16(),
        headers.contains_key("idempotency-replayed"),
        serde_json::from_str(&text).unwrap(),
    )
}

on_both_engines!(
    a_retry_with_the_same_idempotency_key_returns_the_first_result,
    |app: common::TestApp| async move {
        let admin = app.admin().await;
        let (status, replayed, first) = post_with_key(&app, &admin, "retry-1", "Once").await;
        assert_eq!((status, replayed), (200, false));
        let (status, replayed, second) = post_with_key(&app, &admin, "retry-1", "Once").await;
        assert_eq!((status, replayed), (200, true));
        assert_eq!(first, second, "the same record comes back");
        assert_eq!(
            app.count("organisations").await,
            1,
            "no duplicate was created"
        );
        let (status, _, body) = post_with_key(&app, &admin, "retry-1", "Another").await;
        assert_eq!(status, 422);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let other = app.admin().await;
        let (status, replayed, _) = post_with_key(&app, &other, "retry-1", "Once").await;
        assert_eq!(
            (status, replayed),
            (200, false),
            "keys belong to one credential"
        );
        assert_eq!(app.count("organisations").await, 2);
    }
);

on_both_engines!(
    concurrent_activity_writes_keep_the_summary_totals_exact,
    |app: common::TestApp| async move {
        let admin = app.admin().await;
        app.ok(
            "mutation { createProgramme(input: {code: \"CW\", title: \"Concurrent writes\"}) { id } }",
            json!({}),
            Some(&admin),
        )
        .await;
        let mut engagements = Vec::new();
        for title in ["A", "B"] {
            let data = app
                .ok(
                    "mutation($t: String!) { createEngagement(input: {programme: \"CW\", title: $t, status: \"2\", \
                     sectors: [{code: \"15130\", percentage: 100}], plannedStart: \"2020-01-01\", recipientCountries: [{country: \"KEN\", percentage: 100}]}) { id } }",
                    json!({"t": title}),
                    Some(&admin),
                )
                .await;
            engagements.push(data["createEngagement"]["id"].as_str().unwrap().to_string());
        }
        // Writers at once, most under the same engagement, in one country and year, of four
        // kinds: they share some pre-computed totals rows and not others.
        const WRITERS: i64 = 48;
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..WRITERS {
            let (app, admin) = (app.clone(), admin.clone());
            let engagement = engagements[usize::from(i % 5 == 0)].clone();
            let kind = ["TRAINING", "WORKSHOP", "ASSESSMENT", "CONFERENCE"][i as usize % 4];
            tasks.push(tokio::spawn(async move {
                app.ok(
                    "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                    json!({"i": {"engagement": engagement, "kind": kind, "title": format!("W{i}"),
                        "startDate": "2021-05-03", "endDate": "2021-05-04", "country": "KEN",
                        "participants": {"total": 10, "female": 6, "male": 4}}}),
                    Some(&admin),
                )
                .await;
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let summary = "query($p: PeriodInput) { regionalSummary(region: \"014\", period: $p) {
            activities { total } participants { total female male } } }";
        for period in [
            json!(null),
            json!({"year": 2021}),
            json!({"year": 2021, "quarter": 2}),
        ] {
            let data = app.ok(summary, json!({"p": period}), Some(&admin)).await;
            let s = &data["regionalSummary"];
            assert_eq!(s["activities"]["total"], WRITERS, "{period}");
            assert_eq!(s["participants"]["total"], WRITERS * 10, "{period}");
            assert_eq!(s["participants"]["female"], WRITERS * 6, "{period}");
        }
        // The same through the per-engagement totals (a programme filter needs them).
        let data = app
            .ok(
                "{ regionalSummary(region: \"001\", programme: \"CW\") { activities { total } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(data["regionalSummary"]["activities"]["total"], WRITERS);
    }
);

/// Log lines written on this thread while the guard lives (the tests' runtime has one thread).
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let logs = self.clone();
        tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || logs.clone())
                .with_ansi(false)
                .finish(),
        )
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Sends `query` with `variables` and an Idempotency-Key: (status, replayed, body).
async fn post_keyed(
    app: &common::TestApp,
    token: &str,
    key: &str,
    query: &str,
    variables: serde_json::Value,
) -> (u16, bool, serde_json::Value) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("Idempotency-Key", key)
        .body(Body::from(
            json!({"query": query, "variables": variables}).to_string(),
        ))
        .unwrap();
    let (status, headers, text) = app.send(req).await;
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (
        status.as_u16(),
        headers.contains_key("idempotency-replayed"),
        body,
    )
}

// The panicking field exists in debug builds only, armed by the test (see src/graphql/test_panic.rs).
#[cfg(debug_assertions)]
on_both_engines!(
    a_panicking_resolver_answers_500_and_a_retry_with_its_idempotency_key_runs,
    |mut app: common::TestApp| async move {
        use ta_tracker::graphql::test_panic;
        test_panic::arm();
        app.router = ta_tracker::app(app.db.clone(), app.limits.clone());
        let engine = format!("{:?}", app.backend());
        let admin = app.admin().await;
        let generic =
            json!({"errors": [{"message": "internal error", "extensions": {"code": "INTERNAL"}}]});

        // A query: 500 with the generic error, never the panic's text, and the panic logged
        // with the request's path and operation, not its variables or credential.
        let logs = Logs::default();
        let guard = logs.capture();
        let query = format!(
            "query Regions($level: RegionLevel) {{ {}{engine}Q: regions(level: $level) {{ code }} }}",
            test_panic::ALIAS
        );
        let (status, body) = app
            .post(&query, json!({"level": "REGION"}), Some(&admin))
            .await;
        drop(guard);
        assert_eq!((status.as_u16(), &body), (500, &generic));
        let logged = logs.text();
        assert!(logged.contains("a request panicked"), "{logged}");
        assert!(logged.contains("path=/graphql"), "{logged}");
        assert!(logged.contains("operation=\"Regions\""), "{logged}");
        assert!(logged.contains(test_panic::MESSAGE), "{logged}");
        assert!(!logged.contains("\"level\""), "no variables: {logged}");
        assert!(!logged.contains("regions(level"), "no query text: {logged}");
        assert!(!logged.contains(&admin), "no credential: {logged}");
        // The service goes on answering.
        app.ok(
            "{ regions(level: REGION) { code } }",
            json!({}),
            Some(&admin),
        )
        .await;
        // In the media type the request asked for, as every other answer.
        let asked = {
            use axum::body::Body;
            use axum::http::{Request, header};
            let query = format!("{{ {}{engine}G: regions {{ code }} }}", test_panic::ALIAS);
            let req = Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/graphql-response+json")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .body(Body::from(json!({ "query": query }).to_string()))
                .unwrap();
            app.send(req).await
        };
        let (status, headers, text) = asked;
        assert_eq!(status.as_u16(), 500, "{text}");
        assert_eq!(
            headers[axum::http::header::CONTENT_TYPE],
            "application/graphql-response+json"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            generic
        );

        // A mutation that panics before it writes: 500, nothing written, and its key freed, so
        // the retry runs (and is then replayed as usual).
        let create = format!(
            "mutation($n: String!) {{ {}{engine}M: createOrganisation(input: {{name: $n, type: \"10\"}}) {{ name }} }}",
            test_panic::ALIAS
        );
        let name = json!({"n": "Panicked"});
        let (status, _, body) = post_keyed(&app, &admin, "panic-1", &create, name.clone()).await;
        assert_eq!((status, &body), (500, &generic));
        assert_eq!(app.count("organisations").await, 0);
        let (status, replayed, body) =
            post_keyed(&app, &admin, "panic-1", &create, name.clone()).await;
        assert_eq!((status, replayed), (200, false), "the retry ran: {body}");
        assert_eq!(app.count("organisations").await, 1);
        let (status, replayed, _) = post_keyed(&app, &admin, "panic-1", &create, name).await;
        assert_eq!((status, replayed), (200, true));

        // A panic after the write committed (in a field of its result): the key stays pending,
        // so a retry is refused rather than writing a second time.
        let create = format!(
            "mutation($n: String!) {{ createOrganisation(input: {{name: $n, type: \"10\"}}) {{ id {}{engine}R: name }} }}",
            test_panic::ALIAS
        );
        let name = json!({"n": "Written"});
        let (status, _, body) = post_keyed(&app, &admin, "panic-2", &create, name.clone()).await;
        assert_eq!((status, &body), (500, &generic));
        assert_eq!(app.count("organisations").await, 2);
        let (status, _, body) = post_keyed(&app, &admin, "panic-2", &create, name).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
        assert_eq!(app.count("organisations").await, 2, "not written twice");
    }
);
