//! Regional summaries: `regionalSummary(region, period, programme)`.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use super::context::Ctx;
use super::loaders::OrganisationById;
use crate::domain::activities::{ActivityKind, Participants};
use crate::domain::gazetteer::Gazetteer;
use crate::domain::geography::{Country, Region};
use crate::domain::organisations::Organisation;
use crate::domain::reports::{
    self as reports, DonorFunding, Figures, KindCount, Money, Period, PeriodSpec, RegionalSummary,
    StatusCount, SummaryRequest,
};

/// A reporting period. Give exactly one shape: `{year}`, `{year, quarter}`, `{year, month}`,
/// `{fiscalYear, fiscalYearStartMonth}` or `{from, to}`. Anything else is refused with
/// BAD_USER_INPUT naming the field (e.g. `period.quarter`).
#[derive(InputObject, Default)]
pub struct PeriodInput {
    /// A calendar year, e.g. 2021; alone, or with `quarter` or `month`.
    pub year: Option<i32>,
    /// A quarter of `year`, 1 to 4 (1: January to March).
    pub quarter: Option<i32>,
    /// A month of `year`, 1 to 12.
    pub month: Option<i32>,
    /// A fiscal year, named by the calendar year in which it ENDS: with start month 7, fiscal
    /// year 2021 runs from 2020-07-01 to 2021-06-30.
    pub fiscal_year: Option<i32>,
    /// The month (1 to 12) a fiscal year starts in; 1 makes it the calendar year.
    #[graphql(default = 1)]
    pub fiscal_year_start_month: Option<i32>,
    /// First day of an explicit period (YYYY-MM-DD), with `to`.
    pub from: Option<String>,
    /// Last day of an explicit period (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
}

impl From<PeriodInput> for PeriodSpec {
    fn from(p: PeriodInput) -> Self {
        PeriodSpec {
            year: p.year,
            quarter: p.quarter,
            month: p.month,
            fiscal_year: p.fiscal_year,
            fiscal_year_start_month: p.fiscal_year_start_month,
            from: p.from,
            to: p.to,
        }
    }
}

/// The calendar days a summary covers, both inclusive.
#[Object(name = "ResolvedPeriod")]
impl Period {
    /// First day (YYYY-MM-DD).
    async fn from(&self) -> String {
        self.from_text()
    }
    /// Last day (YYYY-MM-DD), inclusive.
    async fn to(&self) -> String {
        self.to_text()
    }
}

/// The area a summary covers: the world (001), an M49 region at any level, or a grouping.
#[derive(SimpleObject)]
pub struct SummaryArea {
    /// The M49 or grouping code, e.g. 143 or UNODC-MENA.
    pub code: String,
    /// Its name, e.g. Central Asia.
    pub name: String,
    /// Whether it is a grouping rather than an M49 region.
    pub is_grouping: bool,
}

/// Engagements active in the period with a recipient country in the area (or recorded for a
/// region inside it).
#[derive(SimpleObject)]
pub struct SummaryEngagements {
    /// How many; an engagement in several countries of the area counts once.
    pub total: i64,
    /// How many per IATI ActivityStatus.
    pub by_status: Vec<StatusCount>,
}

/// Engagements with one IATI ActivityStatus.
#[Object]
impl StatusCount {
    /// IATI ActivityStatus code, e.g. 2.
    async fn status(&self) -> &str {
        &self.status
    }
    /// Its IATI name, e.g. Implementation.
    async fn name(&self) -> &str {
        &self.name
    }
    /// How many engagements.
    async fn count(&self) -> i64 {
        self.count
    }
}

/// Activities in the area whose dates overlap the period.
#[derive(SimpleObject)]
pub struct SummaryActivities {
    /// How many.
    pub total: i64,
    /// How many of each kind (kinds with none are left out).
    pub by_kind: Vec<KindCount>,
}

/// Activities of one kind.
#[Object]
impl KindCount {
    /// The kind.
    async fn kind(&self) -> ActivityKind {
        self.kind
    }
    /// How many activities.
    async fn count(&self) -> i64 {
        self.count
    }
}

/// An amount in one currency.
#[Object(name = "CurrencyAmount")]
impl Money {
    /// ISO 4217 currency code, e.g. USD.
    async fn currency(&self) -> &str {
        &self.currency
    }
    /// The amount, unrounded.
    async fn amount(&self) -> f64 {
        self.amount
    }
}

/// What one donor funds in the area and period, in one currency.
#[Object]
impl DonorFunding {
    /// The funding organisation; null collects engagements with no funding organisation
    /// recorded.
    async fn donor(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.donor_id {
            Some(id) => Ok(ctx.loader().load_one(OrganisationById(id)).await?),
            None => Ok(None),
        }
    }
    /// ISO 4217 currency code.
    async fn currency(&self) -> &str {
        &self.currency
    }
    /// The donor's part of the budgets: each budget prorated by its days inside the period,
    /// times the engagement's share of the area (its recipient-country percentages inside it),
    /// split equally among the engagement's funding organisations.
    async fn amount(&self) -> f64 {
        self.amount
    }
}

/// The figures of one M49 sub-region of the area.
pub struct SubRegionFigures(Region, Figures);

/// The figures of one M49 sub-region of the area (sub-regions with no data are left out).
#[Object]
impl SubRegionFigures {
    /// The sub-region, e.g. Central Asia (143).
    async fn region(&self) -> &Region {
        &self.0
    }
    /// Countries of the sub-region with an active engagement or an activity in the period.
    async fn countries_reached(&self) -> i64 {
        self.1.countries_reached
    }
    /// Engagements active in the period in the sub-region (each counted once).
    async fn engagements(&self) -> i64 {
        self.1.engagements
    }
    /// Activities in the period in the sub-region.
    async fn activities(&self) -> i64 {
        self.1.activities
    }
    /// Participants of those activities by sex.
    async fn participants(&self) -> Participants {
        self.1.participants
    }
    /// Events held in the sub-region in the period.
    async fn events(&self) -> i64 {
        self.1.events
    }
    /// Budget attributed to the sub-region, per currency.
    async fn budget_total(&self) -> Vec<Money> {
        self.1.budget_total()
    }
}

/// The figures of one country of the area (countries with no data are left out).
pub struct CountryFigures(Country, Figures);

/// The figures of one country of the area (countries with no data are left out).
#[Object]
impl CountryFigures {
    /// The country.
    async fn country(&self) -> &Country {
        &self.0
    }
    /// Engagements active in the period with this recipient country.
    async fn engagements(&self) -> i64 {
        self.1.engagements
    }
    /// Activities in the period in this country.
    async fn activities(&self) -> i64 {
        self.1.activities
    }
    /// Participants of those activities by sex.
    async fn participants(&self) -> Participants {
        self.1.participants
    }
    /// Events held in this country in the period.
    async fn events(&self) -> i64 {
        self.1.events
    }
    /// Budget attributed to this country (by its recipient-country percentage), per currency.
    async fn budget_total(&self) -> Vec<Money> {
        self.1.budget_total()
    }
}

/// What a region received in a period, within what the caller may read (a donor's summary
/// covers only the engagements its organisation funds and what hangs under them). Every figure
/// is aggregated by the database over the records; archived records are left out. Indicator
/// progress is not part of it.
#[Object]
impl RegionalSummary {
    /// The area summarised.
    async fn area(&self) -> SummaryArea {
        SummaryArea {
            code: self.area_code.clone(),
            name: self.area_name.clone(),
            is_grouping: self.is_grouping,
        }
    }
    /// The days covered; null for all time.
    async fn period(&self) -> Option<Period> {
        self.period
    }
    /// The programme code the summary is narrowed to, if any.
    async fn programme(&self) -> Option<&str> {
        self.programme.as_deref()
    }
    /// Distinct countries of the area with an active engagement (as a recipient country) or an
    /// activity in the period.
    async fn countries_reached(&self) -> i64 {
        self.totals.countries_reached
    }
    /// Engagements active in the period (actual dates once started, else planned; no end date
    /// means ongoing).
    async fn engagements(&self) -> SummaryEngagements {
        SummaryEngagements {
            total: self.totals.engagements,
            by_status: self.by_status.clone(),
        }
    }
    /// Activities in the area overlapping the period.
    async fn activities(&self) -> SummaryActivities {
        SummaryActivities {
            total: self.totals.activities,
            by_kind: self.totals.by_kind(),
        }
    }
    /// Participants of those activities by sex.
    async fn participants(&self) -> Participants {
        self.totals.participants
    }
    /// Events with a venue in the area overlapping the period.
    async fn events(&self) -> i64 {
        self.totals.events
    }
    /// Lessons recorded in the period that apply to the area (a country of theirs is in it, or
    /// a region or grouping of theirs is the area or inside it).
    async fn lessons_recorded(&self) -> i64 {
        self.totals.lessons_recorded
    }
    /// Budget by donor and currency. A budget only partly inside the period counts by the share
    /// of its days inside it; a multi-country engagement counts by its percentages for the
    /// countries in the area; co-funded budgets are split equally among the funders. Summed
    /// over donors, each budget counts once.
    async fn funding(&self) -> Vec<DonorFunding> {
        self.totals.funding()
    }
    /// Budget per currency: the sum of `funding` over donors.
    async fn budget_total(&self) -> Vec<Money> {
        self.totals.budget_total()
    }
    /// The same figures per M49 sub-region of the area, by name: the sub-regions of a region
    /// (Africa 002: Northern Africa 015, Sub-Saharan Africa 202) or of the world, the one row of
    /// a sub-region itself, the sub-regions a grouping's countries are in (counting those
    /// countries only), and none for an intermediate region (Western Africa 011), which lies
    /// inside a sub-region rather than holding one: `byCountry` is its breakdown. An engagement
    /// recorded for a sub-region (or an intermediate region) rather than countries counts under
    /// that sub-region; one recorded for a larger region (Asia) is in the totals and in no
    /// sub-region's row. Only sub-regions with something in the period (an active engagement,
    /// an activity, an event or a share of a budget) have a row: a missing one is all zeros.
    async fn by_sub_region(&self) -> Vec<SubRegionFigures> {
        self.by_sub_region
            .iter()
            .map(|(r, f)| SubRegionFigures(r.clone(), f.clone()))
            .collect()
    }
    /// The same figures per country of the area, by name. An engagement recorded for a region
    /// rather than countries is in the totals and in no country's row. Only countries with
    /// something in the period (an active engagement, an activity, an event or a share of a
    /// budget) have a row: a missing one is all zeros.
    async fn by_country(&self) -> Vec<CountryFigures> {
        self.by_country
            .iter()
            .map(|(c, f)| CountryFigures(c.clone(), f.clone()))
            .collect()
    }
}

#[derive(Default)]
pub struct ReportQuery;

/// Reports over the programme records.
#[Object]
impl ReportQuery {
    /// What a region received in a period: countries reached, engagements by status,
    /// activities by kind, participants by sex, events, lessons, and budget by donor, with the
    /// same figures by sub-region and by country. Needs a credential; a donor's summary covers
    /// only what its organisation funds.
    async fn regional_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "An M49 code at any level (001 the world, 142 Asia, 143 Central Asia) \
                          or a grouping code (e.g. UNODC-MENA); blank is refused, and so is a \
                          country's code, with its region to ask for instead."
        )]
        region: String,
        #[graphql(desc = "The period; all time when left out.")] period: Option<PeriodInput>,
        #[graphql(
            desc = "Only records of this programme (its code, e.g. DEMO-VEP). Given blank, it is \
                    refused, as region is."
        )]
        programme: Option<String>,
    ) -> Result<RegionalSummary> {
        let req = SummaryRequest {
            region,
            period: period.map(PeriodSpec::from),
            programme,
        };
        Ok(reports::regional_summary(
            ctx.db(),
            ctx.data_unchecked::<Gazetteer>(),
            ctx.viewer(),
            req,
        )
        .await?)
    }
}
