//! The one error type of the service. It deliberately does not implement `Display`: async-graphql
//! turns any `Display` error into a client-visible message, and database text must never reach a
//! client. The GraphQL layer converts it explicitly (see `graphql::error`), masking internals.

use std::fmt;

/// What went wrong, in terms a client can act on.
pub enum AppError {
    /// A field of the input breaks a rule; `field` is the path as the client wrote it.
    BadInput { field: String, message: String },
    /// No credential, or one that is not valid.
    Unauthenticated(String),
    /// A valid credential that may not do this.
    Forbidden(String),
    /// The record does not exist, or is outside what the caller may see: the whole message.
    NotFound(String),
    /// A stale version or a uniqueness clash; `field` is the input path of a value that is taken.
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// The database could not be reached.
    Unavailable {
        context: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Anything else: logged in full, shown to clients only as "internal error".
    Internal {
        context: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl AppError {
    pub fn bad_input(field: &str, message: &str) -> AppError {
        AppError::BadInput {
            field: field.to_string(),
            message: message.to_string(),
        }
    }

    /// "{what} not found".
    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::NotFound(format!("{} not found", what.into()))
    }

    /// Not found, said in a sentence of its own ("no engagement matches ...").
    pub fn nothing(message: impl Into<String>) -> AppError {
        AppError::NotFound(message.into())
    }

    pub fn forbidden(why: impl Into<String>) -> AppError {
        AppError::Forbidden(why.into())
    }

    pub fn conflict(why: impl Into<String>) -> AppError {
        AppError::Conflict {
            field: None,
            message: why.into(),
        }
    }

    /// A uniqueness clash on the value given as `field` (another record already has it).
    pub fn taken(field: &str, why: impl Into<String>) -> AppError {
        AppError::Conflict {
            field: Some(field.to_string()),
            message: why.into(),
        }
    }

    /// The input path the error is about, where there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::BadInput { field, .. } => Some(field),
            AppError::Conflict { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    pub fn internal(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> AppError {
        AppError::Internal {
            context,
            source: source.into(),
        }
    }

    pub fn unavailable(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> AppError {
        AppError::Unavailable {
            context,
            source: source.into(),
        }
    }

    /// The `extensions.code` clients see.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::Conflict { .. } => "CONFLICT",
            AppError::Unavailable { .. } | AppError::Internal { .. } => "INTERNAL",
        }
    }

    /// The message a client may see. Internal detail is never part of it.
    pub fn client_message(&self) -> String {
        match self {
            AppError::BadInput { field, message } => format!("{field}: {message}"),
            AppError::Unauthenticated(m) | AppError::Forbidden(m) => m.clone(),
            AppError::Conflict { message, .. } => message.clone(),
            AppError::NotFound(message) => message.clone(),
            AppError::Unavailable { .. } => "the service is temporarily unavailable".to_string(),
            AppError::Internal { .. } => "internal error".to_string(),
        }
    }

    /// A one-line description for operators (command line, logs): includes internal detail.
    pub fn operator_message(&self) -> String {
        match self {
            AppError::Internal { context, source } | AppError::Unavailable { context, source } => {
                format!("could not {context}: {source}")
            }
            other => other.client_message(),
        }
    }

    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            AppError::Internal { .. } | AppError::Unavailable { .. }
        )
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.operator_message())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> AppError {
        if let sqlx::Error::Database(db) = &e {
            // Uniqueness clashes are the client's to resolve; other constraint failures are bugs
            // in our validation, which must catch them first, so they stay internal.
            if db.is_unique_violation() {
                return AppError::conflict("a record with the same unique value already exists");
            }
        }
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                AppError::unavailable("reach the database", e)
            }
            other => AppError::internal("run a database statement", other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
