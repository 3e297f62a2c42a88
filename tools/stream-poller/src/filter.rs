//! The part of Lambda's filter language an event source mapping's `FilterCriteria` uses here:
//! a record passes when one pattern matches it. A pattern is an object whose keys the record
//! has too; an object value matches the record's value at that key by the same rule, an
//! array lists what the value there may be: an exact value, `{"prefix": …}`, or
//! `{"exists": true|false}`. Anything else is refused when the filter is read, so a pattern
//! that would filter otherwise in AWS never passes silently here.

use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("a filter pattern is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported filter pattern {0}: this poller knows exact values, prefix and exists")]
    Unsupported(String),
}

/// The filter of a mapping, and what a test narrows it to besides.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Lambda's filters: a record passes when any matches (none: every record passes).
    any_of: Vec<Value>,
    /// Patterns every record must match too (the records of one test's merchant).
    all_of: Vec<Value>,
}

impl Filter {
    /// The filter of these patterns (each the JSON text of a `Pattern`).
    ///
    /// # Errors
    /// When a pattern is not JSON or uses what this poller does not know.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<Self, FilterError> {
        let any_of = patterns
            .into_iter()
            .map(parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            any_of,
            all_of: Vec::new(),
        })
    }

    /// The same filter, letting through only records that also match `pattern`.
    ///
    /// # Errors
    /// As [`Filter::new`].
    pub fn and(mut self, pattern: &str) -> Result<Self, FilterError> {
        self.all_of.push(parse(pattern)?);
        Ok(self)
    }

    /// Whether a record (in the form Lambda's event carries it) passes.
    pub fn passes(&self, record: &Value) -> bool {
        (self.any_of.is_empty() || self.any_of.iter().any(|p| matches(p, record)))
            && self.all_of.iter().all(|p| matches(p, record))
    }
}

fn parse(text: &str) -> Result<Value, FilterError> {
    let pattern: Value = serde_json::from_str(text)?;
    check(&pattern)?;
    Ok(pattern)
}

fn check(pattern: &Value) -> Result<(), FilterError> {
    let unsupported = || FilterError::Unsupported(pattern.to_string());
    let fields = pattern.as_object().ok_or_else(unsupported)?;
    for value in fields.values() {
        match value {
            Value::Object(_) => check(value)?,
            Value::Array(rules) => {
                for rule in rules {
                    let known = match rule {
                        Value::Object(op) => {
                            op.len() == 1
                                && (op.get("prefix").is_some_and(Value::is_string)
                                    || op.get("exists").is_some_and(Value::is_boolean))
                        }
                        Value::Array(_) => false,
                        _ => true,
                    };
                    if !known {
                        return Err(unsupported());
                    }
                }
            }
            _ => return Err(unsupported()),
        }
    }
    Ok(())
}

fn matches(pattern: &Value, value: &Value) -> bool {
    let Some(fields) = pattern.as_object() else {
        return false;
    };
    fields.iter().all(|(key, wanted)| {
        let found = value.get(key);
        match wanted {
            // What is missing has nothing under it: only `exists: false` matches there.
            Value::Object(_) => matches(wanted, found.unwrap_or(&Value::Null)),
            Value::Array(rules) => rules.iter().any(|rule| rule_matches(rule, found)),
            _ => false,
        }
    })
}

fn rule_matches(rule: &Value, found: Option<&Value>) -> bool {
    let leaf = found.filter(|v| !v.is_object() && !v.is_array());
    match rule {
        Value::Object(op) => {
            if let Some(exists) = op.get("exists").and_then(Value::as_bool) {
                return leaf.is_some() == exists;
            }
            let prefix = op.get("prefix").and_then(Value::as_str).unwrap_or_default();
            leaf.and_then(Value::as_str)
                .is_some_and(|s| s.starts_with(prefix))
        }
        exact => leaf == Some(exact),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PENDING: &str = r#"{"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"batchPending": {"S": [{"exists": true}]}}}}"#;

    fn record(event: &str, image: Value) -> Value {
        json!({"eventName": event, "dynamodb": {"Keys": {"pk": {"S": "C#m-1#c"}}, "NewImage": image}})
    }

    #[test]
    fn values_exists_and_prefix_match_as_lambda_matches_them() {
        let filter = Filter::new([PENDING]).unwrap();
        let pending = json!({"batchPending": {"S": "guid"}});
        assert!(filter.passes(&record("MODIFY", pending.clone())));
        assert!(filter.passes(&record("INSERT", pending.clone())));
        assert!(!filter.passes(&record("REMOVE", pending.clone())));
        assert!(!filter.passes(&record("MODIFY", json!({"state": {"S": "x"}}))));
        assert!(!filter.passes(&json!({"eventName": "MODIFY"})));

        let mine = filter
            .clone()
            .and(r#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "C#m-1#"}]}}}}"#)
            .unwrap();
        assert!(mine.passes(&record("MODIFY", pending.clone())));
        let theirs = filter
            .and(r#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "C#m-2#"}]}}}}"#)
            .unwrap();
        assert!(!theirs.passes(&record("MODIFY", pending)));
    }

    #[test]
    fn exists_false_matches_what_is_missing_and_no_filter_passes_everything() {
        let absent = Filter::new([
            r#"{"dynamodb": {"NewImage": {"batchPending": {"S": [{"exists": false}]}}}}"#,
        ])
        .unwrap();
        assert!(absent.passes(&record("MODIFY", json!({}))));
        assert!(!absent.passes(&record("MODIFY", json!({"batchPending": {"S": "g"}}))));
        assert!(Filter::default().passes(&json!({})));
    }

    #[test]
    fn what_this_poller_does_not_know_is_refused() {
        for pattern in [
            r#"{"eventName": [{"anything-but": "REMOVE"}]}"#,
            r#"{"eventName": "MODIFY"}"#,
            r#"{"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}}"#,
            "[1]",
            "not json",
        ] {
            assert!(Filter::new([pattern]).is_err(), "{pattern}");
        }
    }
}
