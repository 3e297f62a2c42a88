//! `make dev` serves exactly the API Gateway routes: the template's HttpApi events and the
//! cargo-lambda router in Cargo.toml name the same (method, path, function) triples.

use std::collections::{BTreeMap, BTreeSet};

use integration_tests::workspace_root;
use serde::Deserialize;

type Route = (String, String, String);

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
    metadata: Option<serde_norway::Value>,
    #[serde(default)]
    properties: Option<serde_norway::Value>,
}

fn template_routes() -> BTreeSet<Route> {
    let text =
        std::fs::read_to_string(workspace_root().join("infra/template.yaml")).expect("template");
    let template: Template = serde_norway::from_str(&text).expect("template YAML");
    let mut routes = BTreeSet::new();
    for (name, resource) in template.resources {
        if resource.kind != "AWS::Serverless::Function" {
            continue;
        }
        let binary = resource
            .metadata
            .as_ref()
            .and_then(|m| m["BuildProperties"]["Binary"].as_str().map(str::to_owned));
        let binary =
            binary.unwrap_or_else(|| panic!("{name} names its binary in Metadata.BuildProperties"));
        let events = resource
            .properties
            .as_ref()
            .and_then(|p| p["Events"].as_mapping().cloned())
            .unwrap_or_default();
        for (_, event) in events {
            assert_eq!(
                event["Type"].as_str(),
                Some("HttpApi"),
                "{name}: only HttpApi events"
            );
            let path = event["Properties"]["Path"]
                .as_str()
                .expect("Path")
                .to_owned();
            let method = event["Properties"]["Method"]
                .as_str()
                .expect("Method")
                .to_uppercase();
            routes.insert((method, path, binary.clone()));
        }
    }
    routes
}

#[derive(Deserialize)]
struct RouterEntry {
    method: String,
    function: String,
}

fn local_routes() -> BTreeSet<Route> {
    let text = std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("Cargo.toml");
    let manifest: toml::Value = toml::from_str(&text).expect("TOML");
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"].clone();
    let router: BTreeMap<String, Vec<RouterEntry>> =
        router.try_into().expect("path = [{ method, function }]");
    router
        .into_iter()
        .flat_map(|(path, entries)| {
            entries
                .into_iter()
                .map(move |e| (e.method, path.clone(), e.function))
        })
        .collect()
}

#[test]
fn the_local_router_serves_exactly_the_template_routes() {
    let (deployed, local) = (template_routes(), local_routes());
    assert!(!deployed.is_empty());
    assert_eq!(
        local, deployed,
        "Cargo.toml's router and infra/template.yaml disagree"
    );
}

#[test]
fn every_routed_function_is_a_workspace_function() {
    for (_, _, function) in template_routes() {
        let manifest = workspace_root()
            .join("functions")
            .join(&function)
            .join("Cargo.toml");
        assert!(manifest.exists(), "functions/{function}/Cargo.toml");
    }
}
