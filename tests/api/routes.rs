//! One set of routes everywhere: the template's HttpApi events, the OpenAPI document that
//! schemathesis fuzzes, and the cargo-lambda router of `make dev` name the same routes, and
//! each sends a method and path to the same function.

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

/// The template's routes: (METHOD, path, function), `ANY` included.
fn template_routes() -> BTreeSet<Route> {
    template_functions().0
}

/// The template's routes, and its functions that serve events (a schedule's or a stream's,
/// no route).
fn template_functions() -> (BTreeSet<Route>, BTreeSet<String>) {
    let text =
        std::fs::read_to_string(workspace_root().join("infra/template.yaml")).expect("template");
    let template: Template = serde_norway::from_str(&text).expect("template YAML");
    let mut routes = BTreeSet::new();
    let mut scheduled = BTreeSet::new();
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
        let kinds: BTreeSet<&str> = events.values().filter_map(|e| e["Type"].as_str()).collect();
        if kinds == BTreeSet::from(["ScheduleV2"]) || kinds == BTreeSet::from(["DynamoDB"]) {
            scheduled.insert(binary);
            continue;
        }
        for (_, event) in events {
            assert_eq!(
                event["Type"].as_str(),
                Some("HttpApi"),
                "{name}: HttpApi events only, or a schedule only, or a stream only"
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
    (routes, scheduled)
}

/// Methods an HTTP client may send; API Gateway's `ANY` stands for all of them.
const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "QUERY",
];

#[derive(Deserialize)]
struct LocalRoute {
    method: String,
    function: String,
}

/// The router of `cargo lambda watch`: (METHOD, path) -> function.
fn local_router() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("Cargo.toml");
    let manifest: toml::Value = toml::from_str(&text).expect("TOML");
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"].clone();
    let router: BTreeMap<String, Vec<LocalRoute>> =
        router.try_into().expect("path = [{ method, function }]");
    router
        .into_iter()
        .flat_map(|(path, routes)| {
            routes
                .into_iter()
                .map(move |route| ((route.method, path.clone()), route.function))
        })
        .collect()
}

/// Where API Gateway sends each (METHOD, path): the route of that method, else the `ANY` one.
fn deployed_router() -> BTreeMap<(String, String), String> {
    let routes = template_routes();
    let mut router = BTreeMap::new();
    for (method, path, function) in &routes {
        if method == "ANY" {
            for any in METHODS {
                router
                    .entry((any.to_owned(), path.clone()))
                    .or_insert_with(|| function.clone());
            }
        }
    }
    for (method, path, function) in routes.into_iter().filter(|(m, _, _)| m != "ANY") {
        router.insert((method, path), function);
    }
    router
}

/// The OpenAPI document's operations: (METHOD, path).
fn spec_operations() -> BTreeSet<(String, String)> {
    let text =
        std::fs::read_to_string(workspace_root().join("docs/openapi.yaml")).expect("openapi.yaml");
    let spec: serde_norway::Value = serde_norway::from_str(&text).expect("OpenAPI YAML");
    let paths = spec["paths"].as_mapping().expect("paths");
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    paths
        .iter()
        .flat_map(|(path, item)| {
            let path = path.as_str().expect("path").to_owned();
            item.as_mapping()
                .expect("path item")
                .keys()
                .filter_map(|key| key.as_str())
                .filter(|key| methods.contains(key))
                .map(move |method| (method.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_openapi_document_describes_exactly_the_deployed_routes() {
    let deployed: BTreeSet<(String, String)> = template_routes()
        .into_iter()
        .filter(|(method, _, _)| method != "ANY")
        .map(|(method, path, _)| (method, path))
        .collect();
    let documented = spec_operations();
    assert!(!deployed.is_empty());
    let undocumented: Vec<_> = deployed.difference(&documented).collect();
    let not_deployed: Vec<_> = documented.difference(&deployed).collect();
    assert!(
        undocumented.is_empty() && not_deployed.is_empty(),
        "in the template but not in docs/openapi.yaml: {undocumented:?}; \
         in docs/openapi.yaml but not in the template: {not_deployed:?}"
    );
}

#[test]
fn every_path_answers_other_methods_through_one_of_its_functions() {
    let routes = template_routes();
    let paths: BTreeSet<&String> = routes.iter().map(|(_, path, _)| path).collect();
    for path in paths {
        let any: Vec<&String> = routes
            .iter()
            .filter(|(method, p, _)| method == "ANY" && p == path)
            .map(|(_, _, function)| function)
            .collect();
        assert_eq!(
            any.len(),
            1,
            "{path} needs exactly one ANY route, to a function that answers 405 with Allow"
        );
    }
}

#[test]
fn each_function_serves_one_endpoint() {
    let mut endpoints: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for (method, path, function) in template_routes() {
        if method != "ANY" && method != "OPTIONS" {
            endpoints
                .entry(function)
                .or_default()
                .insert((method, path));
        }
    }
    for (function, served) in &endpoints {
        assert_eq!(served.len(), 1, "{function} serves {served:?}");
    }
    let crates = std::fs::read_dir(workspace_root().join("functions"))
        .expect("functions/")
        .count();
    let scheduled = template_functions().1;
    assert_eq!(
        endpoints.len() + scheduled.len(),
        crates,
        "one function crate per endpoint, schedule or stream"
    );
}

#[test]
fn the_local_router_sends_every_method_where_api_gateway_does() {
    let deployed = deployed_router();
    assert!(!deployed.is_empty());
    assert_eq!(
        local_router(),
        deployed,
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
