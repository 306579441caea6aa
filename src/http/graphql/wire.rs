//! The wire form of `/graphql`: the media type a client accepts, the request body, and the
//! response written in the query's order with the status the specification asks for.

use async_graphql::{Request, Response, Variables};
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::nulls::FieldTypes;
use crate::http::ordered::{Asked, InQueryOrder};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
pub(super) const JSON: &str = "application/json";

/// The media type to answer in, from the Accept header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            MediaType::GraphqlResponse => GRAPHQL_RESPONSE,
            MediaType::Json => JSON,
        }
    }
}

/// Whether an answer to these headers is in the GraphQL response media type (a panic's 500
/// follows what the request asked for, as every other answer does).
pub(in crate::http) fn wants_graphql_response(headers: &HeaderMap) -> bool {
    negotiate(headers) == Some(MediaType::GraphqlResponse)
}

/// Picks the response media type: the GraphQL one when accepted, JSON when accepted or when the
/// client states no preference; `None` when it accepts neither.
pub(super) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(MediaType, f32)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let media = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let candidate = match media.as_str() {
            GRAPHQL_RESPONSE => MediaType::GraphqlResponse,
            JSON | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((m, bq)) => {
                q > bq || (q == bq && candidate == MediaType::GraphqlResponse && m != candidate)
            }
        };
        if better {
            best = Some((candidate, q));
        }
    }
    if accept.trim().is_empty() {
        return Some(MediaType::Json);
    }
    best.map(|(m, _)| m)
}

/// An error response outside GraphQL execution, in the GraphQL error shape.
pub(super) fn request_error(
    status: StatusCode,
    media: MediaType,
    code: &str,
    message: &str,
) -> HttpResponse {
    error_response(status, media, json!({ "code": code }), message)
}

/// A request error over bad input, naming the input in `extensions.field` when it is known.
pub(super) fn input_error(
    status: StatusCode,
    media: MediaType,
    message: &str,
    field: Option<&str>,
) -> HttpResponse {
    let extensions = match field {
        Some(field) => json!({ "code": "BAD_USER_INPUT", "field": field }),
        None => json!({ "code": "BAD_USER_INPUT" }),
    };
    error_response(status, media, extensions, message)
}

fn error_response(
    status: StatusCode,
    media: MediaType,
    extensions: Value,
    message: &str,
) -> HttpResponse {
    let body = json!({ "errors": [{ "message": message, "extensions": extensions }] });
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    resp
}

/// The body of a GraphQL request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestBody {
    pub(super) query: Option<Value>,
    pub(super) variables: Option<Value>,
    pub(super) operation_name: Option<Value>,
    pub(super) extensions: Option<Value>,
}

/// Builds an async-graphql request from the parameters, or says what is wrong with them.
pub(super) fn build_request(body: RequestBody) -> Result<Request, String> {
    let query = match body.query {
        Some(Value::String(q)) => q,
        Some(_) => return Err("query must be a string".into()),
        None => return Err("the request has no query".into()),
    };
    let mut request = Request::new(query);
    match body.operation_name {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err("operationName must be a string".into()),
    }
    match body.variables {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => request = request.variables(Variables::from_json(v)),
        Some(_) => return Err("variables must be an object".into()),
    }
    match body.extensions {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err("extensions must be an object".into()),
    }
    Ok(request)
}

/// A response with its media type, and whether the cache answered (`x-cache`), when asked.
pub(super) fn respond(
    status: StatusCode,
    body: Bytes,
    media: MediaType,
    cache: Option<&'static str>,
) -> HttpResponse {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.as_str()),
    );
    if let Some(cache) = cache {
        resp.headers_mut()
            .insert("x-cache", HeaderValue::from_static(cache));
    }
    resp
}

/// Serialises a GraphQL response, its data in the order the operation selected it (`asked`:
/// the document, the operation that ran, the variables). A request error (the operation never
/// ran: parse or validation failure) has no `data`, and is a 400 in the GraphQL media type;
/// under plain JSON every well-formed request gets 200, as the specification asks.
pub(super) fn render(
    mut response: Response,
    media: MediaType,
    asked: Option<Asked<'_>>,
    field_types: &FieldTypes,
) -> (StatusCode, String) {
    let operation = asked.as_ref().map(|a| (a.doc, a.operation));
    field_types.null_where_failed(&mut response.data, &response.errors, operation);
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    // Every error has its code by now (`mask_unmapped`).
    let errors = (!response.errors.is_empty())
        .then(|| serde_json::to_value(&response.errors).unwrap_or(Value::Null));
    // The data is written straight from the response tree, without an intermediate JSON value.
    let body = ResponseBody {
        data: (!request_error).then(|| InQueryOrder::new(&response.data, asked)),
        errors,
        extensions: (!response.extensions.is_empty()).then_some(&response.extensions),
    };
    let status = if request_error && media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let text = serde_json::to_string(&body).unwrap_or_else(|e| {
        tracing::error!(error = %e, "could not serialise a response");
        r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.into()
    });
    (status, text)
}

/// A response body as the specification lays it out.
#[derive(Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<InQueryOrder<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a std::collections::BTreeMap<String, async_graphql::Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::error::mask_unmapped;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn the_graphql_media_type_wins_when_accepted_and_json_is_the_fallback() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(negotiate(&accept("*/*")), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(&accept("text/html")), None);
    }

    #[test]
    fn a_request_error_has_no_data_and_is_a_400_in_the_graphql_media_type() {
        let response = Response::from_errors(vec![async_graphql::ServerError::new("bad", None)]);
        let (status, text) = render(
            mask_unmapped(response),
            MediaType::GraphqlResponse,
            None,
            &FieldTypes::from_sdl("type Query { a: Int }"),
        );
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let body: Value = serde_json::from_str(&text).unwrap();
        assert!(body.get("data").is_none(), "{text}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}
