use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use super::{document, to_json};
use crate::generate::PRODUCT_STACKS;
use crate::manifest::{self, CheckContext};
use crate::model::Service;

/// The official OpenAPI 3.1 document schema; its provenance is in `tests/data/README.md`.
const OAS_SCHEMA: &str = include_str!("../../../tests/data/openapi-3.1.schema.json");

fn examples() -> Vec<(String, Service)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut paths: Vec<_> =
        fs_err::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "yaml")).collect();
    paths.sort();
    assert!(!paths.is_empty());
    paths
        .into_iter()
        .map(|path| {
            let src = fs_err::read_to_string(&path).unwrap();
            let service = manifest::load(&src, CheckContext { src: &src, stacks: &PRODUCT_STACKS }).unwrap();
            (path.file_name().unwrap().to_string_lossy().into_owned(), service)
        })
        .collect()
}

fn example(name: &str) -> Service {
    examples().into_iter().find(|(file, _)| file == name).unwrap().1
}

fn errors_of(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn every_example_is_a_valid_openapi_3_1_document() {
    let schema: Value = serde_json::from_str(OAS_SCHEMA).unwrap();
    assert_eq!(schema["$id"], "https://spec.openapis.org/oas/3.1/schema/2022-10-07");
    let validator = jsonschema::draft202012::options().should_validate_formats(true).build(&schema).unwrap();
    // The validator must be able to fail, or a pass means nothing.
    assert!(!validator.is_valid(&json!({ "openapi": "3.1.0", "info": { "title": "x" }, "paths": {} })));
    assert!(!validator.is_valid(&json!({ "openapi": "3.1.0", "info": { "title": "x", "version": "1" }, "paths": { "/a": { "get": { "responses": { "200": {} } } } } })));
    for (file, service) in examples() {
        let doc = document(&service);
        let errors = errors_of(&validator, &doc);
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        // Breaking the document deep inside must be noticed too: a path parameter that is not
        // required, an unknown operation key, and a Schema Object reached through `$dynamicRef`.
        let mut broken = doc.clone();
        broken["components"]["parameters"]["Id"]["required"] = json!(false);
        assert!(!validator.is_valid(&broken), "{file}");
        let mut broken = doc.clone();
        broken["paths"]["/v1/audit-events"]["get"]["bogus"] = json!(1);
        assert!(!validator.is_valid(&broken), "{file}");
        let mut broken = doc;
        broken["components"]["schemas"]["Problem"] = json!(5);
        assert!(!validator.is_valid(&broken), "{file}");
    }
}

#[test]
fn every_component_schema_is_valid_json_schema_2020_12() {
    for (file, service) in examples() {
        let doc = document(&service);
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            jsonschema::draft202012::meta::validate(schema).unwrap_or_else(|e| panic!("{file}: {name}: {e}"));
        }
    }
}

fn walk<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                out.push(target);
            }
            map.values().for_each(|v| walk(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
        _ => {}
    }
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => doc.pointer(target.trim_start_matches('#')).unwrap_or_else(|| panic!("unresolved {target}")),
        None => value,
    }
}

#[test]
fn every_ref_resolves_inside_the_document() {
    for (file, service) in examples() {
        let doc = document(&service);
        let mut refs = Vec::new();
        walk(&doc, &mut refs);
        assert!(!refs.is_empty());
        for target in refs {
            assert!(target.starts_with("#/"), "{file}: external ref {target}");
            assert!(doc.pointer(&target[1..]).is_some(), "{file}: {target} does not resolve");
        }
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[test]
fn path_parameters_match_the_templates_and_operation_ids_are_unique() {
    for (file, service) in examples() {
        let doc = document(&service);
        let mut ids = HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let templated: BTreeSet<&str> = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
            let shared: Vec<&Value> = item.get("parameters").and_then(Value::as_array).into_iter().flatten().collect();
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let id = op["operationId"].as_str().unwrap();
                assert!(ids.insert(id.to_owned()), "{file}: duplicate operationId {id}");
                assert!(id.chars().next().unwrap().is_ascii_lowercase() && id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
                let own = op.get("parameters").and_then(Value::as_array).into_iter().flatten();
                let declared: BTreeSet<&str> = shared
                    .iter()
                    .copied()
                    .chain(own)
                    .map(|p| resolve(&doc, p))
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap())
                    .collect();
                assert_eq!(declared, templated, "{file}: {method} {path}");
            }
        }
    }
}

/// A validator for one named schema, with every other component schema reachable by `$ref`.
fn component_validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let root = json!({ "$ref": format!("#/components/schemas/{name}"), "components": { "schemas": doc["components"]["schemas"] } });
    jsonschema::draft202012::options().should_validate_formats(true).build(&root).unwrap()
}

#[test]
fn every_example_validates_against_its_own_schema() {
    for (file, service) in examples() {
        let doc = document(&service);
        let mut checked = 0;
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            let Some(examples) = schema.get("examples").and_then(Value::as_array) else { continue };
            let validator = component_validator(&doc, name);
            assert!(!validator.is_valid(&json!(42)), "{file}: {name} accepts anything");
            for example in examples {
                let errors = errors_of(&validator, example);
                assert!(errors.is_empty(), "{file}: {name}: {errors:#?}\n{example:#}");
                checked += 1;
            }
        }
        for resource in &service.resources {
            let name = super::pascal_case(&resource.name);
            assert!(doc["components"]["schemas"][&name]["examples"].is_array(), "{file}: {name} has no example");
        }
        let problem = component_validator(&doc, "Problem");
        for (name, response) in doc["components"]["responses"].as_object().unwrap() {
            let Some(content) = response.get("content") else { continue };
            let examples = content["application/problem+json"]["examples"].as_object().unwrap();
            assert!(!examples.is_empty(), "{file}: {name}");
            for (slug, example) in examples {
                let value = &example["value"];
                let errors = errors_of(&problem, value);
                assert!(errors.is_empty(), "{file}: {name}/{slug}: {errors:#?}");
                let type_uri = value["type"].as_str().unwrap();
                assert!(type_uri.ends_with(slug.as_str()), "{type_uri}");
                checked += 1;
            }
        }
        assert!(checked > 10, "{file}: only {checked} examples");
    }
}

#[test]
fn the_text_is_stable_and_pretty() {
    for (file, service) in examples() {
        let (first, second) = (to_json(&service), to_json(&service));
        assert_eq!(first, second, "{file}");
        assert!(first.ends_with("}\n") && !first.ends_with("\n\n"));
        assert!(first.starts_with("{\n  \"openapi\": \"3.1.0\",\n  \"info\": {\n    \"title\""), "{file}");
        let reparsed: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(reparsed, document(&service));
    }
    let (a, b) = (example("payments.yaml"), example("payments.yaml"));
    assert_eq!(to_json(&a), to_json(&b));
}

fn operation_ids(doc: &Value) -> BTreeSet<String> {
    doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| METHODS.iter().filter_map(move |m| item.get(*m)))
        .map(|op| op["operationId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn only_declared_operations_exist() {
    let payments = document(&example("payments.yaml"));
    assert!(payments["paths"]["/v1/payments/{id}"].get("delete").is_none());
    assert!(payments["paths"]["/v1/payments/{id}"].get("patch").is_some());
    let ids = operation_ids(&payments);
    for id in [
        "createPayment",
        "listPayments",
        "getPayment",
        "updatePayment",
        "createCustomer",
        "deleteCustomer",
        "listAuditEvents",
        "receiveProviderWebhook",
    ] {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    assert!(!ids.contains("deletePayment"));
    assert_eq!(payments["paths"]["/v1/payments"]["get"]["summary"], "List payments");
    let too_many = &payments["components"]["responses"]["TooManyRequests"]["content"]["application/problem+json"]["examples"];
    assert_eq!(too_many["quota-exceeded"]["value"]["type"], super::QUOTA_EXCEEDED_TYPE);
    assert!(payments["components"]["schemas"].get("PaymentUpdate").is_some());

    let invoicing = document(&example("invoicing.yaml"));
    let ids = operation_ids(&invoicing);
    assert!(ids.contains("listLineItems") && ids.contains("deleteLineItem") && !ids.contains("updateLineItem"));
    assert!(invoicing["components"]["schemas"].get("LineItemUpdate").is_none());
}

#[test]
fn security_follows_the_auth_setting() {
    let payments = document(&example("payments.yaml"));
    assert_eq!(payments["security"], json!([{ "bearer": [] }]));
    assert_eq!(payments["components"]["securitySchemes"]["bearer"]["bearerFormat"], "JWT");
    assert_eq!(payments["paths"]["/v1/payments"]["post"]["security"], json!([{ "bearer": ["payments:write"] }]));
    assert_eq!(payments["paths"]["/v1/audit-events"]["get"]["security"], json!([{ "bearer": ["audit:read"] }]));
    for path in ["/health/live", "/health/ready", "/openapi.json", "/metrics"] {
        assert_eq!(payments["paths"][path]["get"]["security"], json!([]), "{path}");
    }
    assert_eq!(payments["paths"]["/webhooks/provider"]["post"]["security"], json!([]));
    assert!(payments["paths"]["/v1/payments"]["post"]["responses"].get("401").is_some());

    let notes = document(&example("notes.yaml"));
    assert!(notes.get("security").is_none() && notes["components"].get("securitySchemes").is_none());
    let text = to_json(&example("notes.yaml"));
    assert!(!text.contains("\"401\"") && !text.contains("\"403\""));
}

#[test]
fn resource_schemas_describe_the_wire_format() {
    let doc = document(&example("payments.yaml"));
    let schemas = &doc["components"]["schemas"];
    let payment = &schemas["Payment"];
    assert_eq!(payment["properties"]["provider_ref"]["type"], json!(["string", "null"]));
    assert_eq!(payment["properties"]["flags"]["items"]["enum"], json!(["high_risk_customer"]));
    assert_eq!(payment["properties"]["customer_id"]["x-references"], "customer");
    assert!(payment["required"].as_array().unwrap().contains(&json!("version")));
    let create = &schemas["PaymentCreate"];
    assert_eq!(create["required"], json!(["customer_id", "amount", "currency"]));
    assert!(create["properties"].get("status").is_none() && create["additionalProperties"] == false);
    let update = &schemas["PaymentUpdate"];
    assert_eq!(update["properties"].as_object().unwrap().keys().collect::<Vec<_>>(), ["description", "metadata"]);
    assert!(update.get("required").is_none());
    let post = &doc["paths"]["/v1/payments"]["post"];
    assert_eq!(resolve(&doc, &post["parameters"][0])["required"], true);
    let patch = &doc["paths"]["/v1/payments/{id}"]["patch"];
    assert_eq!(resolve(&doc, &patch["parameters"][1])["required"], false);
    assert!(patch["requestBody"]["content"].get("application/merge-patch+json").is_some());

    let invoicing = document(&example("invoicing.yaml"));
    let total = &invoicing["components"]["schemas"]["Invoice"]["properties"]["total"];
    assert_eq!(total["pattern"], r"^\d{1,10}(\.\d{1,2})?$");
    assert_eq!((total["x-precision"].clone(), total["x-scale"].clone()), (json!(12), json!(2)));
    let filter = invoicing["paths"]["/v1/invoices"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "status")
        .cloned()
        .unwrap();
    assert_eq!(filter["schema"]["enum"], json!(["draft", "open", "paid", "void"]));
}

#[test]
fn a_value_that_cannot_be_guaranteed_is_left_out_rather_than_invented() {
    let mut service = example("payments.yaml");
    let customer = &mut service.resources[0];
    // A pattern no value of the allowed length matches: the required field has no honest value.
    let country = customer.fields.iter_mut().find(|f| f.name == "country").unwrap();
    if let crate::model::FieldType::String { min_length, .. } = &mut country.ty {
        *min_length = Some(3);
    }
    let doc = document(&service);
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["Customer"].get("examples").is_none());
    assert!(schemas["CustomerCreate"].get("examples").is_none());
    assert!(schemas["AuditEvent"].get("examples").is_none(), "its example embeds a customer");
    assert!(schemas["Payment"]["examples"].is_array());

    // The same trouble on an optional field only costs that field's value.
    let mut service = example("payments.yaml");
    let payment = &mut service.resources[1];
    let provider_ref = payment.fields.iter_mut().find(|f| f.name == "provider_ref").unwrap();
    if let crate::model::FieldType::String { pattern, max_length, .. } = &mut provider_ref.ty {
        *pattern = Some("^[a-z]{10}$".into());
        *max_length = 5;
    }
    let doc = document(&service);
    assert_eq!(doc["components"]["schemas"]["Payment"]["examples"][0]["provider_ref"], Value::Null);
}

#[test]
fn reserved_resource_names_are_exactly_the_built_in_schemas() {
    let doc = document(&example("notes.yaml"));
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let built_in: BTreeSet<&str> =
        schemas.keys().map(String::as_str).filter(|name| !name.starts_with("Note") && *name != "AuditEventPage").collect();
    let reserved: BTreeSet<String> = super::RESERVED_RESOURCE_NAMES.iter().map(|n| super::pascal_case(n)).collect();
    assert_eq!(built_in, reserved.iter().map(String::as_str).collect());
}
