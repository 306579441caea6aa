//! Countries and regions for nested fields: from the process's gazetteer
//! (`domain::gazetteer`), else through the request's loader, so that a code the memory lacks
//! (reference data loaded after the server read it) is still found.

use std::borrow::Cow;
use std::hash::Hash;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};

use super::context::Ctx;
use super::error::LoadError;
use super::loaders::{AppLoader, CountryByIso3, RegionByCode};
use crate::domain::gazetteer::{Gazetteer, Places};
use crate::domain::geography::{Country, Region};

/// A country by ISO3 for nested fields: from memory, else through the request's loader.
pub async fn load_country<'a>(
    ctx: &Context<'a>,
    iso3: Option<&str>,
) -> Result<Option<Cow<'a, Country>>> {
    lookup(ctx, iso3, Places::country, CountryByIso3).await
}

/// A region by M49 code for nested fields: from memory, else through the request's loader.
pub async fn load_region<'a>(
    ctx: &Context<'a>,
    code: Option<&str>,
) -> Result<Option<Cow<'a, Region>>> {
    lookup(ctx, code, Places::region, RegionByCode).await
}

/// A place by code: borrowed from `in_memory(places, code)` when there, else loaded with
/// `key(code)`.
async fn lookup<'a, T, K>(
    ctx: &Context<'a>,
    code: Option<&str>,
    in_memory: for<'p> fn(&'p Places, &str) -> Option<&'p T>,
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
        .and_then(|p| in_memory(p, code))
    {
        return Ok(Some(Cow::Borrowed(found)));
    }
    Ok(ctx
        .loader()
        .load_one(key(code.to_string()))
        .await?
        .map(Cow::Owned))
}
