//! The access log: one line per request once its response has been sent whole (or has stopped
//! short), with the method, the path, the status, the time taken and, for GraphQL, the
//! operation's name. Never the query string, the query text, the variables or a header: a GET
//! query's variables and the credential stay out of the logs.

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};

/// The GraphQL operation a request runs, for its log line: the handler names it once it knows.
#[derive(Clone, Default)]
pub struct Operation(Arc<OnceLock<String>>);

impl Operation {
    /// Names the operation; a name that is not a GraphQL name (the client's `operationName` can
    /// be any text) is logged as such rather than as given.
    pub fn set(&self, name: &str) {
        let name = if is_graphql_name(name) {
            name
        } else {
            "(not a GraphQL name)"
        };
        let _ = self.0.set(name.to_string());
    }

    pub(super) fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// `[_A-Za-z][_0-9A-Za-z]*`, at most 128 characters.
fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// The middleware: hands the handler an `Operation` to fill and logs the request when its
/// response body ends. A request dropped before it is answered (the client went away, or the
/// server was stopped at its shutdown deadline) is logged then, without a status.
pub async fn log_requests(mut request: Request, next: Next) -> Response {
    let mut unanswered = Unanswered(Some(Line {
        started: Instant::now(),
        method: request.method().clone(),
        path: request.uri().path().to_string(),
        status: None,
        operation: Operation::default(),
    }));
    if let Some(line) = &unanswered.0 {
        request.extensions_mut().insert(line.operation.clone());
    }
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let line = unanswered.0.take().map(|line| Line {
        status: Some(parts.status),
        ..line
    });
    Response::from_parts(parts, Body::new(Logged { inner: body, line }))
}

/// What the log line says about one request.
struct Line {
    started: Instant,
    method: Method,
    path: String,
    /// None when the request was dropped before it was answered.
    status: Option<StatusCode>,
    operation: Operation,
}

impl Line {
    /// Writes the line: at debug for the probes, which a load balancer calls every few seconds;
    /// at error for a response that failed (5xx); at warn for one that stopped short; else at
    /// info.
    fn write(self, complete: bool) {
        let duration_ms = (self.started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
        let method = self.method.as_str();
        let path = self.path.as_str();
        let status = self.status.map(|s| s.as_u16());
        let operation = self.operation.get();
        // Only when the response stopped before its end: the client went away, or the server
        // was stopped before it finished.
        let incomplete = (!complete).then_some(true);
        macro_rules! line {
            ($level:ident) => {
                tracing::$level!(
                    %method,
                    %path,
                    status,
                    duration_ms,
                    operation,
                    incomplete,
                    "request"
                )
            };
        }
        if path == "/healthz" || path == "/readyz" {
            line!(debug);
        } else if self.status.is_some_and(|s| s.is_server_error()) {
            line!(error);
        } else if !complete {
            line!(warn);
        } else {
            line!(info);
        }
    }
}

/// A request not answered yet: logged as incomplete if dropped so.
struct Unanswered(Option<Line>);

impl Drop for Unanswered {
    fn drop(&mut self) {
        if let Some(line) = self.0.take() {
            line.write(false);
        }
    }
}

/// A response body that writes its request's line when it ends, or when it is dropped first.
struct Logged {
    inner: Body,
    line: Option<Line>,
}

impl HttpBody for Logged {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => {
                if let Some(line) = this.line.take() {
                    line.write(true);
                }
            }
            Poll::Ready(Some(Err(_))) => {
                if let Some(line) = this.line.take() {
                    line.write(false);
                }
            }
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        if let Some(line) = self.line.take() {
            // An empty body is never polled to its end.
            line.write(self.inner.is_end_stream());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_graphql_names_are_logged_as_operation_names() {
        assert!(is_graphql_name("ListEngagements"));
        assert!(is_graphql_name("_q2"));
        assert!(!is_graphql_name(""));
        assert!(!is_graphql_name("2fast"));
        assert!(!is_graphql_name("a\nINFO forged line"));
        assert!(!is_graphql_name(&"a".repeat(129)));
    }
}
