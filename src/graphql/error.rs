//! Turning `AppError` into GraphQL errors: a code for every kind, the field path for bad input,
//! and internal detail logged but never sent.

use async_graphql::{ErrorExtensions, Response};

use crate::error::AppError;

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        if e.is_internal() {
            tracing::error!(error = ?e, "request failed");
        }
        let message = e.client_message();
        let code = e.code();
        let field = match &e {
            AppError::BadInput { field, .. } => Some(field.clone()),
            _ => None,
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
        })
    }
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
        let code = e.0.code();
        async_graphql::Error::new(e.0.client_message()).extend_with(|_, ext| ext.set("code", code))
    }
}

/// The last line of defence: a field error that reached the response without one of our codes
/// came from somewhere we did not map (an argument that failed to parse, or a library error). An
/// input parse failure is the client's; anything else is logged and masked as INTERNAL.
pub fn mask_unmapped(mut response: Response) -> Response {
    for err in &mut response.errors {
        let has_code = err
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code || err.path.is_empty() {
            continue;
        }
        let is_input = err.message.starts_with("Failed to parse")
            || err.message.starts_with("Invalid value for argument");
        let mut ext = err.extensions.take().unwrap_or_default();
        if is_input {
            ext.set("code", "BAD_USER_INPUT");
        } else {
            tracing::error!(message = %err.message, path = ?err.path, "unmapped error masked");
            err.message = "internal error".to_string();
            ext.set("code", "INTERNAL");
        }
        err.extensions = Some(ext);
    }
    response
}
