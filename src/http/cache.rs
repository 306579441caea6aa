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

/// Bodies of one database version, at most `capacity` bytes of keys and bodies together; the
/// oldest go first when a new one needs the room.
pub struct ResponseCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The version every entry was computed at.
    version: String,
    entries: HashMap<Arc<str>, Bytes>,
    /// Keys, oldest first.
    order: VecDeque<Arc<str>>,
    bytes: usize,
}

impl Inner {
    /// Forgets everything when `version` is not the one held: those answers can never be served
    /// again (a version, once passed, does not come back).
    fn at(&mut self, version: &str) {
        if self.version != version {
            self.entries.clear();
            self.order.clear();
            self.bytes = 0;
            self.version = version.to_string();
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

    /// The body kept for `key` at `version`, if any.
    pub fn get(&self, version: &str, key: &str) -> Option<Bytes> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.at(version);
        inner.entries.get(key).cloned()
    }

    /// Keeps `body` for `key` at `version`. A body bigger than a quarter of the cache is not
    /// kept, so that one answer cannot push out all the others.
    pub fn put(&self, version: &str, key: &str, body: Bytes) {
        let size = key.len() + body.len();
        if size > self.capacity / 4 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.at(version);
        if inner.entries.contains_key(key) {
            return;
        }
        while inner.bytes + size > self.capacity {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.entries.remove(&oldest) {
                inner.bytes -= oldest.len() + gone.len();
            }
        }
        let key: Arc<str> = Arc::from(key);
        inner.order.push_back(key.clone());
        inner.entries.insert(key, body);
        inner.bytes += size;
    }

    /// Bytes held, keys and bodies.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.inner.lock().unwrap().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn an_answer_is_served_only_at_the_version_it_was_computed_at() {
        let cache = ResponseCache::new(10_000);
        cache.put("v1", "q", body(10));
        assert_eq!(cache.get("v1", "q"), Some(body(10)));
        assert_eq!(cache.get("v1", "other"), None);
        // The database moved on: the old answer is gone for good, even if asked at v1 again.
        assert_eq!(cache.get("v2", "q"), None);
        assert_eq!(cache.get("v1", "q"), None);
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn the_oldest_answers_make_room_and_the_bytes_stay_within_the_capacity() {
        let cache = ResponseCache::new(1_000);
        for key in ["a", "b", "c", "d", "e"] {
            cache.put("v", key, body(199));
        }
        // Five of 200 bytes fill it exactly; a sixth pushes out the first.
        assert_eq!(cache.bytes(), 1_000);
        cache.put("v", "f", body(199));
        assert_eq!(cache.get("v", "a"), None);
        assert!(cache.get("v", "b").is_some() && cache.get("v", "f").is_some());
        assert_eq!(cache.bytes(), 1_000);
        // Too big for a quarter of the cache: not kept, nothing pushed out.
        cache.put("v", "big", body(300));
        assert_eq!(cache.get("v", "big"), None);
        assert!(cache.get("v", "b").is_some());
    }

    #[test]
    fn a_cache_of_no_bytes_keeps_nothing() {
        let cache = ResponseCache::new(0);
        assert!(!cache.enabled());
        cache.put("v", "q", body(1));
        assert_eq!(cache.get("v", "q"), None);
    }
}
