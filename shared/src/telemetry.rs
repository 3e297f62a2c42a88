//! Logs: one JSON object per line, level from `RUST_LOG`. Nothing a donor typed is ever a
//! field of our log events; handlers log routes, statuses, timings and merchant ids only.
//!
//! Dependencies are another matter: the AWS SDK logs whole request bodies at TRACE, and the
//! Lambda runtime can log event payloads. So whatever `RUST_LOG` asks for, TRACE events are
//! never written and the Lambda runtime is capped at INFO: a debugging session in production
//! cannot leak an IBAN.

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

pub fn init() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    // A second initialisation (tests) keeps the first subscriber; nothing to report.
    let _ = tracing::subscriber::set_global_default(subscriber(&filter, std::io::stdout));
}

/// The production subscriber, writing to `writer`; tests use it to check what gets logged.
pub fn subscriber<W>(filter: &str, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // `info`, `warn,shared=debug`: levels per target, without a regex engine in the binary.
    let levels: Targets = filter
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(Level::INFO));
    tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_target(false)
        .with_writer(writer)
        .finish()
        .with(levels)
        .with(filter_fn(may_be_written))
}

fn may_be_written(meta: &Metadata<'_>) -> bool {
    let level = *meta.level();
    if level == Level::TRACE {
        return false;
    }
    let lambda_runtime =
        meta.target().starts_with("lambda_runtime") || meta.target().starts_with("lambda_http");
    !(lambda_runtime && level > Level::INFO)
}
