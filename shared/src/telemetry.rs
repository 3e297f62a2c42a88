//! Logs: one JSON object per line, level from `RUST_LOG`. Nothing a donor typed is ever a
//! field of our log events; handlers log routes, statuses, timings and merchant ids only.
//!
//! Dependencies are another matter: the AWS SDK logs whole request bodies at TRACE, and the
//! Lambda runtime can log event payloads. So whatever `RUST_LOG` asks for, TRACE events are
//! never written and the Lambda runtime is capped at INFO: a debugging session in production
//! cannot leak an IBAN.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;

use crate::metrics::EMF_TARGET;

pub fn init() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    // A second initialisation (tests) keeps the first subscriber; nothing to report.
    let _ = tracing::subscriber::set_global_default(subscriber(&filter, std::io::stdout));
    quiet_panics();
}

/// A panic's message can quote what it failed on, a donor's value among it (a byte index
/// "inside 'é' of `…`"): only where it happened is logged, as one JSON line.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|at| format!("{}:{}", at.file(), at.line()));
        tracing::error!(
            location,
            "panic; its message is not logged, it may quote input"
        );
    }));
}

/// The production subscriber, writing to `writer`; tests use it to check what gets logged.
/// Metrics (target `emf`) are written as their bare JSON document, whatever `RUST_LOG` says.
pub fn subscriber<W>(filter: &str, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Clone + Send + Sync + 'static,
{
    // `info`, `warn,shared=debug`: levels per target, without a regex engine in the binary.
    let levels: Targets = filter
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(Level::INFO));
    let logs = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(false)
        .with_target(false)
        .with_writer(writer.clone())
        .with_filter(levels)
        .with_filter(filter_fn(|meta| {
            meta.target() != EMF_TARGET && may_be_written(meta)
        }));
    let metrics = tracing_subscriber::fmt::layer()
        .event_format(BareEmf)
        .with_writer(writer)
        .with_filter(filter_fn(|meta| meta.target() == EMF_TARGET));
    tracing_subscriber::registry().with(logs).with(metrics)
}

/// Writes an `emf` event's document alone on its line: CloudWatch reads EMF only from log
/// lines that are the document itself.
struct BareEmf;

impl<S, N> FormatEvent<S, N> for BareEmf
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut document = EmfField(None);
        event.record(&mut document);
        match document.0 {
            Some(line) => writeln!(writer, "{line}"),
            None => Ok(()),
        }
    }
}

struct EmfField(Option<String>);

impl Visit for EmfField {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "emf" {
            self.0 = Some(format!("{value:?}"));
        }
    }
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
