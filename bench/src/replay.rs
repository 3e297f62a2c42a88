//! A function's own DynamoDB requests, as the metering proxy recorded them, sent again with the
//! SDK: the raw baseline `perf` measures beside each function is exactly the requests the
//! function made, without the function around them.
//!
//! A write the function made successfully is sent with its condition widened to hold always
//! (`(<condition>) OR attribute_not_exists(#replayNever)`), so the replay does the same work on
//! the items the function left behind; a request that failed for the function is sent as it was.
//! A transaction's idempotency token is left out: with it DynamoDB would answer a replay from
//! its idempotency record instead of doing the writes.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, ReturnConsumedCapacity,
    ReturnValue, ReturnValuesOnConditionCheckFailure, Select, TransactWriteItem, Update,
};
use serde_json::Value;

/// One DynamoDB request a function made: the operation (`GetItem`, …), its JSON body,
/// whether DynamoDB accepted it, and when it was sent and answered.
#[derive(Clone, Debug)]
pub struct DynamoRequest {
    pub operation: String,
    pub body: Value,
    pub succeeded: bool,
    pub sent_at: Instant,
    pub answered_at: Instant,
}

/// `requests` in the rounds the function made them: a request sent before every request of
/// the round so far was answered joins that round (the function made them concurrently).
pub fn rounds(requests: &[DynamoRequest]) -> Vec<&[DynamoRequest]> {
    let mut rounds = Vec::new();
    let mut start = 0;
    let mut answered = None;
    for (i, request) in requests.iter().enumerate() {
        if answered.is_some_and(|last| request.sent_at >= last) {
            rounds.push(&requests[start..i]);
            start = i;
            answered = None;
        }
        answered = answered.max(Some(request.answered_at));
    }
    if start < requests.len() {
        rounds.push(&requests[start..]);
    }
    rounds
}

/// Sends `request` again through `client`; an error only where the function saw none.
pub async fn replay(client: &Client, request: &DynamoRequest) -> Result<()> {
    let body = if request.succeeded {
        always_holds(&request.body)
    } else {
        request.body.clone()
    };
    let sent = send(client, &request.operation, &body).await;
    match sent {
        Err(error) if request.succeeded => {
            Err(error.context(format!("replaying {}", request.operation)))
        }
        _ => Ok(()),
    }
}

/// `body` with every condition (top-level and in transaction items) widened to hold always.
fn always_holds(body: &Value) -> Value {
    let mut body = body.clone();
    widen(&mut body);
    if let Some(items) = body["TransactItems"].as_array_mut() {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            item.values_mut().for_each(widen);
        }
    }
    body
}

fn widen(part: &mut Value) {
    let Some(condition) = part["ConditionExpression"].as_str() else {
        return;
    };
    part["ConditionExpression"] =
        format!("({condition}) OR attribute_not_exists(#replayNever)").into();
    match part["ExpressionAttributeNames"].as_object_mut() {
        Some(names) => {
            names.insert("#replayNever".into(), "replay_never".into());
        }
        None => {
            part["ExpressionAttributeNames"] = serde_json::json!({"#replayNever": "replay_never"})
        }
    }
}

/// Sets what every conditional write shares (table, condition, its names and values, what to
/// return when it fails) on any of the SDK's builders for one, from its JSON `part`.
macro_rules! conditional {
    ($builder:expr, $part:expr) => {
        $builder
            .set_table_name(text($part, "TableName"))
            .set_condition_expression(text($part, "ConditionExpression"))
            .set_expression_attribute_names(names($part))
            .set_expression_attribute_values(values($part)?)
            .set_return_values_on_condition_check_failure(on_failure($part))
    };
}

async fn send(client: &Client, operation: &str, b: &Value) -> Result<()> {
    match operation {
        "GetItem" => drop(
            client
                .get_item()
                .table_name(text(b, "TableName").context("TableName")?)
                .set_key(Some(item(&b["Key"])?))
                .set_consistent_read(b["ConsistentRead"].as_bool())
                .set_projection_expression(text(b, "ProjectionExpression"))
                .set_expression_attribute_names(names(b))
                .set_return_consumed_capacity(capacity(b))
                .send()
                .await?,
        ),
        "PutItem" => drop(
            conditional!(client.put_item(), b)
                .set_item(Some(item(&b["Item"])?))
                .set_return_values(text(b, "ReturnValues").map(|v| ReturnValue::from(v.as_str())))
                .set_return_consumed_capacity(capacity(b))
                .send()
                .await?,
        ),
        "UpdateItem" => drop(
            conditional!(client.update_item(), b)
                .set_key(Some(item(&b["Key"])?))
                .set_update_expression(text(b, "UpdateExpression"))
                .set_return_values(text(b, "ReturnValues").map(|v| ReturnValue::from(v.as_str())))
                .set_return_consumed_capacity(capacity(b))
                .send()
                .await?,
        ),
        "DeleteItem" => drop(
            conditional!(client.delete_item(), b)
                .set_key(Some(item(&b["Key"])?))
                .set_return_values(text(b, "ReturnValues").map(|v| ReturnValue::from(v.as_str())))
                .set_return_consumed_capacity(capacity(b))
                .send()
                .await?,
        ),
        "Query" => drop(
            client
                .query()
                .set_table_name(text(b, "TableName"))
                .set_index_name(text(b, "IndexName"))
                .set_key_condition_expression(text(b, "KeyConditionExpression"))
                .set_filter_expression(text(b, "FilterExpression"))
                .set_projection_expression(text(b, "ProjectionExpression"))
                .set_expression_attribute_names(names(b))
                .set_expression_attribute_values(values(b)?)
                .set_limit(b["Limit"].as_i64().map(|l| l as i32))
                .set_exclusive_start_key(optional_item(b, "ExclusiveStartKey")?)
                .set_scan_index_forward(b["ScanIndexForward"].as_bool())
                .set_consistent_read(b["ConsistentRead"].as_bool())
                .set_select(text(b, "Select").map(|s| Select::from(s.as_str())))
                .set_return_consumed_capacity(capacity(b))
                .send()
                .await?,
        ),
        "BatchGetItem" => {
            let mut tables = HashMap::new();
            for (table, keys) in b["RequestItems"].as_object().context("RequestItems")? {
                let keys_and_attributes = KeysAndAttributes::builder()
                    .set_keys(Some(
                        keys["Keys"]
                            .as_array()
                            .context("Keys")?
                            .iter()
                            .map(item)
                            .collect::<Result<_>>()?,
                    ))
                    .set_consistent_read(keys["ConsistentRead"].as_bool())
                    .set_projection_expression(text(keys, "ProjectionExpression"))
                    .set_expression_attribute_names(names(keys))
                    .build()?;
                tables.insert(table.clone(), keys_and_attributes);
            }
            drop(
                client
                    .batch_get_item()
                    .set_request_items(Some(tables))
                    .set_return_consumed_capacity(capacity(b))
                    .send()
                    .await?,
            )
        }
        "TransactWriteItems" => drop(
            client
                .transact_write_items()
                .set_transact_items(Some(
                    b["TransactItems"]
                        .as_array()
                        .context("TransactItems")?
                        .iter()
                        .map(transact_item)
                        .collect::<Result<_>>()?,
                ))
                .set_return_consumed_capacity(capacity(b))
                .send()
                .await?,
        ),
        other => bail!("no replay for DynamoDB's {other}"),
    }
    Ok(())
}

fn transact_item(entry: &Value) -> Result<TransactWriteItem> {
    let builder = TransactWriteItem::builder();
    Ok(if let Some(p) = entry.get("Put") {
        builder.put(
            conditional!(Put::builder(), p)
                .set_item(Some(item(&p["Item"])?))
                .build()?,
        )
    } else if let Some(u) = entry.get("Update") {
        builder.update(
            conditional!(Update::builder(), u)
                .set_key(Some(item(&u["Key"])?))
                .set_update_expression(text(u, "UpdateExpression"))
                .build()?,
        )
    } else if let Some(d) = entry.get("Delete") {
        builder.delete(
            conditional!(Delete::builder(), d)
                .set_key(Some(item(&d["Key"])?))
                .build()?,
        )
    } else if let Some(c) = entry.get("ConditionCheck") {
        builder.condition_check(
            conditional!(ConditionCheck::builder(), c)
                .set_key(Some(item(&c["Key"])?))
                .build()?,
        )
    } else {
        bail!("a transaction item that is no Put, Update, Delete or ConditionCheck")
    }
    .build())
}

fn text(body: &Value, field: &str) -> Option<String> {
    body[field].as_str().map(str::to_owned)
}

fn capacity(body: &Value) -> Option<ReturnConsumedCapacity> {
    text(body, "ReturnConsumedCapacity").map(|c| ReturnConsumedCapacity::from(c.as_str()))
}

fn on_failure(body: &Value) -> Option<ReturnValuesOnConditionCheckFailure> {
    text(body, "ReturnValuesOnConditionCheckFailure")
        .map(|r| ReturnValuesOnConditionCheckFailure::from(r.as_str()))
}

fn names(body: &Value) -> Option<HashMap<String, String>> {
    let names = body["ExpressionAttributeNames"].as_object()?;
    Some(
        names
            .iter()
            .filter_map(|(placeholder, name)| Some((placeholder.clone(), name.as_str()?.into())))
            .collect(),
    )
}

fn values(body: &Value) -> Result<Option<HashMap<String, AttributeValue>>> {
    optional_item(body, "ExpressionAttributeValues")
}

fn optional_item(body: &Value, field: &str) -> Result<Option<HashMap<String, AttributeValue>>> {
    match &body[field] {
        Value::Null => Ok(None),
        map => item(map).map(Some),
    }
}

/// A DynamoDB JSON item (`{"name": {"S": "…"}, …}`) as the SDK's attribute map.
fn item(map: &Value) -> Result<HashMap<String, AttributeValue>> {
    map.as_object()
        .context("an item")?
        .iter()
        .map(|(name, value)| Ok((name.clone(), attribute(value)?)))
        .collect()
}

fn attribute(value: &Value) -> Result<AttributeValue> {
    let (kind, inner) = value
        .as_object()
        .and_then(|typed| typed.iter().next())
        .context("an attribute value")?;
    let string = || inner.as_str().map(str::to_owned).context("a string");
    let strings = || -> Result<Vec<String>> {
        inner
            .as_array()
            .context("a set")?
            .iter()
            .map(|s| s.as_str().map(str::to_owned).context("a string"))
            .collect()
    };
    Ok(match kind.as_str() {
        "S" => AttributeValue::S(string()?),
        "N" => AttributeValue::N(string()?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().context("a boolean")?),
        "NULL" => AttributeValue::Null(true),
        "M" => AttributeValue::M(item(inner)?),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .context("a list")?
                .iter()
                .map(attribute)
                .collect::<Result<_>>()?,
        ),
        "SS" => AttributeValue::Ss(strings()?),
        "NS" => AttributeValue::Ns(strings()?),
        other => bail!("no replay for attribute type {other}"),
    })
}
