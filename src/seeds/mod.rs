//! Reference data (M49 geography, IATI codelists, an example grouping) and the demo dataset, both
//! compiled into the binary from `seeds/` so a fresh start needs no files beside it.

pub mod demo;
pub mod reference;
pub mod synthetic;

use crate::error::AppResult;
use crate::storage::Db;

/// What a seeding run loaded.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub countries: usize,
    pub regions: usize,
    pub codes: usize,
    pub groupings: usize,
    pub demo: bool,
}

/// Loads reference data that is missing; with `demo`, also the demo dataset when the database
/// holds no programme records yet.
///
/// Instances seeding one PostgreSQL database at once take turns (`Db::lock_seeding`).
pub async fn seed(db: &Db, demo: bool) -> AppResult<SeedReport> {
    let lock = db.lock_seeding().await?;
    let mut report = reference::load(db).await?;
    if demo {
        report.demo = load_demo(db).await?;
    }
    lock.release().await;
    Ok(report)
}

/// Loads the demo dataset into a database that holds no organisations or programmes yet.
async fn load_demo(db: &Db) -> AppResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "select (select count(*) from organisations) + (select count(*) from programmes)",
    )
    .fetch_one(db.pool())
    .await?;
    if n > 0 {
        return Ok(false);
    }
    demo::load(db).await?;
    Ok(true)
}
