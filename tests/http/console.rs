//! The console page as a person meets it: what it does with the answers the server gives
//! (a parse error's caret lines, a schema it cannot load) and whether it can be read and
//! driven from the keyboard, in light and dark colours.

use super::*;

/// The console page as a browser gets it.
async fn console_page(app: &TestApp) -> String {
    let (status, _, page) = app.send(get("/graphql", Some("text/html"))).await;
    assert_eq!(status, StatusCode::OK);
    page
}

#[tokio::test]
async fn a_parse_errors_caret_lines_keep_their_shape_in_the_console() {
    let app = TestApp::sqlite().await;
    // The server points at the column with a caret on the lines below the excerpt...
    let (_, _, text) = app
        .send(post_query(None, "{ countries(first: 3) { nodes { iso3 } }"))
        .await;
    let message = json_body(&text)["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains('\n') && message.contains('^'), "{message}");
    // ...so the console shows a multi-line message preformatted, in monospace, as it came.
    let page = console_page(&app).await;
    assert!(
        page.contains("multiLine ? el('pre', { class: 'message' }, message)"),
        "a multi-line error message must be shown in a <pre>"
    );
    let rule = page
        .split(".error pre.message {")
        .nth(1)
        .and_then(|r| r.split('}').next())
        .expect("a style for multi-line error messages");
    assert!(
        rule.contains("white-space: pre;") && rule.contains("var(--mono)"),
        "{rule}"
    );
}

#[tokio::test]
async fn the_schema_browser_says_why_it_has_no_schema() {
    // A server started with --introspection false answers the browser's introspection with a
    // null schema and no error, which the browser showed as 'not available: HTTP 200 OK'.
    let app = TestApp::sqlite_with(Limits {
        introspection: false,
        ..Limits::default()
    })
    .await;
    let (status, _, text) = app
        .send(post_query(
            None,
            "query IntrospectionQuery { __schema { queryType { name } } }",
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(json_body(&text), json!({ "data": { "__schema": null } }));
    let page = console_page(&app).await;
    assert!(page.contains("res.json.data.__schema === null && !first"));
    assert!(page.contains("this server has introspection turned"));
    // Queries still work only in that case: not when the server cannot be reached at all.
    assert_eq!(page.matches("Queries still work").count(), 1);
    assert!(page.contains("The schema browser could not reach the server"));
}
