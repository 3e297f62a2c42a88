//! The local tables are the template's tables: created from it, and read back equal to it.

use integration_tests::{dynamodb_client, ensure_tables, workspace_root};

#[tokio::test]
async fn every_template_table_exists_locally_exactly_as_defined() {
    ensure_tables();
    let specs = admin::template::table_specs_from_file(
        &workspace_root().join(admin::template::TEMPLATE_PATH),
    )
    .expect("template readable");
    let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["ApiKeys", "DataSets", "Forms", "Idempotency", "Sessions"]
    );
    let client = dynamodb_client();
    for spec in &specs {
        let live = admin::tables::describe(&client, &spec.name)
            .await
            .expect("table exists");
        assert_eq!(
            &live, spec,
            "table {} differs from infra/template.yaml",
            spec.name
        );
    }
}

#[test]
fn the_datasets_index_is_the_one_the_store_writes() {
    let specs = admin::template::table_specs_from_file(
        &workspace_root().join(admin::template::TEMPLATE_PATH),
    )
    .expect("template readable");
    let datasets = specs
        .iter()
        .find(|s| s.name == "DataSets")
        .expect("DataSets table");
    let index = &datasets.global_secondary_indexes[0];
    assert_eq!(index.index_name, shared::store::dynamo::BY_CREATED_INDEX);
    let keys: Vec<_> = index
        .key_schema
        .iter()
        .map(|k| (k.attribute_name.as_str(), k.key_type.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            (shared::store::dynamo::BY_CREATED_PK, "HASH"),
            (shared::store::dynamo::BY_CREATED_SK, "RANGE")
        ]
    );
    let sessions = specs
        .iter()
        .find(|s| s.name == "Sessions")
        .expect("Sessions table");
    assert_eq!(
        sessions
            .time_to_live_specification
            .as_ref()
            .map(|t| t.attribute_name.as_str()),
        Some("expiresAt")
    );
}
