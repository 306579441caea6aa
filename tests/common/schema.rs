//! The schema as clients see it, through introspection: for tests that must cover every field.

use std::collections::HashMap;

use serde_json::{Value, json};

const INTROSPECT: &str = r#"{ __schema {
  queryType { fields { name args { name type { ...T } } type { ...T } } }
  mutationType { fields { name args { name type { ...T } } type { ...T } } }
  types { name kind fields { name args { name type { ...T } } type { ...T } } inputFields { name type { ...T } } enumValues { name } }
} }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

pub struct Schema {
    pub queries: Vec<Value>,
    pub mutations: Vec<Value>,
    pub types: HashMap<String, Value>,
}

pub async fn schema(app: &super::TestApp) -> Schema {
    let data = app.ok(INTROSPECT, json!({}), None).await;
    let s = &data["__schema"];
    let list = |v: &Value| v["fields"].as_array().cloned().unwrap_or_default();
    Schema {
        queries: list(&s["queryType"]),
        mutations: list(&s["mutationType"]),
        types: s["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
            .collect(),
    }
}

/// The named type under NON_NULL and LIST wrappers, and whether the outermost is NON_NULL.
pub fn named(t: &Value) -> (&str, &str, bool) {
    let required = t["kind"] == "NON_NULL";
    let mut t = t;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (
        t["kind"].as_str().unwrap(),
        t["name"].as_str().unwrap(),
        required,
    )
}
