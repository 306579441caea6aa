//! The demo dataset: GraphQL mutations in `seeds/demo/*.json`, run in file order through the
//! real schema as an administrator, so demo data passes exactly the validation users' data does.
//!
//! Each file is a JSON array of steps `{"id": "...", "query": "mutation ...", "variables": {...},
//! "capture": "createX.id"}`. A string `"${name}"` anywhere in later variables is replaced by what
//! step `name` captured (e.g. an id), so steps can refer to records made before them.

use std::collections::HashMap;

use async_graphql::{Request, Variables};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::graphql::context::RequestState;
use crate::storage::Db;

/// The demo files, in the order they run.
const FILES: &[(&str, &str)] = &[
    (
        "10-organisations.json",
        include_str!("../../seeds/demo/10-organisations.json"),
    ),
    (
        "20-programmes.json",
        include_str!("../../seeds/demo/20-programmes.json"),
    ),
    (
        "30-activities.json",
        include_str!("../../seeds/demo/30-activities.json"),
    ),
    (
        "40-events.json",
        include_str!("../../seeds/demo/40-events.json"),
    ),
    (
        "50-lessons.json",
        include_str!("../../seeds/demo/50-lessons.json"),
    ),
    (
        "60-results.json",
        include_str!("../../seeds/demo/60-results.json"),
    ),
];

#[derive(Deserialize)]
struct Step {
    id: Option<String>,
    query: String,
    #[serde(default)]
    variables: Value,
    capture: Option<String>,
}

fn substitute(value: &Value, captured: &HashMap<String, Value>) -> Value {
    match value {
        Value::String(s) if s.starts_with("${") && s.ends_with('}') => {
            let key = &s[2..s.len() - 1];
            captured.get(key).cloned().unwrap_or(Value::Null)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute(v, captured)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, captured)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Loads the demo into `db`; any failure names the file and step.
///
/// Each step is a mutation with its own transaction, so a step failing part-way would leave the
/// steps before it behind, and (the demo going only into a database without organisations or
/// programmes) the demo would never load again. The steps are therefore rehearsed first on a
/// scratch SQLite file with the same reference data and settings, and run on `db` only when all
/// of them succeeded there; a failure leaves `db` as it was.
pub async fn load(db: &Db) -> AppResult<()> {
    load_files(db, FILES).await
}

/// [`load`] with the given files (a test can hand it a step that fails).
pub async fn load_files(db: &Db, files: &[(&str, &str)]) -> AppResult<()> {
    rehearse(files).await?;
    run(db, files).await
}

async fn rehearse(files: &[(&str, &str)]) -> AppResult<()> {
    let dir = std::env::temp_dir().join(format!(
        "ta-tracker-demo-{}-{}",
        std::process::id(),
        crate::storage::now().replace([':', '.'], "-")
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::internal("make a scratch folder for the demo data", e))?;
    let scratch = async {
        let scratch =
            Db::connect(&format!("sqlite://{}", dir.join("demo.db").display()), 2).await?;
        scratch.migrate().await?;
        super::reference::load(&scratch).await?;
        let ran = run(&scratch, files).await;
        scratch.close().await;
        ran
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    scratch
}

async fn run(db: &Db, files: &[(&str, &str)]) -> AppResult<()> {
    let schema = crate::graphql::build_schema(Some(db.clone()), &crate::config::Limits::default());
    let viewer = Viewer::system("demo seed");
    let mut captured: HashMap<String, Value> = HashMap::new();
    for (file, text) in files {
        let steps: Vec<Step> = serde_json::from_str(text)
            .map_err(|e| AppError::internal("read a demo seed file", format!("{file}: {e}")))?;
        for (i, step) in steps.iter().enumerate() {
            let variables = substitute(&step.variables, &captured);
            let request = Request::new(step.query.clone())
                .variables(Variables::from_json(variables))
                .data(RequestState::new(db, viewer.clone()));
            let response = schema.execute(request).await;
            if !response.errors.is_empty() {
                let label = step.id.clone().unwrap_or_else(|| format!("step {i}"));
                return Err(AppError::internal(
                    "load the demo data",
                    format!("{file} {label}: {:?}", response.errors),
                ));
            }
            if let (Some(id), Some(path)) = (&step.id, &step.capture) {
                let data = response.data.into_json().unwrap_or(Value::Null);
                let value = path.split('.').fold(&data, |v, key| &v[key]).clone();
                captured.insert(id.clone(), value);
            }
        }
    }
    Ok(())
}
