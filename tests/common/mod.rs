//! Test harness: a fresh database per test (SQLite always; PostgreSQL when
//! TA_TRACKER_TEST_POSTGRES_URL is set), the real router, and GraphQL helpers.
#![allow(dead_code)]

pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use ta_tracker::config::Limits;
use ta_tracker::domain::auth::Role;
use ta_tracker::domain::tokens::{self, TokenRequest};
use ta_tracker::storage::{Backend, Db};

/// Runs the test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let app = $crate::common::TestApp::sqlite().await;
                ($body)(app).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(app) = $crate::common::TestApp::postgres().await {
                    ($body)(app).await;
                }
            }
        }
    };
}

pub struct TestApp {
    pub db: Db,
    /// The database URL, for starting the real binary on the same database.
    pub url: String,
    pub router: Router,
    pub limits: Limits,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_test_writer()
            .try_init();
    }
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::sqlite_with(Limits::default()).await
    }

    pub async fn sqlite_with(limits: Limits) -> TestApp {
        init_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let mut app = Self::start(&url, limits).await;
        app._dir = Some(dir);
        app
    }

    /// A throwaway PostgreSQL database, or None (with a printed notice) when no server is
    /// configured. Under CI a missing server fails the test instead.
    pub async fn postgres() -> Option<TestApp> {
        Self::postgres_with(Limits::default()).await
    }

    pub async fn postgres_with(limits: Limits) -> Option<TestApp> {
        init_logs();
        let Ok(admin_url) = std::env::var("TA_TRACKER_TEST_POSTGRES_URL") else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but TA_TRACKER_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI"
                );
            }
            eprintln!("skipped: set TA_TRACKER_TEST_POSTGRES_URL to run this test on PostgreSQL");
            return None;
        };
        let name = format!(
            "ta_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let admin = Db::connect(&admin_url, 1)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin_url}: {e:?}"));
        sqlx::query(&format!("create database {name}"))
            .execute(admin.pool())
            .await
            .expect("create test database");
        admin.close().await;
        let url = replace_db_name(&admin_url, &name);
        let mut app = Self::start(&url, limits).await;
        app.pg_drop = Some((admin_url, name));
        Some(app)
    }

    async fn start(url: &str, limits: Limits) -> TestApp {
        let db = Db::connect(url, 8).await.expect("connect");
        db.migrate().await.expect("migrate");
        ta_tracker::seeds::seed(&db, false)
            .await
            .expect("seed reference data");
        let router = ta_tracker::app(db.clone(), limits.clone());
        TestApp {
            db,
            url: url.to_string(),
            router,
            limits,
            _dir: None,
            pg_drop: None,
        }
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Loads the demo dataset into this database.
    pub async fn with_demo(self) -> TestApp {
        ta_tracker::seeds::seed(&self.db, true)
            .await
            .expect("seed demo data");
        self
    }

    /// Creates a token with this role and scope; returns the secret.
    pub fn token(&self, role: Role) -> TokenBuilder<'_> {
        TokenBuilder {
            app: self,
            req: TokenRequest {
                role,
                name: Some(format!("test {role:?}")),
                programmes: Vec::new(),
                countries: Vec::new(),
                organisation_id: None,
                expires: None,
            },
        }
    }

    pub async fn admin(&self) -> String {
        self.token(Role::Admin).create().await
    }

    /// Sends an HTTP request through the real router.
    pub async fn send(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// GETs a path that must answer 200 with the token; returns the body.
    pub async fn get_text(&self, path: &str, token: &str) -> String {
        let req = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = self.send(req).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    /// POSTs a GraphQL operation; returns the HTTP status and the JSON body.
    pub async fn post(
        &self,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        let (status, _, text) = self.send(req.body(Body::from(body)).unwrap()).await;
        let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, value)
    }

    /// Runs an operation that must succeed; returns `data`.
    pub async fn ok(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let (status, body) = self.post(query, variables, token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Runs an operation that must fail; returns the first error's (code, message, field).
    pub async fn err(&self, query: &str, variables: Value, token: Option<&str>) -> GqlError {
        let (_, body) = self.post(query, variables, token).await;
        let e = body["errors"]
            .get(0)
            .unwrap_or_else(|| panic!("expected an error: {body}"));
        GqlError {
            code: e["extensions"]["code"].as_str().unwrap_or("").to_string(),
            message: e["message"].as_str().unwrap_or("").to_string(),
            field: e["extensions"]["field"].as_str().map(str::to_string),
        }
    }

    /// Counts rows of a table directly, to prove what was or was not written.
    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(&format!("select count(*) from {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count");
        n
    }

    /// Records migration 9999 as applied, as a newer release of the binary would have.
    pub async fn record_newer_migration(&self) {
        sqlx::query(
            "insert into _sqlx_migrations (version, description, success, checksum, \
             execution_time) values (9999, 'from a newer binary', $1, $2, 0)",
        )
        .bind(true)
        .bind(vec![0u8; 4])
        .execute(self.db.pool())
        .await
        .expect("record a newer migration");
    }
}

#[derive(Debug, Clone)]
pub struct GqlError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

pub struct TokenBuilder<'a> {
    app: &'a TestApp,
    req: TokenRequest,
}

impl TokenBuilder<'_> {
    pub fn programmes(mut self, codes: &[&str]) -> Self {
        self.req.programmes = codes.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn countries(mut self, codes: &[&str]) -> Self {
        self.req.countries = codes.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn organisation(mut self, id: i64) -> Self {
        self.req.organisation_id = Some(id);
        self
    }
    pub async fn create(self) -> String {
        tokens::create(&self.app.db, self.req)
            .await
            .map(|(_, secret)| secret)
            .unwrap_or_else(|e| panic!("token: {e:?}"))
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            // A short-lived runtime on its own thread removes the throwaway database; `force`
            // ends the sessions our pool still holds (the test's runtime is blocked here).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(admin) = Db::connect(&admin_url, 1).await {
                        let _ =
                            sqlx::query(&format!("drop database if exists {name} with (force)"))
                                .execute(admin.pool())
                                .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}
