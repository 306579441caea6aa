//! Updates are patches: `null` empties an optional text on every record that has one, as the
//! README says, where results, indicators, events, lessons and programmes kept the text and
//! only moved the version. Through the real router on SQLite and PostgreSQL.

mod common;

use serde_json::json;

use common::TestApp;

/// (mutation, input type, record, the text field null empties).
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "updateResult",
        "UpdateResultInput",
        "Result:1",
        "description",
    ),
    (
        "updateIndicator",
        "UpdateIndicatorInput",
        "Indicator:1",
        "description",
    ),
    ("updateEvent", "EventInput", "Event:1", "summary"),
    ("updateLesson", "LessonInput", "Lesson:1", "context"),
    ("updateLesson", "LessonInput", "Lesson:1", "evidence"),
    (
        "updateProgramme",
        "UpdateProgrammeInput",
        "Programme:1",
        "description",
    ),
    (
        "updateProgramme",
        "UpdateProgrammeInput",
        "Programme:1",
        "thematicArea",
    ),
];

on_both_engines!(
    null_empties_the_optional_texts_of_every_record,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        for (mutation, input, id, field) in CASES {
            let version = app
                .ok(
                    "query($id: ID!) { node(id: $id) { ... on Result { version } \
                     ... on Indicator { version } ... on Event { version } \
                     ... on Lesson { version } ... on Programme { version } } }",
                    json!({ "id": id }),
                    Some(&admin),
                )
                .await["node"]["version"]
                .as_i64()
                .unwrap_or_else(|| panic!("{id} has a version"));
            let q = format!(
                "mutation($id: ID!, $v: Int!, $i: {input}!) {{ {mutation}(id: $id, version: $v, input: $i) {{ version {field} }} }}"
            );
            let set = app
                .ok(
                    &q,
                    json!({"id": id, "v": version, "i": { *field: "Some text" }}),
                    Some(&admin),
                )
                .await;
            assert_eq!(set[*mutation][*field], "Some text", "{mutation} {field}");
            let cleared = app
                .ok(
                    &q,
                    json!({"id": id, "v": version + 1, "i": { *field: null }}),
                    Some(&admin),
                )
                .await;
            assert_eq!(
                cleared[*mutation][*field], "",
                "{mutation}: null empties {field}"
            );
            assert_eq!(cleared[*mutation]["version"], version + 2);
        }
    }
);
