//! Outcome indicators of results (IATI 2.03 `result/indicator`). Results, indicators and their
//! values share the root types registered in `graphql::mod`: `IndicatorQuery` and
//! `IndicatorMutation` merge the parts defined here and in `results` and `indicator_values`.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, MergedObject, Object, Result};

use super::context::Ctx;
use super::error::LoadError;
use super::ids::{global_id, parse};
use super::indicator_inputs::IndicatorRootMutation;
use super::indicator_values::{ValueMutation, ValuesOf, ValuesWithArchivedOf};
use super::loaders::AppLoader;
use super::pagination::{Page, PageRequest, TotalCount, page};
use super::results::{ResultById, ResultMutation, ResultQuery};
use crate::domain::geography;
use crate::domain::indicator_rules::sdg_prefix;
use crate::domain::indicator_values::IndicatorValue;
use crate::domain::indicators::{
    Aggregation, Baseline, Dimension, Indicator, Measure, ValueKind, dimensions_from_pairs,
    indicator_progress,
};
use crate::domain::records::named_in_filter;
use crate::domain::results::{ResultRecord, resolve_programme};
use crate::domain::validate::filter_text;
use crate::error::{AppError, AppResult};
use crate::storage::indicators::{self as store, IndicatorFilter};
use crate::storage::ownership::Kind;

/// How a result is measured (IATI 2.03 `indicator`): what is counted, in which direction is
/// better, how periods add up, where it started (baseline) and the targets and actuals per
/// period.
#[Object]
impl Indicator {
    /// Global id, e.g. Indicator:7.
    pub async fn id(&self) -> ID {
        global_id("Indicator", self.id)
    }
    /// Unique code, e.g. GLOZ85-IDN-OC1.1.
    async fn code(&self) -> &str {
        &self.code
    }
    /// Title, e.g. "Number of prison officers trained on the Nelson Mandela Rules".
    async fn title(&self) -> &str {
        &self.title
    }
    /// What is measured and how.
    async fn description(&self) -> &str {
        &self.description
    }
    /// How it is measured.
    async fn measure(&self) -> Measure {
        self.measure
    }
    /// IATI IndicatorMeasure code: 1 unit, 2 percentage, 3 nominal, 4 ordinal, 5 qualitative.
    async fn measure_code(&self) -> &str {
        self.measure.code()
    }
    /// Whether higher values are better (false: lower is better, e.g. unsentenced detainees).
    async fn ascending(&self) -> bool {
        self.ascending
    }
    /// How values over several periods add up to one figure.
    async fn aggregation(&self) -> Aggregation {
        self.aggregation
    }
    /// The SDG indicator it reports against, e.g. 16.3.2.
    async fn sdg_indicator(&self) -> Option<&str> {
        self.sdg_indicator.as_deref()
    }
    /// The disaggregations its values may carry, e.g. sex = [female, male].
    async fn dimensions(&self, ctx: &Context<'_>) -> Result<Vec<Dimension>> {
        Ok(ctx
            .loader()
            .load_one(IndicatorDimensions(self.id))
            .await?
            .unwrap_or_default())
    }
    /// Where it started, if recorded.
    async fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }
    /// Targets per period, ordered by period start, country (none first) and disaggregation.
    async fn targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default,
            desc = "Include archived targets (taken back as set by mistake), each with its \
                    `archivedAt` and before the target set in its place; progress, \
                    portfolios and exports never count them."
        )]
        include_archived: bool,
    ) -> Result<Vec<IndicatorValue>> {
        values(ctx, self.id, ValueKind::Target, include_archived).await
    }
    /// Actuals per period, ordered by period start, country (none first) and disaggregation.
    async fn actuals(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default,
            desc = "Include archived actuals (taken back as recorded by mistake), each with \
                    its `archivedAt` and before the actual recorded in its place; progress, \
                    portfolios and exports never count them."
        )]
        include_archived: bool,
    ) -> Result<Vec<IndicatorValue>> {
        values(ctx, self.id, ValueKind::Actual, include_archived).await
    }
    /// Derived, not stored: how far the actuals have come from the baseline toward the latest
    /// target, as a fraction (0 at the baseline, 1 on target, above 1 beyond it, negative when
    /// things went the wrong way). Actuals are aggregated by the indicator's rule (for `SUM`,
    /// targets are read as cumulative); only values without country or disaggregation count.
    /// Null where it can't be computed: qualitative indicators, no baseline value, no target or
    /// actual, or a target equal to the baseline.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        let all = ctx
            .loader()
            .load_one(ValuesOf(self.id))
            .await?
            .unwrap_or_default();
        Ok(indicator_progress(self, &all))
    }
    /// The result it measures.
    async fn result(&self, ctx: &Context<'_>) -> Result<Option<ResultRecord>> {
        Ok(ctx.loader().load_one(ResultById(self.result_id)).await?)
    }
    /// Optimistic-concurrency version: pass it back when updating or archiving.
    async fn version(&self) -> i64 {
        self.version
    }
    /// When it was archived, if it was.
    async fn archived_at(&self) -> Option<&str> {
        self.archived_at.as_deref()
    }
}

async fn values(
    ctx: &Context<'_>,
    id: i64,
    kind: ValueKind,
    archived: bool,
) -> Result<Vec<IndicatorValue>> {
    let all = if archived {
        ctx.loader().load_one(ValuesWithArchivedOf(id)).await?
    } else {
        ctx.loader().load_one(ValuesOf(id)).await?
    }
    .unwrap_or_default();
    Ok(all
        .into_iter()
        .filter(|v| v.kind == kind.as_str())
        .collect())
}

/// Where an indicator starts from (IATI `baseline`).
#[Object(name = "IndicatorBaseline")]
impl Baseline {
    /// The year of the baseline.
    async fn year(&self) -> Option<i64> {
        self.year
    }
    /// The date it was measured (YYYY-MM-DD), if known.
    async fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }
    /// The value; null for qualitative indicators.
    async fn value(&self) -> Option<f64> {
        self.value
    }
    /// Narrative: how it was measured, or the situation for qualitative indicators.
    async fn comment(&self) -> &str {
        &self.comment
    }
}

/// A disaggregation dimension an indicator allows, with its values, e.g. sex = [female, male].
#[Object(name = "IndicatorDimension")]
impl Dimension {
    /// The dimension, e.g. sex.
    async fn name(&self) -> &str {
        &self.name
    }
    /// The values it takes, e.g. female, male.
    async fn values(&self) -> &[String] {
        &self.values
    }
}

fn indicators(rows: Vec<store::IndicatorRow>) -> AppResult<Vec<Indicator>> {
    rows.into_iter().map(Indicator::try_from).collect()
}

/// An indicator by id, within the caller's scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndicatorById(pub i64);

impl Loader<IndicatorById> for AppLoader {
    type Value = Indicator;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[IndicatorById],
    ) -> Result<HashMap<IndicatorById, Indicator>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = indicators(store::by_ids(self.db.pool(), &scope, &ids).await?)?;
        Ok(rows.into_iter().map(|r| (IndicatorById(r.id), r)).collect())
    }
}

/// The live indicators of a result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndicatorsOfResult(pub i64);

impl Loader<IndicatorsOfResult> for AppLoader {
    type Value = Vec<Indicator>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[IndicatorsOfResult],
    ) -> Result<HashMap<IndicatorsOfResult, Vec<Indicator>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let mut out: HashMap<IndicatorsOfResult, Vec<Indicator>> = HashMap::new();
        for i in indicators(store::of_results(self.db.pool(), &scope, &ids).await?)? {
            out.entry(IndicatorsOfResult(i.result_id))
                .or_default()
                .push(i);
        }
        Ok(out)
    }
}

/// The dimensions an indicator allows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndicatorDimensions(pub i64);

impl Loader<IndicatorDimensions> for AppLoader {
    type Value = Vec<Dimension>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[IndicatorDimensions],
    ) -> Result<HashMap<IndicatorDimensions, Vec<Dimension>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let mut pairs: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        for (id, name, value) in store::dimensions_of(self.db.pool(), &scope, &ids).await? {
            pairs.entry(id).or_default().push((name, value));
        }
        Ok(pairs
            .into_iter()
            .map(|(id, p)| (IndicatorDimensions(id), dimensions_from_pairs(p)))
            .collect())
    }
}

/// Narrows an indicator list.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct IndicatorFilterInput {
    /// Indicators of results of this engagement; one the caller cannot read is refused as
    /// unknown.
    pub engagement: Option<ID>,
    /// Indicators of results of this programme (code, e.g. GLOZ85, or id), at both levels.
    pub programme: Option<String>,
    /// Indicators of this result; one the caller cannot read is refused as unknown.
    pub result: Option<ID>,
    /// An SDG indicator (16.3.2), or every indicator under an SDG target (16.3) or goal (16).
    pub sdg_indicator: Option<String>,
    /// Indicators of engagements in this country, or with values recorded for it (ISO3, ISO2
    /// or M49 code).
    pub country: Option<String>,
    /// Include archived indicators, and the indicators of archived results and engagements.
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Default)]
pub struct IndicatorRootQuery;

#[Object]
impl IndicatorRootQuery {
    /// Indicators by code. Donors see only indicators of engagements their organisation funds.
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        filter: Option<IndicatorFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Indicator>> {
        let scope = ctx.viewer().record_scope()?;
        let f = filter.unwrap_or_default();
        let db = ctx.db().clone();
        let programme = match filter_text("filter.programme", f.programme.as_deref())? {
            Some(p) => Some(
                resolve_programme(&db, &scope, "filter.programme", &p)
                    .await?
                    .id,
            ),
            None => None,
        };
        let country = match filter_text("filter.country", f.country.as_deref())? {
            Some(c) => Some(
                geography::country(&db, &c)
                    .await?
                    .ok_or_else(|| {
                        AppError::bad_input(
                            "filter.country",
                            &format!("{c} is not a known country code"),
                        )
                    })?
                    .iso3,
            ),
            None => None,
        };
        let engagement = f
            .engagement
            .map(|e| parse("filter.engagement", "Engagement", &e))
            .transpose()?;
        let result = f
            .result
            .map(|r| parse("filter.result", "Result", &r))
            .transpose()?;
        let filter = IndicatorFilter {
            engagement: named_in_filter(
                &db,
                &scope,
                "filter.engagement",
                Kind::Engagement,
                engagement,
            )
            .await?,
            programme,
            result: named_in_filter(&db, &scope, "filter.result", Kind::Result, result).await?,
            sdg: filter_text("filter.sdgIndicator", f.sdg_indicator.as_deref())?
                .map(|s| sdg_prefix("filter.sdgIndicator", &s))
                .transpose()?,
            country,
            include_archived: f.include_archived,
        };
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let rows =
            indicators(store::list(db.pool(), &scope, &filter, req.after()?, req.fetch()).await?)?;
        let total = TotalCount::new(move || {
            let (db, scope, filter) = (db.clone(), scope.clone(), filter.clone());
            async move { store::count(db.pool(), &scope, &filter).await }
        });
        Ok(page(&req, rows, |i| i.code.clone(), |i| i, total))
    }

    /// One indicator by id; null when it does not exist or the caller may not see it.
    async fn indicator(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Indicator>> {
        let scope = ctx.viewer().record_scope()?;
        let id = parse("id", "Indicator", &id)?;
        match store::find(ctx.db().pool(), &scope, id).await? {
            Some(row) => Ok(Some(Indicator::try_from(row)?)),
            None => Ok(None),
        }
    }
}

/// Results, indicators and their values: the root query fields.
#[derive(MergedObject, Default)]
pub struct IndicatorQuery(ResultQuery, IndicatorRootQuery);

/// Results, indicators and their values: the root mutation fields.
#[derive(MergedObject, Default)]
pub struct IndicatorMutation(ResultMutation, IndicatorRootMutation, ValueMutation);
