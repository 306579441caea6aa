//! The response cache: the body of a query's answer, kept with the database version it was
//! computed at (`Db::version`) and served again only while the database is still at that
//! version. A request is answered from here only when the same caller (the whole viewer: token,
//! role and scope) asks the same operation of the same document with the same variables.
//!
//! What goes in is decided by the handler: a query (never a mutation) whose answer has no errors,
//! and whose database version was the same before and after it ran, so that every statement it
//! sent saw the data as of that version. Any write committed since, by this server or anything
//! else on the database, moves the version, and the next request runs the query afresh.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;

use crate::storage::DataVersion;

/// What an entry costs beyond its key and body: its slots in the map and the queue, the shared
/// key's and the body's headers.
const ENTRY_BYTES: usize = 96;

/// Bodies of one database version, at most `capacity` bytes of keys, bodies and bookkeeping
/// together; the oldest go first when a new one needs the room.
pub struct ResponseCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The version every entry was computed at.
    version: Option<DataVersion>,
    entries: HashMap<Arc<str>, Bytes>,
    /// Keys, oldest first.
    order: VecDeque<Arc<str>>,
    bytes: usize,
}

impl Inner {
    /// Holds `version` from now on, forgetting the entries of any other: a later one means
    /// writes have committed since they were computed, an earlier one that the database went
    /// back (a restore, a failover), and either way they may no longer be what running the query
    /// would answer.
    fn at(&mut self, version: &DataVersion) {
        if self.version.as_ref() != Some(version) {
            // New maps, not cleared ones, so that their memory goes back too.
            self.entries = HashMap::new();
            self.order = VecDeque::new();
            self.bytes = 0;
            self.version = Some(version.clone());
        }
    }
}

impl ResponseCache {
    /// A cache of at most `capacity` bytes; 0 keeps nothing.
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The body kept for `key` at `version` (read from the database just now), if any.
    pub fn get(&self, version: &DataVersion, key: &str) -> Option<Bytes> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.at(version);
        inner.entries.get(key).cloned()
    }

    /// Keeps `body` for `key` at `version`. A body bigger than a quarter of the cache is not
    /// kept, so that one answer cannot push out all the others; nor is one computed at an
    /// earlier version than the one held (a slow request finishing after writes), which could
    /// never be served.
    pub fn put(&self, version: &DataVersion, key: &str, body: &[u8]) {
        let size = key.len() + body.len() + ENTRY_BYTES;
        if size > self.capacity / 4 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner
            .version
            .as_ref()
            .is_some_and(|held| held.position > version.position)
        {
            return;
        }
        inner.at(version);
        if inner.entries.contains_key(key) {
            return;
        }
        while inner.bytes + size > self.capacity {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.entries.remove(&oldest) {
                inner.bytes -= oldest.len() + gone.len() + ENTRY_BYTES;
            }
        }
        let key: Arc<str> = Arc::from(key);
        inner.order.push_back(key.clone());
        // A copy of exactly its length (the response's own buffer may have room to spare).
        inner.entries.insert(key, Bytes::copy_from_slice(body));
        inner.bytes += size;
    }

    /// Bytes held: keys, bodies and each entry's bookkeeping.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.inner.lock().unwrap().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(position: u64) -> DataVersion {
        DataVersion {
            text: format!("v{position}"),
            position,
        }
    }

    /// A body that makes an entry of `size` bytes under a one-letter key.
    fn body(size: usize) -> Vec<u8> {
        vec![b'x'; size - 1 - ENTRY_BYTES]
    }

    #[test]
    fn an_answer_is_served_only_at_the_version_it_was_computed_at() {
        let cache = ResponseCache::new(10_000);
        cache.put(&v(1), "q", &body(200));
        assert_eq!(cache.get(&v(1), "q").as_deref(), Some(&body(200)[..]));
        assert_eq!(cache.get(&v(1), "r"), None);
        // The database moved on: the old answer is gone for good, even if asked at v1 again.
        assert_eq!(cache.get(&v(2), "q"), None);
        assert_eq!(cache.get(&v(1), "q"), None);
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn an_answer_computed_before_a_later_version_was_seen_is_not_kept() {
        let cache = ResponseCache::new(10_000);
        cache.put(&v(2), "new", &body(200));
        cache.put(&v(1), "old", &body(200));
        assert!(cache.get(&v(2), "new").is_some());
        assert_eq!(cache.get(&v(1), "old"), None);
        // The database went back to 1 (a restore): 2's answers are gone, 1's are kept again.
        cache.put(&v(1), "old", &body(200));
        assert!(cache.get(&v(1), "old").is_some());
        assert_eq!(cache.get(&v(1), "new"), None);
    }

    #[test]
    fn the_oldest_answers_make_room_and_the_bytes_stay_within_the_capacity() {
        let cache = ResponseCache::new(1_000);
        for key in ["a", "b", "c", "d", "e"] {
            cache.put(&v(1), key, &body(200));
        }
        // Five entries of 200 bytes fill it exactly; a sixth pushes out the first.
        assert_eq!(cache.bytes(), 1_000);
        cache.put(&v(1), "f", &body(200));
        assert_eq!(cache.get(&v(1), "a"), None);
        assert!(cache.get(&v(1), "b").is_some() && cache.get(&v(1), "f").is_some());
        assert_eq!(cache.bytes(), 1_000);
        // Bigger than a quarter of the cache: not kept, nothing pushed out.
        cache.put(&v(1), "g", &body(251));
        assert_eq!(cache.get(&v(1), "g"), None);
        assert!(cache.get(&v(1), "b").is_some());
    }

    #[test]
    fn a_cache_of_no_bytes_keeps_nothing() {
        let cache = ResponseCache::new(0);
        assert!(!cache.enabled());
        cache.put(&v(1), "q", b"{}");
        assert_eq!(cache.get(&v(1), "q"), None);
    }
}
