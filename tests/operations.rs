//! What an operator of the running service relies on: the readiness probe's deadline and its
//! migration check, through the real router; the access log, through the real binary.

mod common;
#[path = "common/server.rs"]
mod server;

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};

use common::TestApp;
use server::{Server, command};

/// GETs /readyz; returns the status, the body and how long the answer took.
async fn readyz(app: &TestApp) -> (StatusCode, String, Duration) {
    let started = Instant::now();
    let (status, _, body) = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    (status, body, started.elapsed())
}

// A database too busy (or too slow) to hand the probe a connection reads as not ready after two
// seconds, not after the pool's ten, so that a load balancer's probe gets its answer in time.
on_both_engines!(
    readiness_answers_within_two_seconds_when_the_database_does_not,
    |app: TestApp| async move {
        let (status, body, _) = readyz(&app).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));

        let mut held = Vec::new();
        while held.len() < 8 {
            held.push(app.db.pool().acquire().await.expect("a connection"));
        }
        let (status, body, took) = readyz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(
            body,
            "not ready: the database did not answer within 2 seconds"
        );
        assert!(
            took >= Duration::from_millis(1900) && took < Duration::from_secs(4),
            "answered after {took:?}"
        );

        drop(held);
        let (status, body, _) = readyz(&app).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));
    }
);

// A server whose database a newer binary has migrated, or that lacks one of this binary's
// migrations, is not ready: its queries would meet tables it does not know or miss ones it uses.
on_both_engines!(
    readiness_requires_the_migrations_this_binary_expects,
    |app: TestApp| async move {
        app.record_newer_migration().await;
        let (status, body, _) = readyz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(
            body,
            "not ready: the database has migration 9999, which this binary does not have \
             (a newer version migrated it)"
        );

        sqlx::query("delete from _sqlx_migrations where version = 9999")
            .execute(app.db.pool())
            .await
            .expect("forget it");
        let (status, body, _) = readyz(&app).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));

        let (last,): (i64,) = sqlx::query_as("select max(version) from _sqlx_migrations")
            .fetch_one(app.db.pool())
            .await
            .expect("the last migration");
        sqlx::query("delete from _sqlx_migrations where version = $1")
            .bind(last)
            .execute(app.db.pool())
            .await
            .expect("forget the last migration");
        let (status, body, _) = readyz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(
            body,
            format!(
                "not ready: the database lacks this binary's migration {last} \
                 (ta-tracker migrate applies it)"
            )
        );
    }
);

/// A fresh SQLite database holding the reference data and an admin token: (dir, url, token).
fn database_with_admin() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ops.db").display());
    let seeded = command(&["seed", "--database-url", &url])
        .output()
        .expect("seed");
    assert!(seeded.status.success(), "{seeded:?}");
    let created = command(&["token", "create", "--role", "admin", "--name", "ops"])
        .args(["--database-url", &url])
        .output()
        .expect("token create");
    assert!(created.status.success(), "{created:?}");
    let token = String::from_utf8(created.stdout).expect("utf-8");
    (dir, url, token.trim().to_string())
}

/// `ta-tracker serve` on `url` without the demo data, with `args`.
fn serve(url: &str, args: &[&str]) -> Server {
    Server::start_with(
        &mut command(&["serve", "--database-url", url, "--no-demo"]),
        args,
    )
}

/// At the default log level each request is one line, written when its response has been sent:
/// method, path, status, time taken and the GraphQL operation's name, never the query string,
/// the query text, the variables or the credential; the probes are left to the debug level.
#[test]
fn each_request_is_one_log_line_without_its_query_variables_or_token() {
    let (_dir, url, token) = database_with_admin();
    let mut server = serve(&url, &[]);

    let body = serde_json::json!({
        "query": "query FindCountry($code: String!) { country(code: $code) { name } }",
        "variables": { "code": "xylophone" },
    })
    .to_string();
    let (status, answer) = server.send("POST", "/graphql", Some(&token), &body);
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = server.send(
        "GET",
        "/graphql?query=query%20PeekAhead%20%7B%20__typename%20%7D\
         &variables=%7B%22unused%22%3A%22gettysburg%22%7D",
        Some(&token),
        "",
    );
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = server.send(
        "GET",
        "/export/activities.csv?from=2020-01-01",
        Some(&token),
        "",
    );
    assert_eq!(status, 200, "{answer}");
    let (status, _) = server.send("GET", "/healthz", None, "");
    assert_eq!(status, 200);
    let (status, _) = server.send("GET", "/readyz", None, "");
    assert_eq!(status, 200);
    let (status, _) = server.send("GET", "/nowhere?token=lighthouse", None, "");
    assert_eq!(status, 404);

    let limit = Duration::from_secs(10);
    let post = server.wait_for("method=POST path=/graphql ", limit);
    assert!(post.contains(" INFO "), "{post}");
    assert!(post.contains("status=200 duration_ms="), "{post}");
    assert!(post.ends_with("operation=\"FindCountry\""), "{post}");
    let get = server.wait_for("method=GET path=/graphql ", limit);
    assert!(get.ends_with("operation=\"PeekAhead\""), "{get}");
    let export = server.wait_for("method=GET path=/export/activities.csv ", limit);
    assert!(export.contains("status=200 duration_ms="), "{export}");
    assert!(!export.contains("operation"), "{export}");
    let unknown = server.wait_for("method=GET path=/nowhere ", limit);
    assert!(unknown.contains("status=404"), "{unknown}");
    server.settle(Duration::from_millis(500));

    let requests: Vec<&String> = server
        .log
        .iter()
        .filter(|l| l.contains(" request "))
        .collect();
    assert_eq!(requests.len(), 4, "one line per request: {requests:#?}");
    for secret in [
        token.as_str(),
        "xylophone",
        "gettysburg",
        "__typename",
        "2020-01-01",
        "lighthouse",
        "/healthz",
        "/readyz",
    ] {
        let leaked: Vec<&String> = server.log.iter().filter(|l| l.contains(secret)).collect();
        assert!(leaked.is_empty(), "{secret:?} logged: {leaked:#?}");
    }
}

/// After SIGTERM the requests in flight have `--shutdown-grace-secs` to finish; then the process
/// exits, logging the ones it cut off. Here a write waits on SQLite's write lock, which another
/// connection holds, for the 10 s busy timeout: without the deadline the process stayed up as
/// long.
#[tokio::test]
async fn shutdown_stops_waiting_for_requests_in_flight_at_its_deadline() {
    use sqlx::{Connection, Executor};

    let (_dir, url, token) = database_with_admin();
    let mut server = serve(&url, &["--shutdown-grace-secs", "1"]);
    let mut blocker = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connect");
    blocker.execute("begin immediate").await.expect("lock");

    let mutation = serde_json::json!({
        "query": "mutation SlowWrite { createOrganisation(input: \
                  {name: \"Government of Norway\", type: \"10\"}) { id } }",
    })
    .to_string();
    let addr = server.addr.clone();
    let client = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        write!(
            stream,
            "POST /graphql HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{mutation}",
            mutation.len()
        )
        .expect("send");
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response
    });
    tokio::time::sleep(Duration::from_millis(700)).await;

    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    server.wait_for("shutting down", Duration::from_secs(5));
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(6),
            "still running {:?} after SIGTERM: {:#?}",
            signalled.elapsed(),
            server.log
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let deadline = server.wait_for("shutdown deadline", Duration::from_secs(5));
    assert!(deadline.contains(" WARN "), "{deadline}");
    assert!(deadline.contains("of 1 seconds passed"), "{deadline}");
    let cut = server.wait_for("method=POST path=/graphql ", Duration::from_secs(5));
    assert!(cut.contains(" WARN "), "{cut}");
    assert!(
        cut.contains("operation=\"SlowWrite\" incomplete=true"),
        "{cut}"
    );
    assert!(!cut.contains("status="), "{cut}");
    let answer = client.join().expect("client");
    assert!(
        !answer.contains("200 OK"),
        "the write was answered: {answer}"
    );

    blocker.execute("rollback").await.expect("unlock");
    let (organisations,): (i64,) = sqlx::query_as("select count(*) from organisations")
        .fetch_one(&mut blocker)
        .await
        .expect("count");
    assert_eq!(organisations, 0, "the write cut off was not committed");
}

/// An empty RUST_LOG is unset: the server logs at the default level, where it logged nothing at
/// all (a unit file's `Environment=RUST_LOG=` silenced it). One that is not a filter is said
/// to be, naming the variable, and the default is used, where it was used without a word.
#[test]
fn an_empty_or_unreadable_rust_log_logs_at_the_default_level_and_says_why() {
    let (_dir, url, _) = database_with_admin();
    // Start-up waits for the line saying the server listens, an info line.
    let mut empty = command(&["serve", "--database-url", &url, "--no-demo"]);
    empty.env("RUST_LOG", "");
    let server = Server::start_with(&mut empty, &[]);
    assert!(
        !server.log.iter().any(|l| l.contains("RUST_LOG")),
        "{:#?}",
        server.log
    );
    let mut bad = command(&["serve", "--database-url", &url, "--no-demo"]);
    bad.env("RUST_LOG", "info,ta_tracker=loud");
    let server = Server::start_with(&mut bad, &[]);
    let line = server.logged("RUST_LOG");
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.contains(
            "RUST_LOG=\"info,ta_tracker=loud\" is not a log filter (error parsing level filter"
        ),
        "{line}"
    );
    assert!(
        line.ends_with("logging with the default, info,sqlx=warn"),
        "{line}"
    );
}
