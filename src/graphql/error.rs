//! Turning `AppError` into GraphQL errors: a code for every kind, the field path for bad input,
//! and internal detail logged but never sent.

use async_graphql::{ErrorExtensions, Response};

use crate::error::AppError;

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        if e.is_internal() {
            tracing::error!(error = ?e, "request failed");
        }
        to_graphql(&e)
    }
}

/// The client's view of an error: its message, its code, and for bad input or a value that is
/// taken the field.
fn to_graphql(e: &AppError) -> async_graphql::Error {
    let code = e.code();
    let field = e.field().map(str::to_string);
    async_graphql::Error::new(e.client_message()).extend_with(|_, ext| {
        ext.set("code", code);
        if let Some(field) = &field {
            ext.set("field", field.as_str());
        }
    })
}

/// A clonable handle on an error, as DataLoader needs.
#[derive(Clone)]
pub struct LoadError(pub std::sync::Arc<AppError>);

impl From<AppError> for LoadError {
    fn from(e: AppError) -> Self {
        LoadError(std::sync::Arc::new(e))
    }
}

impl From<LoadError> for async_graphql::Error {
    fn from(e: LoadError) -> Self {
        if e.0.is_internal() {
            tracing::error!(error = ?e.0, "loading failed");
        }
        to_graphql(&e.0)
    }
}

/// The last line of defence: an error that reached the response without one of our codes came
/// from the library. Without a path it is a parse, validation or limit failure, and with one an
/// argument or variable that failed to parse: both are the client's to fix, and get
/// `BAD_USER_INPUT` with the input path in `field` where the message names it (a `Failed to
/// parse` one names none: the HTTP layer names it from its location, `http/arguments.rs`).
/// Anything else is logged and masked as INTERNAL.
pub fn mask_unmapped(mut response: Response) -> Response {
    for err in &mut response.errors {
        let has_code = err
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        let undefined = undefined_variable(&err.message).map(str::to_string);
        let is_input = err.path.is_empty()
            || undefined.is_some()
            || err.message.starts_with("Failed to parse")
            || err.message.starts_with("Invalid value for argument");
        let mut ext = err.extensions.take().unwrap_or_default();
        if is_input {
            ext.set("code", "BAD_USER_INPUT");
            if let Some(name) = undefined {
                err.message = format!("Variable \"${name}\" is required but was not given");
                ext.set("field", format!("${name}"));
            } else if let Some(field) = input_path(&err.message) {
                ext.set("field", field);
            }
        } else {
            tracing::error!(message = %err.message, path = ?err.path, "unmapped error masked");
            err.message = "internal error".to_string();
            ext.set("code", "INTERNAL");
        }
        err.extensions = Some(ext);
    }
    response
}

/// The variable named by the library's "Variable i is not defined." (a non-null variable the
/// request left out, which its validation lets through to execution).
fn undefined_variable(message: &str) -> Option<&str> {
    message
        .strip_prefix("Variable ")?
        .strip_suffix(" is not defined.")
        .filter(|name| !name.contains(' '))
}

/// The input path in the library's argument errors, written as ours are: `Invalid value for
/// argument "input.recipientCountries.0.percentage"` is `input.recipientCountries[0].percentage`,
/// and `Invalid value for argument "input", field "programme" of type ...` (or `unknown field
/// "nope"`) is `input.programme`.
fn input_path(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    let (argument, rest) = rest.split_once('"')?;
    let mut path = String::new();
    for (i, part) in argument.split('.').enumerate() {
        if part.chars().all(|c| c.is_ascii_digit()) && i > 0 {
            path.push_str(&format!("[{part}]"));
        } else {
            if i > 0 {
                path.push('.');
            }
            path.push_str(part);
        }
    }
    let field = [", field \"", ", unknown field \""]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
        .and_then(|r| r.split_once('"'))
        .map(|(name, _)| name);
    if let Some(name) = field {
        path.push('.');
        path.push_str(name);
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{PathSegment, ServerError, Value};

    fn masked(message: &str, path: bool) -> (String, Value, Option<Value>) {
        let mut e = ServerError::new(message, None);
        if path {
            e.path = vec![PathSegment::Field("createEngagement".into())];
        }
        let r = mask_unmapped(Response::from_errors(vec![e]));
        let e = &r.errors[0];
        let ext = e.extensions.as_ref().unwrap();
        (
            e.message.clone(),
            ext.get("code").unwrap().clone(),
            ext.get("field").cloned(),
        )
    }

    #[test]
    fn library_input_errors_name_the_field_as_ours_do() {
        let field = |m: &str| masked(m, false).2;
        let s = |v: &str| Some(Value::from(v));
        assert_eq!(
            field(
                r#"Invalid value for argument "input.recipientCountries.0.percentage", expected type "Float""#
            ),
            s("input.recipientCountries[0].percentage")
        );
        assert_eq!(
            field(
                r#"Invalid value for argument "input", field "programme" of type "String!" is required but not provided"#
            ),
            s("input.programme")
        );
        assert_eq!(
            field(
                r#"Invalid value for argument "filter", unknown field "nope" of type "EngagementFilterInput""#
            ),
            s("filter.nope")
        );
        assert_eq!(field(r#"Unknown field "nope" on type "Engagement"."#), None);
        assert_eq!(masked("anything", false).1, Value::from("BAD_USER_INPUT"));
    }

    #[test]
    fn a_missing_variable_is_the_clients_and_anything_else_unmapped_is_masked() {
        let (message, code, field) = masked("Variable i is not defined.", true);
        assert_eq!(message, r#"Variable "$i" is required but was not given"#);
        assert_eq!(
            (code, field),
            (Value::from("BAD_USER_INPUT"), Some(Value::from("$i")))
        );
        let (message, code, field) = masked("connection reset by peer", true);
        assert_eq!(
            (message.as_str(), code, field),
            ("internal error", Value::from("INTERNAL"), None)
        );
    }
}
