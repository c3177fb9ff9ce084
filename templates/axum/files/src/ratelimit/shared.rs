//! The token bucket kept in Redis, so that every replica draws on the same one. One Lua script
//! refills and takes from the bucket atomically (`EVALSHA`, loading the script when Redis does
//! not have it yet, after a restart say).

use std::sync::LazyLock;

use redis::Script;

use super::{Decision, RateLimiter};
use crate::redis_store::{KEY_PREFIX, RedisStore};

static TOKEN_BUCKET: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("token_bucket.lua")));

/// The bucket of `caller` (`sub:<subject>` or `ip:<address>`).
pub fn key(caller: &str) -> String {
    format!("{KEY_PREFIX}:rate-limit:{caller}")
}

/// Takes a token from the caller's shared bucket; `None` when Redis did not answer in time, and
/// the in-process bucket decides instead.
pub async fn check(store: &RedisStore, limiter: &RateLimiter, caller: &str) -> Option<Decision> {
    let mut invocation = TOKEN_BUCKET.key(key(caller));
    invocation.arg(limiter.per_second).arg(limiter.burst);
    let (allowed, remaining, reset, retry_after) =
        store.run(|mut connection| async move { invocation.invoke_async::<(u8, u64, u64, u64)>(&mut connection).await }).await?;
    Some(Decision { allowed: allowed == 1, remaining, reset, retry_after })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_per_caller_under_the_service_prefix() {
        assert_eq!(key("sub:alice"), format!("{KEY_PREFIX}:rate-limit:sub:alice"));
        assert_ne!(key("sub:alice"), key("ip:10.0.0.1"));
    }
}
