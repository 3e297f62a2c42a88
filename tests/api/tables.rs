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
        [
            "ApiKeys",
            "Changelogs",
            "Collections",
            "DataSets",
            "Entities",
            "Forms",
            "Idempotency",
            "Sessions"
        ]
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

/// The keys of `table`'s index `name`, as the template defines them.
fn index_keys(
    specs: &[admin::template::TableSpec],
    table: &str,
    name: &str,
) -> Vec<(String, String)> {
    let spec = specs.iter().find(|s| s.name == table).expect("table");
    let index = spec
        .global_secondary_indexes
        .iter()
        .find(|i| i.index_name == name)
        .unwrap_or_else(|| panic!("{table} has no index {name}"));
    index
        .key_schema
        .iter()
        .map(|k| (k.attribute_name.clone(), k.key_type.clone()))
        .collect()
}

#[test]
fn the_indexes_are_the_ones_the_stores_write() {
    use shared::store::dynamo::{BY_CONTACT_INDEX, BY_CREATED_INDEX, BY_CREATED_PK, BY_CREATED_SK};
    let specs = admin::template::table_specs_from_file(
        &workspace_root().join(admin::template::TEMPLATE_PATH),
    )
    .expect("template readable");
    let by_created = vec![
        (BY_CREATED_PK.to_owned(), "HASH".to_owned()),
        (BY_CREATED_SK.to_owned(), "RANGE".to_owned()),
    ];
    for table in ["DataSets", "Changelogs"] {
        assert_eq!(
            index_keys(&specs, table, BY_CREATED_INDEX),
            by_created,
            "{table}"
        );
    }
    assert_eq!(
        index_keys(&specs, "DataSets", BY_CONTACT_INDEX),
        [
            ("contactKey".to_owned(), "HASH".to_owned()),
            (BY_CREATED_SK.to_owned(), "RANGE".to_owned())
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

#[tokio::test]
async fn a_table_kept_from_before_gets_the_stream_the_template_added() {
    ensure_tables();
    let specs = admin::template::table_specs_from_file(
        &workspace_root().join(admin::template::TEMPLATE_PATH),
    )
    .expect("template readable");
    let mut spec = specs
        .into_iter()
        .find(|s| s.name == "Entities")
        .expect("an Entities table");
    assert!(
        spec.stream_specification.is_some(),
        "the Entities table has a stream"
    );
    spec.name = format!("Kept-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let before = admin::template::TableSpec {
        stream_specification: None,
        ..spec.clone()
    };
    let client = dynamodb_client();
    admin::tables::ensure(&client, std::slice::from_ref(&before))
        .await
        .expect("created without a stream");
    let outcomes = admin::tables::ensure(&client, std::slice::from_ref(&spec))
        .await
        .expect("ensured");
    assert_eq!(outcomes[0].1, admin::tables::Outcome::IndexAdded);
    let live = admin::tables::describe(&client, &spec.name)
        .await
        .expect("described");
    assert_eq!(live, spec);
}
