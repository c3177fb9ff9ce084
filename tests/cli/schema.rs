//! The manifest's JSON Schema: committed, current, and agreeing with the examples.

use crate::harness::{Test, example_manifests, root};

const COMMITTED: &str = "schema/manifest.schema.json";

#[test]
fn the_committed_schema_is_current() {
    let run = Test::new().arg("schema").run();
    let committed = fs_err::read_to_string(root().join(COMMITTED)).unwrap_or_default();
    assert!(run.stdout == committed, "{COMMITTED} is stale: run `cargo run -- schema > {COMMITTED}` and commit it");
}

#[test]
fn every_example_conforms_to_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&fs_err::read_to_string(root().join(COMMITTED)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for manifest in example_manifests() {
        let text = fs_err::read_to_string(&manifest).unwrap();
        let tree = skaffold::yaml::parse(&text, skaffold::yaml::Limits::default()).expect("parses");
        let json = skaffold::yaml::to_json(&tree);
        let errors: Vec<String> = validator.iter_errors(&json).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", manifest.display());
    }
}

#[test]
fn the_schema_rejects_an_unknown_key() {
    let schema: serde_json::Value = serde_json::from_str(&fs_err::read_to_string(root().join(COMMITTED)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let bad = serde_json::json!({ "skaffold": 1, "name": "svc", "resources": {}, "colour": "red" });
    assert!(!validator.is_valid(&bad));
}
