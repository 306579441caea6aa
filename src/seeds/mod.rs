//! Reference data (M49 geography, IATI codelists, an example grouping) and the demo dataset, both
//! compiled into the binary from `seeds/` so a fresh start needs no files beside it.

pub mod reference;

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
pub async fn seed(db: &Db, demo: bool) -> AppResult<SeedReport> {
    let mut report = reference::load(db).await?;
    if demo {
        report.demo = load_demo(db).await?;
    }
    Ok(report)
}

/// Demo data arrives with the programme records; until then there is none to load.
async fn load_demo(_db: &Db) -> AppResult<bool> {
    Ok(false)
}
