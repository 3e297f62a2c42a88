//! A function's DynamoDB event source mapping, as `infra/template.yaml` declares it: the one
//! place it is written, for CloudFormation and for this poller alike.

use serde_norway::Value;

use crate::api::Position;
use crate::filter::{Filter, FilterError};

/// What Lambda's mapping does with a table's stream for one function.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// The function's binary (its name under `cargo lambda watch`).
    pub function: String,
    /// The logical id of the table whose stream it reads (its name locally).
    pub table: String,
    /// Where it starts reading the shards there when it begins: the oldest record the
    /// stream keeps (24 hours), or only records written from then on.
    pub starting_position: Position,
    pub batch_size: usize,
    /// Retries of a failing batch before it goes to the failure destination.
    pub maximum_retry_attempts: u32,
    /// A failing batch is halved before each retry.
    pub bisect_on_error: bool,
    pub filter: Filter,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("the template is not YAML: {0}")]
    Yaml(#[from] serde_norway::Error),
    #[error("no function of the template builds binary {0}")]
    NoFunction(String),
    #[error("function {function} has {found} DynamoDB events; this poller plays exactly one")]
    Events { function: String, found: usize },
    #[error("the DynamoDB event of {function}: {what}")]
    Invalid {
        function: String,
        what: &'static str,
    },
    #[error(transparent)]
    Filter(#[from] FilterError),
}

impl Mapping {
    /// The mapping of the function that builds `binary`, from the template's text.
    ///
    /// # Errors
    /// When the template has no such function, not exactly one DynamoDB event for it, or an
    /// event this poller cannot play.
    pub fn from_template(yaml: &str, binary: &str) -> Result<Self, MappingError> {
        let template: Value = serde_norway::from_str(yaml)?;
        let function = template["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(_, resource)| resource)
            .find(|r| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(binary))
            .ok_or_else(|| MappingError::NoFunction(binary.to_owned()))?;
        let events: Vec<&Value> = function["Properties"]["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(_, event)| event)
            .filter(|event| event["Type"].as_str() == Some("DynamoDB"))
            .collect();
        let [event] = events.as_slice() else {
            return Err(MappingError::Events {
                function: binary.to_owned(),
                found: events.len(),
            });
        };
        let invalid = |what| MappingError::Invalid {
            function: binary.to_owned(),
            what,
        };
        let properties = &event["Properties"];
        let table = stream_table(&properties["Stream"])
            .ok_or_else(|| invalid("Stream is not !GetAtt <Table>.StreamArn"))?;
        let starting_position = match properties["StartingPosition"].as_str() {
            Some("TRIM_HORIZON") => Position::TrimHorizon,
            Some("LATEST") => Position::Latest,
            _ => return Err(invalid("StartingPosition is not TRIM_HORIZON or LATEST")),
        };
        let number = |name: &str, default: u64| match &properties[name] {
            Value::Null => Some(default),
            value => value.as_u64(),
        };
        let patterns: Vec<&str> = properties["FilterCriteria"]["Filters"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|f| f["Pattern"].as_str())
            .collect();
        Ok(Self {
            function: binary.to_owned(),
            table,
            starting_position,
            batch_size: number("BatchSize", 100)
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| invalid("BatchSize is not a positive number"))?,
            maximum_retry_attempts: number("MaximumRetryAttempts", u64::from(u32::MAX))
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| invalid("MaximumRetryAttempts is not a number"))?,
            bisect_on_error: properties["BisectBatchOnFunctionError"]
                .as_bool()
                .unwrap_or(false),
            filter: Filter::new(patterns)?,
        })
    }
}

/// `!GetAtt Entities.StreamArn` names the table `Entities`.
fn stream_table(stream: &Value) -> Option<String> {
    let Value::Tagged(tagged) = stream else {
        return None;
    };
    if tagged.tag != "GetAtt" {
        return None;
    }
    let target = tagged.value.as_str()?;
    target.strip_suffix(".StreamArn").map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Things:
    Type: AWS::DynamoDB::Table
  WorkerFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: worker
    Properties:
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Things.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumRetryAttempts: 5
            BisectBatchOnFunctionError: true
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["MODIFY"]}'
"#;

    #[test]
    fn a_functions_mapping_is_read_from_its_stream_event() {
        let mapping = Mapping::from_template(TEMPLATE, "worker").unwrap();
        assert_eq!(mapping.table, "Things");
        assert_eq!(mapping.starting_position, Position::TrimHorizon);
        assert_eq!(
            (mapping.batch_size, mapping.maximum_retry_attempts),
            (10, 5)
        );
        assert!(mapping.bisect_on_error);
        assert!(mapping.filter.passes(&json!({"eventName": "MODIFY"})));
        assert!(!mapping.filter.passes(&json!({"eventName": "REMOVE"})));
    }

    #[test]
    fn a_function_without_exactly_one_stream_event_is_refused() {
        assert!(matches!(
            Mapping::from_template(TEMPLATE, "other"),
            Err(MappingError::NoFunction(_))
        ));
        let twice = TEMPLATE.replace(
            "        Changes:",
            "        Again:\n          Type: DynamoDB\n        Changes:",
        );
        assert!(matches!(
            Mapping::from_template(&twice, "worker"),
            Err(MappingError::Events { found: 2, .. })
        ));
    }
}
