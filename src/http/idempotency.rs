//! `Idempotency-Key` on mutations: a client that retries a mutation (after a timeout, a dropped
//! connection) with the same key gets the first response back instead of a second write.
//!
//! The key is reserved before the mutation runs and the response stored after it; a retry while
//! the first is still running, or after it was cut off, gets CONFLICT, since whether it wrote
//! cannot be known then. Keys are per credential and forgotten after a day.

use async_graphql::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use sha2::{Digest, Sha256};

use crate::storage::Db;
use crate::storage::idempotency::{self, Existing};

pub const HEADER: &str = "idempotency-key";

/// A reserved key, to complete once the response is known.
pub struct Reservation {
    credential: String,
    key: String,
}

/// What to do with a request that may carry a key.
pub enum Decision {
    /// No key: run as usual.
    Run,
    /// Key reserved: run, then `complete`.
    RunAndStore(Reservation),
    /// Answer without running: a replay or a refusal (status, code or None for a replay, body).
    Answer(StatusCode, Option<&'static str>, String),
}

fn request_hash(request: &Request) -> String {
    let text = format!(
        "{}\u{0}{}\u{0}{}",
        request.query,
        serde_json::to_string(&request.variables).unwrap_or_default(),
        request.operation_name.as_deref().unwrap_or("")
    );
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reserves the request's key, or answers from what the key already holds.
pub async fn decide(
    db: &Db,
    headers: &HeaderMap,
    credential: Option<&str>,
    request: &Request,
) -> Decision {
    let Some(key) = headers.get(HEADER) else {
        return Decision::Run;
    };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()) => k,
        _ => {
            return Decision::Answer(
                StatusCode::BAD_REQUEST,
                Some("BAD_USER_INPUT"),
                "Idempotency-Key must be 1 to 200 visible ASCII characters".into(),
            );
        }
    };
    // Anonymous callers cannot write, so there is nothing to protect.
    let Some(credential) = credential else {
        return Decision::Run;
    };
    let credential = crate::domain::auth::hash_token(credential);
    let hash = request_hash(request);
    match idempotency::reserve(db, &credential, key, &hash).await {
        Ok(Existing::Reserved) => Decision::RunAndStore(Reservation { credential, key: key.to_string() }),
        Ok(Existing::Done { request_hash, .. } | Existing::Pending { request_hash }) if request_hash != hash => {
            Decision::Answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("BAD_USER_INPUT"),
                "this Idempotency-Key was used for a different request".into(),
            )
        }
        Ok(Existing::Done { response, .. }) => Decision::Answer(StatusCode::OK, None, response),
        Ok(Existing::Pending { .. }) => Decision::Answer(
            StatusCode::CONFLICT,
            Some("CONFLICT"),
            "a request with this Idempotency-Key is in progress or was interrupted; check whether it took effect before sending a new key".into(),
        ),
        Err(e) if !e.is_internal() => Decision::Answer(StatusCode::CONFLICT, Some(e.code()), e.client_message()),
        Err(e) => {
            tracing::error!(error = ?e, "idempotency key");
            Decision::Answer(StatusCode::SERVICE_UNAVAILABLE, Some("INTERNAL"), "internal error".into())
        }
    }
}

/// Stores the response for replays; a failure here is logged, the client still gets its answer.
pub async fn complete(db: &Db, reservation: Reservation, body: &str) {
    if let Err(e) = idempotency::complete(db, &reservation.credential, &reservation.key, body).await
    {
        tracing::error!(error = ?e, "storing an idempotent response");
    }
}

/// After the request panicked: frees the key when the request had begun no write, so that a
/// retry runs; else the key stays pending, as for a request cut off, since a write may have
/// committed before the panic (a mutation before it in the document, or the one whose result
/// was being read).
pub async fn after_panic(db: &Db, reservation: Reservation, began_writing: bool) {
    if began_writing {
        tracing::warn!(
            "a mutation panicked after it began writing: its Idempotency-Key stays pending"
        );
    } else if let Err(e) = idempotency::release(db, &reservation.credential, &reservation.key).await
    {
        tracing::error!(error = ?e, "freeing the Idempotency-Key of a request that panicked");
    }
}

/// Marks a replayed response.
pub fn replayed() -> (axum::http::HeaderName, HeaderValue) {
    (
        axum::http::HeaderName::from_static("idempotency-replayed"),
        HeaderValue::from_static("true"),
    )
}
