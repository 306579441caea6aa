//! Indicator values summed, averaged and counted per group (country, period or disaggregation
//! value) in one GROUP BY statement; plus the values of each group's latest period end, which
//! the "latest" rule picks from. Which values belong to which group is decided here in SQL and
//! mirrors `domain::progress::ProgressBy::group_of`.

use sqlx::{Any, Executor, FromRow};

use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

/// The breakdown, as storage knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Country,
    Period,
    Dimension,
}

impl GroupBy {
    /// The two key columns of a group (`''` when the breakdown needs one).
    fn keys(self, alias: &str) -> (String, String) {
        match self {
            GroupBy::Country => (format!("{alias}.country_iso3"), "''".to_string()),
            GroupBy::Period => (
                format!("{alias}.period_start"),
                format!("{alias}.period_end"),
            ),
            GroupBy::Dimension => (
                format!("{alias}.dimension_name"),
                format!("{alias}.dimension_value"),
            ),
        }
    }

    /// The key columns to group and order by (PostgreSQL refuses a constant there).
    fn columns(self, alias: &str) -> String {
        let (k1, k2) = self.keys(alias);
        if self == GroupBy::Country {
            k1
        } else {
            format!("{k1}, {k2}")
        }
    }

    /// Which values count for the breakdown: parts never count toward a whole.
    fn counts(self, alias: &str) -> String {
        match self {
            GroupBy::Country => {
                format!(" and {alias}.country_iso3 is not null and {alias}.dimension_name = ''")
            }
            GroupBy::Period => {
                format!(" and {alias}.country_iso3 is null and {alias}.dimension_name = ''")
            }
            GroupBy::Dimension => {
                format!(" and {alias}.country_iso3 is null and {alias}.dimension_name <> ''")
            }
        }
    }
}

/// Sum, mean and count of the numeric values of one group and kind.
#[derive(Clone, Debug, FromRow)]
pub struct GroupAggregate {
    pub key1: String,
    pub key2: String,
    pub kind: String,
    pub count: i64,
    pub sum: Option<f64>,
    pub mean: Option<f64>,
}

/// A value at its group's latest period end.
#[derive(Clone, Debug, FromRow)]
pub struct LatestValue {
    pub key1: String,
    pub key2: String,
    pub kind: String,
    pub period_end: String,
    pub value: f64,
}

/// Per group and kind: how many numeric values, their sum and their mean. Groups holding only
/// narratives (qualitative values) are listed with a count of 0.
pub async fn aggregates<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    indicator: i64,
    by: GroupBy,
) -> AppResult<Vec<GroupAggregate>> {
    let (k1, k2) = by.keys("v");
    let group = by.columns("v");
    let mut sql = Sql::new(&format!(
        "select {k1} as key1, {k2} as key2, v.kind, count(v.value) as count, \
         cast(sum(v.value) as double precision) as sum, \
         cast(avg(v.value) as double precision) as mean \
         from indicator_values v where v.archived_at is null and v.indicator_id = "
    ));
    sql.bind(indicator)
        .push(&by.counts("v"))
        .append(&scope.indicators("v.indicator_id"))
        .push(&format!(
            " group by {group}, v.kind order by {group}, v.kind"
        ));
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// The numeric values lying at their group's latest period end (several only when periods of
/// different starts share that end), in period-start then id order.
pub async fn latest<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    indicator: i64,
    by: GroupBy,
) -> AppResult<Vec<LatestValue>> {
    let (k1, k2) = by.keys("v");
    let (w1, w2) = by.keys("w");
    let mut sql = Sql::new(&format!(
        "select {k1} as key1, {k2} as key2, v.kind, v.period_end, v.value \
         from indicator_values v where v.value is not null and v.archived_at is null \
         and v.indicator_id = "
    ));
    sql.bind(indicator)
        .push(&by.counts("v"))
        .append(&scope.indicators("v.indicator_id"))
        .push(&format!(
            " and v.period_end = (select max(w.period_end) from indicator_values w \
             where w.indicator_id = v.indicator_id and w.kind = v.kind \
             and w.value is not null and w.archived_at is null and {w1} = {k1} and {w2} = {k2}{})",
            by.counts("w")
        ))
        .push(&format!(
            " order by {}, v.kind, v.period_start, v.id",
            by.columns("v")
        ));
    Ok(sql.query_as().fetch_all(ex).await?)
}
