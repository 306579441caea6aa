//! Countries and regions for nested fields, read once per server process.
//!
//! Both are UN M49 reference data loaded by `seed`; nothing in the API changes them. A nested
//! list of a thousand activities therefore names their countries from memory, instead of a
//! statement and a thousand loader calls per request. A code the memory lacks (reference data
//! loaded after the server read it) is still looked up through the request's loader, so nothing
//! goes missing; a country renamed in the database shows its new name after a restart.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};
use tokio::sync::OnceCell;

use super::context::Ctx;
use super::error::LoadError;
use super::loaders::{AppLoader, CountryByIso3, RegionByCode};
use crate::domain::geography::{Country, Region};
use crate::error::{AppError, AppResult};
use crate::storage::{Db, geography};

/// Schema data: the countries and regions, filled on first use.
#[derive(Default)]
pub struct Gazetteer {
    places: OnceCell<Places>,
}

struct Places {
    countries: HashMap<String, Country>,
    regions: HashMap<String, Region>,
}

impl Gazetteer {
    /// The places, read on first use; `None` while the database has no countries yet (that is
    /// not remembered: a later request reads again). Callers arriving while the first read runs
    /// wait for it, so a server started under load reads the places once, not once per field.
    async fn places(&self, db: &Db) -> AppResult<Option<&Places>> {
        match self.places.get_or_try_init(|| read_places(db)).await {
            Ok(places) => Ok(Some(places)),
            Err(NotRead::Empty) => Ok(None),
            Err(NotRead::Failed(e)) => Err(e),
        }
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

/// A country by ISO3 for nested fields: from memory, else through the request's loader.
pub async fn load_country<'a>(
    ctx: &Context<'a>,
    iso3: Option<&str>,
) -> Result<Option<Cow<'a, Country>>> {
    lookup(ctx, iso3, |p| &p.countries, CountryByIso3).await
}

/// A region by M49 code for nested fields: from memory, else through the request's loader.
pub async fn load_region<'a>(
    ctx: &Context<'a>,
    code: Option<&str>,
) -> Result<Option<Cow<'a, Region>>> {
    lookup(ctx, code, |p| &p.regions, RegionByCode).await
}

/// A place by code: borrowed from `in_memory(places)` when there, else loaded with `key(code)`.
async fn lookup<'a, T, K>(
    ctx: &Context<'a>,
    code: Option<&str>,
    in_memory: fn(&Places) -> &HashMap<String, T>,
    key: fn(String) -> K,
) -> Result<Option<Cow<'a, T>>>
where
    T: Clone + 'a,
    K: Send + Sync + Hash + Eq + Clone + 'static,
    AppLoader: Loader<K, Value = T, Error = LoadError>,
{
    let Some(code) = code else {
        return Ok(None);
    };
    let gazetteer = ctx.data_unchecked::<Gazetteer>();
    if let Some(found) = gazetteer
        .places(ctx.db())
        .await?
        .and_then(|p| in_memory(p).get(code))
    {
        return Ok(Some(Cow::Borrowed(found)));
    }
    Ok(ctx
        .loader()
        .load_one(key(code.to_string()))
        .await?
        .map(Cow::Owned))
}
