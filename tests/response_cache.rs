//! The response cache, through the real router on both engines: a repeated query is answered
//! again without running, for as long as nothing has written to the database, whoever wrote.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;
use ta_tracker::storage::Db;

use common::TestApp;

/// POSTs an operation; returns the `x-cache` header ("" when absent) and the JSON body.
async fn ask(app: &TestApp, query: &str, variables: Value, token: &str) -> (String, Value) {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let (_, headers, text) = app.send(request).await;
    let cache = headers
        .get("x-cache")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (cache, serde_json::from_str(&text).unwrap())
}

/// Asks until the answer comes from the cache, and returns it. On PostgreSQL the version is the
/// whole cluster's, so a write anywhere on it (another test's, autovacuum's) makes a miss; a
/// few tries see a quiet moment.
async fn until_hit(app: &TestApp, query: &str, variables: Value, token: &str) -> Value {
    for _ in 0..50 {
        let (cache, body) = ask(app, query, variables.clone(), token).await;
        if cache == "hit" {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("never answered from the cache: {query}");
}

const TITLES: &str = "{ engagements(first: 3) { nodes { id title version } } }";

on_both_engines!(
    a_repeated_query_is_answered_again_until_anything_writes,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let (first, before) = ask(&app, TITLES, json!({}), &admin).await;
        assert_eq!(first, "miss", "{before}");
        assert_eq!(until_hit(&app, TITLES, json!({}), &admin).await, before);

        // Another process changes a title behind the server's back: the next answer shows it.
        let engagement = &before["data"]["engagements"]["nodes"][0];
        let id = engagement["id"].as_str().unwrap().to_string();
        let other = Db::connect(&app.url, 1).await.unwrap();
        let title = engagement["title"].as_str().unwrap();
        sqlx::query("update engagements set title = $1 where title = $2")
            .bind("Retitled by another process")
            .bind(title)
            .execute(other.pool())
            .await
            .unwrap();
        other.close().await;
        let (third, after) = ask(&app, TITLES, json!({}), &admin).await;
        assert_eq!(third, "miss");
        assert_eq!(
            after["data"]["engagements"]["nodes"][0]["title"],
            "Retitled by another process"
        );
        assert_eq!(until_hit(&app, TITLES, json!({}), &admin).await, after);

        // A write through the API: the mutation is never cached, and the next query sees it.
        let (cache, changed) = ask(
            &app,
            "mutation($id: ID!, $v: Int!) { updateEngagement(id: $id, version: $v, input: { title: \"Retitled through the API\" }) { title } }",
            json!({ "id": id, "v": after["data"]["engagements"]["nodes"][0]["version"] }),
            &admin,
        )
        .await;
        assert_eq!(cache, "", "{changed}");
        assert!(changed.get("errors").is_none(), "{changed}");
        let (fifth, latest) = ask(&app, TITLES, json!({}), &admin).await;
        assert_eq!(fifth, "miss");
        assert_eq!(
            latest["data"]["engagements"]["nodes"][0]["title"],
            "Retitled through the API"
        );
    }
);

on_both_engines!(
    callers_do_not_share_answers_and_variables_make_another_question,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let officer = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .create()
            .await;
        let me = "{ me { role programmes } }";
        let (c1, as_admin) = ask(&app, me, json!({}), &admin).await;
        let (c2, as_officer) = ask(&app, me, json!({}), &officer).await;
        assert_eq!((c1.as_str(), c2.as_str()), ("miss", "miss"));
        assert_eq!(as_admin["data"]["me"]["role"], "ADMIN");
        assert_eq!(as_officer["data"]["me"]["role"], "OFFICER");
        assert_eq!(as_officer["data"]["me"]["programmes"], json!(["GLOZ85"]));
        assert_eq!(until_hit(&app, me, json!({}), &officer).await, as_officer);

        let country = "query($c: String!) { country(code: $c) { name } }";
        let (_, norway) = ask(&app, country, json!({ "c": "NOR" }), &admin).await;
        let (cache, belgium) = ask(&app, country, json!({ "c": "BEL" }), &admin).await;
        assert_eq!(cache, "miss");
        assert_eq!(norway["data"]["country"]["name"], "Norway");
        assert_eq!(belgium["data"]["country"]["name"], "Belgium");

        // A query sent with GET is the same question as with POST, anonymous callers included.
        let get = || {
            Request::get("/graphql?query=%7Bcountry(code:%22NOR%22)%7Bname%7D%7D")
                .header(header::ACCEPT, "application/json")
                .body(Body::empty())
                .unwrap()
        };
        let (_, first, text) = app.send(get()).await;
        assert_eq!(first.get("x-cache").unwrap(), "miss", "{text}");
        assert!(text.contains("Norway"), "{text}");
        for _ in 0..50 {
            let (_, headers, again) = app.send(get()).await;
            assert_eq!(again, text);
            if headers.get("x-cache").unwrap() == "hit" {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("a GET query was never answered from the cache");
    }
);

on_both_engines!(
    an_answer_with_errors_is_not_kept,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let query = r#"{ engagement(id: "RW5nYWdlbWVudDo5OTk5OQ==") { title } country(code: "XXX") { name } a: activity(id: "nope") { title } }"#;
        for _ in 0..2 {
            let (cache, body) = ask(&app, query, json!({}), &admin).await;
            assert!(body.get("errors").is_some(), "{body}");
            assert_eq!(cache, "miss");
        }
    }
);
