//! Reads the DynamoDB tables out of `infra/template.yaml`, so local tables are created from
//! the very definitions CloudFormation deploys: there is no second hand-written schema.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// Where the template lives, relative to the workspace root.
pub const TEMPLATE_PATH: &str = "infra/template.yaml";
const TABLE_TYPE: &str = "AWS::DynamoDB::Table";

/// What DynamoDB Local can reproduce of a table: keys, indexes, TTL and its stream. Billing,
/// PITR and SSE only exist in AWS. Lists are kept sorted so two specs compare by content.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableSpec {
    #[serde(skip)]
    pub name: String,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeyElement>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<IndexSpec>,
    #[serde(default)]
    pub time_to_live_specification: Option<TimeToLive>,
    #[serde(default)]
    pub stream_specification: Option<StreamSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexSpec {
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: ProjectionSpec,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionSpec {
    pub projection_type: String,
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLive {
    pub attribute_name: String,
    pub enabled: bool,
}

/// A table's stream: what each record holds of the item (`NEW_IMAGE`, `KEYS_ONLY`, …).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpec {
    pub stream_view_type: String,
}

impl TableSpec {
    /// Sorts every list so that specs from the template and from DynamoDB compare equal.
    pub fn normalized(mut self) -> Self {
        self.attribute_definitions.sort();
        // Key order matters (HASH before RANGE) and is already fixed by DynamoDB.
        for index in &mut self.global_secondary_indexes {
            index.projection.non_key_attributes.sort();
        }
        self.global_secondary_indexes.sort();
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the template is not valid YAML of the expected shape: {0}")]
    Parse(#[from] serde_norway::Error),
    #[error("table {table}: {source}")]
    Table {
        table: String,
        source: serde_norway::Error,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    resources: BTreeMap<String, Resource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(default)]
    properties: serde_norway::Value,
}

/// Every `AWS::DynamoDB::Table` of the template, named by its logical id.
pub fn table_specs(template_yaml: &str) -> Result<Vec<TableSpec>, TemplateError> {
    let template: Template = serde_norway::from_str(template_yaml)?;
    template
        .resources
        .into_iter()
        .filter(|(_, resource)| resource.kind == TABLE_TYPE)
        .map(|(name, resource)| {
            let spec: TableSpec =
                serde_norway::from_value(resource.properties).map_err(|source| {
                    TemplateError::Table {
                        table: name.clone(),
                        source,
                    }
                })?;
            Ok(TableSpec { name, ..spec }.normalized())
        })
        .collect()
}

pub fn table_specs_from_file(path: &Path) -> Result<Vec<TableSpec>, TemplateError> {
    let yaml = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
        path: path.display().to_string(),
        source,
    })?;
    table_specs(&yaml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_and_skips_other_resources_with_intrinsic_tags() {
        let yaml = r#"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment: { Variables: { T: !Ref Things } }
  Things:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: true }
      StreamSpecification: { StreamViewType: NEW_IMAGE }
"#;
        let specs = table_specs(yaml).expect("valid template");
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].name, "Things");
        assert_eq!(specs[0].key_schema[0].attribute_name, "id");
        assert_eq!(
            specs[0]
                .time_to_live_specification
                .as_ref()
                .map(|t| t.attribute_name.as_str()),
            Some("expiresAt")
        );
        assert_eq!(
            specs[0].stream_specification,
            Some(StreamSpec {
                stream_view_type: "NEW_IMAGE".to_owned()
            })
        );
    }
}
