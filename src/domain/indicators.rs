//! Outcome indicators (IATI 2.03 results model): how they are measured and aggregated, and
//! progress from baseline toward target. Pure functions, tested here; the rules values keep are
//! in `indicator_rules`, the services that write indicators and values in `indicator_changes`
//! and `indicator_values`.

use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::storage::indicator_values::ValueRow;
use crate::storage::indicators::IndicatorRow;

/// How an indicator is measured (IATI IndicatorMeasure codelist).
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum, Serialize)]
#[graphql(name = "IndicatorMeasure")]
pub enum Measure {
    /// Code 1: a count of units, e.g. prison officers trained.
    Unit,
    /// Code 2: a percentage, from 0 to 100.
    Percentage,
    /// Code 3: a quantitative nominal scale.
    Nominal,
    /// Code 4: a quantitative ordinal scale, e.g. a rating from 1 to 5.
    Ordinal,
    /// Code 5: described in words; values are narratives, never numbers.
    Qualitative,
}

impl Measure {
    /// The IATI IndicatorMeasure code.
    pub fn code(self) -> &'static str {
        match self {
            Measure::Unit => "1",
            Measure::Percentage => "2",
            Measure::Nominal => "3",
            Measure::Ordinal => "4",
            Measure::Qualitative => "5",
        }
    }

    pub fn from_code(code: &str) -> Option<Measure> {
        [
            Measure::Unit,
            Measure::Percentage,
            Measure::Nominal,
            Measure::Ordinal,
            Measure::Qualitative,
        ]
        .into_iter()
        .find(|m| m.code() == code)
    }

    /// "a unit", "a percentage": for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Measure::Unit => "a unit",
            Measure::Percentage => "a percentage",
            Measure::Nominal => "a nominal",
            Measure::Ordinal => "an ordinal",
            Measure::Qualitative => "a qualitative",
        }
    }
}

/// How an indicator's values over several periods add up to one figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum, Serialize)]
#[graphql(name = "IndicatorAggregation")]
pub enum Aggregation {
    /// The values add up (e.g. officers trained per year).
    Sum,
    /// The values average out (e.g. a share measured each year).
    Mean,
    /// The value of the latest period stands (e.g. a stock such as prisons with a procedure).
    Latest,
}

impl Aggregation {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Mean => "mean",
            Aggregation::Latest => "latest",
        }
    }

    pub fn parse(s: &str) -> Option<Aggregation> {
        [Aggregation::Sum, Aggregation::Mean, Aggregation::Latest]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// Whether a value is what was planned or what was achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "IndicatorValueKind")]
pub enum ValueKind {
    /// What was planned for the period.
    Target,
    /// What was achieved in the period.
    Actual,
}

impl ValueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Target => "target",
            ValueKind::Actual => "actual",
        }
    }
}

/// Where an indicator starts from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    pub year: Option<i64>,
    pub date: Option<String>,
    pub value: Option<f64>,
    pub comment: String,
}

/// A disaggregation dimension an indicator allows, with its values: sex = [female, male].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dimension {
    pub name: String,
    pub values: Vec<String>,
}

/// An indicator as the API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Indicator {
    pub id: i64,
    pub result_id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub measure: Measure,
    pub ascending: bool,
    pub aggregation: Aggregation,
    pub sdg_indicator: Option<String>,
    pub baseline: Option<Baseline>,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl TryFrom<IndicatorRow> for Indicator {
    type Error = AppError;

    fn try_from(r: IndicatorRow) -> AppResult<Indicator> {
        let bad = |what: &str| AppError::internal("read an indicator", format!("bad {what}"));
        let measure = Measure::from_code(&r.measure).ok_or_else(|| bad("measure"))?;
        let aggregation = Aggregation::parse(&r.aggregation).ok_or_else(|| bad("aggregation"))?;
        let has_baseline = r.baseline_year.is_some()
            || r.baseline_date.is_some()
            || r.baseline_value.is_some()
            || !r.baseline_comment.is_empty();
        Ok(Indicator {
            id: r.id,
            result_id: r.result_id,
            code: r.code,
            title: r.title,
            description: r.description,
            measure,
            ascending: r.ascending.0,
            aggregation,
            sdg_indicator: r.sdg_indicator,
            baseline: has_baseline.then_some(Baseline {
                year: r.baseline_year,
                date: r.baseline_date,
                value: r.baseline_value,
                comment: r.baseline_comment,
            }),
            version: r.version,
            archived_at: r.archived_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Groups `(name, value)` pairs, sorted by name, into dimensions.
pub fn dimensions_from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<Dimension> {
    let mut out: Vec<Dimension> = Vec::new();
    for (name, value) in pairs {
        match out.last_mut() {
            Some(d) if d.name == name => d.values.push(value),
            _ => out.push(Dimension {
                name,
                values: vec![value],
            }),
        }
    }
    out
}

/// How far `actual` has come from `baseline` toward `target`, as a fraction: 0 at the baseline,
/// 1 on target, above 1 beyond it, below 0 when things went the wrong way. None when a figure is
/// missing, the target equals the baseline, or the target lies against the indicator's direction
/// (an ascending indicator with a target below its baseline).
pub fn progress(
    baseline: Option<f64>,
    target: Option<f64>,
    actual: Option<f64>,
    ascending: bool,
) -> Option<f64> {
    let (b, t, a) = (baseline?, target?, actual?);
    let (span, gained) = if ascending {
        (t - b, a - b)
    } else {
        (b - t, b - a)
    };
    let fraction = gained / span;
    (span > 0.0 && fraction.is_finite()).then_some(fraction)
}

/// One figure from values over several periods, each given as `(period end, value)`: their sum,
/// their mean, or the value of the latest period end (the later listed wins a tie). None for no
/// values.
pub fn aggregate(values: &[(&str, f64)], rule: Aggregation) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let sum: f64 = values.iter().map(|(_, v)| v).sum();
    Some(match rule {
        Aggregation::Sum => sum,
        Aggregation::Mean => sum / values.len() as f64,
        Aggregation::Latest => {
            values
                .iter()
                .fold(
                    values[0],
                    |best, &(end, v)| {
                        if end >= best.0 { (end, v) } else { best }
                    },
                )
                .1
        }
    })
}

/// An indicator's progress: from its baseline toward its latest target, with the actuals
/// aggregated by its rule. Only whole values count (no country, not disaggregated), so parts
/// are not added to their totals. None where it can't be computed (e.g. qualitative indicators).
pub fn indicator_progress(indicator: &Indicator, values: &[ValueRow]) -> Option<f64> {
    if indicator.measure == Measure::Qualitative {
        return None;
    }
    let totals = |kind: ValueKind| -> Vec<(&str, f64)> {
        values
            .iter()
            .filter(|v| {
                v.kind == kind.as_str() && v.country_iso3.is_none() && v.dimension_name.is_empty()
            })
            .filter_map(|v| v.value.map(|x| (v.period_end.as_str(), x)))
            .collect()
    };
    let target = aggregate(&totals(ValueKind::Target), Aggregation::Latest);
    let actual = aggregate(&totals(ValueKind::Actual), indicator.aggregation);
    let baseline = indicator.baseline.as_ref().and_then(|b| b.value);
    progress(baseline, target, actual, indicator.ascending)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_runs_from_baseline_toward_target_in_either_direction() {
        assert_eq!(
            progress(Some(20.0), Some(80.0), Some(50.0), true),
            Some(0.5)
        );
        assert_eq!(
            progress(Some(20.0), Some(80.0), Some(80.0), true),
            Some(1.0)
        );
        assert_eq!(
            progress(Some(20.0), Some(80.0), Some(110.0), true),
            Some(1.5)
        );
        assert_eq!(
            progress(Some(20.0), Some(80.0), Some(5.0), true),
            Some(-0.25)
        );
        // Fewer unsentenced detainees is better: 60% down to 40%, now at 50%.
        assert_eq!(
            progress(Some(60.0), Some(40.0), Some(50.0), false),
            Some(0.5)
        );
        assert_eq!(
            progress(Some(60.0), Some(40.0), Some(65.0), false),
            Some(-0.25)
        );
    }

    #[test]
    fn progress_is_unknown_without_figures_a_span_or_a_target_in_the_right_direction() {
        assert_eq!(progress(Some(10.0), Some(10.0), Some(12.0), true), None);
        assert_eq!(progress(None, Some(10.0), Some(5.0), true), None);
        assert_eq!(progress(Some(0.0), None, Some(5.0), true), None);
        assert_eq!(progress(Some(0.0), Some(10.0), None, true), None);
        assert_eq!(progress(Some(10.0), Some(5.0), Some(7.0), true), None);
        assert_eq!(progress(Some(5.0), Some(10.0), Some(7.0), false), None);
    }

    #[test]
    fn values_aggregate_by_sum_mean_or_latest_period() {
        let v = [
            ("2021-12-31", 10.0),
            ("2023-12-31", 30.0),
            ("2022-12-31", 20.0),
        ];
        assert_eq!(aggregate(&v, Aggregation::Sum), Some(60.0));
        assert_eq!(aggregate(&v, Aggregation::Mean), Some(20.0));
        assert_eq!(aggregate(&v, Aggregation::Latest), Some(30.0));
        assert_eq!(aggregate(&[], Aggregation::Sum), None);
        let tie = [("2021-12-31", 1.0), ("2021-12-31", 2.0)];
        assert_eq!(aggregate(&tie, Aggregation::Latest), Some(2.0));
    }

    fn indicator(measure: Measure, aggregation: Aggregation, baseline: Option<f64>) -> Indicator {
        Indicator {
            id: 1,
            result_id: 1,
            code: "X".into(),
            title: "x".into(),
            description: String::new(),
            measure,
            ascending: true,
            aggregation,
            sdg_indicator: None,
            baseline: Some(Baseline {
                year: Some(2019),
                date: None,
                value: baseline,
                comment: String::new(),
            }),
            version: 1,
            archived_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn value(kind: &str, end: &str, v: Option<f64>, country: Option<&str>, dim: &str) -> ValueRow {
        ValueRow {
            id: 0,
            indicator_id: 1,
            kind: kind.into(),
            period_start: "2020-01-01".into(),
            period_end: end.into(),
            value: v,
            country_iso3: country.map(str::to_string),
            dimension_name: if dim.is_empty() { "" } else { "sex" }.into(),
            dimension_value: dim.into(),
            comment: String::new(),
            document_id: None,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
            archived_at: None,
        }
    }

    #[test]
    fn indicator_progress_uses_the_latest_target_and_whole_actuals_only() {
        let values = [
            value("target", "2021-12-31", Some(100.0), None, ""),
            value("target", "2023-12-31", Some(200.0), None, ""),
            value("actual", "2021-12-31", Some(60.0), None, ""),
            value("actual", "2022-12-31", Some(40.0), None, ""),
            value("actual", "2022-12-31", Some(25.0), None, "female"),
            value("actual", "2022-12-31", Some(999.0), Some("KAZ"), ""),
        ];
        let sum = indicator(Measure::Unit, Aggregation::Sum, Some(0.0));
        assert_eq!(indicator_progress(&sum, &values), Some(0.5));
        let latest = indicator(Measure::Unit, Aggregation::Latest, Some(0.0));
        assert_eq!(indicator_progress(&latest, &values), Some(0.2));
        let no_baseline = indicator(Measure::Unit, Aggregation::Sum, None);
        assert_eq!(indicator_progress(&no_baseline, &values), None);
        let qualitative = indicator(Measure::Qualitative, Aggregation::Latest, Some(0.0));
        assert_eq!(indicator_progress(&qualitative, &values), None);
    }
}
