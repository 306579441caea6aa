//! Targets and actuals of indicators: one value per period, country and disaggregation.

use std::borrow::Cow;

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::context::Ctx;
use super::error::LoadError;
use super::geography::load_country;
use super::ids::{global_id, parse};
use super::indicators::IndicatorById;
use super::loaders::AppLoader;
use crate::domain::documents::Document;
use crate::domain::geography::Country;
use crate::domain::indicator_values::{self as svc, IndicatorValue, ValueInput};
use crate::domain::indicators::{Indicator, ValueKind};
use crate::storage::indicator_values as store;

/// One part of a disaggregated value, e.g. sex = female.
#[derive(SimpleObject)]
pub struct Disaggregation {
    /// The dimension, e.g. sex.
    pub name: String,
    /// Its value, e.g. female.
    pub value: String,
}

/// A target or an actual of an indicator for one period, optionally for one country and one
/// disaggregation (IATI `period/target` and `period/actual`). One recorded by mistake is taken
/// back with `archive(id, version)`; it is then listed only when asked for, with `archivedAt`.
#[Object]
impl IndicatorValue {
    /// Global id, e.g. IndicatorValue:12.
    pub async fn id(&self) -> ID {
        global_id("IndicatorValue", self.id)
    }
    /// Whether it is a target or an actual.
    async fn kind(&self) -> ValueKind {
        if self.kind == ValueKind::Target.as_str() {
            ValueKind::Target
        } else {
            ValueKind::Actual
        }
    }
    /// First day of the period (YYYY-MM-DD).
    async fn period_start(&self) -> &str {
        &self.period_start
    }
    /// Last day of the period (YYYY-MM-DD).
    async fn period_end(&self) -> &str {
        &self.period_end
    }
    /// The value; null for qualitative indicators, whose comment says it in words.
    async fn value(&self) -> Option<f64> {
        self.value
    }
    /// The country it is for; null when it is for the whole engagement or programme.
    async fn country<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Country>>> {
        load_country(ctx, self.country_iso3.as_deref()).await
    }
    /// The part of the whole it counts, e.g. sex = female; null for the whole.
    async fn dimension(&self) -> Option<Disaggregation> {
        (!self.dimension_name.is_empty()).then(|| Disaggregation {
            name: self.dimension_name.clone(),
            value: self.dimension_value.clone(),
        })
    }
    /// Narrative: how it was measured, or the value in words for qualitative indicators.
    async fn comment(&self) -> &str {
        &self.comment
    }
    /// The document that evidences it, if any.
    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        match self.document_id {
            Some(id) => Ok(ctx.loader().load_one(EvidenceDocument(id)).await?),
            None => Ok(None),
        }
    }
    /// The indicator it belongs to.
    async fn indicator(&self, ctx: &Context<'_>) -> Result<Option<Indicator>> {
        Ok(ctx
            .loader()
            .load_one(IndicatorById(self.indicator_id))
            .await?)
    }
    /// How many times it was set: 1 when first recorded, one more for each replacement; pass it
    /// to `archive` to take the value back.
    async fn version(&self) -> i64 {
        self.version
    }
    /// When it was last set (or archived).
    async fn updated_at(&self) -> &str {
        &self.updated_at
    }
    /// When it was archived, if it was: an archived value was taken back as recorded by
    /// mistake, and counts in no progress figure, portfolio, report or export.
    async fn archived_at(&self) -> Option<&str> {
        self.archived_at.as_deref()
    }
}

/// Every live target and actual of an indicator, within the caller's scope: what progress,
/// portfolios and the lists count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValuesOf(pub i64);

/// Every target and actual of an indicator, archived ones included, within the caller's scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValuesWithArchivedOf(pub i64);

/// The values of the indicators `keys` name, grouped under their key.
async fn values_of<K: Eq + std::hash::Hash>(
    loader: &AppLoader,
    ids: Vec<i64>,
    archived: bool,
    key: impl Fn(i64) -> K,
) -> Result<HashMap<K, Vec<IndicatorValue>>, LoadError> {
    let scope = loader.viewer.record_scope()?;
    let mut out: HashMap<K, Vec<IndicatorValue>> = HashMap::new();
    for v in store::of_indicators(&loader.db, &scope, &ids, archived).await? {
        out.entry(key(v.indicator_id)).or_default().push(v);
    }
    Ok(out)
}

impl Loader<ValuesOf> for AppLoader {
    type Value = Vec<IndicatorValue>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ValuesOf],
    ) -> Result<HashMap<ValuesOf, Vec<IndicatorValue>>, LoadError> {
        values_of(self, keys.iter().map(|k| k.0).collect(), false, ValuesOf).await
    }
}

impl Loader<ValuesWithArchivedOf> for AppLoader {
    type Value = Vec<IndicatorValue>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ValuesWithArchivedOf],
    ) -> Result<HashMap<ValuesWithArchivedOf, Vec<IndicatorValue>>, LoadError> {
        let ids = keys.iter().map(|k| k.0).collect();
        values_of(self, ids, true, ValuesWithArchivedOf).await
    }
}

/// A document evidencing a value (documents are public references, readable by every caller).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EvidenceDocument(pub i64);

impl Loader<EvidenceDocument> for AppLoader {
    type Value = Document;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EvidenceDocument],
    ) -> Result<HashMap<EvidenceDocument, Document>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = crate::storage::documents::by_ids(self.db.pool(), &ids).await?;
        Ok(rows
            .into_iter()
            .map(|d| (EvidenceDocument(d.id), d))
            .collect())
    }
}

/// The part of the whole a value counts, e.g. sex = female.
#[derive(InputObject)]
pub struct DisaggregationInput {
    /// One of the indicator's dimensions, e.g. sex.
    pub name: String,
    /// One of that dimension's values, e.g. female.
    pub value: String,
}

/// A target or an actual for one period. A second call for the same indicator, period, country
/// and disaggregation replaces the value.
#[derive(InputObject)]
pub struct IndicatorValueInput {
    /// The indicator.
    pub indicator: ID,
    /// First day of the period, YYYY-MM-DD; for an actual, not after tomorrow (UTC), since what
    /// was achieved is recorded once its period has begun (a target may be for any period).
    pub period_start: String,
    /// Last day of the period, YYYY-MM-DD; not before the start.
    pub period_end: String,
    /// The value: required for quantitative measures (a percentage from 0 to 100), left out
    /// for qualitative ones.
    pub value: Option<f64>,
    /// The country it is for (ISO3, ISO2 or M49 code); for an engagement's result, one of its
    /// recipient countries. Left out for the whole.
    pub country: Option<String>,
    /// The part of the whole it counts; must be a dimension value the indicator allows.
    pub dimension: Option<DisaggregationInput>,
    /// Narrative; required for qualitative indicators.
    pub comment: Option<String>,
    /// A document that evidences it.
    pub document: Option<ID>,
}

fn value_input(i: IndicatorValueInput) -> Result<ValueInput> {
    Ok(ValueInput {
        indicator: parse("input.indicator", "Indicator", &i.indicator)?,
        period_start: i.period_start,
        period_end: i.period_end,
        value: i.value,
        country: i.country,
        dimension: i.dimension.map(|d| (d.name, d.value)),
        comment: i.comment,
        document: i
            .document
            .map(|d| parse("input.document", "Document", &d))
            .transpose()?,
    })
}

#[derive(Default)]
pub struct ValueMutation;

#[Object]
impl ValueMutation {
    /// Sets the target of an indicator for a period (and country and disaggregation), replacing
    /// any target already set there.
    async fn set_indicator_target(
        &self,
        ctx: &Context<'_>,
        input: IndicatorValueInput,
    ) -> Result<Option<IndicatorValue>> {
        let input = value_input(input)?;
        Ok(Some(
            svc::set(ctx.db(), ctx.viewer(), ValueKind::Target, input).await?,
        ))
    }

    /// Records what an indicator achieved in a period (and country and disaggregation),
    /// replacing any actual already recorded there.
    async fn record_indicator_actual(
        &self,
        ctx: &Context<'_>,
        input: IndicatorValueInput,
    ) -> Result<Option<IndicatorValue>> {
        let input = value_input(input)?;
        Ok(Some(
            svc::set(ctx.db(), ctx.viewer(), ValueKind::Actual, input).await?,
        ))
    }
}
