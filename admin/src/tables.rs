//! Creates local tables from their template specs, and reads a live table back as a spec so
//! the two can be compared.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext};
use aws_sdk_dynamodb::types::{
    self, BillingMode, KeyType, ProjectionType, ScalarAttributeType, StreamSpecification,
    StreamViewType, TimeToLiveSpecification, TimeToLiveStatus,
};

use crate::template::{
    AttributeDefinition, IndexSpec, KeyElement, ProjectionSpec, StreamSpec, TableSpec, TimeToLive,
};

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("table {table}: {message}")]
    Request { table: String, message: String },
    #[error("table {table}: invalid definition: {source}")]
    Definition { table: String, source: BuildError },
}

fn request_error(table: &str, err: impl std::error::Error) -> TableError {
    TableError::Request {
        table: table.to_owned(),
        message: DisplayErrorContext(err).to_string(),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// The table was there; indexes (or the stream) the template added since were created.
    IndexAdded,
    AlreadyThere,
}

/// Creates each table that does not exist yet (on-demand, with its indexes, TTL and stream),
/// and adds the indexes and stream a table made by an earlier version lacks (a `make dev`
/// database kept on disk).
pub async fn ensure(
    client: &Client,
    specs: &[TableSpec],
) -> Result<Vec<(String, Outcome)>, TableError> {
    let mut outcomes = Vec::with_capacity(specs.len());
    for spec in specs {
        let existing = match client.describe_table().table_name(&spec.name).send().await {
            Ok(output) => output.table,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                None
            }
            Err(err) => return Err(request_error(&spec.name, err)),
        };
        let outcome = match existing {
            Some(table) => add_missing_indexes(client, spec, &table).await?,
            None => create(client, spec).await?,
        };
        outcomes.push((spec.name.clone(), outcome));
    }
    Ok(outcomes)
}

/// Adds, one `UpdateTable` each, the template's indexes the live table does not have.
async fn add_missing_indexes(
    client: &Client,
    spec: &TableSpec,
    table: &types::TableDescription,
) -> Result<Outcome, TableError> {
    let definition = |source| TableError::Definition {
        table: spec.name.clone(),
        source,
    };
    let live: Vec<&str> = table
        .global_secondary_indexes()
        .iter()
        .filter_map(|index| index.index_name())
        .collect();
    let mut outcome = Outcome::AlreadyThere;
    for index in spec
        .global_secondary_indexes
        .iter()
        .filter(|index| !live.contains(&index.index_name.as_str()))
    {
        let create = types::CreateGlobalSecondaryIndexAction::builder()
            .index_name(&index.index_name)
            .set_key_schema(Some(key_schema(&index.key_schema).map_err(definition)?))
            .projection(projection(index))
            .build()
            .map_err(definition)?;
        client
            .update_table()
            .table_name(&spec.name)
            .set_attribute_definitions(Some(attribute_definitions(spec).map_err(definition)?))
            .global_secondary_index_updates(
                types::GlobalSecondaryIndexUpdate::builder()
                    .create(create)
                    .build(),
            )
            .send()
            .await
            .map_err(|err| request_error(&spec.name, err))?;
        outcome = Outcome::IndexAdded;
    }
    if let Some(stream) = &spec.stream_specification
        && !table
            .stream_specification()
            .is_some_and(|s| s.stream_enabled())
    {
        client
            .update_table()
            .table_name(&spec.name)
            .stream_specification(stream_specification(stream).map_err(definition)?)
            .send()
            .await
            .map_err(|err| request_error(&spec.name, err))?;
        outcome = Outcome::IndexAdded;
    }
    Ok(outcome)
}

fn stream_specification(stream: &StreamSpec) -> Result<StreamSpecification, BuildError> {
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::from(stream.stream_view_type.as_str()))
        .build()
}

fn attribute_definitions(spec: &TableSpec) -> Result<Vec<types::AttributeDefinition>, BuildError> {
    spec.attribute_definitions
        .iter()
        .map(|a| {
            types::AttributeDefinition::builder()
                .attribute_name(&a.attribute_name)
                .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                .build()
        })
        .collect()
}

fn projection(index: &IndexSpec) -> types::Projection {
    types::Projection::builder()
        .projection_type(ProjectionType::from(
            index.projection.projection_type.as_str(),
        ))
        .set_non_key_attributes(
            (!index.projection.non_key_attributes.is_empty())
                .then(|| index.projection.non_key_attributes.clone()),
        )
        .build()
}

/// Creates one table; another process creating it at the same moment counts as there.
async fn create(client: &Client, spec: &TableSpec) -> Result<Outcome, TableError> {
    let definition = |source| TableError::Definition {
        table: spec.name.clone(),
        source,
    };
    let attributes = attribute_definitions(spec).map_err(definition)?;
    let indexes = spec
        .global_secondary_indexes
        .iter()
        .map(|index| {
            types::GlobalSecondaryIndex::builder()
                .index_name(&index.index_name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(projection(index))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(definition)?;
    let created = client
        .create_table()
        .table_name(&spec.name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&spec.key_schema).map_err(definition)?))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .set_stream_specification(
            spec.stream_specification
                .as_ref()
                .map(stream_specification)
                .transpose()
                .map_err(definition)?,
        )
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            return Ok(Outcome::AlreadyThere);
        }
        Err(err) => return Err(request_error(&spec.name, err)),
    }
    if let Some(ttl) = &spec.time_to_live_specification {
        client
            .update_time_to_live()
            .table_name(&spec.name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(&ttl.attribute_name)
                    .enabled(ttl.enabled)
                    .build()
                    .map_err(definition)?,
            )
            .send()
            .await
            .map_err(|err| request_error(&spec.name, err))?;
    }
    Ok(Outcome::Created)
}

fn key_schema(keys: &[KeyElement]) -> Result<Vec<types::KeySchemaElement>, BuildError> {
    keys.iter()
        .map(|k| {
            types::KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
        })
        .collect()
}

/// The live table as a spec, for comparison with the template.
pub async fn describe(client: &Client, name: &str) -> Result<TableSpec, TableError> {
    let table = client
        .describe_table()
        .table_name(name)
        .send()
        .await
        .map_err(|err| request_error(name, err))?
        .table
        .ok_or_else(|| TableError::Request {
            table: name.to_owned(),
            message: "DescribeTable returned no table".to_owned(),
        })?;
    let ttl = client
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .map_err(|err| request_error(name, err))?
        .time_to_live_description
        .filter(|d| {
            matches!(
                d.time_to_live_status(),
                Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            )
        })
        .and_then(|d| d.attribute_name)
        .map(|attribute_name| TimeToLive {
            attribute_name,
            enabled: true,
        });
    let keys = |schema: &[types::KeySchemaElement]| {
        schema
            .iter()
            .map(|k| KeyElement {
                attribute_name: k.attribute_name().to_owned(),
                key_type: k.key_type().as_str().to_owned(),
            })
            .collect::<Vec<_>>()
    };
    Ok(TableSpec {
        name: name.to_owned(),
        attribute_definitions: table
            .attribute_definitions()
            .iter()
            .map(|a| AttributeDefinition {
                attribute_name: a.attribute_name().to_owned(),
                attribute_type: a.attribute_type().as_str().to_owned(),
            })
            .collect(),
        key_schema: keys(table.key_schema()),
        global_secondary_indexes: table
            .global_secondary_indexes()
            .iter()
            .map(|index| IndexSpec {
                index_name: index.index_name().unwrap_or_default().to_owned(),
                key_schema: keys(index.key_schema()),
                projection: ProjectionSpec {
                    projection_type: index
                        .projection()
                        .and_then(|p| p.projection_type())
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default(),
                    non_key_attributes: index
                        .projection()
                        .map(|p| p.non_key_attributes().to_vec())
                        .unwrap_or_default(),
                },
            })
            .collect(),
        time_to_live_specification: ttl,
        stream_specification: table
            .stream_specification()
            .filter(|s| s.stream_enabled())
            .and_then(|s| s.stream_view_type())
            .map(|view| StreamSpec {
                stream_view_type: view.as_str().to_owned(),
            }),
    }
    .normalized())
}
