//! Crash safety: a writer creates records while the server process is killed with SIGKILL at
//! moments that vary; afterwards every acknowledged write and its audit entry are there, and
//! nothing half-written is. Bounded: three kills per engine.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ta-tracker"))
        .args([
            "serve",
            "--no-demo",
            "--open",
            "false",
            "--database-url",
            url,
        ])
        .args([
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--rate-limit-per-minute",
            "0",
        ])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

/// One HTTP/1.1 request on a fresh connection; None when the server is gone.
async fn request(port: u16, token: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body.as_bytes()).await.ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response.split("\r\n\r\n").nth(1)?.to_string();
    Some((status, body))
}

async fn wait_until_up(port: u16) {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server did not come up");
}

async fn run(app: common::TestApp) {
    let token = app.admin().await;
    let mut acknowledged: Vec<(i64, String)> = Vec::new();
    // Deterministic but varying kill moments.
    let delays = [120_u64, 310, 45];
    for (round, delay) in delays.iter().enumerate() {
        let port = free_port();
        let mut child = start(&app.url, port);
        wait_until_up(port).await;
        let writer = {
            let token = token.clone();
            tokio::spawn(async move {
                let mut done = Vec::new();
                for i in 0.. {
                    let name = format!("Crash {round}-{i}");
                    let body = json!({"query": "mutation($n: String!) { createOrganisation(input: {name: $n, type: \"10\"}) { id } }", "variables": {"n": name}}).to_string();
                    match request(port, &token, &body).await {
                        Some((200, text)) => {
                            let v: Value = serde_json::from_str(&text).unwrap();
                            if let Some(id) = v["data"]["createOrganisation"]["id"].as_str() {
                                done.push((id.rsplit(':').next().unwrap().parse().unwrap(), name));
                            }
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
                done
            })
        };
        tokio::time::sleep(Duration::from_millis(*delay)).await;
        child.kill().expect("SIGKILL the server");
        child.wait().unwrap();
        acknowledged.extend(writer.await.unwrap());
    }
    assert!(
        acknowledged.len() >= 3,
        "the writer got some writes acknowledged: {}",
        acknowledged.len()
    );

    // Restart on the same database: it must come up and answer.
    let port = free_port();
    let mut child = start(&app.url, port);
    wait_until_up(port).await;
    let (status, _) = request(
        port,
        &token,
        &json!({"query": "{ organisations(first: 0) { totalCount } }"}).to_string(),
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();

    for (id, name) in &acknowledged {
        let row: Option<(String,)> = sqlx::query_as("select name from organisations where id = $1")
            .bind(*id)
            .fetch_optional(app.db.pool())
            .await
            .unwrap();
        assert_eq!(
            row.map(|r| r.0).as_deref(),
            Some(name.as_str()),
            "acknowledged organisation {id} survived"
        );
        let (audits,): (i64,) = sqlx::query_as(
            "select count(*) from audit_log where entity_type = 'Organisation' and entity_id = $1",
        )
        .bind(*id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(audits, 1, "its audit entry survived with it");
    }
    // Nothing half-written: every organisation has exactly its creation entry, and no entry
    // points at a missing organisation.
    let (orgs,): (i64,) = sqlx::query_as("select count(*) from organisations")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (entries,): (i64,) =
        sqlx::query_as("select count(*) from audit_log where entity_type = 'Organisation'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(orgs, entries);
    if app.backend() == ta_tracker::storage::Backend::Sqlite {
        let (ok,): (String,) = sqlx::query_as("pragma integrity_check")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(ok, "ok");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_on_sqlite() {
    run(common::TestApp::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_on_postgres() {
    if let Some(app) = common::TestApp::postgres().await {
        run(app).await;
    }
}
