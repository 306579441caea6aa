//! Countries, M49 regions and groupings: readable by anyone.

use std::borrow::Cow;

use async_graphql::{Context, InputObject, Object, Result};

use super::context::Ctx;
pub use super::gazetteer::{load_country, load_region};
use super::loaders::{CountriesOf, GroupingsOfCountry, RegionChildren};
use super::pagination::{Page, PageRequest, TotalCount, page};
use crate::domain::geography::{self as geo, Country, Grouping, NewGrouping, Region, RegionLevel};
use crate::domain::validate::filter_text;
use crate::storage::Db;
use crate::storage::geography::{self as store, Area, CountryFilter};

/// A country or area of the UN M49 standard, with its place in the M49 hierarchy.
#[Object]
impl Country {
    /// ISO 3166-1 alpha-3 code, e.g. NOR.
    async fn iso3(&self) -> &str {
        &self.iso3
    }
    /// ISO 3166-1 alpha-2 code, e.g. NO.
    async fn iso2(&self) -> &str {
        &self.iso2
    }
    /// UN M49 numeric code, three digits, e.g. 578.
    async fn m49(&self) -> &str {
        &self.m49
    }
    /// English short name as used by the UN.
    async fn name(&self) -> &str {
        &self.name
    }
    /// Whether this is one of the 193 UN Member States. Non-members (e.g. the State of Palestine)
    /// are valid programme locations too.
    async fn un_member(&self) -> bool {
        self.un_member
    }
    /// The M49 region (continent), e.g. Europe.
    async fn region<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Region>>> {
        load_region(ctx, self.region_code.as_deref()).await
    }
    /// The M49 sub-region, e.g. Northern Europe.
    async fn sub_region<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Region>>> {
        load_region(ctx, self.sub_region_code.as_deref()).await
    }
    /// The M49 intermediate region where one exists, e.g. Eastern Africa.
    async fn intermediate_region<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Region>>> {
        load_region(ctx, self.intermediate_region_code.as_deref()).await
    }
    /// The groupings (e.g. UNODC regional office areas) that include this country.
    async fn groupings(&self, ctx: &Context<'_>) -> Result<Vec<Grouping>> {
        Ok(ctx
            .loader()
            .load_one(GroupingsOfCountry(self.iso3.clone()))
            .await?
            .unwrap_or_default())
    }
}

/// A region of the UN M49 standard at any level (world, region, sub-region, intermediate region).
#[Object]
impl Region {
    /// UN M49 code, three digits: 001 world, 150 Europe, 154 Northern Europe, 035 South-eastern Asia.
    async fn code(&self) -> &str {
        &self.code
    }
    /// English name, e.g. South-eastern Asia.
    async fn name(&self) -> &str {
        &self.name
    }
    /// The level of this region in the M49 hierarchy.
    async fn level(&self) -> RegionLevel {
        self.level
    }
    /// The region one level up (none for the world).
    async fn parent<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Region>>> {
        load_region(ctx, self.parent_code.as_deref()).await
    }
    /// The regions one level down, by name.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        Ok(ctx
            .loader()
            .load_one(RegionChildren(self.code.clone()))
            .await?
            .unwrap_or_default())
    }
    /// Every country in this region at any depth, by name.
    async fn countries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Country>> {
        let area = if self.level == RegionLevel::World {
            Area::World
        } else {
            Area::Region(self.code.clone())
        };
        area_page(ctx, area, first, after).await
    }
}

/// A named set of countries that is not an M49 region, such as the area of a UNODC regional office.
#[Object]
impl Grouping {
    /// Short code, e.g. UNODC-ROSEAP. Usable wherever a region code is accepted.
    async fn code(&self) -> &str {
        &self.code
    }
    /// Name, e.g. UNODC Regional Office for Southeast Asia and the Pacific.
    async fn name(&self) -> &str {
        &self.name
    }
    /// What the grouping is and where its membership comes from.
    async fn description(&self) -> &str {
        &self.description
    }
    /// The countries of the grouping, by name.
    async fn countries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Country>> {
        area_page(ctx, Area::Grouping(self.code.clone()), first, after).await
    }
}

/// A page of an area's countries, for the `countries` of a region or grouping: the whole list
/// comes from the request's loader (one statement for every region, or grouping, of a query) and
/// is paged here, in the order and with the cursors of `countries(filter: {region:})`.
async fn area_page(
    ctx: &Context<'_>,
    area: Area,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Page<Country>> {
    let req = PageRequest::new(ctx.page_limits(), first, after)?;
    let after: Option<(String, String)> = req.after()?;
    let all = ctx
        .loader()
        .load_one(CountriesOf(area))
        .await?
        .unwrap_or_default();
    let start = after.map_or(0, |(name, iso3)| {
        all.partition_point(|c| (c.name.as_str(), c.iso3.as_str()) <= (&name, &iso3))
    });
    let fetch = usize::try_from(req.fetch()).unwrap_or(usize::MAX);
    let rows: Vec<Country> = all[start..].iter().take(fetch).cloned().collect();
    let total = TotalCount::known(all.len() as i64);
    Ok(page(
        &req,
        rows,
        |c| (c.name.clone(), c.iso3.clone()),
        |c| c,
        total,
    ))
}

async fn country_page(
    ctx: &Context<'_>,
    filter: CountryFilter,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Page<Country>> {
    let req = PageRequest::new(ctx.page_limits(), first, after)?;
    let db = ctx.db().clone();
    let rows = store::list_countries(db.pool(), &filter, req.after()?, req.fetch()).await?;
    let total = TotalCount::new(move || {
        let (db, filter) = (db.clone(), filter.clone());
        async move { store::count_countries(db.pool(), &filter).await }
    });
    Ok(page(
        &req,
        rows,
        |r| (r.name.clone(), r.iso3.clone()),
        Country::from,
        total,
    ))
}

/// Narrows a country list.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct CountryFilterInput {
    /// Only UN Member States (true) or only non-members (false).
    pub un_member: Option<bool>,
    /// An M49 code at any level (e.g. 150 Europe, 154 Northern Europe, 035 South-eastern Asia,
    /// 001 the world) or a grouping code. A country's code is refused, saying it is one.
    pub region: Option<String>,
    /// Part of the name, or an exact ISO3 code, case-insensitive.
    pub search: Option<String>,
}

#[derive(Default)]
pub struct GeographyQuery;

/// Geography: countries, M49 regions, groupings.
#[Object]
impl GeographyQuery {
    /// Countries and areas of the UN M49 standard, by name.
    async fn countries(
        &self,
        ctx: &Context<'_>,
        filter: Option<CountryFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Country>> {
        let filter = filter.unwrap_or_default();
        let area = match filter_text("filter.region", filter.region.as_deref())? {
            Some(code) => Some(
                geo::area_or_else(ctx.db(), "filter.region", &code, |c| {
                    format!("read it with country(code: \"{}\")", c.iso3)
                })
                .await?,
            ),
            None => None,
        };
        let search = filter_text("filter.search", filter.search.as_deref())?;
        let f = CountryFilter {
            un_member: filter.un_member,
            area,
            search,
        };
        country_page(ctx, f, first, after).await
    }

    /// One country by ISO3 (NOR), ISO2 (NO) or M49 (578) code.
    async fn country(&self, ctx: &Context<'_>, code: String) -> Result<Option<Country>> {
        Ok(geo::country(ctx.db(), &code).await?)
    }

    /// One M49 region by code, e.g. 035.
    async fn region(&self, ctx: &Context<'_>, code: String) -> Result<Option<Region>> {
        let code = geo::normalise_country_code(&code);
        Ok(store::find_region(ctx.db().pool(), &code)
            .await?
            .map(Region::from))
    }

    /// M49 regions, by code; all levels unless one is given.
    async fn regions(&self, ctx: &Context<'_>, level: Option<RegionLevel>) -> Result<Vec<Region>> {
        let db: &Db = ctx.db();
        Ok(
            store::list_regions(db.pool(), level.map(RegionLevel::as_str))
                .await?
                .into_iter()
                .map(Region::from)
                .collect(),
        )
    }

    /// Groupings of countries that are not M49 regions (e.g. UNODC regional office areas).
    async fn groupings(&self, ctx: &Context<'_>) -> Result<Vec<Grouping>> {
        Ok(store::list_groupings(ctx.db().pool())
            .await?
            .into_iter()
            .map(Grouping::from)
            .collect())
    }

    /// One grouping by code.
    async fn grouping(&self, ctx: &Context<'_>, code: String) -> Result<Option<Grouping>> {
        Ok(store::find_grouping(ctx.db().pool(), code.trim())
            .await?
            .map(Grouping::from))
    }
}

/// A new grouping of countries.
#[derive(InputObject)]
pub struct CreateGroupingInput {
    /// Short code: letters, digits, - or _, not all digits (e.g. UNODC-ROSEAP).
    pub code: String,
    /// Name shown in reports.
    pub name: String,
    /// What the grouping is and where its membership comes from.
    pub description: Option<String>,
    /// Member countries by ISO3, ISO2 or M49 code.
    pub countries: Vec<String>,
}

#[derive(Default)]
pub struct GeographyMutation;

/// Geography changes.
#[Object]
impl GeographyMutation {
    /// Creates a grouping of countries (admins only).
    async fn create_grouping(
        &self,
        ctx: &Context<'_>,
        input: CreateGroupingInput,
    ) -> Result<Option<Grouping>> {
        let input = NewGrouping {
            code: input.code,
            name: input.name,
            description: input.description,
            countries: input.countries,
        };
        Ok(Some(
            geo::create_grouping(ctx.db(), ctx.viewer(), input).await?,
        ))
    }
}
