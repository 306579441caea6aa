//! Relay connections: opaque keyset cursors, a server-side maximum page size, and a `totalCount`
//! computed only when asked for.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Object, OutputType};

use crate::error::{AppError, AppResult};

/// Page-size limits from configuration.
#[derive(Clone, Copy, Debug)]
pub struct PageLimits {
    pub default: i64,
    pub max: i64,
}

/// A validated request for one page: how many rows, after which key.
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<serde_json::Value>,
}

impl PageRequest {
    pub fn new(limits: PageLimits, first: Option<i32>, after: Option<String>) -> AppResult<Self> {
        let limit = match first {
            None => limits.default,
            Some(n) if n < 0 || i64::from(n) > limits.max => {
                return Err(AppError::bad_input(
                    "first",
                    &format!("must be between 0 and {}", limits.max),
                ));
            }
            Some(n) => i64::from(n),
        };
        let after = after.map(|c| decode_cursor(&c)).transpose()?;
        Ok(PageRequest { limit, after })
    }

    /// The row count to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The keyset after which to start, decoded as `T`; a malformed cursor is the client's error.
    pub fn after<T: serde::de::DeserializeOwned>(&self) -> AppResult<Option<T>> {
        self.after
            .clone()
            .map(|v| serde_json::from_value(v).map_err(|_| bad_cursor()))
            .transpose()
    }
}

fn bad_cursor() -> AppError {
    AppError::bad_input("after", "is not a cursor this list returned")
}

/// Cursors are the keyset as JSON, hex-encoded: opaque to clients, stable across requests.
pub fn encode_cursor<K: serde::Serialize>(key: &K) -> String {
    let json = serde_json::to_string(key).unwrap_or_default();
    json.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str) -> AppResult<serde_json::Value> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 2_000 {
        return Err(bad_cursor());
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(cursor.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| bad_cursor())?;
    serde_json::from_slice(&bytes).map_err(|_| bad_cursor())
}

type CountFuture = Pin<Box<dyn Future<Output = AppResult<i64>> + Send>>;

/// The extra field every connection has: the size of the whole filtered list.
pub struct TotalCount {
    count: Arc<dyn Fn() -> CountFuture + Send + Sync>,
}

impl TotalCount {
    pub fn new<F, Fut>(count: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AppResult<i64>> + Send + 'static,
    {
        TotalCount {
            count: Arc::new(move || Box::pin(count())),
        }
    }

    /// A count known already.
    pub fn known(n: i64) -> Self {
        TotalCount::new(move || async move { Ok(n) })
    }
}

#[Object]
impl TotalCount {
    /// How many items the whole list holds under the given filter, across all pages.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        Ok((self.count)().await?)
    }
}

/// A connection type with `totalCount`.
pub type Page<T> = Connection<String, T, TotalCount, EmptyFields>;

/// Builds a page from rows fetched with `PageRequest::fetch`, keyed by `key`.
pub fn page<R, T, K, FK, FT>(
    req: &PageRequest,
    mut rows: Vec<R>,
    key: FK,
    into: FT,
    total: TotalCount,
) -> Page<T>
where
    T: OutputType,
    K: serde::Serialize,
    FK: Fn(&R) -> K,
    FT: Fn(R) -> T,
{
    let has_next = rows.len() as i64 > req.limit;
    rows.truncate(req.limit.max(0) as usize);
    let mut conn = Connection::with_additional_fields(req.after.is_some(), has_next, total);
    conn.edges.extend(
        rows.into_iter()
            .map(|r| Edge::new(encode_cursor(&key(&r)), into(r))),
    );
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: PageLimits = PageLimits {
        default: 20,
        max: 100,
    };

    #[test]
    fn cursors_round_trip_and_reject_tampering() {
        let c = encode_cursor(&("Norway", "NOR"));
        let req = PageRequest::new(LIMITS, Some(5), Some(c)).unwrap();
        let key: Option<(String, String)> = req.after().unwrap();
        assert_eq!(key, Some(("Norway".into(), "NOR".into())));
        assert!(PageRequest::new(LIMITS, None, Some("zz".into())).is_err());
        assert!(PageRequest::new(LIMITS, None, Some("abc".into())).is_err());
    }

    #[test]
    fn page_sizes_default_and_are_capped() {
        assert_eq!(PageRequest::new(LIMITS, None, None).unwrap().limit, 20);
        let err = PageRequest::new(LIMITS, Some(101), None).err().unwrap();
        assert_eq!(err.client_message(), "first: must be between 0 and 100");
        assert!(PageRequest::new(LIMITS, Some(-1), None).is_err());
    }
}
