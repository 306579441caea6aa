//! `/graphql` per the GraphQL-over-HTTP specification: POST with a JSON body, GET for queries
//! only, the response media type the client accepts, and status codes that tell request errors
//! from field errors.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{Request, Variables};
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures_util::FutureExt;
use serde::Deserialize;
use serde_json::{Value, json};

mod wire;

pub(super) use wire::wants_graphql_response;
use wire::{
    JSON, MediaType, RequestBody, build_request, input_error, negotiate, render, request_error,
    respond,
};

use super::AppState;
use super::access::Operation;
use super::ordered::Asked;
use crate::domain::auth;
use crate::error::AppError;
use crate::graphql::context::RequestState;
use crate::graphql::error::mask_unmapped;
use crate::graphql::guard;
use crate::storage::DataVersion;

/// POST /graphql.
pub async fn post(
    State(state): State<AppState>,
    Extension(logged): Extension<Operation>,
    headers: HeaderMap,
    body: Body,
) -> HttpResponse {
    let Some(media) = negotiate(&headers) else {
        return request_error(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            "BAD_USER_INPUT",
            "the Accept header must allow application/graphql-response+json or application/json",
        );
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if content_type.as_deref() != Some(JSON) {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            "BAD_USER_INPUT",
            "POST /graphql needs Content-Type: application/json",
        );
    }
    let bytes: Bytes = match axum::body::to_bytes(body, state.limits.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                "BAD_USER_INPUT",
                &format!(
                    "the request body is larger than {} bytes",
                    state.limits.max_body_bytes
                ),
            );
        }
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                "BAD_USER_INPUT",
                "the request body is not valid JSON",
            );
        }
    };
    if value.is_array() {
        return request_error(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_USER_INPUT",
            "batched requests are not supported: send one operation per request",
        );
    }
    let parsed = serde_json::from_value::<RequestBody>(value)
        .map_err(|_| "the request body must be a JSON object".to_string())
        .and_then(build_request);
    match parsed {
        Ok(request) => execute(&state, &headers, request, media, &Method::POST, &logged).await,
        Err(message) => request_error(StatusCode::BAD_REQUEST, media, "BAD_USER_INPUT", &message),
    }
}

/// Query-string parameters of GET /graphql.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    operation_name: Option<String>,
    extensions: Option<String>,
}

/// GET /graphql: the console for browsers; queries (never mutations) for programs.
pub async fn get(
    State(state): State<AppState>,
    Extension(logged): Extension<Operation>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> HttpResponse {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if params.query.is_none() && wants_html {
        return super::console::page().into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return request_error(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            "BAD_USER_INPUT",
            "the Accept header must allow application/graphql-response+json or application/json",
        );
    };
    let parse_json = |name: &str, text: Option<String>| -> Result<Option<Value>, String> {
        text.map(|t| serde_json::from_str(&t).map_err(|_| format!("{name} is not valid JSON")))
            .transpose()
    };
    let body = parse_json("variables", params.variables).and_then(|variables| {
        Ok(RequestBody {
            query: params.query.map(Value::String),
            variables,
            operation_name: params.operation_name.map(Value::String),
            extensions: parse_json("extensions", params.extensions)?,
        })
    });
    match body.and_then(build_request) {
        Ok(request) => execute(&state, &headers, request, media, &Method::GET, &logged).await,
        Err(message) => request_error(StatusCode::BAD_REQUEST, media, "BAD_USER_INPUT", &message),
    }
}

/// The operation a request runs: the one it names, else the document's first.
fn operation<'a>(
    doc: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    let op = match operation_name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name))
            .map(|(_, op)| op),
        None => doc.operations.iter().next().map(|(_, op)| op),
    };
    op.map(|op| &op.node)
}

/// A non-null variable without a default that the request leaves out or sets to null: its name,
/// what is wrong and where the operation declares it. The specification makes this a request
/// error, found before anything runs, where the library would run the operation and fail each
/// field that reads the variable.
struct UnsuppliedVariable {
    name: String,
    problem: &'static str,
    line: usize,
    column: usize,
}

fn unsupplied_variable(
    op: &OperationDefinition,
    variables: &Variables,
) -> Option<UnsuppliedVariable> {
    op.variable_definitions.iter().find_map(|def| {
        let def_node = &def.node;
        if def_node.var_type.node.nullable || def_node.default_value.is_some() {
            return None;
        }
        let problem = match variables.get(&def_node.name.node) {
            None => "is required but was not given",
            Some(async_graphql::Value::Null) => "must not be null",
            Some(_) => return None,
        };
        Some(UnsuppliedVariable {
            name: def_node.name.node.to_string(),
            problem,
            line: def.pos.line,
            column: def.pos.column,
        })
    })
}

/// The request error for a variable left out or null: no data, the variable named in `field`, and
/// the status the media type calls for (as `render` gives a request error).
fn variable_error(media: MediaType, v: UnsuppliedVariable) -> HttpResponse {
    let status = if media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = json!({ "errors": [{
        "message": format!("Variable \"${}\" {}", v.name, v.problem),
        "locations": [{ "line": v.line, "column": v.column }],
        "extensions": { "code": "BAD_USER_INPUT", "field": format!("${}", v.name) },
    }] });
    respond(status, Bytes::from(body.to_string()), media, None)
}

/// Whether the operation the request would run is a mutation (or a subscription).
fn is_mutation(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    operation(doc, operation_name).is_some_and(|op| op.ty != OperationType::Query)
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    mut request: Request,
    media: MediaType,
    method: &Method,
    logged: &Operation,
) -> HttpResponse {
    if let Some(name) = &request.operation_name {
        logged.set(name);
    }
    if let Err(bad) = super::limits::check_text(&request.query, &state.limits)
        .and_then(|()| super::limits::check_variables(&request.variables))
    {
        let field = bad.field.as_deref();
        return input_error(StatusCode::BAD_REQUEST, media, &bad.message, field);
    }
    // Parsed once here, kept in the request for the executor. A document that does not parse
    // is left for the executor to refuse with the parser's message.
    let operation_name = request.operation_name.clone();
    let variables = request.variables.clone();
    let (mutation, within_limits, unsupplied, copy) = match request.parsed_query() {
        Ok(doc) => {
            let mut operations = doc.operations.iter();
            if operation_name.is_none()
                && let (Some((Some(name), _)), None) = (operations.next(), operations.next())
            {
                logged.set(name);
            }
            (
                is_mutation(doc, operation_name.as_deref()),
                super::limits::check_parsed(doc, &state.limits).and_then(|()| {
                    super::fan_out::check(doc, &variables, &state.limits, &state.field_types)
                }),
                operation(doc, operation_name.as_deref())
                    .and_then(|op| unsupplied_variable(op, &variables)),
                // A copy for writing the response in the query's order.
                Some((doc.clone(), variables)),
            )
        }
        Err(_) => (false, Ok(()), None, None),
    };
    if method == Method::GET && mutation {
        let mut resp = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            "BAD_USER_INPUT",
            "mutations must be sent with POST",
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return resp;
    }
    if let Err(message) = within_limits {
        return request_error(StatusCode::BAD_REQUEST, media, "BAD_USER_INPUT", &message);
    }
    if let Some(error) = unsupplied {
        return variable_error(media, error);
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let viewer = match super::limits::admit(state, headers, authorization).await {
        Ok(v) => v,
        Err(super::limits::Refused::RateLimited) => {
            let mut resp = request_error(
                StatusCode::TOO_MANY_REQUESTS,
                media,
                "RATE_LIMITED",
                &super::limits::Refused::rate_message(&state.limits),
            );
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
            return resp;
        }
        Err(super::limits::Refused::Credential(e)) => {
            if e.is_internal() {
                tracing::error!(error = ?e, "authentication failed");
            }
            let status = if e.is_internal() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::UNAUTHORIZED
            };
            let mut resp = request_error(status, media, e.code(), &e.client_message());
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return resp;
        }
    };
    if mutation && let Err(e) = guard::may_write(&viewer) {
        let status = match e {
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            _ => StatusCode::FORBIDDEN,
        };
        let mut resp = request_error(status, media, e.code(), &e.client_message());
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return resp;
    }
    let reservation = if mutation {
        match super::idempotency::decide(&state.db, headers, authorization, &request).await {
            super::idempotency::Decision::Run => None,
            super::idempotency::Decision::RunAndStore(r) => Some(r),
            super::idempotency::Decision::Answer(status, Some(code), message) => {
                return request_error(status, media, code, &message);
            }
            super::idempotency::Decision::Answer(status, None, body) => {
                let mut resp = (status, body).into_response();
                let (name, value) = super::idempotency::replayed();
                resp.headers_mut().insert(name, value);
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(media.as_str()),
                );
                return resp;
            }
        }
    } else {
        None
    };
    // Queries are answered from the cache while the database is where it was when the answer
    // was computed (see cache.rs); `cached` holds the key and that version.
    let key = (!mutation && copy.is_some() && state.cache.enabled())
        .then(|| cache_key(&viewer, &request))
        .flatten();
    let cached = match key {
        Some(key) => version(state).await.map(|version| (key, version)),
        None => None,
    };
    if let Some((key, version)) = &cached
        && let Some(body) = state.cache.get(version, key)
    {
        return respond(StatusCode::OK, body, media, Some("hit"));
    }
    let request = request.data(RequestState::new(&state.db, viewer));
    let timeout = Duration::from_secs(state.limits.request_timeout_secs);
    // A panic in a resolver (a bug) is answered by `panics::catch`; on its way there it frees
    // the request's idempotency key, when it had begun no write, so that a retry can run.
    let began_writing = Arc::new(AtomicBool::new(false));
    let run = AssertUnwindSafe(crate::storage::noting_writes(
        began_writing.clone(),
        state.schema.execute(request),
    ))
    .catch_unwind();
    let mut response = match tokio::time::timeout(timeout, run).await {
        Ok(Ok(r)) => mask_unmapped(r),
        Ok(Err(panic)) => {
            if let Some(reservation) = reservation {
                let began_writing = began_writing.load(Ordering::Relaxed);
                super::idempotency::after_panic(&state.db, reservation, began_writing).await;
            }
            std::panic::resume_unwind(panic);
        }
        Err(_) => {
            return request_error(
                StatusCode::SERVICE_UNAVAILABLE,
                media,
                "INTERNAL",
                &format!(
                    "the request took longer than {} seconds",
                    state.limits.request_timeout_secs
                ),
            );
        }
    };
    let asked = copy.as_ref().and_then(|(doc, variables)| {
        operation(doc, operation_name.as_deref()).map(|operation| Asked {
            doc,
            operation,
            variables,
        })
    });
    if let Some(asked) = &asked {
        super::arguments::name_failed_arguments(&mut response.errors, asked, &state.field_types);
    }
    let complete = response.errors.is_empty();
    let (status, body) = render(response, media, asked, &state.field_types);
    if let Some(reservation) = reservation {
        super::idempotency::complete(&state.db, reservation, &body).await;
    }
    let body = Bytes::from(body);
    let Some((key, before)) = cached else {
        return respond(status, body, media, None);
    };
    // Kept only when no write committed while it ran: then every statement saw the data as of
    // `before`.
    if complete && version(state).await.as_ref() == Some(&before) {
        state.cache.put(&before, &key, &body);
    }
    respond(status, body, media, Some("miss"))
}

/// What makes two requests the same question: who asks (the whole viewer, since what a caller
/// may see depends on its role and scope), the operation, the variables and the document.
fn cache_key(viewer: &auth::Viewer, request: &Request) -> Option<String> {
    let variables = serde_json::to_string(&request.variables).ok()?;
    Some(format!(
        "{viewer:?}\n{:?}\n{variables}\n{}",
        request.operation_name, request.query
    ))
}

/// The database's version for the cache; None (and the request goes uncached) when it cannot
/// be read.
async fn version(state: &AppState) -> Option<DataVersion> {
    match state.db.version().await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = ?e, "no response cache for this request");
            None
        }
    }
}
