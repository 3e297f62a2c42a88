//! Update expressions with short placeholders: DynamoDB caps an expression at 4 KB and a
//! request may touch 200 values.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_dynamo::aws_sdk_dynamodb_1::to_attribute_value;
use serde_json::Value;

use super::corrupt;
use crate::ground::storage::StoreError;

pub(super) fn attribute(value: &Value) -> Result<AttributeValue, StoreError> {
    to_attribute_value(value).map_err(corrupt("value to write"))
}

pub(super) fn number(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// `SET`/`REMOVE` clauses with their placeholders.
pub(super) struct UpdateExpression {
    pub(super) names: HashMap<String, String>,
    pub(super) value_names: HashMap<String, String>,
    pub(super) values: HashMap<String, AttributeValue>,
    pub(super) set: Vec<String>,
    pub(super) remove: Vec<String>,
}

impl UpdateExpression {
    pub(super) fn new() -> Self {
        let names = [
            ("#v", "values"),
            ("#m", "meta"),
            ("#x", "fixed"),
            ("#r", "fixedRev"),
            ("#n", "version"),
            ("#k", "kind"),
            ("#s", "status"),
            ("#f", "formHash"),
            ("#e", "expiresAt"),
            ("#u", "updatedAt"),
            ("#w", "visitSessionId"),
        ];
        Self {
            names: names
                .into_iter()
                .map(|(p, n)| (p.to_owned(), n.to_owned()))
                .collect(),
            value_names: HashMap::new(),
            values: HashMap::new(),
            set: Vec::new(),
            remove: Vec::new(),
        }
    }

    /// The placeholder of a value name (`#0`, `#1`, …), shared by `values` and `meta`.
    pub(super) fn name(&mut self, name: &str) -> String {
        if let Some(placeholder) = self.value_names.get(name) {
            return placeholder.clone();
        }
        let placeholder = format!("#{}", self.value_names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        self.value_names
            .insert(name.to_owned(), placeholder.clone());
        placeholder
    }

    pub(super) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    pub(super) fn expression(&self) -> String {
        let mut expression = format!("SET {}", self.set.join(", "));
        if !self.remove.is_empty() {
            expression.push_str(" REMOVE ");
            expression.push_str(&self.remove.join(", "));
        }
        expression
    }
}
