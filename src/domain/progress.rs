//! Indicator progress broken down by country, period or disaggregation: which values belong to
//! which group, and how a group's figures are read. Pure rules, tested here; the SQL that sums,
//! averages and counts per group lives in `storage::progress`.
//!
//! Grouping rules (so parts are never added to their wholes):
//! - `PERIOD`: one group per reporting period, over the whole values only (no country, not
//!   disaggregated), as `Indicator.progress` reads them.
//! - `COUNTRY`: one group per country, over values recorded for that country and not
//!   disaggregated, across all periods.
//! - `DIMENSION`: one group per disaggregation value (e.g. sex = female), over values without a
//!   country, across all periods.
//!
//! Within a group the actuals are aggregated by the indicator's own rule (sum, mean, latest) and
//! the target is the latest target (targets are read as cumulative, as `Indicator.progress` does),
//! so a group's progress and the indicator's overall progress follow one rule. For the same
//! reason a period of a summed indicator measures its progress by the actuals to its end: its
//! target is a milestone of the running total (150, 300, 450), and one year's 160 against the
//! second milestone would read as a third of the way where the total to date is on track.

use std::collections::BTreeMap;

use super::indicators::{Aggregation, Indicator, Measure, ValueKind, aggregate, progress};
use crate::error::AppResult;
use crate::storage::indicator_values::ValueRow;
use crate::storage::progress::{self as store, GroupBy};
use crate::storage::scope::Scope;
use crate::storage::{Db, indicators};

/// What indicator progress is broken down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum ProgressBy {
    /// One row per recipient country (values recorded for a country, not disaggregated).
    Country,
    /// One row per reporting period (whole values: no country, not disaggregated).
    #[default]
    Period,
    /// One row per disaggregation value, e.g. sex = female (values without a country).
    Dimension,
}

/// The key of one group: exactly one of its parts is set, by `ProgressBy`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    Country(String),
    Period { start: String, end: String },
    Dimension { name: String, value: String },
}

impl ProgressBy {
    /// The group a value falls in, or None when it does not count for this breakdown.
    pub fn group_of(self, v: &ValueRow) -> Option<GroupKey> {
        let whole_dimension = v.dimension_name.is_empty();
        match self {
            ProgressBy::Period if v.country_iso3.is_none() && whole_dimension => {
                Some(GroupKey::Period {
                    start: v.period_start.clone(),
                    end: v.period_end.clone(),
                })
            }
            ProgressBy::Country if whole_dimension => v.country_iso3.clone().map(GroupKey::Country),
            ProgressBy::Dimension if v.country_iso3.is_none() && !whole_dimension => {
                Some(GroupKey::Dimension {
                    name: v.dimension_name.clone(),
                    value: v.dimension_value.clone(),
                })
            }
            _ => None,
        }
    }
}

/// What SQL reports for one group and kind: the plain aggregates, and the values of the group's
/// latest period end (a few rows at most) for the rules that pick the latest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindFigures {
    /// Values that are numbers (qualitative values have none).
    pub count: i64,
    pub sum: Option<f64>,
    pub mean: Option<f64>,
    /// `(period end, value)` of the group's latest period end, in period-start then id order.
    pub latest: Vec<(String, f64)>,
}

impl KindFigures {
    /// One figure by `rule`; None when the group has no numeric value of this kind.
    pub fn by(&self, rule: Aggregation) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        match rule {
            Aggregation::Sum => self.sum,
            Aggregation::Mean => self.mean,
            Aggregation::Latest => {
                let picked: Vec<(&str, f64)> =
                    self.latest.iter().map(|(e, v)| (e.as_str(), *v)).collect();
                aggregate(&picked, Aggregation::Latest)
            }
        }
    }
}

/// What SQL reports for one group: its targets' and its actuals' figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupSums {
    pub targets: KindFigures,
    pub actuals: KindFigures,
}

impl GroupSums {
    fn of(&mut self, kind: &str) -> &mut KindFigures {
        if kind == ValueKind::Target.as_str() {
            &mut self.targets
        } else {
            &mut self.actuals
        }
    }
}

/// One group's figures as the API shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupFigures {
    pub key: GroupKey,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    /// A period of a summed indicator: the sum of the whole actuals of the periods ending by its
    /// end, which its progress measures. None for other groups and rules.
    pub actual_to_date: Option<f64>,
    pub progress: Option<f64>,
}

/// Turns SQL's per-(group, kind) figures into rows, in group order. Qualitative indicators get
/// no numbers at all (their values are narratives).
pub fn rows(indicator: &Indicator, figures: BTreeMap<GroupKey, GroupSums>) -> Vec<GroupFigures> {
    let quantitative = indicator.measure != Measure::Qualitative;
    let baseline = indicator.baseline.as_ref().and_then(|b| b.value);
    // Each period's end and the sum of its actuals, for the running totals of a summed indicator.
    let period_sums: Vec<(String, f64)> = if indicator.aggregation == Aggregation::Sum {
        figures
            .iter()
            .filter_map(|(key, f)| match key {
                GroupKey::Period { end, .. } => {
                    Some((end.clone(), f.actuals.by(Aggregation::Sum)?))
                }
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    figures
        .into_iter()
        .map(|(key, f)| {
            if !quantitative {
                return GroupFigures {
                    key,
                    target: None,
                    actual: None,
                    actual_to_date: None,
                    progress: None,
                };
            }
            let target = f.targets.by(Aggregation::Latest);
            let actual = f.actuals.by(indicator.aggregation);
            let actual_to_date = match &key {
                GroupKey::Period { end, .. } if indicator.aggregation == Aggregation::Sum => {
                    let to_date: Vec<f64> = period_sums
                        .iter()
                        .filter(|(e, _)| e <= end)
                        .map(|(_, sum)| *sum)
                        .collect();
                    (!to_date.is_empty()).then(|| to_date.iter().sum())
                }
                _ => None,
            };
            GroupFigures {
                key,
                target,
                actual,
                actual_to_date,
                progress: progress(
                    baseline,
                    target,
                    actual_to_date.or(actual),
                    indicator.ascending,
                ),
            }
        })
        .collect()
}

impl From<ProgressBy> for GroupBy {
    fn from(by: ProgressBy) -> GroupBy {
        match by {
            ProgressBy::Country => GroupBy::Country,
            ProgressBy::Period => GroupBy::Period,
            ProgressBy::Dimension => GroupBy::Dimension,
        }
    }
}

impl ProgressBy {
    /// The key of a group as storage reports it (two key columns).
    fn key(self, key1: String, key2: String) -> GroupKey {
        match self {
            ProgressBy::Country => GroupKey::Country(key1),
            ProgressBy::Period => GroupKey::Period {
                start: key1,
                end: key2,
            },
            ProgressBy::Dimension => GroupKey::Dimension {
                name: key1,
                value: key2,
            },
        }
    }
}

/// An indicator the caller may read and its figures per group; None when it does not exist or
/// lies outside the caller's scope. Two statements whatever the number of values: the grouped
/// sums and the values at each group's latest period end.
pub async fn breakdown(
    db: &Db,
    scope: &Scope,
    id: i64,
    by: ProgressBy,
) -> AppResult<Option<(Indicator, Vec<GroupFigures>)>> {
    let Some(row) = indicators::find(db.pool(), scope, id).await? else {
        return Ok(None);
    };
    let indicator = Indicator::try_from(row)?;
    let mut figures: BTreeMap<GroupKey, GroupSums> = BTreeMap::new();
    for a in store::aggregates(db.pool(), scope, id, by.into()).await? {
        let f = figures
            .entry(by.key(a.key1, a.key2))
            .or_default()
            .of(&a.kind);
        f.count = a.count;
        f.sum = a.sum;
        f.mean = a.mean;
    }
    for l in store::latest(db.pool(), scope, id, by.into()).await? {
        figures
            .entry(by.key(l.key1, l.key2))
            .or_default()
            .of(&l.kind)
            .latest
            .push((l.period_end, l.value));
    }
    let rows = rows(&indicator, figures);
    Ok(Some((indicator, rows)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicators::Baseline;

    fn indicator(measure: Measure, aggregation: Aggregation, ascending: bool) -> Indicator {
        Indicator {
            id: 1,
            result_id: 1,
            code: "X".into(),
            title: "x".into(),
            description: String::new(),
            measure,
            ascending,
            aggregation,
            sdg_indicator: None,
            baseline: Some(Baseline {
                year: Some(2019),
                date: None,
                value: Some(10.0),
                comment: String::new(),
            }),
            version: 1,
            archived_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn value(country: Option<&str>, dim: (&str, &str)) -> ValueRow {
        ValueRow {
            id: 0,
            indicator_id: 1,
            kind: "actual".into(),
            period_start: "2021-01-01".into(),
            period_end: "2021-12-31".into(),
            value: Some(1.0),
            country_iso3: country.map(str::to_string),
            dimension_name: dim.0.into(),
            dimension_value: dim.1.into(),
            comment: String::new(),
            document_id: None,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
            archived_at: None,
        }
    }

    #[test]
    fn each_breakdown_takes_only_its_own_values_so_parts_never_add_to_wholes() {
        let whole = value(None, ("", ""));
        let kaz = value(Some("KAZ"), ("", ""));
        let female = value(None, ("sex", "female"));
        let kaz_female = value(Some("KAZ"), ("sex", "female"));
        let period = GroupKey::Period {
            start: "2021-01-01".into(),
            end: "2021-12-31".into(),
        };
        assert_eq!(ProgressBy::Period.group_of(&whole), Some(period));
        assert_eq!(ProgressBy::Period.group_of(&kaz), None);
        assert_eq!(ProgressBy::Period.group_of(&female), None);
        assert_eq!(
            ProgressBy::Country.group_of(&kaz),
            Some(GroupKey::Country("KAZ".into()))
        );
        assert_eq!(ProgressBy::Country.group_of(&whole), None);
        assert_eq!(ProgressBy::Country.group_of(&kaz_female), None);
        assert_eq!(
            ProgressBy::Dimension.group_of(&female),
            Some(GroupKey::Dimension {
                name: "sex".into(),
                value: "female".into()
            })
        );
        assert_eq!(ProgressBy::Dimension.group_of(&kaz_female), None);
        assert_eq!(ProgressBy::Dimension.group_of(&whole), None);
    }

    fn figures(count: i64, sum: f64, latest: &[(&str, f64)]) -> KindFigures {
        KindFigures {
            count,
            sum: Some(sum),
            mean: Some(sum / count as f64),
            latest: latest.iter().map(|(e, v)| (e.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn actuals_follow_the_rule_and_the_target_is_the_latest() {
        let key = GroupKey::Country("KAZ".into());
        let mut f = BTreeMap::new();
        f.insert(
            key,
            GroupSums {
                targets: figures(2, 150.0, &[("2022-12-31", 110.0)]),
                actuals: figures(2, 60.0, &[("2022-12-31", 35.0)]),
            },
        );
        let sum = rows(&indicator(Measure::Unit, Aggregation::Sum, true), f.clone());
        assert_eq!(sum[0].target, Some(110.0));
        assert_eq!(sum[0].actual, Some(60.0));
        assert_eq!(sum[0].progress, Some(0.5));
        let mean = rows(
            &indicator(Measure::Unit, Aggregation::Mean, true),
            f.clone(),
        );
        assert_eq!(mean[0].actual, Some(30.0));
        let latest = rows(
            &indicator(Measure::Unit, Aggregation::Latest, true),
            f.clone(),
        );
        assert_eq!(latest[0].actual, Some(35.0));
        assert_eq!(latest[0].progress, Some(0.25));
        let qualitative = rows(&indicator(Measure::Qualitative, Aggregation::Sum, true), f);
        assert_eq!(qualitative[0].target, None);
        assert_eq!(qualitative[0].progress, None);
    }

    #[test]
    fn descending_indicators_progress_downwards_and_a_group_without_a_target_has_none() {
        let key = GroupKey::Country("UZB".into());
        let mut f = BTreeMap::new();
        f.insert(
            key,
            GroupSums {
                targets: figures(1, 2.0, &[("2022-12-31", 2.0)]),
                actuals: figures(1, 6.0, &[("2022-12-31", 6.0)]),
            },
        );
        f.insert(
            GroupKey::Country("KAZ".into()),
            GroupSums {
                targets: KindFigures::default(),
                actuals: figures(1, 4.0, &[("2022-12-31", 4.0)]),
            },
        );
        let r = rows(&indicator(Measure::Unit, Aggregation::Sum, false), f);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].key, GroupKey::Country("KAZ".into()));
        assert_eq!(r[0].progress, None);
        assert_eq!(r[1].progress, Some(0.5));
    }

    #[test]
    fn a_summed_indicators_periods_measure_the_actuals_to_their_end_against_the_milestone() {
        let year = |y: i32, target: f64, actual: f64| {
            (
                GroupKey::Period {
                    start: format!("{y}-01-01"),
                    end: format!("{y}-12-31"),
                },
                GroupSums {
                    targets: figures(1, target, &[("", target)]),
                    actuals: figures(1, actual, &[("", actual)]),
                },
            )
        };
        let f: BTreeMap<_, _> = [
            year(2020, 150.0, 140.0),
            year(2021, 300.0, 160.0),
            year(2022, 450.0, 120.0),
        ]
        .into_iter()
        .collect();
        let sum = rows(&indicator(Measure::Unit, Aggregation::Sum, true), f.clone());
        let to_date: Vec<_> = sum.iter().map(|r| r.actual_to_date).collect();
        assert_eq!(to_date, [Some(140.0), Some(300.0), Some(420.0)]);
        // 2021: 300 of the 300 to date, not 160 of 300. A period keeps its own actual.
        assert_eq!(sum[1].actual, Some(160.0));
        assert_eq!(sum[1].progress, Some(1.0));
        // The last period's running total is what the whole indicator sums (420 of 450).
        assert_eq!(
            sum[2].progress,
            progress(Some(10.0), Some(450.0), Some(420.0), true)
        );
        // Means and latest values are not running totals.
        let mean = rows(&indicator(Measure::Unit, Aggregation::Mean, true), f);
        assert!(mean.iter().all(|r| r.actual_to_date.is_none()));
        assert_eq!(
            mean[1].progress,
            progress(Some(10.0), Some(300.0), Some(160.0), true)
        );
    }

    #[test]
    fn a_group_with_only_narratives_has_no_figures() {
        let none = KindFigures::default();
        assert_eq!(none.by(Aggregation::Sum), None);
        assert_eq!(none.by(Aggregation::Latest), None);
        let tie = figures(2, 3.0, &[("2021-12-31", 1.0), ("2021-12-31", 2.0)]);
        assert_eq!(tie.by(Aggregation::Latest), Some(2.0));
    }
}
