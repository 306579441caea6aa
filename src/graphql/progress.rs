//! `indicatorProgress`: an indicator's baseline, targets, actuals and progress broken down by
//! country, period or disaggregation value. The rules are in `domain::progress`.

use std::borrow::Cow;

use async_graphql::{Context, ID, Object, Result};

use super::context::Ctx;
use super::ids::parse;
use super::indicator_values::{Disaggregation, ValuesOf};
use crate::domain::geography::Country;
use crate::domain::indicator_values::IndicatorValue;
use crate::domain::indicators::{Aggregation, Baseline, Indicator, ValueKind};
use crate::domain::progress::{self, GroupFigures, GroupKey, ProgressBy};

/// An indicator's progress broken down by country, period or disaggregation value.
pub struct IndicatorProgress {
    indicator: Indicator,
    by: ProgressBy,
    rows: Vec<GroupFigures>,
}

/// An indicator's baseline, and its targets, actuals and progress per group (country, period or
/// disaggregation value). Values that are parts of another group's whole never count twice:
/// `PERIOD` reads whole values (no country, not disaggregated), `COUNTRY` values recorded for a
/// country (not disaggregated), `DIMENSION` disaggregated values without a country.
#[Object]
impl IndicatorProgress {
    /// The indicator.
    async fn indicator(&self) -> &Indicator {
        &self.indicator
    }
    /// What the rows are grouped by.
    async fn by(&self) -> ProgressBy {
        self.by
    }
    /// How the indicator's actuals over several periods add up within a group.
    async fn aggregation(&self) -> Aggregation {
        self.indicator.aggregation
    }
    /// Where the indicator started, if recorded; progress is measured from its value.
    async fn baseline(&self) -> Option<&Baseline> {
        self.indicator.baseline.as_ref()
    }
    /// One row per group that has a target or an actual, ordered by country code, period or
    /// dimension name and value.
    async fn rows(&self) -> Vec<ProgressRow> {
        self.rows
            .iter()
            .map(|r| ProgressRow {
                indicator: self.indicator.id,
                by: self.by,
                figures: r.clone(),
            })
            .collect()
    }
}

/// One group of an indicator's values.
pub struct ProgressRow {
    indicator: i64,
    by: ProgressBy,
    figures: GroupFigures,
}

/// One group of an indicator's values (a country, a period or a disaggregation value) with its
/// targets, actuals and the figures derived from them.
#[Object(name = "IndicatorProgressRow")]
impl ProgressRow {
    /// The country (rows by `COUNTRY`).
    async fn country<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Country>>> {
        match &self.figures.key {
            GroupKey::Country(iso3) => super::geography::load_country(ctx, Some(iso3)).await,
            _ => Ok(None),
        }
    }
    /// First day of the period (rows by `PERIOD`), YYYY-MM-DD.
    async fn period_start(&self) -> Option<&str> {
        match &self.figures.key {
            GroupKey::Period { start, .. } => Some(start),
            _ => None,
        }
    }
    /// Last day of the period (rows by `PERIOD`).
    async fn period_end(&self) -> Option<&str> {
        match &self.figures.key {
            GroupKey::Period { end, .. } => Some(end),
            _ => None,
        }
    }
    /// The disaggregation value (rows by `DIMENSION`), e.g. sex = female.
    async fn dimension(&self) -> Option<Disaggregation> {
        match &self.figures.key {
            GroupKey::Dimension { name, value } => Some(Disaggregation {
                name: name.clone(),
                value: value.clone(),
            }),
            _ => None,
        }
    }
    /// The targets in this group, by period.
    async fn targets(&self, ctx: &Context<'_>) -> Result<Vec<IndicatorValue>> {
        self.values(ctx, ValueKind::Target).await
    }
    /// The actuals in this group, by period.
    async fn actuals(&self, ctx: &Context<'_>) -> Result<Vec<IndicatorValue>> {
        self.values(ctx, ValueKind::Actual).await
    }
    /// The group's target: its latest target (targets are read as cumulative, as
    /// `Indicator.progress` reads them). Null for qualitative indicators or without a target.
    async fn target(&self) -> Option<f64> {
        self.figures.target
    }
    /// The group's actuals aggregated by the indicator's rule (SUM: their sum; MEAN: their
    /// mean; LATEST: the value of the latest period). Null for qualitative indicators or
    /// without an actual.
    async fn actual(&self) -> Option<f64> {
        self.figures.actual
    }
    /// Rows by `PERIOD` of a summed indicator: the actuals of every period ending by this one's
    /// end added up, which `progress` measures (the target being a milestone of the running
    /// total, as `Indicator.progress` reads the latest target as the goal for all the actuals).
    /// The last period's equals the sum `Indicator.progress` reads. Null for other rows and rules.
    async fn actual_to_date(&self) -> Option<f64> {
        self.figures.actual_to_date
    }
    /// Derived, not stored: how far `actual` (`actualToDate` where given) has come from the
    /// baseline toward `target`, as a fraction (0 at the baseline, 1 on target, above 1 beyond
    /// it, negative when things went the wrong way; for descending indicators lower is better).
    /// Null where it cannot be computed: qualitative indicators, no baseline value, no target or
    /// actual, a target equal to the baseline or lying against the indicator's direction.
    async fn progress(&self) -> Option<f64> {
        self.figures.progress
    }
    /// Always true: `target`, `actual`, `actualToDate` and `progress` are computed from the
    /// stored values on every read, never stored.
    async fn derived(&self) -> bool {
        true
    }
}

impl ProgressRow {
    async fn values(&self, ctx: &Context<'_>, kind: ValueKind) -> Result<Vec<IndicatorValue>> {
        let all = ctx
            .loader()
            .load_one(ValuesOf(self.indicator))
            .await?
            .unwrap_or_default();
        Ok(all
            .into_iter()
            .filter(|v| {
                v.kind == kind.as_str() && self.by.group_of(v).as_ref() == Some(&self.figures.key)
            })
            .collect())
    }
}

#[derive(Default)]
pub struct ProgressQuery;

#[Object]
impl ProgressQuery {
    /// An indicator's progress broken down by country, period (the default) or disaggregation
    /// value. Null when the indicator does not exist or the caller may not see it (donors see
    /// only indicators of engagements their organisation funds); anonymous callers get
    /// UNAUTHENTICATED.
    async fn indicator_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The indicator, e.g. Indicator:7.")] indicator: ID,
        #[graphql(
            default,
            desc = "What the rows are grouped by: COUNTRY, PERIOD or DIMENSION."
        )]
        by: ProgressBy,
    ) -> Result<Option<IndicatorProgress>> {
        let scope = ctx.viewer().record_scope()?;
        let id = parse("indicator", "Indicator", &indicator)?;
        Ok(progress::breakdown(ctx.db(), &scope, id, by)
            .await?
            .map(|(indicator, rows)| IndicatorProgress {
                indicator,
                by,
                rows,
            }))
    }
}
