//! DynamoDB Local's Streams API, spoken directly: its records already are the JSON that
//! Lambda's DynamoDB event carries, so they are handed on as read. Not through
//! `aws-sdk-dynamodbstreams`: DynamoDB Local writes an empty map attribute in a stream record
//! as `{}` (DynamoDB writes `{"M": {}}`; a contact without a person has one), and the SDK
//! refuses the whole response for it. Here such a value is mended to what DynamoDB sends.
//! DynamoDB Local checks no signature, only that a request names an access key.

use serde_json::{Value, json};

/// A request the Streams API did not answer as asked.
#[derive(Debug, thiserror::Error)]
#[error("the Streams API failed: {operation}: {what}")]
pub struct StreamsError {
    operation: &'static str,
    what: String,
}

impl StreamsError {
    /// Whether it refused an iterator unused for 15 minutes (a new one is needed).
    pub fn expired(&self) -> bool {
        self.what.contains("ExpiredIteratorException")
    }

    /// Whether the records it was to read are gone (DynamoDB Local trims a busy stream, as
    /// DynamoDB does after 24 hours): reading goes on from the oldest record left.
    pub fn trimmed(&self) -> bool {
        self.what.contains("TrimmedDataAccessException")
    }
}

/// What a request names as its credential: DynamoDB Local wants one, and checks nothing.
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, \
     SignedHeaders=host, Signature=0";

/// The Streams API at one endpoint (DynamoDB Local's, which serves it beside DynamoDB's).
#[derive(Clone, Debug)]
pub struct StreamsApi {
    http: reqwest::Client,
    endpoint: String,
}

/// Where a shard iterator starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    TrimHorizon,
    Latest,
}

impl StreamsApi {
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            endpoint: endpoint.into(),
        }
    }

    async fn call(&self, operation: &'static str, body: Value) -> Result<Value, StreamsError> {
        let failed = |what: String| StreamsError { operation, what };
        let response = self
            .http
            .post(&self.endpoint)
            .header(
                "x-amz-target",
                format!("DynamoDBStreams_20120810.{operation}"),
            )
            .header("content-type", "application/x-amz-json-1.0")
            .header("authorization", AUTHORIZATION)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| failed(e.to_string()))?;
        if !status.is_success() {
            return Err(failed(format!("{status}: {text}")));
        }
        serde_json::from_str(&text).map_err(|e| failed(e.to_string()))
    }

    /// The streams of table `table`, oldest first.
    ///
    /// # Errors
    /// When the API fails (also below).
    pub async fn streams(&self, table: &str) -> Result<Vec<String>, StreamsError> {
        let listed = self
            .call("ListStreams", json!({ "TableName": table }))
            .await?;
        Ok(listed["Streams"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["StreamArn"].as_str().map(str::to_owned))
            .collect())
    }

    /// A stream's description (`StreamStatus`, a page of `Shards`, `LastEvaluatedShardId`).
    pub async fn describe(&self, arn: &str, after: Option<&str>) -> Result<Value, StreamsError> {
        let mut body = json!({ "StreamArn": arn });
        if let Some(after) = after {
            body["ExclusiveStartShardId"] = json!(after);
        }
        let described = self.call("DescribeStream", body).await?;
        Ok(described["StreamDescription"].clone())
    }

    /// An iterator of a shard, at `position` or right after the record `after`.
    pub async fn iterator(
        &self,
        arn: &str,
        shard: &str,
        position: Position,
        after: Option<&str>,
    ) -> Result<Option<String>, StreamsError> {
        let mut body = json!({ "StreamArn": arn, "ShardId": shard });
        match (after, position) {
            (Some(sequence), _) => {
                body["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
                body["SequenceNumber"] = json!(sequence);
            }
            (None, Position::TrimHorizon) => body["ShardIteratorType"] = json!("TRIM_HORIZON"),
            (None, Position::Latest) => body["ShardIteratorType"] = json!("LATEST"),
        }
        let output = self.call("GetShardIterator", body).await?;
        Ok(output["ShardIterator"].as_str().map(str::to_owned))
    }

    /// The next records of a shard (each with `eventSourceARN` added, as Lambda adds it),
    /// and the iterator after them (`None` once the shard is closed and read).
    pub async fn records(
        &self,
        arn: &str,
        iterator: &str,
    ) -> Result<(Vec<Value>, Option<String>), StreamsError> {
        let output = self
            .call("GetRecords", json!({ "ShardIterator": iterator }))
            .await?;
        let records = output["Records"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|mut record| {
                for image in ["Keys", "NewImage", "OldImage"] {
                    if let Some(item) = record["dynamodb"].get_mut(image) {
                        mend_item(item);
                    }
                }
                record["eventSourceARN"] = json!(arn);
                record
            })
            .collect();
        Ok((
            records,
            output["NextShardIterator"].as_str().map(str::to_owned),
        ))
    }
}

/// The sequence number of a record.
pub fn sequence_number(record: &Value) -> Option<&str> {
    record["dynamodb"]["SequenceNumber"].as_str()
}

fn mend_item(item: &mut Value) {
    if let Some(attributes) = item.as_object_mut() {
        attributes.values_mut().for_each(mend_attribute);
    }
}

/// An attribute value as DynamoDB writes it: `{}` is the empty map DynamoDB Local left bare.
fn mend_attribute(value: &mut Value) {
    match value.as_object_mut() {
        Some(typed) if typed.is_empty() => *value = json!({ "M": {} }),
        Some(typed) => {
            if let Some(map) = typed.get_mut("M") {
                mend_item(map);
            }
            if let Some(Value::Array(list)) = typed.get_mut("L") {
                list.iter_mut().for_each(mend_attribute);
            }
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_maps_left_bare_are_mended_wherever_they_are() {
        let mut image = json!({
            "pk": {"S": "C#m#c"},
            "person": {},
            "entity": {"M": {"person": {}, "tags": {"L": [{}, {"S": "x"}]}, "none": {"L": []}}},
        });
        mend_item(&mut image);
        assert_eq!(
            image,
            json!({
                "pk": {"S": "C#m#c"},
                "person": {"M": {}},
                "entity": {"M": {
                    "person": {"M": {}},
                    "tags": {"L": [{"M": {}}, {"S": "x"}]},
                    "none": {"L": []},
                }},
            })
        );
    }
}
