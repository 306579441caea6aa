//! Inputs and mutations that create and change indicators.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::context::Ctx;
use super::ids::parse;
use super::patch::{Write, clearable};
use crate::domain::indicator_changes::{self as svc, IndicatorPatch};
use crate::domain::indicator_rules::BaselineInput;
use crate::domain::indicators::{Aggregation, Dimension, Indicator, Measure};

/// A disaggregation dimension an indicator allows.
#[derive(InputObject)]
#[graphql(name = "IndicatorDimensionInput")]
pub struct DimensionInput {
    /// The dimension, e.g. sex.
    pub name: String,
    /// The values it takes, e.g. [female, male].
    pub values: Vec<String>,
}

/// Where an indicator starts from. Give the year, the date, or both.
#[derive(InputObject)]
#[graphql(name = "IndicatorBaselineInput")]
pub struct BaselineInputGql {
    /// The year of the baseline, e.g. 2019.
    pub year: Option<i64>,
    /// The date it was measured, YYYY-MM-DD (within the year, when both are given).
    pub date: Option<String>,
    /// The value: required for quantitative measures, left out for qualitative ones.
    pub value: Option<f64>,
    /// Narrative; required for qualitative indicators.
    pub comment: Option<String>,
}

impl From<BaselineInputGql> for BaselineInput {
    fn from(b: BaselineInputGql) -> Self {
        BaselineInput {
            year: b.year,
            date: b.date,
            value: b.value,
            comment: b.comment,
        }
    }
}

fn dimensions(d: Vec<DimensionInput>) -> Vec<Dimension> {
    d.into_iter()
        .map(|d| Dimension {
            name: d.name,
            values: d.values,
        })
        .collect()
}

/// A new indicator of a result.
#[derive(InputObject)]
pub struct CreateIndicatorInput {
    /// The result it measures.
    pub result: ID,
    /// Unique code: letters, digits, - _ . / :, e.g. GLOZ85-IDN-OC1.1. One another indicator
    /// already has is refused with CONFLICT naming `input.code`.
    pub code: String,
    /// Title.
    pub title: String,
    /// What is measured and how.
    pub description: Option<String>,
    /// How it is measured.
    pub measure: Measure,
    /// Whether higher values are better.
    #[graphql(default = true)]
    pub ascending: bool,
    /// How values over several periods add up.
    pub aggregation: Aggregation,
    /// The SDG indicator it reports against, e.g. 16.3.2; its target must be an SDG target.
    pub sdg_indicator: Option<String>,
    /// The disaggregations its values may carry, e.g. [{name: "sex", values: ["female", "male"]}];
    /// names differ ignoring case, and none is `country` (a value for one country takes `country`).
    pub dimensions: Option<Vec<DimensionInput>>,
    /// Where it starts from.
    pub baseline: Option<BaselineInputGql>,
}

/// Changes to an indicator: fields left out keep their value; `null` empties or removes the
/// fields that say so and is refused, naming the field, on the others. Changing the measure or
/// the dimensions is refused while recorded targets or actuals would no longer fit.
#[derive(InputObject)]
pub struct UpdateIndicatorInput {
    /// Unique code.
    pub code: MaybeUndefined<String>,
    /// Title.
    pub title: MaybeUndefined<String>,
    /// Description; null empties it.
    pub description: MaybeUndefined<String>,
    /// How it is measured.
    pub measure: MaybeUndefined<Measure>,
    /// Whether higher values are better.
    pub ascending: MaybeUndefined<bool>,
    /// How values over several periods add up.
    pub aggregation: MaybeUndefined<Aggregation>,
    /// The SDG indicator; null removes it.
    pub sdg_indicator: MaybeUndefined<String>,
    /// The disaggregations its values may carry (replaces the list); as on creation.
    pub dimensions: MaybeUndefined<Vec<DimensionInput>>,
    /// Where it starts from; null removes it.
    pub baseline: MaybeUndefined<BaselineInputGql>,
}

fn maybe<T, U>(v: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

#[derive(Default)]
pub struct IndicatorRootMutation;

#[Object]
impl IndicatorRootMutation {
    /// Adds an indicator to a result (admins, and officers who may change the result).
    async fn create_indicator(
        &self,
        ctx: &Context<'_>,
        input: CreateIndicatorInput,
    ) -> Result<Option<Indicator>> {
        let result = parse("input.result", "Result", &input.result)?;
        let patch = IndicatorPatch {
            code: Some(input.code),
            title: Some(input.title),
            description: input.description,
            measure: Some(input.measure),
            ascending: Some(input.ascending),
            aggregation: Some(input.aggregation),
            sdg_indicator: Some(input.sdg_indicator),
            dimensions: input.dimensions.map(dimensions),
            baseline: Some(input.baseline.map(BaselineInput::from)),
        };
        Ok(Some(
            svc::create(ctx.db(), ctx.viewer(), result, patch).await?,
        ))
    }

    /// Changes an indicator; `version` must be the current one.
    async fn update_indicator(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: UpdateIndicatorInput,
    ) -> Result<Option<Indicator>> {
        let id = parse("id", "Indicator", &id)?;
        let w = Write::Update;
        let patch = IndicatorPatch {
            code: w.kept("input.code", input.code)?,
            title: w.kept("input.title", input.title)?,
            description: clearable(input.description),
            measure: w.kept("input.measure", input.measure)?,
            ascending: w.kept("input.ascending", input.ascending)?,
            aggregation: w.kept("input.aggregation", input.aggregation)?,
            sdg_indicator: maybe(input.sdg_indicator, |s| s),
            dimensions: w
                .list("input.dimensions", input.dimensions)?
                .map(dimensions),
            baseline: maybe(input.baseline, BaselineInput::from),
        };
        Ok(Some(
            svc::update(ctx.db(), ctx.viewer(), id, version, patch).await?,
        ))
    }
}
