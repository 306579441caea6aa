//! Settings: defaults that suit the embedded deployment, overridden by flags or environment.

use clap::Args;

/// Limits that keep one request from taking the service down; each has a safe default.
#[derive(Args, Clone, Debug)]
pub struct Limits {
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "TA_TRACKER_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Highest complexity score a query may have (each field counts 1, lists multiply by `first`).
    #[arg(long, env = "TA_TRACKER_MAX_COMPLEXITY", default_value_t = 5_000)]
    pub max_complexity: usize,
    /// Largest `first` a list accepts.
    #[arg(long, env = "TA_TRACKER_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: i64,
    /// Page size when `first` is not given.
    #[arg(long, env = "TA_TRACKER_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: i64,
    /// Largest request body, in bytes.
    #[arg(long, env = "TA_TRACKER_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a request may run before it is cut off.
    #[arg(long, env = "TA_TRACKER_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Whether the schema can be introspected (the console's schema browser needs it).
    #[arg(long, env = "TA_TRACKER_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 12,
            max_complexity: 5_000,
            max_page_size: 100,
            default_page_size: 20,
            max_body_bytes: 256 * 1024,
            request_timeout_secs: 30,
            introspection: true,
        }
    }
}

/// The default database: an SQLite file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ta-tracker.db";
