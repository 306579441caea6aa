//! GraphQL over HTTP as a client sees it, through the real router: media types, status codes,
//! request errors, limits, the console, probes, credentials and masked internal errors.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use ta_tracker::config::Limits;
use ta_tracker::domain::auth::Role;
use ta_tracker::storage::Backend;

use common::TestApp;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";
const CREATE_ORGANISATION: &str =
    r#"mutation { createOrganisation(input: {name: "Government of Norway", type: "10"}) { id } }"#;

/// A POST to /graphql with exactly the headers given.
fn post(content_type: Option<&str>, accept: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut req = Request::post("/graphql");
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    req.body(body.into()).unwrap()
}

/// A JSON POST of one operation.
fn post_query(accept: Option<&str>, query: &str) -> Request<Body> {
    post(Some(JSON), accept, json!({ "query": query }).to_string())
}

/// A GET to `uri` with an optional Accept header.
fn get(uri: &str, accept: Option<&str>) -> Request<Body> {
    let mut req = Request::get(uri);
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    req.body(Body::empty()).unwrap()
}

/// Percent-encodes a query-string value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[track_caller]
fn json_body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Asserts the shape of a request error: `errors` present and non-empty, no `data` key.
#[track_caller]
fn assert_request_error(body: &Value) {
    assert!(
        body["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "errors expected: {body}"
    );
    assert!(body.get("data").is_none(), "no data key expected: {body}");
}

#[tokio::test]
async fn a_json_post_runs_the_query_and_answers_json() {
    let app = TestApp::sqlite().await;
    let (status, headers, text) = app.send(post_query(None, "{ __typename }")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), JSON);
    assert_eq!(
        json_body(&text),
        json!({ "data": { "__typename": "Query" } })
    );

    // A charset parameter on the content type is still JSON.
    let req = post(
        Some("application/json; charset=utf-8"),
        None,
        json!({ "query": "{ __typename }" }).to_string(),
    );
    let (status, _, text) = app.send(req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[tokio::test]
async fn the_response_media_type_follows_the_accept_header() {
    let app = TestApp::sqlite().await;
    let (status, headers, _) = app
        .send(post_query(Some(GRAPHQL_RESPONSE), "{ __typename }"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), GRAPHQL_RESPONSE);

    for accept in [None, Some("*/*"), Some(JSON)] {
        let (status, headers, _) = app.send(post_query(accept, "{ __typename }")).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert_eq!(content_type(&headers), JSON, "{accept:?}");
    }

    let (status, headers, _) = app
        .send(post_query(Some("text/html"), "{ __typename }"))
        .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(content_type(&headers), JSON);
}

#[tokio::test]
async fn parse_and_validation_errors_are_400_in_the_graphql_media_type_and_200_in_json() {
    let app = TestApp::sqlite().await;
    for query in ["{ countries(", "{ noSuchField }"] {
        let (status, headers, text) = app.send(post_query(Some(GRAPHQL_RESPONSE), query)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {text}");
        assert_eq!(content_type(&headers), GRAPHQL_RESPONSE);
        assert_request_error(&json_body(&text));

        let (status, headers, text) = app.send(post_query(Some(JSON), query)).await;
        assert_eq!(status, StatusCode::OK, "{query}: {text}");
        assert_eq!(content_type(&headers), JSON);
        assert!(
            json_body(&text)["errors"][0]["message"].is_string(),
            "{text}"
        );
    }
}

#[tokio::test]
async fn inputs_of_the_wrong_type_or_left_out_name_their_field() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let create = "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
    let cases = [
        (
            create,
            json!({"i": {"programme": "VEP", "title": "t", "status": "2", "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2020-01-01",
                "recipientCountries": [{"country": "KAZ", "percentage": "all of it"}]}}),
            "input.recipientCountries[0].percentage",
        ),
        (create, json!({"i": {"title": "t"}}), "input.programme"),
        (create, json!({}), "$i"),
        (
            "query($f: EngagementFilterInput) { engagements(filter: $f) { totalCount } }",
            json!({"f": {"includeArchived": "yes"}}),
            "filter.includeArchived",
        ),
    ];
    for (query, variables, field) in cases {
        let e = app.err(query, variables.clone(), Some(&admin)).await;
        assert_eq!(e.code, "BAD_USER_INPUT", "{variables}: {e:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{variables}: {e:?}");
    }
    assert_eq!(app.count("engagements").await, 0);
}

#[tokio::test]
async fn a_required_variable_left_out_or_null_is_a_request_error_and_nothing_runs() {
    let app = TestApp::sqlite().await;
    let query =
        "query($c: String!) { a: country(code: \"KAZ\") { name } b: country(code: $c) { name } }";
    for (variables, problem) in [
        (json!({}), "is required but was not given"),
        (json!({ "c": null }), "must not be null"),
    ] {
        let body = json!({ "query": query, "variables": variables }).to_string();
        for (accept, expected) in [
            (JSON, StatusCode::OK),
            (GRAPHQL_RESPONSE, StatusCode::BAD_REQUEST),
        ] {
            let (status, _, text) = app.send(post(Some(JSON), Some(accept), body.clone())).await;
            assert_eq!(status, expected, "{accept} {variables}: {text}");
            let body = json_body(&text);
            // A request error: not even the field that does not read the variable ran.
            assert_request_error(&body);
            let error = &body["errors"][0];
            assert_eq!(error["message"], format!("Variable \"$c\" {problem}"));
            assert_eq!(error["extensions"]["field"], "$c");
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
            assert_eq!(error["locations"], json!([{ "line": 1, "column": 7 }]));
        }
    }
    // One with a default may be left out.
    let data = app
        .ok(
            "query($c: String! = \"KAZ\") { country(code: $c) { name } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(data["country"]["name"], "Kazakhstan");
}

#[tokio::test]
async fn a_field_that_fails_is_null_beside_its_error_and_the_others_answer() {
    let app = TestApp::sqlite().await;
    let (status, body) = app
        .post(
            r#"{ a: country(code: "NOR") { name } b: engagement(id: "Engagement:1") { title } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"],
        json!({"a": {"name": "Norway"}, "b": null}),
        "{body}"
    );
    assert_eq!(body["errors"][0]["path"], json!(["b"]), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

on_both_engines!(
    a_failed_field_is_null_where_the_specification_puts_it,
    |app: common::TestApp| async move {
        let admin = app.admin().await;
        app.ok(
            r#"mutation { createProgramme(input: {code: "VEP", title: "t"}) { id } }"#,
            json!({}),
            Some(&admin),
        )
        .await;

        // The only field asked fails: `data` still holds it, as null, not `"data": null`.
        let (status, body) = app
            .post(
                r#"{ engagement(id: "Engagement:1") { title } }"#,
                json!({}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"], json!({"engagement": null}), "{body}");
        assert_eq!(body["errors"][0]["path"], json!(["engagement"]), "{body}");

        // The list that failed is non-null (`[Engagement!]!`): as the specification says, its
        // null goes to the nearest parent that may be null, the programme, beside the error.
        let (_, body) = app
            .post(
                r#"{ programme(code: "VEP") { engagements(first: 500) { title } } }"#,
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(body["data"], json!({"programme": null}), "{body}");
        assert_eq!(
            body["errors"][0]["path"],
            json!(["programme", "engagements"]),
            "{body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], "first", "{body}");

        // Fragments on different types may answer one key with fields of different types:
        // the null follows the type of the field that ran. Here `p` is the engagement's
        // programme, whose non-null list failed, so `p` is null (not a programme holding null).
        let engagement = app
            .ok(
                "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
                json!({"i": {"programme": "VEP", "title": "t", "status": "2",
                    "sectors": [{"code": "15130", "percentage": 100}],
                    "plannedStart": "2020-01-01",
                    "recipientCountries": [{"country": "KAZ", "percentage": 100}]}}),
                Some(&admin),
            )
            .await["createEngagement"]["id"]
            .clone();
        let (_, body) = app
            .post(
                "query($id: ID!) { node(id: $id) { \
                 ... on Activity { p: engagement { title } } \
                 ... on Engagement { p: programme { list: engagements(first: 500) { id } } } } }",
                json!({"id": engagement}),
                Some(&admin),
            )
            .await;
        assert_eq!(body["data"], json!({"node": {"p": null}}), "{body}");
        assert_eq!(
            body["errors"][0]["path"],
            json!(["node", "p", "list"]),
            "{body}"
        );

        // A refused mutation names its field too.
        let (_, body) = app
            .post(
                r#"mutation { archive(id: "Activity:999", version: 1) { id } }"#,
                json!({}),
                Some(&admin),
            )
            .await;
        // A mutation's result may be null: a refused one is null beside its error, and the
        // other fields of the same request answer what they did.
        assert_eq!(body["data"], json!({"archive": null}), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
        let (status, body) = app
            .post(
                r#"mutation { a: archive(id: "Activity:999", version: 1) { id }
                   b: createProgramme(input: {code: "SECOND", title: "t"}) { code } }"#,
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"],
            json!({"a": null, "b": {"code": "SECOND"}}),
            "{body}"
        );
        assert_eq!(body["errors"][0]["path"], json!(["a"]), "{body}");
    }
);

#[tokio::test]
async fn malformed_request_bodies_are_400() {
    let app = TestApp::sqlite().await;
    let bodies = [
        (
            "malformed JSON",
            r#"{"query": "{ __typename }""#.to_string(),
        ),
        ("not an object", r#""{ __typename }""#.to_string()),
        ("a number", "42".to_string()),
        ("null", "null".to_string()),
        ("no query", json!({ "variables": {} }).to_string()),
        ("non-string query", json!({ "query": 1 }).to_string()),
        (
            "non-object variables",
            json!({ "query": "{ __typename }", "variables": [1] }).to_string(),
        ),
        (
            "variables as a string",
            json!({ "query": "{ __typename }", "variables": "{}" }).to_string(),
        ),
        (
            "non-string operationName",
            json!({ "query": "{ __typename }", "operationName": 3 }).to_string(),
        ),
        (
            "a batch",
            json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]).to_string(),
        ),
    ];
    for accept in [JSON, GRAPHQL_RESPONSE] {
        for (what, body) in &bodies {
            let (status, headers, text) =
                app.send(post(Some(JSON), Some(accept), body.clone())).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{what} under {accept}: {text}"
            );
            assert_eq!(content_type(&headers), accept, "{what}");
            let body = json_body(&text);
            assert_request_error(&body);
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{what}"
            );
        }
    }
}

#[tokio::test]
async fn posts_that_are_not_json_are_415_and_execute_nothing() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let body = json!({ "query": CREATE_ORGANISATION }).to_string();
    let with_token = |content_type: Option<&str>, body: String| {
        let mut req = post(content_type, None, body);
        req.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {admin}").parse().unwrap(),
        );
        req
    };
    let attempts = [
        (None, body.clone()),
        (Some("text/plain"), body.clone()),
        (
            Some("application/x-www-form-urlencoded"),
            format!("query={}", encode(CREATE_ORGANISATION)),
        ),
        (
            Some("multipart/form-data; boundary=X"),
            format!(
                "--X\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{body}\r\n--X--\r\n"
            ),
        ),
    ];
    for (ct, body) in attempts {
        let (status, _, text) = app.send(with_token(ct, body)).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}: {text}");
        assert_eq!(app.count("organisations").await, 0, "{ct:?} wrote a row");
    }

    // The same request as JSON does write: the refusals above were about the media type only.
    let (status, _, text) = app.send(with_token(Some(JSON), body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(json_body(&text).get("errors").is_none(), "{text}");
    assert_eq!(app.count("organisations").await, 1);
}

#[tokio::test]
async fn get_runs_queries_but_refuses_mutations_with_405() {
    let app = TestApp::sqlite().await;
    let uri = format!("/graphql?query={}", encode("{__typename}"));
    let (status, headers, text) = app.send(get(&uri, None)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(content_type(&headers), JSON);
    assert_eq!(json_body(&text)["data"]["__typename"], "Query");

    let uri = format!(
        "/graphql?query={}&variables={}",
        encode("query($c: String!) { country(code: $c) { iso3 } }"),
        encode(r#"{"c": "no"}"#)
    );
    let (status, _, text) = app.send(get(&uri, Some(GRAPHQL_RESPONSE))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(json_body(&text)["data"]["country"]["iso3"], "NOR");

    let admin = app.admin().await;
    let uri = format!("/graphql?query={}", encode(CREATE_ORGANISATION));
    let mut req = get(&uri, None);
    req.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {admin}").parse().unwrap(),
    );
    let (status, headers, text) = app.send(req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{text}");
    assert_eq!(headers.get(header::ALLOW).unwrap(), "POST");
    assert_request_error(&json_body(&text));
    assert_eq!(app.count("organisations").await, 0);
}

#[tokio::test]
async fn a_body_over_the_configured_limit_is_413() {
    let app = TestApp::sqlite_with(Limits {
        max_body_bytes: 1024,
        ..Default::default()
    })
    .await;
    let small = json!({ "query": "{ __typename }" }).to_string();
    let (status, _, _) = app.send(post(Some(JSON), None, small)).await;
    assert_eq!(status, StatusCode::OK);

    let padded = format!("{{ {} __typename }}", " ".repeat(2000));
    let big = json!({ "query": padded }).to_string();
    assert!(big.len() > 1024);
    let (status, headers, text) = app.send(post(Some(JSON), None, big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert_eq!(content_type(&headers), JSON);
    assert_request_error(&json_body(&text));
}

#[tokio::test]
async fn browsers_get_a_self_contained_console_with_its_examples() {
    let app = TestApp::sqlite().await;
    let (status, headers, page) = app
        .send(get(
            "/graphql",
            Some("text/html,application/xhtml+xml,*/*;q=0.8"),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type(&headers).starts_with("text/html"),
        "{headers:?}"
    );
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    // No other site may frame the page that holds the token and the Run button.
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // A link to /graphql#run runs the saved document only when it holds no mutation.
    assert!(
        page.contains("a mutation runs only with the Run button"),
        "#run must not run a mutation"
    );
    assert!(
        !page.contains("/*EXAMPLES*/[]"),
        "examples were not injected"
    );
    let examples: Vec<Value> =
        serde_json::from_str(include_str!("../src/http/console_examples.json")).unwrap();
    assert!(!examples.is_empty());
    for ex in &examples {
        let title = serde_json::to_string(&ex["title"])
            .unwrap()
            .replace('<', "\\u003c");
        assert!(page.contains(&title), "example {title} is not in the page");
    }
    for external in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(http",
        "@import",
    ] {
        assert!(!page.contains(external), "the page loads {external}...");
    }
}

#[tokio::test]
async fn health_and_readiness_probes_answer() {
    let app = TestApp::sqlite().await;
    for probe in ["/healthz", "/readyz"] {
        let (status, _, text) = app.send(get(probe, None)).await;
        assert_eq!(status, StatusCode::OK, "{probe}: {text}");
    }
}

/// `--max-concurrent-requests` counts every request that does work, whatever its route and
/// method: with one allowed, a mutation in flight keeps a query by GET and an export waiting,
/// while the probes, which do no work, still answer.
#[tokio::test]
async fn the_concurrency_limit_counts_every_request_and_leaves_the_probes_out() {
    use sqlx::{Connection, Executor};
    use std::time::Duration;
    use tower::ServiceExt;

    let app = TestApp::sqlite_with(Limits {
        max_concurrent_requests: 1,
        ..Limits::default()
    })
    .await;
    let admin = app.admin().await;
    // Another connection holds SQLite's write lock: the mutation waits for it, in its slot.
    let mut blocker = sqlx::SqliteConnection::connect(&app.url)
        .await
        .expect("connect");
    blocker.execute("begin immediate").await.expect("lock");
    let mutation = Request::post("/graphql")
        .header(header::CONTENT_TYPE, JSON)
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .body(Body::from(
            json!({ "query": CREATE_ORGANISATION }).to_string(),
        ))
        .unwrap();
    let in_flight = tokio::spawn(app.router.clone().oneshot(mutation));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let query = format!(
        "/graphql?query={}",
        encode("{ countries(first: 1) { totalCount } }")
    );
    for path in [query.as_str(), "/export/activities.csv"] {
        let request = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .body(Body::empty())
            .unwrap();
        let answered = tokio::time::timeout(Duration::from_millis(500), app.send(request)).await;
        assert!(
            answered.is_err(),
            "{path} ran beside the one request allowed: {answered:?}"
        );
    }
    for probe in ["/healthz", "/readyz"] {
        let answered = tokio::time::timeout(Duration::from_secs(2), app.send(get(probe, None)))
            .await
            .unwrap_or_else(|_| panic!("{probe} waited for the request in flight"));
        assert_eq!(answered.0, StatusCode::OK, "{probe}: {}", answered.2);
    }

    blocker.execute("rollback").await.expect("unlock");
    let response = in_flight.await.expect("task").expect("router answers");
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _, text) = app.send(get(&query, Some(JSON))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[tokio::test]
async fn queries_nested_deeper_than_the_limit_are_refused() {
    let app = TestApp::sqlite_with(Limits {
        max_depth: 3,
        ..Default::default()
    })
    .await;
    let shallow = r#"{ region(code: "035") { parent { code } } }"#;
    let (status, _, text) = app.send(post_query(Some(GRAPHQL_RESPONSE), shallow)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(json_body(&text)["data"]["region"]["parent"]["code"], "142");

    let deep = r#"{ region(code: "035") { parent { parent { parent { code } } } } }"#;
    let (status, _, text) = app.send(post_query(Some(GRAPHQL_RESPONSE), deep)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    let body = json_body(&text);
    assert_request_error(&body);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("deep"),
        "{body}"
    );
}

#[tokio::test]
async fn an_invalid_bearer_token_is_401_with_a_challenge() {
    let app = TestApp::sqlite().await;
    for authorization in ["Bearer tat_not-a-token", "Basic dXNlcjpwYXNz"] {
        let mut req = post_query(None, "{ me { authenticated } }");
        req.headers_mut()
            .insert(header::AUTHORIZATION, authorization.parse().unwrap());
        let (status, headers, text) = app.send(req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization}: {text}");
        assert_eq!(headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
        let body = json_body(&text);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert!(body.get("data").is_none(), "{body}");
    }
}

#[tokio::test]
async fn a_mutation_without_a_writing_credential_is_refused_before_it_runs() {
    let app = TestApp::sqlite().await;
    let mutation =
        "mutation Add { createOrganisation(input: {name: \"Donor\", type: \"10\"}) { id } }";
    let (status, headers, text) = app.send(post_query(None, mutation)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert_eq!(headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    assert_eq!(
        json_body(&text)["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    let reporter = app.token(Role::Reporter).create().await;
    let (status, body) = app.post(mutation, json!({}), Some(&reporter)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(app.count("organisations").await, 0, "nothing was written");
    // The operation chosen is what counts: a query beside the mutation still runs.
    let both = json!({ "query": format!("query Who {{ me {{ authenticated }} }} {mutation}"),
        "operationName": "Who" });
    let (status, _, text) = app.send(post(Some(JSON), None, both.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(json_body(&text)["data"]["me"]["authenticated"], false);
}

#[tokio::test]
async fn anonymous_callers_may_ask_who_they_are() {
    let app = TestApp::sqlite().await;
    let data = app
        .ok("{ me { authenticated role } }", json!({}), None)
        .await;
    assert_eq!(data["me"]["authenticated"], false);
    assert!(data["me"]["role"].is_null());
}

on_both_engines!(
    storage_failures_reach_clients_as_an_opaque_internal_error,
    |app: common::TestApp| async move {
        let drop = match app.backend() {
            Backend::Sqlite => "drop table organisations",
            Backend::Postgres => "drop table organisations cascade",
        };
        sqlx::query(drop)
            .execute(app.db.pool())
            .await
            .expect("drop organisations");

        let (status, body) = app
            .post("{ organisations { totalCount } }", json!({}), None)
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a field error, not a request error: {body}"
        );
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "INTERNAL", "{body}");
        assert_eq!(error["message"], "internal error", "{body}");
        let text = body.to_string().to_lowercase();
        for leak in [
            "no such table",
            "does not exist",
            "relation",
            "sqlite",
            "postgres",
            "database",
            "select",
        ] {
            assert!(!text.contains(leak), "{leak:?} leaked: {body}");
        }
        assert!(!error["message"].as_str().unwrap().contains("organisations"));
    }
);

/// The response's keys come in the order the query asked for them (the library finishes fields
/// in any order), including through aliases, fragments and the operation the request names.
#[tokio::test]
async fn a_response_lists_its_fields_in_the_order_the_query_asked_for_them() {
    let app = TestApp::sqlite().await;
    let query = "query Other { __typename } \
                 query Asked { zz: country(code: \"NOR\") { name ...Codes m49 } aa: __typename } \
                 fragment Codes on Country { iso3 iso2 }";
    let body = json!({ "query": query, "operationName": "Asked" }).to_string();
    let (status, _, text) = app.send(post(Some(JSON), None, body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text,
        r#"{"data":{"zz":{"name":"Norway","iso3":"NOR","iso2":"NO","m49":"578"},"aa":"Query"}}"#
    );

    // A selection a variable leaves out does not place its key.
    let query = "query($v: Boolean!) { b: country(code: \"NOR\") @include(if: $v) { iso3 } \
                 a: __typename b: country(code: \"NOR\") { iso3 } }";
    let body = json!({ "query": query, "variables": { "v": false } }).to_string();
    let (status, _, text) = app.send(post(Some(JSON), None, body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text, r#"{"data":{"a":"Query","b":{"iso3":"NOR"}}}"#);
}

#[path = "http/console.rs"]
mod console;
