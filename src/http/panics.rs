//! A panic while a request is handled (a bug) is answered with 500 and a generic message, and
//! logged; uncaught, it ended the connection's task and the client got no response at all.
//! `/graphql` frees the request's idempotency key on the way out when it can (`graphql.rs`).

use std::any::Any;
use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;

use super::access::Operation;

/// What the client gets: never the panic's text, which may name the code or the data. As
/// `/graphql` answers errors, in JSON, or as the exports do, in plain text.
const BODY: &str = r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#;
const TEXT: &str = "INTERNAL: internal error\n";

/// The middleware. A panic once a response has begun (an export's body as it streams) cannot
/// change the status any more: the download stops short, as when the server is stopped.
pub async fn catch(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let operation = request.extensions().get::<Operation>().cloned();
    let media = if path.starts_with("/export/") {
        "text/plain; charset=utf-8"
    } else if super::graphql::wants_graphql_response(request.headers()) {
        "application/graphql-response+json"
    } else {
        "application/json"
    };
    let panic = match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => return response,
        Err(panic) => panic,
    };
    // The request's method, path and operation name, never its query string, text, variables
    // or headers (as the access log); the panic's own message, which the code wrote.
    tracing::error!(
        %method,
        %path,
        operation = operation.as_ref().and_then(Operation::get),
        panic = message(panic.as_ref()),
        "a request panicked: answered 500 internal error"
    );
    let body = if media.starts_with("text/") {
        TEXT
    } else {
        BODY
    };
    let mut resp = (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    resp
}

/// The text `panic!` was given, when it was text.
fn message(panic: &(dyn Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "(no message)"
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn bug() -> &'static str {
        panic!("a bug")
    }

    async fn answer(path: &str) -> (StatusCode, String, String) {
        let router = Router::new()
            .route("/export/{file}", get(bug))
            .route("/graphql", get(bug))
            .layer(axum::middleware::from_fn(catch));
        let req = Request::get(path).body(Body::empty()).unwrap();
        let resp = router.oneshot(req).await.unwrap();
        let status = resp.status();
        let media = resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, media, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_panic_is_answered_as_its_route_answers_errors() {
        let (status, media, body) = answer("/export/activities.csv").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(media, "text/plain; charset=utf-8");
        assert_eq!(body, "INTERNAL: internal error\n");
        let (status, media, body) = answer("/graphql").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(media, "application/json");
        assert_eq!(body, BODY);
    }
}
