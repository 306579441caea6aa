//! One loader per relation, batched per request: a nested list costs one statement per level,
//! not one per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use super::error::LoadError;
use crate::domain::auth::Viewer;
use crate::domain::geography::{Country, Grouping, Region};
use crate::domain::organisations::Organisation;
use crate::storage::geography::Area;
use crate::storage::{Db, geography, organisations};

/// The loader behind every relation; one per request, so it carries the caller's scope.
pub struct AppLoader {
    pub db: Db,
    pub viewer: Viewer,
}

impl AppLoader {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        AppLoader { db, viewer }
    }
}

/// A region by its M49 code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegionByCode(pub String);

/// The child regions of a region.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegionChildren(pub String);

/// A country by ISO3 code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountryByIso3(pub String);

/// The groupings a country belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupingsOfCountry(pub String);

/// An organisation by id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrganisationById(pub i64);

/// Every country of an area (the world, an M49 region, a grouping) in name order, for
/// `Region.countries` and `Grouping.countries`, which page through it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountriesOf(pub Area);

impl Loader<RegionByCode> for AppLoader {
    type Value = Region;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[RegionByCode],
    ) -> Result<HashMap<RegionByCode, Region>, LoadError> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = geography::regions_by_code(self.db.pool(), &codes).await?;
        Ok(rows
            .into_iter()
            .map(|r| (RegionByCode(r.code.clone()), Region::from(r)))
            .collect())
    }
}

impl Loader<RegionChildren> for AppLoader {
    type Value = Vec<Region>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[RegionChildren],
    ) -> Result<HashMap<RegionChildren, Vec<Region>>, LoadError> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = geography::region_children(self.db.pool(), &codes).await?;
        let mut out: HashMap<RegionChildren, Vec<Region>> = HashMap::new();
        for r in rows {
            if let Some(parent) = r.parent_code.clone() {
                out.entry(RegionChildren(parent))
                    .or_default()
                    .push(Region::from(r));
            }
        }
        Ok(out)
    }
}

impl Loader<CountriesOf> for AppLoader {
    type Value = Arc<[Country]>;
    type Error = LoadError;

    /// One statement for the regions and one for the groupings, whatever their number.
    async fn load(
        &self,
        keys: &[CountriesOf],
    ) -> Result<HashMap<CountriesOf, Arc<[Country]>>, LoadError> {
        let (mut world, mut regions, mut groupings) = (false, Vec::new(), Vec::new());
        for CountriesOf(area) in keys {
            match area {
                Area::World => world = true,
                Area::Region(code) => regions.push(code.clone()),
                Area::Grouping(code) => groupings.push(code.clone()),
            }
        }
        let mut out: HashMap<CountriesOf, Vec<Country>> = HashMap::new();
        if world {
            let all = geography::all_countries(self.db.pool()).await?;
            out.insert(
                CountriesOf(Area::World),
                all.into_iter().map(Country::from).collect(),
            );
        }
        if !regions.is_empty() {
            for row in geography::countries_of_regions(self.db.pool(), &regions).await? {
                let country = Country::from(row);
                let levels = [
                    &country.region_code,
                    &country.sub_region_code,
                    &country.intermediate_region_code,
                ];
                for code in levels.into_iter().flatten() {
                    if regions.contains(code) {
                        out.entry(CountriesOf(Area::Region(code.clone())))
                            .or_default()
                            .push(country.clone());
                    }
                }
            }
        }
        if !groupings.is_empty() {
            for m in geography::countries_of_groupings(self.db.pool(), &groupings).await? {
                out.entry(CountriesOf(Area::Grouping(m.grouping_code)))
                    .or_default()
                    .push(Country::from(m.country));
            }
        }
        // The order and keys of `countries(filter: {region:})`: names compare by their bytes
        // there too (SQLite's default, and `collate "C"` on PostgreSQL).
        Ok(out
            .into_iter()
            .map(|(key, mut countries)| {
                countries.sort_unstable_by(|a, b| (&a.name, &a.iso3).cmp(&(&b.name, &b.iso3)));
                (key, countries.into())
            })
            .collect())
    }
}

impl Loader<CountryByIso3> for AppLoader {
    type Value = Country;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CountryByIso3],
    ) -> Result<HashMap<CountryByIso3, Country>, LoadError> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = geography::countries_by_iso3(self.db.pool(), &codes).await?;
        Ok(rows
            .into_iter()
            .map(|r| (CountryByIso3(r.iso3.clone()), Country::from(r)))
            .collect())
    }
}

impl Loader<GroupingsOfCountry> for AppLoader {
    type Value = Vec<Grouping>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[GroupingsOfCountry],
    ) -> Result<HashMap<GroupingsOfCountry, Vec<Grouping>>, LoadError> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = geography::groupings_of_countries(self.db.pool(), &codes).await?;
        let mut out: HashMap<GroupingsOfCountry, Vec<Grouping>> = HashMap::new();
        for (iso3, code, name, description) in rows {
            out.entry(GroupingsOfCountry(iso3))
                .or_default()
                .push(Grouping {
                    code,
                    name,
                    description,
                });
        }
        Ok(out)
    }
}

impl Loader<OrganisationById> for AppLoader {
    type Value = Organisation;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[OrganisationById],
    ) -> Result<HashMap<OrganisationById, Organisation>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = organisations::by_ids(self.db.pool(), &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| (OrganisationById(r.id), r))
            .collect())
    }
}

/// The live documents linked to a record through a link table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentsOf {
    pub table: &'static str,
    pub owner_column: &'static str,
    pub owner: i64,
}

impl Loader<DocumentsOf> for AppLoader {
    type Value = Vec<crate::domain::documents::Document>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[DocumentsOf],
    ) -> Result<HashMap<DocumentsOf, Self::Value>, LoadError> {
        let mut out: HashMap<DocumentsOf, Self::Value> = HashMap::new();
        let mut tables: Vec<(&'static str, &'static str)> =
            keys.iter().map(|k| (k.table, k.owner_column)).collect();
        tables.sort();
        tables.dedup();
        for (table, owner_column) in tables {
            let owners: Vec<i64> = keys
                .iter()
                .filter(|k| k.table == table)
                .map(|k| k.owner)
                .collect();
            let rows =
                crate::storage::documents::linked(self.db.pool(), table, owner_column, &owners)
                    .await?;
            for (owner, doc) in rows {
                out.entry(DocumentsOf {
                    table,
                    owner_column,
                    owner,
                })
                .or_default()
                .push(doc);
            }
        }
        Ok(out)
    }
}

/// A programme by id, within the caller's scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProgrammeById(pub i64);

impl Loader<ProgrammeById> for AppLoader {
    type Value = crate::domain::programmes::Programme;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ProgrammeById],
    ) -> Result<HashMap<ProgrammeById, Self::Value>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = crate::storage::programmes::by_ids(self.db.pool(), &scope, &ids).await?;
        Ok(rows.into_iter().map(|r| (ProgrammeById(r.id), r)).collect())
    }
}
