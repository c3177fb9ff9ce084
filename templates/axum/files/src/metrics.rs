//! `GET /metrics` in the Prometheus text format (version 0.0.4): request durations per method,
//! route and status, the database pool, the job queue, idempotent replays and rate limiting.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::state::AppState;

/// Upper bounds of the request duration buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Histogram>>,
    pub idempotency_replays: AtomicU64,
    pub rate_limited: AtomicU64,
}

#[derive(Default, Clone)]
struct Histogram {
    /// Observations at or below each bound of `BUCKETS` (cumulative, as Prometheus wants).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let histogram = requests.entry((method.to_owned(), route.to_owned(), status)).or_default();
        for (bound, count) in BUCKETS.iter().zip(histogram.buckets.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    fn render_requests(&self, out: &mut String) {
        let requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone();
        out.push_str("# HELP http_server_request_duration_seconds Duration of HTTP requests.\n");
        out.push_str("# TYPE http_server_request_duration_seconds histogram\n");
        for ((method, route, status), histogram) in &requests {
            let labels = format!("method=\"{}\",route=\"{}\",status_code=\"{status}\"", escape(method), escape(route));
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets.iter()) {
                let _ = writeln!(out, "http_server_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(out, "http_server_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", histogram.count);
            let _ = writeln!(out, "http_server_request_duration_seconds_sum{{{labels}}} {}", histogram.sum);
            let _ = writeln!(out, "http_server_request_duration_seconds_count{{{labels}}} {}", histogram.count);
        }
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
}

pub async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    state.metrics.render_requests(&mut out);
    let pool = &state.db.pool;
    let idle = u64::try_from(pool.num_idle()).unwrap_or(u64::MAX);
    metric(&mut out, "db_pool_connections", "gauge", "Open database connections.", pool.size());
    metric(&mut out, "db_pool_idle_connections", "gauge", "Idle database connections.", idle);
    metric(&mut out, "db_pool_max_connections", "gauge", "The pool's size limit.", state.config.database_pool_max);
    // The queue is read with the same bound as readiness, so a slow database never stalls a scrape.
    let counts = sqlx::query_as::<_, (i64, i64)>(
        "select count(*) filter (where status = 'queued'), count(*) filter (where status = 'dead') from jobs",
    )
    .fetch_one(pool);
    if let Ok(Ok((queued, dead))) = tokio::time::timeout(Duration::from_secs(1), counts).await {
        metric(&mut out, "jobs_queued", "gauge", "Jobs waiting to run.", queued);
        metric(&mut out, "jobs_dead", "gauge", "Jobs that used up their attempts.", dead);
    }
    let replays = state.metrics.idempotency_replays.load(Ordering::Relaxed);
    metric(&mut out, "idempotency_replays_total", "counter", "Responses replayed for a repeated Idempotency-Key.", replays);
    let limited = state.metrics.rate_limited.load(Ordering::Relaxed);
    metric(&mut out, "rate_limited_total", "counter", "Requests refused by the rate limiter.", limited);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let metrics = Metrics::default();
        metrics.observe_request("GET", "/v1/things", 200, Duration::from_millis(30));
        let mut out = String::new();
        metrics.render_requests(&mut out);
        assert!(
            out.contains(r#"http_server_request_duration_seconds_bucket{method="GET",route="/v1/things",status_code="200",le="0.025"} 0"#)
        );
        assert!(
            out.contains(r#"http_server_request_duration_seconds_bucket{method="GET",route="/v1/things",status_code="200",le="0.05"} 1"#)
        );
        assert!(out.contains(r#"http_server_request_duration_seconds_count{method="GET",route="/v1/things",status_code="200"} 1"#));
    }
}
