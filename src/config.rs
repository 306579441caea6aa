//! Settings: defaults that suit the embedded deployment, overridden by flags or environment.

use clap::Args;

use crate::error::{AppError, AppResult};

/// Limits that keep one request from taking the service down; each has a safe default.
#[derive(Args, Clone, Debug)]
pub struct Limits {
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "TA_TRACKER_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Highest complexity score a query may have (each field counts 1, lists multiply by `first`).
    #[arg(long, env = "TA_TRACKER_MAX_COMPLEXITY", default_value_t = 20_000)]
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
    /// Largest query document, in bytes.
    #[arg(long, env = "TA_TRACKER_MAX_QUERY_BYTES", default_value_t = 32 * 1024)]
    pub max_query_bytes: usize,
    /// Most aliased fields a query may use (`__typename` included).
    #[arg(long, env = "TA_TRACKER_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,
    /// Most field selections a query may make, fragments counted each time they are spread.
    #[arg(long, env = "TA_TRACKER_MAX_FIELDS", default_value_t = 1_000)]
    pub max_fields: usize,
    /// Most directives on one field.
    #[arg(long, env = "TA_TRACKER_MAX_DIRECTIVES", default_value_t = 5)]
    pub max_directives: usize,
    /// Requests a credential may make per minute (0: no limit). Anonymous callers share one
    /// bucket per address only when a trusted proxy header is configured, else one in all.
    #[arg(long, env = "TA_TRACKER_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,
    /// Header a trusted reverse proxy sets to the client address (e.g. X-Forwarded-For, whose
    /// last address, the one the proxy appended, counts); unset, client addresses are never used.
    #[arg(long, env = "TA_TRACKER_TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,
    /// Requests handled at once; more wait.
    #[arg(long, env = "TA_TRACKER_MAX_CONCURRENT_REQUESTS", default_value_t = 8)]
    pub max_concurrent_requests: usize,
    /// Database connections the server keeps open at most (on PostgreSQL as many again for the
    /// long reads of nested lists); default: as many as --max-concurrent-requests.
    #[arg(long, env = "TA_TRACKER_DATABASE_CONNECTIONS")]
    pub database_connections: Option<u32>,
    /// Megabytes of query answers kept to serve again while the database is unchanged (0: none).
    #[arg(long, env = "TA_TRACKER_RESPONSE_CACHE_MB", default_value_t = 16)]
    pub response_cache_mb: usize,
    /// Whether the schema can be introspected (the console's schema browser needs it).
    #[arg(long, env = "TA_TRACKER_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 12,
            max_complexity: 20_000,
            max_page_size: 100,
            default_page_size: 20,
            max_body_bytes: 256 * 1024,
            request_timeout_secs: 30,
            max_query_bytes: 32 * 1024,
            max_aliases: 30,
            max_fields: 1_000,
            max_directives: 5,
            rate_limit_per_minute: 600,
            trusted_proxy_header: None,
            max_concurrent_requests: 8,
            database_connections: None,
            response_cache_mb: 16,
            introspection: true,
        }
    }
}

impl Limits {
    /// The connections the server's pool may open: `--database-connections`, else one for each
    /// request `--max-concurrent-requests` lets run at once, so that raising one raises both.
    pub fn database_connections(&self) -> u32 {
        self.database_connections
            .unwrap_or_else(|| u32::try_from(self.max_concurrent_requests).unwrap_or(u32::MAX))
    }

    /// Refuses settings that would refuse every request, or lift another limit, naming the flag
    /// and its variable: a server that starts with them fails its first client instead of its
    /// operator. A default page size above the largest bypassed the largest, and 0 reads as "no
    /// limit" beside the settings where it means that, but here it would stop everything.
    pub fn check(&self) -> AppResult<()> {
        // i128 holds every value of these usize, u64 and i64 settings as it was given.
        let at_least_one: [(&str, &str, i128); 10] = [
            ("max-depth", "TA_TRACKER_MAX_DEPTH", self.max_depth as i128),
            (
                "max-complexity",
                "TA_TRACKER_MAX_COMPLEXITY",
                self.max_complexity as i128,
            ),
            (
                "max-page-size",
                "TA_TRACKER_MAX_PAGE_SIZE",
                self.max_page_size as i128,
            ),
            (
                "default-page-size",
                "TA_TRACKER_DEFAULT_PAGE_SIZE",
                self.default_page_size as i128,
            ),
            (
                "max-body-bytes",
                "TA_TRACKER_MAX_BODY_BYTES",
                self.max_body_bytes as i128,
            ),
            (
                "request-timeout-secs",
                "TA_TRACKER_REQUEST_TIMEOUT_SECS",
                self.request_timeout_secs as i128,
            ),
            (
                "max-query-bytes",
                "TA_TRACKER_MAX_QUERY_BYTES",
                self.max_query_bytes as i128,
            ),
            (
                "max-fields",
                "TA_TRACKER_MAX_FIELDS",
                self.max_fields as i128,
            ),
            (
                "max-concurrent-requests",
                "TA_TRACKER_MAX_CONCURRENT_REQUESTS",
                self.max_concurrent_requests as i128,
            ),
            (
                "database-connections",
                "TA_TRACKER_DATABASE_CONNECTIONS",
                self.database_connections.map_or(1, i128::from),
            ),
        ];
        for (flag, env, value) in at_least_one {
            if value < 1 {
                let zero = if value == 0 {
                    "; 0 does not mean no limit here"
                } else {
                    ""
                };
                return Err(AppError::bad_input(
                    flag,
                    &format!("must be at least 1, not {value} (--{flag} or {env}){zero}"),
                ));
            }
        }
        if let Some(header) = &self.trusted_proxy_header
            && axum::http::HeaderName::from_bytes(header.as_bytes()).is_err()
        {
            return Err(AppError::bad_input(
                "trusted-proxy-header",
                &format!(
                    "{header:?} is not a header name (--trusted-proxy-header or \
                     TA_TRACKER_TRUSTED_PROXY_HEADER); give one such as X-Forwarded-For"
                ),
            ));
        }
        if self.default_page_size > self.max_page_size {
            return Err(AppError::bad_input(
                "default-page-size",
                &format!(
                    "{} is above the largest page, max-page-size {} (--default-page-size or \
                     TA_TRACKER_DEFAULT_PAGE_SIZE, --max-page-size or TA_TRACKER_MAX_PAGE_SIZE)",
                    self.default_page_size, self.max_page_size
                ),
            ));
        }
        Ok(())
    }
}

/// The default database: an SQLite file in the working directory, created when missing (by the
/// commands that create one).
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ta-tracker.db";

/// The environment variable that names the database, as `--database-url` does.
pub const DATABASE_URL_ENV: &str = "TA_TRACKER_DATABASE_URL";
