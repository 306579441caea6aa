//! Input the library refuses by itself names what is wrong and where, as ours does: a value
//! that fails to parse when its field runs (an Int out of range) names its argument, or the
//! variable given for it and the part inside, and a NUL character names the variable holding it.
//! On SQLite and PostgreSQL.

mod common;

use serde_json::json;
use ta_tracker::domain::auth::Role;

use common::TestApp;

const RANGE: &str = "must be an integer from -2147483648 to 2147483647";

on_both_engines!(
    an_int_out_of_range_names_its_argument,
    |app: TestApp| async move {
        let e = app
            .err(
                "{ countries(first: 99999999999) { totalCount } }",
                json!({}),
                None,
            )
            .await;
        assert_eq!(e.code, "BAD_USER_INPUT", "{e:?}");
        assert_eq!(e.field.as_deref(), Some("first"), "{e:?}");
        assert_eq!(e.message, format!("first: {RANGE}"));
    }
);

on_both_engines!(
    an_int_out_of_range_in_a_variable_names_the_variable,
    |app: TestApp| async move {
        let (_, body) = app
            .post(
                "query($n: Int) { countries(first: $n) { totalCount } }",
                json!({ "n": 99999999999i64 }),
                None,
            )
            .await;
        let e = &body["errors"][0];
        assert_eq!(e["extensions"]["field"], "$n", "{body}");
        assert_eq!(e["message"], format!("$n: {RANGE}"), "{body}");
        // Still located at the variable, and the field it was given for still in `path`.
        assert_eq!(
            e["locations"],
            json!([{ "line": 1, "column": 35 }]),
            "{body}"
        );
        assert_eq!(e["path"], json!(["countries"]), "{body}");
    }
);

on_both_engines!(
    an_int_out_of_range_inside_an_input_object_names_its_part,
    |app: TestApp| async move {
        let reporter = app.token(Role::Reporter).create().await;
        let summary = |declared: &str, period: &str| {
            format!(
                "query{declared} {{ regionalSummary(region: \"001\", period: {period}) \
                 {{ countriesReached }} }}"
            )
        };
        let big = 99999999999i64;
        for (declared, period, variables, field) in [
            (
                "",
                "{year: 2021, month: 99999999999}",
                json!({}),
                "period.month",
            ),
            (
                "($p: PeriodInput)",
                "$p",
                json!({ "p": { "year": 2021, "quarter": big } }),
                "$p.quarter",
            ),
            ("($y: Int)", "{year: $y}", json!({ "y": big }), "$y"),
        ] {
            let query = summary(declared, period);
            let e = app.err(&query, variables, Some(&reporter)).await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{period}: {e:?}");
            assert_eq!(e.field.as_deref(), Some(field), "{period}: {e:?}");
            assert_eq!(e.message, format!("{field}: {RANGE}"), "{period}");
        }
        // Within range, the same request runs.
        let fine = json!({ "p": { "year": 2021, "quarter": 2 } });
        let query = summary("($p: PeriodInput)", "$p");
        app.ok(&query, fine, Some(&reporter)).await;
    }
);

#[tokio::test]
async fn a_nul_character_names_the_variable_and_the_place_inside_it() {
    let app = TestApp::sqlite().await;
    let lessons = "query($f: LessonFilterInput) { lessons(filter: $f) { totalCount } }";
    let nul_at = |field: &str| format!("{field}: must not contain the NUL character (U+0000)");
    let record = "mutation($input: LessonInput!) { recordLesson(input: $input) { id } }";
    let themes = json!({ "input": { "title": "t", "themes": ["prisons", "courts", "\u{0}"] } });
    for (query, variables, field) in [
        (
            lessons,
            json!({ "f": { "search": "a\u{0}b" } }),
            "$f.search",
        ),
        (record, themes, "$input.themes[2]"),
    ] {
        let (status, body) = app.post(query, variables, None).await;
        assert_eq!(status, 400, "{body}");
        let e = &body["errors"][0];
        assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(e["extensions"]["field"], field, "{body}");
        assert_eq!(e["message"], nul_at(field), "{body}");
    }
    // One in the query text is traced to its argument, when it is in one.
    let e = app
        .err("{ country(code: \"N\\u0000O\") { name } }", json!({}), None)
        .await;
    assert_eq!(e.field.as_deref(), Some("code"), "{e:?}");
    assert_eq!(e.message, nul_at("code"));
    let e = app.err("{ __typename } # \\u0000", json!({}), None).await;
    assert_eq!(e.field, None, "{e:?}");
    assert_eq!(
        e.message,
        "text must not contain the NUL character (U+0000)"
    );
}
