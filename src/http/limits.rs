//! Refusing abusive requests before they run: document size, aliases and field counts (with
//! fragments expanded, and `__typename` counted, which the built-in complexity check skips), and
//! a per-credential rate limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use axum::http::HeaderMap;

use super::AppState;
use super::arguments::{nul_in_document, nul_in_variables};
use crate::config::Limits;
use crate::domain::auth::{self, Viewer};
use crate::error::AppError;

/// How deep fragment spreads are followed while counting; validation refuses cycles later, this
/// only keeps the count itself bounded.
const MAX_SPREAD_DEPTH: usize = 32;

#[derive(Default)]
struct Counts {
    fields: usize,
    aliases: usize,
}

fn count(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    depth: usize,
    c: &mut Counts,
    limits: &Limits,
) {
    if depth > MAX_SPREAD_DEPTH || c.fields > limits.max_fields || c.aliases > limits.max_aliases {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                c.fields += 1;
                if f.node.alias.is_some() {
                    c.aliases += 1;
                }
                count(doc, &f.node.selection_set.node, depth + 1, c, limits);
            }
            Selection::InlineFragment(i) => {
                count(doc, &i.node.selection_set.node, depth + 1, c, limits)
            }
            Selection::FragmentSpread(s) => {
                if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                    count(doc, &fragment.node.selection_set.node, depth + 1, c, limits);
                }
            }
        }
    }
}

/// Input refused before anything runs: what is wrong, and the input that holds it when that
/// can be told (for `extensions.field`).
pub struct BadInput {
    pub message: String,
    pub field: Option<String>,
}

impl BadInput {
    /// A NUL character, in the input `field` when it is known.
    fn nul(field: Option<String>) -> BadInput {
        let message = match &field {
            Some(field) => format!("{field}: must not contain the NUL character (U+0000)"),
            None => NUL_MESSAGE.to_string(),
        };
        BadInput { message, field }
    }
}

/// The checks on the text itself: not too long, no NUL. A NUL is traced to the argument (or
/// variable default) holding it, which parses the document once more, but only then.
pub fn check_text(query: &str, limits: &Limits) -> Result<(), BadInput> {
    if query.len() > limits.max_query_bytes {
        return Err(BadInput {
            message: format!("the query is longer than {} bytes", limits.max_query_bytes),
            field: None,
        });
    }
    if has_nul(query) {
        let doc = async_graphql::parser::parse_query(query).ok();
        return Err(BadInput::nul(doc.and_then(|d| nul_in_document(&d))));
    }
    Ok(())
}

/// The checks on the parsed document: aliases and fields, fragments counted where spread.
pub fn check_parsed(doc: &ExecutableDocument, limits: &Limits) -> Result<(), String> {
    let mut c = Counts::default();
    for (_, op) in doc.operations.iter() {
        count(doc, &op.node.selection_set.node, 0, &mut c, limits);
    }
    if c.aliases > limits.max_aliases {
        return Err(format!(
            "the query uses more than {} aliases",
            limits.max_aliases
        ));
    }
    if c.fields > limits.max_fields {
        return Err(format!(
            "the query selects more than {} fields (fragments counted each time they are spread)",
            limits.max_fields
        ));
    }
    Ok(())
}

const NUL_MESSAGE: &str = "text must not contain the NUL character (U+0000)";

/// Whether GraphQL source holds a NUL, raw or escaped (`\u0000`, `\u{0}`). No field accepts
/// one, and PostgreSQL cannot store one in text, so it is refused at the door.
fn has_nul(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    text.contains('\0')
        || lower.contains("\\u0000")
        || lower.contains("\\u{0}")
        || lower.contains("\\u{00}")
        || lower.contains("\\u{000}")
        || lower.contains("\\u{0000}")
}

/// Refuses variables holding a NUL in any string, naming the variable and where in it.
pub fn check_variables(variables: &async_graphql::Variables) -> Result<(), BadInput> {
    let json = serde_json::to_string(variables).unwrap_or_default();
    if json.contains("\\u0000") {
        return Err(BadInput::nul(nul_in_variables(variables)));
    }
    Ok(())
}

/// A token bucket per key (a credential, or an address when configured): `per_minute` requests
/// a minute with bursts of the same size.
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    by_key: HashMap<String, (f64, Instant)>,
    swept: Instant,
}

/// Past this many keys, the idle ones are forgotten, at most once per [`SWEEP_EVERY`]: a sweep
/// reads every key, and with that many callers active each request would otherwise pay for it.
const SWEEP_ABOVE: usize = 10_000;
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// A key idle this long has a full bucket again, so forgetting it changes nothing.
const IDLE: Duration = Duration::from_secs(120);

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute: f64::from(per_minute),
            buckets: Mutex::new(Buckets {
                by_key: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Drops `key`'s bucket: a key that turned out to be no credential.
    pub fn forget(&self, key: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets.by_key.remove(key);
    }

    /// Takes one request from `key`'s bucket; false when it is empty.
    pub fn allow(&self, key: &str) -> bool {
        if self.per_minute <= 0.0 {
            return true;
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.by_key.len() > SWEEP_ABOVE && now.duration_since(buckets.swept) >= SWEEP_EVERY {
            buckets
                .by_key
                .retain(|_, (_, at)| now.duration_since(*at) < IDLE);
            buckets.swept = now;
        }
        let (tokens, at) = buckets
            .by_key
            .entry(key.to_string())
            .or_insert((self.per_minute, now));
        let refill = now.duration_since(*at).as_secs_f64() * self.per_minute / 60.0;
        *tokens = (*tokens + refill).min(self.per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Why a request was turned away before it ran.
pub enum Refused {
    /// The caller's allowance is used up (429).
    RateLimited,
    /// The credential is not one (401), or could not be checked (the error says which).
    Credential(AppError),
}

impl Refused {
    /// The message for a caller over its allowance.
    pub fn rate_message(limits: &Limits) -> String {
        format!(
            "more than {} requests a minute from this credential; try again shortly",
            limits.rate_limit_per_minute
        )
    }
}

/// Takes one request from the caller's allowance, then authenticates them: the one gate of every
/// route that reads or writes records (`/graphql` and the exports). A header that names no live
/// token is no credential: it draws from the anonymous allowance, else each invented token would
/// be a fresh bucket (and an entry kept in the limiter's map).
pub async fn admit(
    state: &AppState,
    headers: &HeaderMap,
    authorization: Option<&str>,
) -> Result<Viewer, Refused> {
    let key = rate_key(state, headers, authorization);
    if !state.rate.allow(&key) {
        return Err(Refused::RateLimited);
    }
    match auth::authenticate(&state.db, authorization).await {
        Ok(viewer) => Ok(viewer),
        Err(e) => {
            if !e.is_internal() && authorization.is_some() {
                state.rate.forget(&key);
                if !state.rate.allow(&rate_key(state, headers, None)) {
                    return Err(Refused::RateLimited);
                }
            }
            Err(Refused::Credential(e))
        }
    }
}

/// Whose bucket a request draws from: its credential; for anonymous callers the client address
/// from the trusted proxy header when one is configured, else one shared bucket. The address is
/// the header's last (in its last line): a proxy appends the address it saw to an
/// X-Forwarded-For the client may already have filled, so only the last one is the proxy's word
/// (one that sets a single address gives the same).
fn rate_key(state: &AppState, headers: &HeaderMap, authorization: Option<&str>) -> String {
    if let Some(a) = authorization {
        return format!("token:{}", auth::hash_token(a));
    }
    let forwarded = state
        .limits
        .trusted_proxy_header
        .as_deref()
        .and_then(|h| headers.get_all(h).iter().next_back())
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match forwarded {
        Some(ip) => format!("ip:{ip}"),
        None => "anonymous".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both checks, as the server applies them: the text, then the parsed document. Documents
    /// that do not parse pass here; the executor refuses them with a parse error.
    fn check_document(query: &str, limits: &Limits) -> Result<(), String> {
        check_text(query, limits).map_err(|e| e.message)?;
        match async_graphql::parser::parse_query(query) {
            Ok(doc) => check_parsed(&doc, limits),
            Err(_) => Ok(()),
        }
    }

    #[test]
    fn aliases_and_typename_are_counted_with_fragments_expanded() {
        let limits = Limits {
            max_aliases: 3,
            max_fields: 12,
            ..Limits::default()
        };
        assert!(check_document("{ a: __typename b: __typename c: __typename }", &limits).is_ok());
        let four = "{ a: __typename b: __typename c: __typename d: __typename }";
        assert!(
            check_document(four, &limits)
                .unwrap_err()
                .contains("aliases")
        );
        let spread = "query { ...F ...F ...F } fragment F on Query { __typename me { name role } }";
        assert!(check_document(spread, &limits).is_ok());
        let wide =
            "query { ...F ...F ...F ...F } fragment F on Query { __typename me { name role } }";
        assert!(
            check_document(wide, &limits)
                .unwrap_err()
                .contains("fields")
        );
    }

    #[test]
    fn nul_characters_are_refused_raw_or_escaped() {
        let limits = Limits::default();
        assert!(check_document("{ country(code: \"N\\u0000O\") { name } }", &limits).is_err());
        assert!(check_document("{ country(code: \"N\\u{0}O\") { name } }", &limits).is_err());
        assert!(check_document("{ country(code: \"NOR\") { name } }", &limits).is_ok());
        let vars = async_graphql::Variables::from_json(serde_json::json!({"c": "a\u{0}b"}));
        let refused = check_variables(&vars).err().unwrap();
        assert_eq!(refused.field.as_deref(), Some("$c"));
        assert_eq!(
            refused.message,
            "$c: must not contain the NUL character (U+0000)"
        );
        let refused = check_text("{ a(b: \"\\u0000\") }", &limits).err().unwrap();
        assert_eq!(refused.field.as_deref(), Some("b"));
        // Where it cannot be told (a comment holds it), the text is refused naming nothing.
        let refused = check_text("{ a } # \\u0000", &limits).err().unwrap();
        assert_eq!(
            (refused.field, refused.message.as_str()),
            (None, NUL_MESSAGE)
        );
    }

    #[test]
    fn a_cyclic_fragment_is_left_for_validation_without_looping() {
        let limits = Limits::default();
        let cyclic = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(check_document(cyclic, &limits).is_ok());
    }

    #[test]
    fn the_bucket_empties_and_refills() {
        let limiter = RateLimiter::new(2);
        assert!(limiter.allow("t"));
        assert!(limiter.allow("t"));
        assert!(!limiter.allow("t"));
        assert!(limiter.allow("other"));
    }
}
