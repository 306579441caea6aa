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

/// What the client gets: never the panic's text, which may name the code or the data.
const BODY: &str = r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#;

/// The middleware. A panic once a response has begun (an export's body as it streams) cannot
/// change the status any more: the download stops short, as when the server is stopped.
pub async fn catch(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let operation = request.extensions().get::<Operation>().cloned();
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
    let mut resp = (StatusCode::INTERNAL_SERVER_ERROR, BODY).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
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
