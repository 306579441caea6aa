//! Engagements: technical assistance by a programme in one or more countries.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};

use super::context::Ctx;
use super::error::LoadError;
use super::ids::{global_id, parse};
use super::loaders::{AppLoader, OrganisationById, ProgrammeById};
use super::pagination::{Page, PageRequest, TotalCount, page};
use crate::domain::documents::Document;
use crate::domain::engagements::Engagement;
use crate::domain::geography::{Country, Region};
use crate::domain::organisations::Organisation;
use crate::domain::programmes::{self, Programme};
use crate::domain::{codes, geography, validate};
use crate::error::AppError;
use crate::storage::engagements::{
    self as store, Budget, ChildList, Children, CountryShare, EngagementFilter, EngagementOrder,
    Participant, PolicyMarker, SectorShare,
};

/// Technical assistance by a UNODC programme in one or more countries (an IATI activity).
#[Object]
impl Engagement {
    /// Global id, e.g. Engagement:4.
    pub async fn id(&self) -> ID {
        global_id("Engagement", self.id)
    }
    /// The programme it belongs to.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<Programme>> {
        Ok(ctx
            .loader()
            .load_one(ProgrammeById(self.programme_id))
            .await?)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.title
    }
    /// What the engagement does.
    async fn description(&self) -> &str {
        &self.description
    }
    /// What it sets out to achieve.
    async fn objectives(&self) -> &str {
        &self.objectives
    }
    /// Globally unique IATI activity identifier; cannot change once set.
    async fn iati_identifier(&self) -> Option<&str> {
        self.iati_identifier.as_deref()
    }
    /// IATI ActivityStatus code: 1 pipeline, 2 implementation, 3 finalisation, 4 closed,
    /// 5 cancelled, 6 suspended.
    async fn status(&self) -> &str {
        &self.status_code
    }
    /// Planned start date (YYYY-MM-DD).
    async fn planned_start(&self) -> Option<&str> {
        self.planned_start.as_deref()
    }
    /// Planned end date.
    async fn planned_end(&self) -> Option<&str> {
        self.planned_end.as_deref()
    }
    /// Actual start date.
    async fn actual_start(&self) -> Option<&str> {
        self.actual_start.as_deref()
    }
    /// Actual end date.
    async fn actual_end(&self) -> Option<&str> {
        self.actual_end.as_deref()
    }
    /// Start of the span the engagement counts as active in period filters and reports: the
    /// actual start once it has started, else the planned start.
    async fn active_from(&self) -> &str {
        &self.active_from
    }
    /// End of that span: the actual end once started (else planned); null means ongoing.
    async fn active_to(&self) -> Option<&str> {
        self.active_to.as_deref()
    }
    /// Recipient countries with their shares (percentages summing to 100).
    async fn recipient_countries(&self, ctx: &Context<'_>) -> Result<Vec<CountryShare>> {
        Ok(children(ctx, self.id, ChildList::Countries)
            .await?
            .countries)
    }
    /// The recipient M49 region, for engagements not split by country.
    async fn recipient_region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        match &self.recipient_region_code {
            Some(code) => Ok(ctx
                .loader()
                .load_one(super::loaders::RegionByCode(code.clone()))
                .await?),
            None => Ok(None),
        }
    }
    /// Participating organisations with their IATI roles (funding, accountable, extending,
    /// implementing).
    async fn participating_organisations(&self, ctx: &Context<'_>) -> Result<Vec<Participant>> {
        Ok(children(ctx, self.id, ChildList::Participants)
            .await?
            .participants)
    }
    /// OECD DAC 5-digit sectors with their shares.
    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<SectorShare>> {
        Ok(children(ctx, self.id, ChildList::Sectors).await?.sectors)
    }
    /// SDG targets it contributes to, e.g. 16.3, 16.a.
    async fn sdg_targets(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(children(ctx, self.id, ChildList::SdgTargets)
            .await?
            .sdg_targets)
    }
    /// IATI policy markers with their significance (e.g. gender equality, significant objective).
    async fn policy_markers(&self, ctx: &Context<'_>) -> Result<Vec<PolicyMarker>> {
        Ok(children(ctx, self.id, ChildList::PolicyMarkers)
            .await?
            .policy_markers)
    }
    /// Budgets, each for a period of at most one year.
    async fn budgets(&self, ctx: &Context<'_>) -> Result<Vec<Budget>> {
        Ok(children(ctx, self.id, ChildList::Budgets).await?.budgets)
    }
    /// Reference documents.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        super::documents::linked(ctx, "engagement_documents", "engagement_id", self.id).await
    }
    /// Its results (outputs, outcomes, impacts) with their indicators.
    async fn results(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::domain::results::ResultRecord>> {
        super::results::results_of_engagement(ctx, self.id).await
    }
    /// The first live activities logged under it, earliest start first (the order it ran in):
    /// `first` of them (default and maximum: the server's page sizes, 20 and 100 unless
    /// configured). `activityCount` tells whether there are more; `activities(filter:
    /// {engagement: ...})` pages through them all, newest first as that list is.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<std::sync::Arc<[crate::domain::activities::Activity]>> {
        let first = PageRequest::new(ctx.page_limits(), first, None)?.limit;
        super::activities::activities_of_engagement(ctx, self.id, first).await
    }
    /// How many live activities are logged under it.
    async fn activity_count(&self, ctx: &Context<'_>) -> Result<i64> {
        super::activities::activity_count_of(ctx, self.id).await
    }
    /// Optimistic-concurrency version: pass it back when updating or archiving.
    async fn version(&self) -> i64 {
        self.version
    }
    /// When it was archived, if it was.
    async fn archived_at(&self) -> Option<&str> {
        self.archived_at.as_deref()
    }
    /// When it was recorded.
    async fn created_at(&self) -> &str {
        &self.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> &str {
        &self.updated_at
    }
}

/// A recipient country and its share of the engagement.
#[Object]
impl CountryShare {
    /// The country.
    async fn country<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Country>>> {
        super::geography::load_country(ctx, Some(&self.country_iso3)).await
    }
    /// Its share of the engagement, in percent.
    async fn percentage(&self) -> f64 {
        self.percentage
    }
}

/// An organisation taking part in an engagement, in an IATI role.
#[Object(name = "ParticipatingOrganisation")]
impl Participant {
    /// The organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(ctx
            .loader()
            .load_one(OrganisationById(self.organisation_id))
            .await?)
    }
    /// IATI OrganisationRole code: 1 funding, 2 accountable, 3 extending, 4 implementing.
    async fn role(&self) -> &str {
        &self.role_code
    }
}

/// An OECD DAC sector and its share.
#[Object]
impl SectorShare {
    /// DAC 5-digit purpose code, e.g. 15130 (legal and judicial development).
    async fn code(&self) -> &str {
        &self.sector_code
    }
    /// Its share of the engagement, in percent.
    async fn percentage(&self) -> f64 {
        self.percentage
    }
}

/// An IATI policy marker and how significant the policy is to the engagement.
#[Object]
impl PolicyMarker {
    /// IATI PolicyMarker code, e.g. 1 (gender equality).
    async fn code(&self) -> &str {
        &self.marker_code
    }
    /// IATI PolicySignificance code: 0 not targeted, 1 significant, 2 principal objective, ...
    async fn significance(&self) -> &str {
        &self.significance_code
    }
}

/// A budget for one period of at most a year.
#[Object]
impl Budget {
    /// First day of the period.
    async fn period_start(&self) -> &str {
        &self.period_start
    }
    /// Last day of the period.
    async fn period_end(&self) -> &str {
        &self.period_end
    }
    /// Amount in `currency`.
    async fn amount(&self) -> f64 {
        self.amount
    }
    /// ISO 4217 currency code, e.g. USD.
    async fn currency(&self) -> &str {
        &self.currency
    }
    /// The date the amount's exchange value refers to.
    async fn value_date(&self) -> &str {
        &self.value_date
    }
}

/// One list of one engagement, batched for every engagement in the response: a query asking
/// only for recipient countries reads only those.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChildrenOf(pub i64, pub ChildList);

impl Loader<ChildrenOf> for AppLoader {
    type Value = Children;
    type Error = LoadError;

    /// One statement per list asked for, whatever the number of engagements.
    async fn load(&self, keys: &[ChildrenOf]) -> Result<HashMap<ChildrenOf, Children>, LoadError> {
        let mut by_list: BTreeMap<ChildList, Vec<i64>> = BTreeMap::new();
        for k in keys {
            by_list.entry(k.1).or_default().push(k.0);
        }
        let mut out = HashMap::new();
        for (list, ids) in by_list {
            for (id, c) in store::children_of(self.db.pool(), &ids, &[list]).await? {
                out.insert(ChildrenOf(id, list), c);
            }
        }
        Ok(out)
    }
}

/// The engagement's lists with `list` filled in (the others empty).
async fn children(ctx: &Context<'_>, id: i64, list: ChildList) -> Result<Children> {
    Ok(ctx
        .loader()
        .load_one(ChildrenOf(id, list))
        .await?
        .unwrap_or_default())
}

/// An engagement by id, within the caller's scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EngagementById(pub i64);

impl Loader<EngagementById> for AppLoader {
    type Value = Engagement;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EngagementById],
    ) -> Result<HashMap<EngagementById, Engagement>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = store::by_ids(self.db.pool(), &scope, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| (EngagementById(r.id), r))
            .collect())
    }
}

/// The engagement with this id, if the caller may see it (for nested fields).
pub async fn load_engagement(ctx: &Context<'_>, id: i64) -> Result<Option<Engagement>> {
    Ok(ctx.loader().load_one(EngagementById(id)).await?)
}

/// The first engagements of a programme, for `Programme.engagements(first:)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EngagementsOfProgramme {
    pub programme: i64,
    pub first: i64,
}

impl Loader<EngagementsOfProgramme> for AppLoader {
    type Value = Vec<Engagement>;
    type Error = LoadError;

    /// One statement per page size asked for (normally one), whatever the number of programmes.
    async fn load(
        &self,
        keys: &[EngagementsOfProgramme],
    ) -> Result<HashMap<EngagementsOfProgramme, Vec<Engagement>>, LoadError> {
        let scope = self.viewer.record_scope()?;
        let mut by_size: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
        for k in keys {
            by_size.entry(k.first).or_default().push(k.programme);
        }
        let mut out: HashMap<EngagementsOfProgramme, Vec<Engagement>> = HashMap::new();
        for (first, ids) in by_size {
            for r in
                store::first_of_programmes(self.db.pool(), self.db.backend(), &scope, &ids, first)
                    .await?
            {
                out.entry(EngagementsOfProgramme {
                    programme: r.programme_id,
                    first,
                })
                .or_default()
                .push(r);
            }
        }
        Ok(out)
    }
}

/// The first `first` live engagements of a programme the caller may see.
pub async fn engagements_of_programme(
    ctx: &Context<'_>,
    programme_id: i64,
    first: i64,
) -> Result<Vec<Engagement>> {
    Ok(ctx
        .loader()
        .load_one(EngagementsOfProgramme {
            programme: programme_id,
            first,
        })
        .await?
        .unwrap_or_default())
}

/// How many live engagements of a programme the caller may see.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EngagementCountOf(pub i64);

impl Loader<EngagementCountOf> for AppLoader {
    type Value = i64;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EngagementCountOf],
    ) -> Result<HashMap<EngagementCountOf, i64>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = store::counts_of_programmes(self.db.pool(), &scope, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (EngagementCountOf(id), n))
            .collect())
    }
}

pub async fn engagement_count_of(ctx: &Context<'_>, programme_id: i64) -> Result<i64> {
    Ok(ctx
        .loader()
        .load_one(EngagementCountOf(programme_id))
        .await?
        .unwrap_or(0))
}

/// Narrows an engagement list.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct EngagementFilterInput {
    /// Programme code.
    pub programme: Option<String>,
    /// A recipient country (ISO3, ISO2 or M49).
    pub country: Option<String>,
    /// An M49 region at any level or a grouping code: engagements with a recipient country there,
    /// or recorded for a region inside it, as a regional summary counts them. A country's code
    /// is refused, saying it is one (filter by `country` instead).
    pub region: Option<String>,
    /// IATI ActivityStatus code.
    pub status: Option<String>,
    /// Engagements this organisation funds (IATI role 1); an unknown organisation is refused.
    pub donor: Option<ID>,
    /// Active on or after this date (YYYY-MM-DD); engagements with no end are ongoing.
    pub from: Option<String>,
    /// Active on or before this date.
    pub to: Option<String>,
    /// Words in the title, description, objectives or IATI identifier.
    pub search: Option<String>,
    /// Include archived engagements.
    #[graphql(default)]
    pub include_archived: bool,
}

/// The order of an engagement list.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngagementOrderBy {
    /// Most recent start first.
    #[default]
    StartDateDesc,
    /// Earliest start first.
    StartDateAsc,
    /// By title.
    Title,
}

impl EngagementOrderBy {
    /// The order's name inside a cursor.
    fn cursor_tag(self) -> &'static str {
        match self {
            EngagementOrderBy::StartDateDesc => "start-desc",
            EngagementOrderBy::StartDateAsc => "start-asc",
            EngagementOrderBy::Title => "title",
        }
    }
}

async fn to_filter(ctx: &Context<'_>, f: EngagementFilterInput) -> Result<EngagementFilter> {
    let db = ctx.db();
    let scope = ctx.viewer().record_scope()?;
    let text = |field: &str, v: &Option<String>| validate::filter_text(field, v.as_deref());
    let programme_id = match text("filter.programme", &f.programme)? {
        Some(code) => Some(programmes::named_in_filter(db, &scope, &code).await?.id),
        None => None,
    };
    let country_iso3 = match text("filter.country", &f.country)? {
        Some(c) => Some(
            geography::country(db, &c)
                .await?
                .map(|c| c.iso3)
                .ok_or_else(|| {
                    AppError::bad_input(
                        "filter.country",
                        &format!("{c} is not a known country code"),
                    )
                })?,
        ),
        None => None,
    };
    let area = match text("filter.region", &f.region)? {
        Some(code) => Some(geography::area(db, "filter.region", &code).await?),
        None => None,
    };
    let donor_id = match f.donor {
        // Organisations are public reference data, so naming an unknown one tells nothing.
        Some(d) => {
            let id = parse("filter.donor", "Organisation", &d)?;
            if ctx.loader().load_one(OrganisationById(id)).await?.is_none() {
                return Err(AppError::bad_input(
                    "filter.donor",
                    &format!("there is no organisation Organisation:{id}"),
                )
                .into());
            }
            Some(id)
        }
        None => None,
    };
    let from = text("filter.from", &f.from)?
        .map(|d| validate::date("filter.from", &d))
        .transpose()?;
    let to = text("filter.to", &f.to)?
        .map(|d| validate::date("filter.to", &d))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        validate::date_order("filter.to", from, to)?;
    }
    let status_code = match text("filter.status", &f.status)? {
        Some(code) => Some(
            codes::require(db, "ActivityStatus", "filter.status", &code)
                .await?
                .code,
        ),
        None => None,
    };
    Ok(EngagementFilter {
        programme_id,
        country_iso3,
        area,
        status_code,
        donor_id,
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        search: text("filter.search", &f.search)?,
        include_archived: f.include_archived,
    })
}

#[derive(Default)]
pub struct EngagementQuery;

/// Engagements.
#[Object]
impl EngagementQuery {
    /// Engagements the caller may see (donors: those their organisation funds).
    async fn engagements(
        &self,
        ctx: &Context<'_>,
        filter: Option<EngagementFilterInput>,
        #[graphql(default)] order_by: EngagementOrderBy,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Engagement>> {
        let scope = ctx.viewer().record_scope()?;
        let filter = to_filter(ctx, filter.unwrap_or_default()).await?;
        let order = match order_by {
            EngagementOrderBy::StartDateDesc => EngagementOrder::StartDesc,
            EngagementOrderBy::StartDateAsc => EngagementOrder::StartAsc,
            EngagementOrderBy::Title => EngagementOrder::Title,
        };
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        // A cursor names the order it was made in: a cursor from one order means nothing in
        // another, and must not quietly skip or repeat rows there.
        let tag = order_by.cursor_tag();
        let after = req
            .after::<(String, String, i64)>()?
            .map(|(t, key, id)| {
                if t == tag {
                    Ok((key, id))
                } else {
                    Err(AppError::bad_input(
                        "after",
                        "is a cursor of this list in another order; ask again from the start",
                    ))
                }
            })
            .transpose()?;
        let rows = store::list(db.pool(), &scope, &filter, order, after, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, filter, scope) = (db.clone(), filter.clone(), scope.clone());
            async move { store::count(db.pool(), &scope, &filter).await }
        });
        let key = move |r: &Engagement| match order {
            EngagementOrder::Title => (tag, r.title.clone(), r.id),
            _ => (tag, r.active_from.clone(), r.id),
        };
        Ok(page(&req, rows, key, |r| r, total))
    }

    /// One engagement by id; null when it does not exist or the caller may not see it.
    async fn engagement(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Engagement>> {
        let scope = ctx.viewer().record_scope()?;
        let id = parse("id", "Engagement", &id)?;
        Ok(store::find(ctx.db().pool(), &scope, id).await?)
    }
}
