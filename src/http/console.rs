//! The query console: one self-contained page (no network needed), with example queries.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const PAGE: &str = include_str!("console.html");
const EXAMPLES: &str = include_str!("console_examples.json");

/// The console with the examples injected; `<` is escaped so no example can close the script.
pub fn html() -> String {
    let examples: serde_json::Value =
        serde_json::from_str(EXAMPLES).unwrap_or(serde_json::Value::Array(Vec::new()));
    let json = examples.to_string().replace('<', "\\u003c");
    PAGE.replacen("/*EXAMPLES*/[]", &json, 1)
}

pub fn page() -> Response {
    let mut resp = html().into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The page loads nothing from elsewhere; say so, so a browser refuses if anything tries.
    // No other site may frame it (the page holds a token and a Run button a framing page
    // could trick a click on), and it posts no forms.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
             base-uri 'none'; form-action 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_embeds_its_examples_and_loads_nothing_from_elsewhere() {
        let page = html();
        assert!(!page.contains("/*EXAMPLES*/[]"));
        assert!(page.contains("Programme officers") || page.contains("\"audience\""));
        for external in [
            "<script src=\"http",
            "<link href=\"http",
            "@import url(http",
        ] {
            assert!(!page.contains(external), "{external}");
        }
    }
}
