//! Targets and actuals of indicators, one row per slot: (indicator, kind, period, country,
//! disaggregation). '' in the dimension columns means "not disaggregated".

use sqlx::{Any, Executor, FromRow};

use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct ValueRow {
    pub id: i64,
    pub indicator_id: i64,
    pub kind: String,
    pub period_start: String,
    pub period_end: String,
    pub value: Option<f64>,
    pub country_iso3: Option<String>,
    pub dimension_name: String,
    pub dimension_value: String,
    pub comment: String,
    pub document_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Set when the value was taken back; archived values are listed only when asked for.
    pub archived_at: Option<String>,
}

const SELECT: &str = "select id, indicator_id, kind, period_start, period_end, value, \
     country_iso3, dimension_name, dimension_value, comment, document_id, version, created_at, \
     updated_at, archived_at from indicator_values";

/// The order clients read values in: by period, then country (none first), then disaggregation;
/// values of one slot (archived ones and the value set after them) in the order they were made.
const ORDER: &str = " order by indicator_id, kind, period_start, period_end, \
     coalesce(country_iso3, ''), dimension_name, dimension_value, id";

/// Targets and actuals of the given indicators, live ones only unless `archived` is true: one
/// statement for a list of indicators.
pub async fn of_indicators(
    db: &super::Db,
    scope: &Scope,
    indicators: &[i64],
    archived: bool,
) -> AppResult<Vec<ValueRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(if archived {
        " where indicator_id in "
    } else {
        " where archived_at is null and indicator_id in "
    })
    .bind_list(indicators)
    .append(&scope.indicators("indicator_id"))
    .push(ORDER);
    db.read_all(&sql).await
}

/// The slot a value fills.
pub struct Slot<'a> {
    pub indicator_id: i64,
    pub kind: &'a str,
    pub period_start: &'a str,
    pub period_end: &'a str,
    pub country_iso3: Option<&'a str>,
    pub dimension_name: &'a str,
    pub dimension_value: &'a str,
}

/// The live value in a slot, if one was recorded (an archived one no longer holds it).
pub async fn find_slot<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    s: &Slot<'_>,
) -> AppResult<Option<ValueRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where archived_at is null and indicator_id = ")
        .bind(s.indicator_id)
        .push(" and kind = ")
        .bind(s.kind)
        .push(" and period_start = ")
        .bind(s.period_start)
        .push(" and period_end = ")
        .bind(s.period_end)
        .push(" and coalesce(country_iso3, '') = ")
        .bind(s.country_iso3.unwrap_or(""))
        .push(" and dimension_name = ")
        .bind(s.dimension_name)
        .push(" and dimension_value = ")
        .bind(s.dimension_value);
    Ok(sql.query_as().fetch_optional(ex).await?)
}

/// A value by id, archived or not.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> AppResult<Option<ValueRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where id = ").bind(id);
    Ok(sql.query_as().fetch_optional(ex).await?)
}

/// A value by id, archived or not, if the caller may read its indicator.
pub async fn find_in<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<ValueRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where id = ")
        .bind(id)
        .append(&scope.indicators("indicator_id"));
    Ok(sql.query_as().fetch_optional(ex).await?)
}

/// What a value says about its slot.
pub struct ValueFields<'a> {
    pub value: Option<f64>,
    pub comment: &'a str,
    pub document_id: Option<i64>,
}

pub async fn insert(tx: &mut super::Tx, s: &Slot<'_>, f: &ValueFields<'_>) -> AppResult<i64> {
    let now = super::now();
    let mut sql = Sql::new(
        "insert into indicator_values (indicator_id, kind, period_start, period_end, \
         country_iso3, dimension_name, dimension_value, comment, document_id, created_at, \
         updated_at, value) values (",
    );
    sql.bind(s.indicator_id)
        .push(", ")
        .bind(s.kind)
        .push(", ")
        .bind(s.period_start)
        .push(", ")
        .bind(s.period_end)
        .push(", ")
        .bind(s.country_iso3)
        .push(", ")
        .bind(s.dimension_name)
        .push(", ")
        .bind(s.dimension_value)
        .push(", ")
        .bind(f.comment)
        .push(", ")
        .bind(f.document_id)
        .push(", ")
        .bind(&now)
        .push(", ")
        .bind(&now)
        .push(", ");
    sql.bind(f.value);
    sql.push(") returning id");
    let (id,): (i64,) = sql.query_as().fetch_one(&mut **tx).await?;
    Ok(id)
}

/// Replaces the value in an existing slot at `version`; false when someone changed it meanwhile.
pub async fn replace(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &ValueFields<'_>,
) -> AppResult<bool> {
    let mut sql = Sql::new("update indicator_values set comment = ");
    sql.bind(f.comment)
        .push(", document_id = ")
        .bind(f.document_id)
        .push(", version = version + 1, updated_at = ")
        .bind(super::now())
        .push(", value = ");
    sql.bind(f.value);
    sql.push(" where id = ")
        .bind(id)
        .push(" and version = ")
        .bind(version)
        .push(" and archived_at is null");
    let done = sql.query().execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}
