//! Hostile documents and careless clients are refused fast, with a clear code, before they run.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use ta_tracker::config::Limits;

async fn post_raw(app: &common::TestApp, body: String) -> (StatusCode, Value) {
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json")
        .body(Body::from(body))
        .unwrap();
    let (status, _, text) = app.send(req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn alias_amplification_is_refused_counting_typename() {
    let app = common::TestApp::sqlite().await;
    let many: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let (status, body) =
        post_raw(&app, json!({"query": format!("{{ {many} }}")}).to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("aliases")
    );
}

#[tokio::test]
async fn fragment_fan_out_is_counted_per_spread() {
    let app = common::TestApp::sqlite_with(Limits {
        max_fields: 50,
        ..Limits::default()
    })
    .await;
    let spreads = "...F ".repeat(20);
    let q = format!("query {{ {spreads} }} fragment F on Query {{ me {{ name role }} }}");
    let (status, body) = post_raw(&app, json!({"query": q}).to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fields")
    );
}

#[tokio::test]
async fn deep_and_oversized_documents_are_refused() {
    let app = common::TestApp::sqlite().await;
    let deep = format!(
        "{{ region(code: \"035\") {{ parent {{ {}{} }} }} }}",
        "children { parent { ".repeat(8),
        "} } ".repeat(8)
    );
    let (status, body) = post_raw(&app, json!({"query": deep}).to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "BAD_USER_INPUT");
    let long = format!("{{ __typename }} # {}", "x".repeat(40_000));
    let (status, body) = post_raw(&app, json!({"query": long}).to_string()).await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("bytes")
    );
}

#[tokio::test]
async fn too_many_directives_on_a_field_are_refused() {
    let app = common::TestApp::sqlite().await;
    let dirs = "@include(if: true) ".repeat(6);
    let (status, body) = post_raw(
        &app,
        json!({"query": format!("{{ __typename {dirs} }}")}).to_string(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn each_credential_has_its_own_rate_limit() {
    let app = common::TestApp::sqlite_with(Limits {
        rate_limit_per_minute: 3,
        ..Limits::default()
    })
    .await;
    let admin = app.admin().await;
    for _ in 0..3 {
        let (status, _) = app.post("{ __typename }", json!({}), Some(&admin)).await;
        assert_eq!(status, 200);
    }
    let (status, body) = app.post("{ __typename }", json!({}), Some(&admin)).await;
    assert_eq!(status, 429);
    assert_eq!(code(&body), "RATE_LIMITED");
    let (status, _) = app.post("{ __typename }", json!({}), None).await;
    assert_eq!(status, 200, "another caller is not held back");
}

/// Behind a proxy that appends the address it saw to X-Forwarded-For, an anonymous caller is
/// limited by that address, the header's last: the addresses before it are the caller's to
/// write, and changing them does not buy a fresh allowance.
#[tokio::test]
async fn anonymous_callers_are_limited_by_the_address_their_proxy_appended() {
    let app = common::TestApp::sqlite_with(Limits {
        rate_limit_per_minute: 1,
        trusted_proxy_header: Some("X-Forwarded-For".to_string()),
        ..Limits::default()
    })
    .await;
    let from = |lines: &[&str]| {
        let mut request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("accept", "application/json");
        for line in lines {
            request = request.header("x-forwarded-for", *line);
        }
        request
            .body(Body::from(r#"{"query":"{ __typename }"}"#))
            .unwrap()
    };
    let (status, _, body) = app.send(from(&["1.1.1.1, 203.0.113.7"])).await;
    assert_eq!(status, 200, "{body}");
    for spoofed in [
        &["2.2.2.2, 203.0.113.7"][..],
        &["3.3.3.3", "203.0.113.7"][..],
    ] {
        let (status, _, body) = app.send(from(spoofed)).await;
        assert_eq!(status, 429, "{spoofed:?} got a fresh allowance: {body}");
    }
    let (status, _, body) = app.send(from(&["1.1.1.1, 198.51.100.9"])).await;
    assert_eq!(status, 200, "another client is not held back: {body}");
}

#[tokio::test]
async fn without_introspection_there_are_no_field_suggestions_either() {
    let app = common::TestApp::sqlite_with(Limits {
        introspection: false,
        ..Limits::default()
    })
    .await;
    let (_, body) = post_raw(
        &app,
        json!({"query": "{ __schema { types { name } } }"}).to_string(),
    )
    .await;
    assert!(
        body["data"]["__schema"].is_null(),
        "no schema is revealed: {body}"
    );
    let (_, body) = post_raw(
        &app,
        json!({"query": "{ countrie { totalCount } }"}).to_string(),
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
}

#[tokio::test]
async fn malformed_input_gets_a_client_error_never_a_500() {
    let app = common::TestApp::sqlite().await;
    let bodies: Vec<Vec<u8>> = vec![
        b"\xff\xfe{\"query\": 1}".to_vec(),
        br#"{"query": "{ country(code: \"N\u0000O\") { name } }"}"#.to_vec(),
        br#"{"query": "{ countries(first: 99999999999999999999) { totalCount } }"}"#.to_vec(),
        br#"{"query": "{ countries(first: \"ten\") { totalCount } }"}"#.to_vec(),
        br#"{"query": "query($f: Int) { countries(first: $f) { totalCount } }", "variables": {"f": 1e308}}"#.to_vec(),
    ];
    for body in bodies {
        let req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .unwrap();
        let (status, _, text) = app.send(req).await;
        assert!(
            status.is_client_error() || status == 200,
            "{status} for {:?}: {text}",
            String::from_utf8_lossy(&body)
        );
        assert!(!text.contains("INTERNAL"), "{text}");
    }
}

on_both_engines!(
    lists_inside_lists_count_every_row_against_the_complexity_limit,
    |app: common::TestApp| async move {
        let app = app.with_demo().await;
        let refused = |body: &Value| {
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("the query could return more than 20000 values")
        };
        // Anonymous, through public reference data: each region's countries, each of their
        // region's countries (5 x 100 x 100 rows); it ran, a statement per row, holding the pool.
        let anonymous = "{ regions(level: REGION) { countries(first: 100) { nodes { region { \
                         countries(first: 100) { nodes { name } } } } } } }";
        let (status, body) = post_raw(&app, json!({ "query": anonymous }).to_string()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(code(&body), "BAD_USER_INPUT");
        assert!(refused(&body), "{body}");
        assert!(body.get("data").is_none(), "{body}");
        // With a token, back and forth between engagements and their activities; a variable's
        // first counts as a literal's, a missing first as the default page size (20).
        let reporter = app
            .token(ta_tracker::domain::auth::Role::Reporter)
            .create()
            .await;
        let cyclic = "query($n: Int) { engagements(first: $n) { nodes { activities { \
                      engagement { activities { id } } } } } }";
        let (_, body) = app.post(cyclic, json!({ "n": 50 }), Some(&reporter)).await;
        assert!(refused(&body), "{body}");
        // Within the limit, the same shape runs: 5 x 3 x 1 x 3 rows.
        let small = "{ engagements(first: 5) { nodes { activities(first: 3) { engagement { \
                     activities(first: 3) { id } } } } } }";
        let data = app.ok(small, json!({}), Some(&reporter)).await;
        assert!(!data["engagements"]["nodes"].as_array().unwrap().is_empty());
        // A list without first counts one row, except inside itself: there it counts as the
        // largest page (100), so going round from an indicator's actuals to their indicator's
        // actuals three times (1 x 100 x 100 x 100 values) is refused, where once runs.
        let round_trip = |times: usize| {
            let inner = (0..times).fold("value".to_string(), |inner, _| {
                format!("value indicator {{ actuals {{ {inner} }} }}")
            });
            format!("{{ indicators(first: 1) {{ nodes {{ actuals {{ {inner} }} }} }} }}")
        };
        let data = app.ok(&round_trip(1), json!({}), Some(&reporter)).await;
        let actuals = &data["indicators"]["nodes"][0]["actuals"];
        assert!(!actuals.as_array().unwrap().is_empty(), "{data}");
        assert!(actuals[0]["indicator"]["actuals"].is_array(), "{data}");
        let (_, body) = app.post(&round_trip(3), json!({}), Some(&reporter)).await;
        assert!(refused(&body), "{body}");
        // A first above the largest page is still refused by its list, naming it.
        let e = app
            .err(
                "{ engagements(first: 1000) { totalCount } }",
                json!({}),
                Some(&reporter),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("first"), "{e:?}");
    }
);

on_both_engines!(
    invented_tokens_draw_from_the_anonymous_allowance,
    |app: common::TestApp| async move {
        // Each made-up token was a bucket of its own, so an anonymous caller had no limit at
        // all: it only had to send a different one each time.
        let router = ta_tracker::app(
            app.db.clone(),
            Limits {
                rate_limit_per_minute: 2,
                ..Limits::default()
            },
        );
        let send = |token: Option<String>| {
            let router = router.clone();
            async move {
                let mut req =
                    Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
                if let Some(t) = token {
                    req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
                }
                let body = json!({ "query": "{ __typename }" }).to_string();
                let response =
                    tower::ServiceExt::oneshot(router, req.body(Body::from(body)).unwrap())
                        .await
                        .unwrap();
                response.status()
            }
        };
        assert_eq!(send(Some("tat_invented_1".into())).await, 401);
        assert_eq!(send(Some("tat_invented_2".into())).await, 401);
        assert_eq!(send(Some("tat_invented_3".into())).await, 429);
        assert_eq!(
            send(None).await,
            429,
            "the same allowance as anonymous callers"
        );
        let admin = app.admin().await;
        assert_eq!(send(Some(admin)).await, 200, "a real token keeps its own");
    }
);

on_both_engines!(
    exports_draw_from_the_same_allowance_as_queries,
    |app: common::TestApp| async move {
        // A download ran as often as it was asked for, however large the file: the rate limit
        // guarded /graphql only.
        let router = ta_tracker::app(
            app.db.clone(),
            Limits {
                rate_limit_per_minute: 3,
                ..Limits::default()
            },
        );
        let get = |path: &'static str, token: Option<String>| {
            let router = router.clone();
            async move {
                let mut req = Request::get(path);
                if let Some(t) = token {
                    req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
                }
                let response = tower::ServiceExt::oneshot(router, req.body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                let status = response.status();
                let retry = response.headers().get(header::RETRY_AFTER).cloned();
                let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                (status, retry, String::from_utf8_lossy(&bytes).into_owned())
            }
        };
        let admin = app.admin().await;
        let (status, _, _) = get("/export/activities.csv", Some(admin.clone())).await;
        assert_eq!(status, 200);
        let (status, _, _) = get("/export/budgets.csv", Some(admin.clone())).await;
        assert_eq!(status, 200);
        let (status, _, _) = get("/graphql?query={__typename}", Some(admin.clone())).await;
        assert_eq!(status, 200);
        // The fourth request of the minute, whichever route it takes.
        let (status, retry, text) = get("/export/iati.xml", Some(admin.clone())).await;
        assert_eq!(status, 429, "{text}");
        assert_eq!(retry.unwrap(), "10");
        assert_eq!(
            text,
            "RATE_LIMITED: more than 3 requests a minute from this credential; try again shortly\n"
        );
        let (status, _, _) = get("/export/indicators.csv", Some(admin.clone())).await;
        assert_eq!(status, 429);
        // A made-up token on an export draws from the anonymous allowance, as on /graphql.
        for _ in 0..3 {
            let (status, _, text) =
                get("/export/activities.csv", Some("tat_invented".into())).await;
            assert_eq!(status, 401, "{text}");
        }
        let (status, _, _) = get("/export/activities.csv", Some("tat_invented".into())).await;
        assert_eq!(status, 429);
        let (status, _, _) = get("/graphql?query={__typename}", None).await;
        assert_eq!(status, 429, "the anonymous allowance is spent");
    }
);
