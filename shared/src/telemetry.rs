//! Logs: one JSON object per line, level from `RUST_LOG`. Nothing a donor typed is ever a
//! field of a log event; handlers log routes, statuses, timings and merchant ids only.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_target(false)
        .without_time()
        .init();
}
