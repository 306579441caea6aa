//! Codelists, organisations and the caller: reference data anyone may read.

use std::borrow::Cow;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::context::Ctx;
use super::ids::{global_id, parse};
use super::pagination::{Page, PageRequest, TotalCount, page};
use crate::domain::auth::Role;
use crate::domain::codes::{self, Code};
use crate::domain::geography::Country;
use crate::domain::organisations::{self as orgs, Organisation, OrganisationInput};
use crate::domain::validate::filter_text;
use crate::storage::organisations::{self as store, OrganisationFilter};

/// One code of an IATI 2.03 codelist.
#[Object]
impl Code {
    /// The code as IATI writes it, e.g. 2 for "Implementation" in ActivityStatus.
    async fn code(&self) -> &str {
        &self.code
    }
    /// English name.
    async fn name(&self) -> &str {
        &self.name
    }
    /// English description, where IATI gives one.
    async fn description(&self) -> &str {
        &self.description
    }
    /// IATI category of the code, where the list has categories (e.g. the DAC 3-digit sector).
    async fn category(&self) -> &str {
        &self.category
    }
    /// Whether IATI has withdrawn the code; withdrawn codes are refused in new data.
    async fn withdrawn(&self) -> bool {
        self.withdrawn
    }
}

/// A codelist held by the service, with its size.
#[derive(SimpleObject)]
pub struct CodelistSummary {
    /// The IATI name of the list, e.g. ActivityStatus.
    pub name: String,
    /// How many codes it holds.
    pub size: i64,
}

/// An organisation: a Member State government, UN entity, donor or NGO.
#[Object]
impl Organisation {
    /// Global id, e.g. Organisation:3.
    pub async fn id(&self) -> ID {
        global_id("Organisation", self.id)
    }
    /// Name, e.g. Government of Norway.
    async fn name(&self) -> &str {
        &self.name
    }
    /// IATI OrganisationType code, e.g. 10 government, 40 multilateral, 21 international NGO.
    #[graphql(name = "type")]
    async fn org_type(&self) -> &str {
        &self.org_type
    }
    /// IATI organisation identifier, e.g. XM-DAC-8 (Norway), where known.
    async fn iati_ref(&self) -> Option<&str> {
        self.iati_ref.as_deref()
    }
    /// The country the organisation belongs to, for governments and national bodies.
    async fn country<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Country>>> {
        super::geography::load_country(ctx, self.country_iso3.as_deref()).await
    }
    /// Optimistic-concurrency version: pass it back when updating.
    async fn version(&self) -> i64 {
        self.version
    }
    /// When the organisation was archived, if it was.
    async fn archived_at(&self) -> Option<&str> {
        self.archived_at.as_deref()
    }
}

/// The caller, as the token presented identifies it.
#[derive(SimpleObject)]
pub struct Me {
    /// Whether a valid token was presented.
    pub authenticated: bool,
    /// The token's name.
    pub name: String,
    /// The token's role; none for anonymous callers.
    pub role: Option<Role>,
    /// Programme codes an officer token may write in.
    pub programmes: Vec<String>,
    /// Countries (ISO3) an officer token is limited to; empty means no limit.
    pub countries: Vec<String>,
    /// The organisation a donor token belongs to.
    pub organisation_id: Option<ID>,
}

/// Narrows an organisation list.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct OrganisationFilterInput {
    /// Part of the name, or an exact IATI identifier, case-insensitive.
    pub search: Option<String>,
    /// IATI OrganisationType code.
    #[graphql(name = "type")]
    pub org_type: Option<String>,
    /// Country by ISO3 code.
    pub country: Option<String>,
    /// Include archived organisations.
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// The codes of one IATI 2.03 codelist, e.g. ActivityStatus, Sector, UNSDG-Targets.
    async fn codelist(&self, ctx: &Context<'_>, name: String) -> Result<Vec<Code>> {
        Ok(codes::list(ctx.db(), name.trim()).await?)
    }

    /// The IATI codelists held, with their sizes.
    async fn codelists(&self, ctx: &Context<'_>) -> Result<Vec<CodelistSummary>> {
        Ok(crate::storage::codelists::list_names(ctx.db().pool())
            .await?
            .into_iter()
            .map(|(name, size)| CodelistSummary { name, size })
            .collect())
    }

    /// Organisations by name.
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrganisationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Organisation>> {
        let f = filter.unwrap_or_default();
        let filter = OrganisationFilter {
            search: filter_text("filter.search", f.search.as_deref())?,
            org_type: filter_text("filter.type", f.org_type.as_deref())?,
            country_iso3: filter_text("filter.country", f.country.as_deref())?
                .map(|c| c.to_ascii_uppercase()),
            include_archived: f.include_archived,
        };
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let rows = store::list(db.pool(), &filter, req.after()?, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, filter) = (db.clone(), filter.clone());
            async move { store::count(db.pool(), &filter).await }
        });
        Ok(page(&req, rows, |r| (r.name.clone(), r.id), |r| r, total))
    }

    /// One organisation by id.
    async fn organisation(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organisation>> {
        let id = parse("id", "Organisation", &id)?;
        Ok(store::find(ctx.db().pool(), id).await?)
    }

    /// Who the caller is: role and scopes of the token presented.
    async fn me(&self, ctx: &Context<'_>) -> Me {
        let v = ctx.viewer();
        Me {
            authenticated: v.role.is_some(),
            name: v.name.clone(),
            role: v.role,
            programmes: v.programmes.clone(),
            countries: v.countries.clone(),
            organisation_id: v.organisation_id.map(|id| global_id("Organisation", id)),
        }
    }
}

/// The fields of an organisation.
#[derive(InputObject)]
#[graphql(name = "OrganisationInput")]
pub struct OrganisationInputGql {
    /// Name, e.g. Government of Norway.
    pub name: String,
    /// IATI OrganisationType code (see `codelist(name: "OrganisationType")`).
    #[graphql(name = "type")]
    pub org_type: String,
    /// IATI organisation identifier, e.g. XM-DAC-8 (Norway): prefix, hyphen, code; no spaces and
    /// none of / & | ?, which IATI forbids in identifiers.
    pub iati_ref: Option<String>,
    /// Country by ISO3, ISO2 or M49 code.
    pub country: Option<String>,
}

impl From<OrganisationInputGql> for OrganisationInput {
    fn from(i: OrganisationInputGql) -> Self {
        OrganisationInput {
            name: i.name,
            org_type: i.org_type,
            iati_ref: i.iati_ref,
            country: i.country,
        }
    }
}

#[derive(Default)]
pub struct ReferenceMutation;

#[Object]
impl ReferenceMutation {
    /// Adds an organisation (admins only).
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: OrganisationInputGql,
    ) -> Result<Option<Organisation>> {
        Ok(Some(
            orgs::create(ctx.db(), ctx.viewer(), input.into()).await?,
        ))
    }

    /// Changes an organisation (admins only); `version` must be the current one.
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: OrganisationInputGql,
    ) -> Result<Option<Organisation>> {
        let id = parse("id", "Organisation", &id)?;
        Ok(Some(
            orgs::update(ctx.db(), ctx.viewer(), id, version, input.into()).await?,
        ))
    }
}
