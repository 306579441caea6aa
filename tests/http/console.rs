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

/// The custom properties of the page's light colours, or its dark ones laid over them.
fn colours(page: &str, dark: bool) -> std::collections::HashMap<String, String> {
    let block = |from: &str| {
        let start = from.find(":root {").expect(":root") + ":root {".len();
        from[start..].split('}').next().unwrap().to_string()
    };
    let mut vars = std::collections::HashMap::new();
    let mut blocks = vec![block(page)];
    if dark {
        let at = page
            .find("@media (prefers-color-scheme: dark)")
            .expect("dark colours");
        blocks.push(block(&page[at..]));
    }
    for b in blocks {
        for decl in b.split(';') {
            if let Some((name, value)) = decl.trim().split_once(':')
                && name.starts_with("--")
            {
                vars.insert(name.trim().to_string(), value.trim().to_string());
            }
        }
    }
    vars
}

/// WCAG contrast ratio of two `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let channel = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[tokio::test]
async fn error_codes_and_focus_in_the_header_can_be_seen_in_light_and_dark_colours() {
    let app = TestApp::sqlite().await;
    let page = console_page(&app).await;
    // The error code's badge (BAD_USER_INPUT...) was white on light red in dark colours, 2.3:1.
    assert!(page.contains("background: var(--bad); color: var(--on-bad);"));
    // The focus ring was the accent blue on the dark blue header, 1.8:1.
    assert!(page.contains(".top :focus-visible { outline-color: var(--header-text); }"));
    for dark in [false, true] {
        let c = colours(&page, dark);
        let badge = contrast(&c["--on-bad"], &c["--bad"]);
        assert!(badge >= 4.5, "error code badge {badge:.2} (dark: {dark})");
        let ring = contrast(&c["--header-text"], &c["--header"]);
        assert!(
            ring >= 3.0,
            "focus ring in the header {ring:.2} (dark: {dark})"
        );
        let ring = contrast(&c["--accent"], &c["--panel"]);
        assert!(
            ring >= 3.0,
            "focus ring in the panels {ring:.2} (dark: {dark})"
        );
    }
}

#[tokio::test]
async fn the_schema_browser_keeps_headings_in_order_and_focus_where_the_reader_is() {
    let app = TestApp::sqlite().await;
    let page = console_page(&app).await;
    // The type list's sections sit under the panel's h2: h3, not h4.
    assert!(page.contains("el('h3', { class: 'group' }, title)"));
    assert!(page.contains("el('h3', { class: 'group' }, 'Fields')"));
    // Opening a type or field replaces the button pressed: focus goes to what replaced it
    // (focusable without joining the tab order), not back to the top of the page.
    assert!(page.contains("el('h3', { tabindex: '-1' }, type.name"));
    assert!(page.contains("id: memberId(typeName, item.name),\n    tabindex: '-1'"));
    assert!(page.contains("if (landing) landing.focus({ preventScroll: true });"));
}

#[tokio::test]
async fn a_token_pasted_with_its_bearer_prefix_is_sent_once_and_typing_is_not_announced() {
    let app = TestApp::sqlite().await;
    let page = console_page(&app).await;
    // A copied Authorization header went out as "Bearer Bearer tat_...", an invalid token.
    assert!(page.contains(".trim().replace(/^bearer\\s+/i, '')"));
    assert!(page.contains("headers.Authorization = 'Bearer ' + token;"));
    assert!(
        !page.contains("ui.token.value.trim();"),
        "every read goes through tokenValue()"
    );
    // Live regions read the whole schema list on each key in its search box, and the variables
    // error on each key typed; the status line is the one that speaks.
    assert_eq!(page.matches("aria-live").count(), 1, "only the status line");
    assert!(!page.contains("role=\"alert\""));
    // On a narrow screen the response is brought into view.
    assert!(page.contains("ui.result.scrollIntoView({ block: 'start' });"));
}
