//! The read-through cache of the resources whose manifest entry sets `cache.ttl`.
//!
//! A GET by id reads Redis first; on a miss it reads the database and stores the representation
//! for the TTL. An update or delete removes the key after its commit: before it, a read in between
//! would store the old row again. The cache holds the exact bytes the database path serves, so a
//! hit answers the same body and the same ETag. Without Redis, or while it fails, every read goes
//! to the database: the cache never fails a request.
//!
//! A read that raced a write can still store the row it read just after the write removed the
//! key; the TTL bounds how long such a copy lives.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use serde::Deserialize;
use uuid::Uuid;

use crate::redis_store::{KEY_PREFIX, RedisStore};

/// The key of one row: `{service}:v1:{plural}:{id}`.
pub fn key(plural: &str, id: Uuid) -> String {
    format!("{KEY_PREFIX}:{plural}:{id}")
}

/// A cached representation, with the version its ETag is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub version: i64,
    pub body: Bytes,
}

/// The one member of a representation a hit needs to read.
#[derive(Deserialize)]
struct Versioned {
    version: i64,
}

impl Hit {
    /// Reads a stored representation; `None` when it is not one.
    pub fn parse(body: Vec<u8>) -> Option<Self> {
        let Versioned { version } = serde_json::from_slice(&body).ok()?;
        Some(Self { version, body: Bytes::from(body) })
    }
}

#[derive(Clone, Default)]
pub struct Cache {
    store: Option<Arc<RedisStore>>,
}

impl Cache {
    /// A cache over `store`; without one every read is a miss and nothing is stored.
    pub fn new(store: Option<Arc<RedisStore>>) -> Self {
        Self { store }
    }

    pub async fn get(&self, key: &str) -> Option<Hit> {
        let store = self.store.as_ref()?;
        let owned = key.to_owned();
        let stored = store
            .run(|mut connection| async move { redis::cmd("GET").arg(owned).query_async::<Option<Vec<u8>>>(&mut connection).await })
            .await??;
        let hit = Hit::parse(stored);
        if hit.is_none() {
            tracing::warn!(key, "a cache entry is not a representation; reading the database instead");
            self.invalidate(key).await;
        }
        hit
    }

    pub async fn put(&self, key: &str, body: &Bytes, ttl: Duration) {
        let Some(store) = &self.store else { return };
        let (owned, body) = (key.to_owned(), body.clone());
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let set = |mut connection: redis::aio::ConnectionManager| async move {
            redis::cmd("SET").arg(owned).arg(body.as_ref()).arg("PX").arg(millis).query_async::<()>(&mut connection).await
        };
        store.run(set).await;
    }

    pub async fn invalidate(&self, key: &str) {
        let Some(store) = &self.store else { return };
        let owned = key.to_owned();
        store.run(|mut connection| async move { redis::cmd("DEL").arg(owned).query_async::<()>(&mut connection).await }).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_service_a_layout_version_the_resource_and_the_id() {
        let id = Uuid::parse_str("0190b6d2-7c3e-7a1b-8c9d-0e1f2a3b4c5d").expect("uuid");
        assert_eq!(key("customers", id), format!("{KEY_PREFIX}:customers:0190b6d2-7c3e-7a1b-8c9d-0e1f2a3b4c5d"));
        assert!(KEY_PREFIX.ends_with(":v1"));
        assert_ne!(key("customers", id), key("payments", id), "each resource has its own keys");
    }

    #[test]
    fn a_hit_keeps_the_stored_bytes_and_reads_their_version() {
        let body = br#"{"id":"x","version":3,"name":"A"}"#.to_vec();
        let hit = Hit::parse(body.clone()).expect("a representation");
        assert_eq!(hit.version, 3);
        assert_eq!(hit.body.as_ref(), body.as_slice());
        assert_eq!(Hit::parse(b"not json".to_vec()), None);
        assert_eq!(Hit::parse(br#"{"id":"x"}"#.to_vec()), None);
    }
}
