//! CloudWatch metrics in Embedded Metric Format (EMF): one JSON line in the function's log,
//! which CloudWatch Logs turns into metrics. No API call and no latency on the request path.
//!
//! Session metrics are recorded per form (the public form hash) and in total; nothing about
//! a donor is ever a dimension.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use crate::ground::ids::FormHash;

/// The tracing target of EMF lines: the subscriber writes them raw, as EMF requires.
pub const EMF_TARGET: &str = "emf";

static NAMESPACE: LazyLock<String> =
    LazyLock::new(|| std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| "Donations".to_owned()));

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    SessionsCreated,
    /// A session that became complete with this request.
    SessionsCompleted,
    SessionsProcessed,
    DataSetsCreated,
    /// Values refused by validation in this request.
    ValidationErrors,
}

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Self::SessionsCreated => "SessionsCreated",
            Self::SessionsCompleted => "SessionsCompleted",
            Self::SessionsProcessed => "SessionsProcessed",
            Self::DataSetsCreated => "DataSetsCreated",
            Self::ValidationErrors => "ValidationErrors",
        }
    }
}

/// Writes the non-zero counts as one EMF line; nothing when all are zero.
pub fn record(form: Option<&FormHash>, counts: &[(Metric, u64)]) {
    let now = jiff::Timestamp::now().as_millisecond();
    if let Some(line) = document(&NAMESPACE, form, counts, now) {
        tracing::info!(target: EMF_TARGET, emf = %line);
    }
}

fn document(
    namespace: &str,
    form: Option<&FormHash>,
    counts: &[(Metric, u64)],
    timestamp_ms: i64,
) -> Option<Value> {
    let counts: Vec<_> = counts.iter().filter(|(_, n)| *n > 0).collect();
    if counts.is_empty() {
        return None;
    }
    let dimensions = match form {
        Some(_) => json!([["FormHash"], []]),
        None => json!([[]]),
    };
    let metrics: Vec<Value> = counts
        .iter()
        .map(|(metric, _)| json!({"Name": metric.name(), "Unit": "Count"}))
        .collect();
    let mut root = Map::new();
    root.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": dimensions,
                "Metrics": metrics,
            }],
        }),
    );
    if let Some(form) = form {
        root.insert("FormHash".to_owned(), json!(form.as_str()));
    }
    for (metric, count) in counts {
        root.insert(metric.name().to_owned(), json!(count));
    }
    Some(Value::Object(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_metric_is_recorded_per_form_and_in_total() {
        let form = FormHash::parse("demoform1").expect("hash");
        let line = document(
            "Donations",
            Some(&form),
            &[(Metric::SessionsCreated, 1), (Metric::ValidationErrors, 0)],
            1_700_000_000_000,
        )
        .expect("a line");
        assert_eq!(
            line,
            json!({
                "_aws": {
                    "Timestamp": 1_700_000_000_000_i64,
                    "CloudWatchMetrics": [{
                        "Namespace": "Donations",
                        "Dimensions": [["FormHash"], []],
                        "Metrics": [{"Name": "SessionsCreated", "Unit": "Count"}],
                    }],
                },
                "FormHash": "demoform1",
                "SessionsCreated": 1,
            })
        );
    }

    #[test]
    fn nothing_counted_writes_nothing() {
        assert_eq!(
            document("Donations", None, &[(Metric::ValidationErrors, 0)], 0),
            None
        );
    }

    #[test]
    fn a_metric_without_form_has_only_the_total() {
        let line = document("Donations", None, &[(Metric::DataSetsCreated, 1)], 0).expect("line");
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([[]])
        );
        assert_eq!(line["DataSetsCreated"], 1);
    }
}
