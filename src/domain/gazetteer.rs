//! Countries and regions held in memory, read once per server process.
//!
//! Both are UN M49 reference data loaded by `seed`; nothing in the API changes them. A nested
//! list of a thousand activities and a regional summary of a hundred countries therefore name
//! their places from memory rather than with statements of their own. Callers still look up,
//! from the database, any code the memory lacks (reference data loaded after the server read
//! it), so nothing goes missing; a country renamed in the database shows its new name after a
//! restart.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::OnceCell;

use super::geography::{Country, Region};
use crate::error::{AppError, AppResult};
use crate::storage::{Db, geography};

/// The countries and regions, filled on first use.
#[derive(Default)]
pub struct Gazetteer {
    places: OnceCell<Places>,
    /// How many times the places were read from the database.
    reads: AtomicUsize,
}

/// Every country by ISO3 code and every region by M49 code.
pub struct Places {
    countries: HashMap<String, Country>,
    regions: HashMap<String, Region>,
}

impl Places {
    pub fn country(&self, iso3: &str) -> Option<&Country> {
        self.countries.get(iso3)
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }
}

impl Gazetteer {
    /// The places, read on first use; `None` while the database has no countries yet (that is
    /// not remembered: a later call reads again). Callers arriving while the first read runs
    /// wait for it, so a server started under load reads the places once, not once per field.
    pub async fn places(&self, db: &Db) -> AppResult<Option<&Places>> {
        let read = || async {
            self.reads.fetch_add(1, Ordering::Relaxed);
            read_places(db).await
        };
        match self.places.get_or_try_init(read).await {
            Ok(places) => Ok(Some(places)),
            Err(NotRead::Empty) => Ok(None),
            Err(NotRead::Failed(e)) => Err(e),
        }
    }

    /// How many times the places were read from the database.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }
}

/// Why the places were not read: none yet, or the database failed.
enum NotRead {
    Empty,
    Failed(AppError),
}

impl From<AppError> for NotRead {
    fn from(e: AppError) -> Self {
        NotRead::Failed(e)
    }
}

async fn read_places(db: &Db) -> Result<Places, NotRead> {
    let countries = geography::all_countries(db.pool()).await?;
    if countries.is_empty() {
        return Err(NotRead::Empty);
    }
    let regions = geography::list_regions(db.pool(), None).await?;
    Ok(Places {
        countries: countries
            .into_iter()
            .map(|r| (r.iso3.clone(), Country::from(r)))
            .collect(),
        regions: regions
            .into_iter()
            .map(|r| (r.code.clone(), Region::from(r)))
            .collect(),
    })
}

/// The named countries, from memory where there and from the database otherwise, in no
/// particular order; a code that names no country is left out.
pub async fn countries(db: &Db, gazetteer: &Gazetteer, iso3: &[String]) -> AppResult<Vec<Country>> {
    let places = gazetteer.places(db).await?;
    let (mut found, missing) = split(iso3, |c| places.and_then(|p| p.country(c)));
    if !missing.is_empty() {
        let rows = geography::countries_by_iso3(db.pool(), &missing).await?;
        found.extend(rows.into_iter().map(Country::from));
    }
    Ok(found)
}

/// The named regions, from memory where there and from the database otherwise, in no
/// particular order; a code that names no region is left out.
pub async fn regions(db: &Db, gazetteer: &Gazetteer, codes: &[String]) -> AppResult<Vec<Region>> {
    let places = gazetteer.places(db).await?;
    let (mut found, missing) = split(codes, |c| places.and_then(|p| p.region(c)));
    if !missing.is_empty() {
        let rows = geography::regions_by_code(db.pool(), &missing).await?;
        found.extend(rows.into_iter().map(Region::from));
    }
    Ok(found)
}

/// The places `known` has, cloned, and the codes it lacks.
fn split<'p, T: Clone + 'p>(
    codes: &[String],
    known: impl Fn(&str) -> Option<&'p T>,
) -> (Vec<T>, Vec<String>) {
    let mut found = Vec::with_capacity(codes.len());
    let mut missing = Vec::new();
    for code in codes {
        match known(code) {
            Some(place) => found.push(place.clone()),
            None => missing.push(code.clone()),
        }
    }
    (found, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn reference_db(dir: &tempfile::TempDir) -> Db {
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, 8).await.unwrap();
        db.migrate().await.unwrap();
        db
    }

    #[tokio::test]
    async fn callers_arriving_together_share_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let db = reference_db(&dir).await;
        crate::seeds::reference::load(&db).await.unwrap();
        let gazetteer = Gazetteer::default();
        let calls = (0..32).map(|_| gazetteer.places(&db));
        let all = futures_util::future::try_join_all(calls).await.unwrap();
        assert!(
            all.iter()
                .all(|p| p.is_some_and(|p| p.country("NOR").is_some()))
        );
        assert_eq!(gazetteer.reads(), 1);
        gazetteer.places(&db).await.unwrap();
        assert_eq!(gazetteer.reads(), 1, "a later call is answered from memory");
    }

    #[tokio::test]
    async fn an_empty_database_is_read_again_once_reference_data_arrives() {
        let dir = tempfile::tempdir().unwrap();
        let db = reference_db(&dir).await;
        let gazetteer = Gazetteer::default();
        assert!(gazetteer.places(&db).await.unwrap().is_none());
        crate::seeds::reference::load(&db).await.unwrap();
        let places = gazetteer.places(&db).await.unwrap().expect("read again");
        assert_eq!(places.country("BFA").unwrap().name, "Burkina Faso");
        assert_eq!(places.region("143").unwrap().name, "Central Asia");
        assert_eq!(gazetteer.reads(), 2);
    }

    #[tokio::test]
    async fn codes_the_memory_lacks_are_looked_up_and_unknown_ones_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let db = reference_db(&dir).await;
        crate::seeds::reference::load(&db).await.unwrap();
        let gazetteer = Gazetteer::default();
        gazetteer.places(&db).await.unwrap();
        // Reference data added after the memory was filled.
        let mut tx = db.begin().await.unwrap();
        let region = geography::RegionRow {
            code: "998".into(),
            name: "Test region".into(),
            level: "sub_region".into(),
            parent_code: Some("142".into()),
        };
        geography::insert_region(&mut tx, &region).await.unwrap();
        let country = geography::CountryRow {
            iso3: "ZZZ".into(),
            iso2: "ZZ".into(),
            m49: "997".into(),
            name: "Testland".into(),
            un_member: crate::storage::Flag(false),
            region_code: Some("142".into()),
            sub_region_code: Some("998".into()),
            intermediate_region_code: None,
        };
        geography::insert_country(&mut tx, &country).await.unwrap();
        tx.commit().await.unwrap();

        let codes = ["IDN", "XXX", "ZZZ"].map(String::from);
        let mut names: Vec<String> = countries(&db, &gazetteer, &codes)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.sort();
        assert_eq!(names, ["Indonesia", "Testland"]);
        let codes = ["034", "999", "998"].map(String::from);
        let mut names: Vec<String> = regions(&db, &gazetteer, &codes)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        names.sort();
        assert_eq!(names, ["Southern Asia", "Test region"]);
        assert_eq!(gazetteer.reads(), 1);
    }
}
