//! Every GraphQL example in the README runs, as written, against the demo data: the documentation
//! cannot drift from the API. Also the console's examples.

mod common;

use serde_json::{Value, json};

fn readme_examples() -> Vec<String> {
    let readme = include_str!("../README.md");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```graphql") => current = Some(String::new()),
            (Some(block), "```") => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    out
}

async fn run_all(app: &common::TestApp, token: &str, examples: Vec<(String, Value)>) {
    for (query, variables) in examples {
        let (status, body) = app.post(&query, variables, Some(token)).await;
        assert_eq!(status, 200, "{query}\n{body}");
        assert!(body.get("errors").is_none(), "{query}\n{body}");
    }
}

on_both_engines!(
    the_readme_examples_run_against_the_demo_data,
    |app: common::TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let examples = readme_examples();
        assert!(examples.len() >= 9, "found {} examples", examples.len());
        run_all(
            &app,
            &admin,
            examples.into_iter().map(|q| (q, json!({}))).collect(),
        )
        .await;
    }
);

on_both_engines!(
    the_console_examples_run_against_the_demo_data,
    |app: common::TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let examples: Vec<Value> =
            serde_json::from_str(include_str!("../src/http/console_examples.json")).unwrap();
        run_all(
            &app,
            &admin,
            examples
                .into_iter()
                .map(|e| {
                    (
                        e["query"].as_str().unwrap().to_string(),
                        if e["variables"].is_null() {
                            json!({})
                        } else {
                            e["variables"].clone()
                        },
                    )
                })
                .collect(),
        )
        .await;
    }
);
