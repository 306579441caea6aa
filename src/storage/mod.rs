//! Storage: the SQL, and nothing above it. One code path over SQLite and PostgreSQL through sqlx's
//! `Any` driver; statements use `$1` placeholders, which both engines accept. Only SQL text that
//! genuinely differs between the engines (full-text search, a few functions) is written twice.
//! The reads that bring many rows into a nested list go through `Db::read_all`, which on
//! PostgreSQL uses the native driver with the same statements.

pub mod activities;
pub mod activity_totals;
pub mod audit;
pub mod codelists;
pub mod documents;
pub mod engagements;
pub mod events;
pub mod geography;
pub mod idempotency;
pub mod indicator_values;
pub mod indicators;
pub mod lessons;
pub mod organisations;
pub mod ownership;
pub mod portfolio;
pub mod programmes;
pub mod progress;
pub mod reports;
pub mod results;
pub mod scope;
pub mod sql;
pub mod tokens;
mod url;

pub use url::{check_url, without_password};

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Transaction};

use crate::error::AppError;

tokio::task_local! {
    /// Set by `Db::begin` while `noting_writes` runs.
    static BEGAN_WRITING: Arc<AtomicBool>;
}

/// Runs `work`, setting `began` if it begins a write transaction: after a panic, what tells a
/// request that wrote nothing (whose idempotency key can be freed) from one that may have.
pub async fn noting_writes<F: Future>(began: Arc<AtomicBool>, work: F) -> F::Output {
    BEGAN_WRITING.scope(began, work).await
}

/// A transaction on whichever engine is configured.
pub type Tx = Transaction<'static, Any>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Which engine a database URL points at; chosen once, from the URL scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, AppError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(AppError::bad_input(
                "database-url",
                "must start with sqlite: or postgres://",
            ))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Held while the reference and demo data load (`seeds::seed`). On PostgreSQL a session advisory
/// lock, so that instances started together on an empty database load it once: the others wait,
/// then find it there; the second used to fail on the reference data, or to load part of the
/// demo a second time (another UNODC) before failing. Released by `release`, or by the
/// connection's end when dropped on an error. On SQLite it holds nothing.
pub struct SeedingLock(Option<AnyConnection>);

impl SeedingLock {
    pub async fn release(self) {
        if let Some(conn) = self.0 {
            let _ = conn.close().await;
        }
    }
}

/// The connection pool and the engine behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// On SQLite, the connection `version` reads `pragma data_version` on; None for an
    /// in-memory database (a connection of its own would not see the pool's writes, and no
    /// other process can write to it), where the version is unknown and nothing is cached.
    watcher: Option<Arc<Watcher>>,
    /// On PostgreSQL, a pool of the native driver for the reads that bring many rows
    /// (`read_all`): decoding through `Any` copies every column of every row once more.
    native: Option<sqlx::PgPool>,
}

/// Where the database's committed data stands (`Db::version`): `text` is equal at two moments
/// only if no write committed between them; `position` grows as writes commit, so a lower one
/// than seen before means the database went back (a restore, a failover). One case it cannot
/// tell: PostgreSQL losing commits it had acknowledged (a crash under `synchronous_commit =
/// off`, the postmaster staying up) and, before anyone reads the version, reaching the very
/// same snapshot again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataVersion {
    pub text: String,
    pub position: u64,
}

/// One SQLite connection that never writes, so that its `pragma data_version` moves whenever
/// any other connection, of this process or another, commits. Opened on first use; `epoch`
/// counts the connections opened, since a new connection's numbers start afresh.
struct Watcher {
    options: AnyConnectOptions,
    conn: tokio::sync::Mutex<(u64, Option<AnyConnection>)>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watcher")
    }
}

/// Every statement logged at debug level, and those over half a second as warnings, for both
/// pools alike.
fn logged<O: ConnectOptions>(options: O) -> O {
    options
        .log_statements(tracing::log::LevelFilter::Debug)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500))
}

/// Normalises a database URL: a bare path means an SQLite file, created when missing.
pub fn normalise_url(url: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return url.to_string();
    }
    let url = if url.starts_with("sqlite:") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    };
    if url.contains("mode=") || url.contains(":memory:") {
        url
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl Db {
    /// Connects to the database the URL names, with the engine's durability settings.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, AppError> {
        check_url(url)?;
        // Said with the URL as given (its password masked) and the setting's name: the
        // operator's to correct, whether the server is down or the URL is wrong.
        let given = url;
        let unreachable = |e: sqlx::Error| {
            let verb = match Backend::from_url(&normalise_url(given)) {
                Ok(Backend::Postgres) => "connect to",
                _ => "open",
            };
            AppError::bad_input(
                "database-url",
                &format!("could not {verb} {}: {e}", without_password(given).0),
            )
        };
        sqlx::any::install_default_drivers();
        let url = normalise_url(url);
        let backend = Backend::from_url(&url)?;
        let options = logged(
            AnyConnectOptions::from_str(&url)
                .map_err(|e| AppError::bad_input("database-url", &e.to_string()))?,
        );
        // No ping before each use, which cost a round trip per statement (a nested list runs
        // about eighteen): the pool already checks every connection as it comes back, and closes
        // the broken ones then.
        let pool_options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false);
        let pool_options = match backend {
            Backend::Sqlite => pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers proceed during a write; FULL makes every commit durable
                    // across power loss; the busy timeout queues writers instead of failing them.
                    // The soft heap limit (process-wide) makes SQLite reuse its page caches'
                    // memory past 32 MiB instead of growing each connection's to its full
                    // size: the server's peak under 64 clients went from 143 to 93 MB, with no
                    // loss of throughput, the file's pages being in the OS cache anyway.
                    for pragma in [
                        "pragma journal_mode = wal",
                        "pragma foreign_keys = on",
                        "pragma synchronous = full",
                        "pragma busy_timeout = 10000",
                        "pragma soft_heap_limit = 33554432",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            }),
            Backend::Postgres => pool_options,
        };
        let watcher = (backend == Backend::Sqlite
            && !url.contains(":memory:")
            && !url.contains("mode=memory"))
        .then(|| {
            Arc::new(Watcher {
                options: options.clone(),
                conn: tokio::sync::Mutex::new((0, None)),
            })
        });
        // One direct connection first: a pool retries refused connections until its acquire
        // timeout and then reports only the timeout, hiding the cause an operator needs.
        let probe = options.connect().await.map_err(unreachable)?;
        let _ = probe.close().await;
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(unreachable)?;
        // Opened lazily, with the same bounds as the main pool: the probe above has checked the
        // URL and the server already.
        let native = match backend {
            Backend::Postgres => {
                let options = logged(
                    sqlx::postgres::PgConnectOptions::from_str(&url)
                        .map_err(|e| AppError::bad_input("database-url", &e.to_string()))?,
                );
                Some(
                    sqlx::postgres::PgPoolOptions::new()
                        .max_connections(max_connections)
                        .acquire_timeout(Duration::from_secs(10))
                        .test_before_acquire(false)
                        .connect_lazy_with(options),
                )
            }
            Backend::Sqlite => None,
        };
        Ok(Db {
            pool,
            backend,
            watcher,
            native,
        })
    }

    /// Runs a read outside any transaction and decodes its rows: on PostgreSQL through the
    /// native driver, which reads each column once where `Any` copied it into a value of its
    /// own first (8% of a nested list's instructions), on SQLite through the pool.
    pub async fn read_all<T>(&self, sql: &sql::Sql) -> Result<Vec<T>, AppError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let rows = match &self.native {
            Some(native) => {
                sql.query_as_on::<sqlx::Postgres, T>()
                    .fetch_all(native)
                    .await?
            }
            None => sql.query_as().fetch_all(&self.pool).await?,
        };
        Ok(rows)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The migrations embedded for this engine.
    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies the embedded migrations of this engine that are not applied yet.
    /// A database another build migrated is refused saying so, as readiness says it, where
    /// sqlx's words ("previously applied but is missing in the resolved migrations") left an
    /// operator who went back to an older binary guessing.
    pub async fn migrate(&self) -> Result<(), AppError> {
        use sqlx::migrate::MigrateError;
        self.migrator().run(&self.pool).await.map_err(|e| match e {
            MigrateError::VersionMissing(v) => AppError::internal(
                "apply migrations",
                format!(
                    "{}: run that version on it, or this one on a database restored from \
                     before it",
                    newer_migration(v)
                ),
            ),
            MigrateError::VersionMismatch(v) => AppError::internal(
                "apply migrations",
                format!(
                    "the database's migration {v} is not this binary's migration {v} (another \
                     build of ta-tracker migrated it)"
                ),
            ),
            e => AppError::internal("apply migrations", e),
        })
    }

    /// Begins a write transaction. On SQLite it takes the write lock up front (IMMEDIATE), so two
    /// writers queue on the busy timeout instead of one failing when it upgrades a read lock.
    pub async fn begin(&self) -> Result<Tx, AppError> {
        let _ = BEGAN_WRITING.try_with(|began| began.store(true, Ordering::Relaxed));
        let result = match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await,
            Backend::Postgres => self.pool.begin().await,
        };
        result.map_err(AppError::from)
    }

    /// Where the database's committed data stands: two equal answers mean that no transaction
    /// that wrote anything committed between them, whichever process wrote. On PostgreSQL the
    /// server's start time and its snapshot (`xmin:xmax:in-flight`, cluster-wide: any write
    /// transaction that ends moves it); `xmax`, the next transaction id, is the position. On
    /// SQLite `pragma data_version` on the watcher connection. None when the engine cannot tell
    /// (an in-memory SQLite database). Read it where the queries run: a standby's snapshot does
    /// not move when the primary's transactions become visible there.
    pub async fn version(&self) -> Result<Option<DataVersion>, AppError> {
        match self.backend {
            Backend::Postgres => {
                let (started, snapshot) = sqlx::query_as::<Any, (String, String)>(
                    "select cast(pg_postmaster_start_time() as text), \
                     cast(pg_current_snapshot() as text)",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(|e| AppError::internal("read the database's snapshot", e))?;
                let position = snapshot
                    .split(':')
                    .nth(1)
                    .and_then(|xmax| xmax.parse().ok())
                    .ok_or_else(|| {
                        AppError::internal("read the database's snapshot", snapshot.clone())
                    })?;
                Ok(Some(DataVersion {
                    text: format!("{started} {snapshot}"),
                    position,
                }))
            }
            Backend::Sqlite => {
                let Some(watcher) = &self.watcher else {
                    return Ok(None);
                };
                let mut guard = watcher.conn.lock().await;
                let (epoch, slot) = &mut *guard;
                // Taken out while in use, put back when it answered: a broken or interrupted
                // connection is opened again next time, under a new epoch.
                let mut conn = match slot.take() {
                    Some(conn) => conn,
                    None => {
                        *epoch += 1;
                        watcher
                            .options
                            .connect()
                            .await
                            .map_err(|e| AppError::internal("open the version connection", e))?
                    }
                };
                // Read to the end, so that the statement finishes and its read transaction with
                // it: one left open would pin the watcher to the data as it was.
                let version = sqlx::query_scalar::<Any, i64>("pragma data_version")
                    .fetch_all(&mut conn)
                    .await
                    .map_err(|e| AppError::internal("read the data version", e))?;
                *slot = Some(conn);
                Ok(version.first().map(|v| DataVersion {
                    text: format!("{epoch}.{v}"),
                    position: (*epoch << 32) + *v as u64,
                }))
            }
        }
    }

    /// Why the database cannot serve this binary, or None when it can: it must answer, and the
    /// migrations applied to it must be the ones embedded here. A database a newer binary
    /// migrated has tables this one does not know; one an older binary left lacks tables this
    /// one uses. One statement, so readiness costs one round trip.
    pub async fn unready(&self) -> Option<String> {
        let applied = sqlx::query_scalar::<Any, i64>(
            "select version from _sqlx_migrations where success order by version",
        )
        .fetch_all(&self.pool)
        .await;
        let applied = match applied {
            Ok(applied) => applied,
            Err(e) => {
                tracing::warn!(error = %e, "readiness: the database did not answer");
                return Some("the database did not answer".to_string());
            }
        };
        let expected: Vec<i64> = self
            .migrator()
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| m.version)
            .collect();
        if let Some(newer) = applied.iter().find(|v| !expected.contains(v)) {
            return Some(newer_migration(*newer));
        }
        if let Some(missing) = expected.iter().find(|v| !applied.contains(v)) {
            return Some(format!(
                "the database lacks this binary's migration {missing} \
                 (ta-tracker migrate applies it)"
            ));
        }
        None
    }

    /// Writes a consistent copy of a live SQLite database to `path` (which must not exist yet),
    /// without stopping writers. PostgreSQL has its own tool for this: pg_dump.
    pub async fn backup(&self, path: &str) -> Result<(), AppError> {
        if self.backend == Backend::Postgres {
            return Err(AppError::bad_input(
                "database-url",
                "back up PostgreSQL with pg_dump, e.g. pg_dump -Fc -f tracker.dump tracker",
            ));
        }
        if std::path::Path::new(path).exists() {
            return Err(AppError::bad_input(
                "output",
                &format!("{path} exists already"),
            ));
        }
        // Said here: SQLite's own word for it is "unable to open database file".
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
        {
            return Err(AppError::bad_input(
                "output",
                &format!(
                    "cannot create {path}: there is no directory {}",
                    dir.display()
                ),
            ));
        }
        sqlx::query("vacuum into $1")
            .bind(path)
            .execute(&self.pool)
            .await
            .map_err(|e| AppError::internal("write the backup", e))?;
        Ok(())
    }

    /// Takes the seeding lock (`SeedingLock`), waiting while another process holds it.
    pub async fn lock_seeding(&self) -> Result<SeedingLock, AppError> {
        if self.backend != Backend::Postgres {
            return Ok(SeedingLock(None));
        }
        // A connection of its own, out of the pool: the lock is the session's, and ends with it.
        let mut conn = self.pool.acquire().await?.detach();
        // Tried rather than waited on in one statement, which would be logged as slow.
        let mut said = false;
        loop {
            let taken = sqlx::query_scalar::<Any, bool>("select pg_try_advisory_lock(7347650001)")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| AppError::internal("take the seeding lock", e))?;
            if taken {
                return Ok(SeedingLock(Some(conn)));
            }
            if !said {
                tracing::info!(
                    "waiting for another ta-tracker process to finish loading data into this \
                     database"
                );
                said = true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(native) = &self.native {
            native.close().await;
        }
    }
}

/// Now, as the UTC text every table stores instants in.
/// What a database a newer release migrated says, in `migrate`'s refusal and in readiness alike.
fn newer_migration(version: i64) -> String {
    format!(
        "the database has migration {version}, which this binary does not have (a newer version \
         migrated it)"
    )
}

pub fn now() -> String {
    timestamp(chrono::Utc::now())
}

/// An instant as stored: RFC 3339 in UTC with microseconds, so text order is time order.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A flag column: boolean on PostgreSQL, 0/1 integer on SQLite (the `Any` driver decodes neither
/// as the other).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl sqlx::Type<Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }
    fn compatible(_ty: &sqlx::any::AnyTypeInfo) -> bool {
        true
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        let kind = value.type_info().kind();
        if kind == sqlx::any::AnyTypeInfoKind::Bool {
            Ok(Flag(<bool as sqlx::Decode<Any>>::decode(value)?))
        } else {
            Ok(Flag(<i64 as sqlx::Decode<Any>>::decode(value)? != 0))
        }
    }
}
