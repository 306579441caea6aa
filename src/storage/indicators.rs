//! Indicators of results (IATI 2.03 `result/indicator`) and the disaggregation dimensions each
//! allows.

use sqlx::{Any, Executor, FromRow};

use super::Flag;
use super::scope::Scope;
use super::sql::{Bind, Sql};
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow)]
pub struct IndicatorRow {
    pub id: i64,
    pub result_id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub measure: String,
    pub ascending: Flag,
    pub aggregation: String,
    pub sdg_indicator: Option<String>,
    pub baseline_year: Option<i64>,
    pub baseline_date: Option<String>,
    pub baseline_value: Option<f64>,
    pub baseline_comment: String,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const SELECT: &str = "select i.id, i.result_id, i.code, i.title, i.description, i.measure, \
     i.ascending, i.aggregation, i.sdg_indicator, i.baseline_year, i.baseline_date, \
     i.baseline_value, i.baseline_comment, i.version, i.archived_at, i.created_at, i.updated_at \
     from indicators i";

/// Joins what the filters look at: the result and, for engagement-level results, the engagement.
const JOIN: &str =
    " join results r on r.id = i.result_id left join engagements e on e.id = r.engagement_id";

#[derive(Clone, Debug, Default)]
pub struct IndicatorFilter {
    pub engagement: Option<i64>,
    /// Indicators of results of this programme, at either level.
    pub programme: Option<i64>,
    pub result: Option<i64>,
    /// An SDG indicator ("16.3.2") matched exactly, or a target ("16.3") or goal ("16") matched
    /// as a prefix.
    pub sdg: Option<String>,
    /// ISO3: indicators of engagements in this country, or with values recorded for it.
    pub country: Option<String>,
    pub include_archived: bool,
}

fn where_clause(scope: &Scope, f: &IndicatorFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    sql.append(&scope.indicators("i.id"));
    if !f.include_archived {
        // An archived result takes its indicators out of lists with it.
        sql.push(" and i.archived_at is null and r.archived_at is null");
    }
    super::results::under_engagement(&mut sql, f.engagement, f.include_archived);
    if let Some(p) = f.programme {
        sql.push(" and coalesce(r.programme_id, e.programme_id) = ")
            .bind(p);
    }
    if let Some(r) = f.result {
        sql.push(" and i.result_id = ").bind(r);
    }
    if let Some(s) = &f.sdg {
        sql.push(" and (i.sdg_indicator = ")
            .bind(s)
            .push(" or i.sdg_indicator like ")
            .bind(format!("{s}.%"))
            .push(")");
    }
    if let Some(c) = &f.country {
        sql.push(
            " and (r.engagement_id in (select engagement_id from engagement_countries \
             where country_iso3 = ",
        )
        .bind(c)
        .push(
            ") or i.id in (select indicator_id from indicator_values \
             where archived_at is null and country_iso3 = ",
        )
        .bind(c)
        .push("))");
    }
    sql
}

/// One page in code order, after the keyset `after` (codes are unique).
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &IndicatorFilter,
    after: Option<String>,
    limit: i64,
) -> AppResult<Vec<IndicatorRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(JOIN).append(&where_clause(scope, f));
    if let Some(code) = after {
        sql.push(" and i.code > ").bind(code);
    }
    sql.push(" order by i.code limit ").bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &IndicatorFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from indicators i");
    sql.push(JOIN).append(&where_clause(scope, f));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

/// Indicators by id, archived ones included.
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    ids: &[i64],
) -> AppResult<Vec<IndicatorRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.id in ")
        .bind_list(ids)
        .append(&scope.indicators("i.id"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<IndicatorRow>> {
    Ok(by_ids(ex, scope, &[id]).await?.pop())
}

/// The id of the indicator with this code, whoever may read it: codes are unique across all.
pub async fn id_by_code<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    code: &str,
) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("select id from indicators where code = $1")
        .bind(code)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// The live indicators of the given results, by code: one statement for a list of results.
pub async fn of_results<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    results: &[i64],
) -> AppResult<Vec<IndicatorRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where i.archived_at is null and i.result_id in ")
        .bind_list(results)
        .append(&scope.indicators("i.id"))
        .push(" order by i.code");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// `(indicator id, dimension name, value)` of the given indicators, by name then value.
pub async fn dimensions_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    indicators: &[i64],
) -> AppResult<Vec<(i64, String, String)>> {
    let mut sql = Sql::new(
        "select indicator_id, name, value from indicator_dimensions where indicator_id in ",
    );
    sql.bind_list(indicators)
        .append(&scope.indicators("indicator_id"))
        .push(" order by indicator_id, name, value");
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub struct IndicatorFields<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub measure: &'a str,
    pub ascending: bool,
    pub aggregation: &'a str,
    pub sdg_indicator: Option<&'a str>,
    pub baseline_year: Option<i64>,
    pub baseline_date: Option<&'a str>,
    pub baseline_value: Option<f64>,
    pub baseline_comment: &'a str,
}

/// `f`'s columns as `col = value` pairs, in one order for insert and update.
fn assignments(f: &IndicatorFields<'_>) -> Vec<(&'static str, Bind)> {
    vec![
        ("code", f.code.into()),
        ("title", f.title.into()),
        ("description", f.description.into()),
        ("measure", f.measure.into()),
        ("ascending", f.ascending.into()),
        ("aggregation", f.aggregation.into()),
        ("sdg_indicator", f.sdg_indicator.into()),
        ("baseline_year", f.baseline_year.into()),
        ("baseline_date", f.baseline_date.into()),
        ("baseline_value", f.baseline_value.into()),
        ("baseline_comment", f.baseline_comment.into()),
        ("updated_at", super::now().into()),
    ]
}

pub async fn insert(tx: &mut super::Tx, result_id: i64, f: &IndicatorFields<'_>) -> AppResult<i64> {
    let mut cols = assignments(f);
    cols.push(("result_id", result_id.into()));
    cols.push(("created_at", super::now().into()));
    let names: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
    let mut sql = Sql::new(&format!(
        "insert into indicators ({}) values (",
        names.join(", ")
    ));
    for (i, (_, v)) in cols.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(v);
    }
    sql.push(") returning id");
    let (id,): (i64,) = sql.query_as().fetch_one(&mut **tx).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &IndicatorFields<'_>,
) -> AppResult<bool> {
    let mut sql = Sql::new("update indicators set version = version + 1");
    for (col, v) in assignments(f) {
        sql.push(", ").push(col).push(" = ");
        sql.bind(v);
    }
    sql.push(" where id = ")
        .bind(id)
        .push(" and version = ")
        .bind(version);
    let done = sql.query().execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the dimensions an indicator allows with `(name, value)` pairs.
pub async fn set_dimensions(
    tx: &mut super::Tx,
    id: i64,
    pairs: &[(String, String)],
) -> AppResult<()> {
    sqlx::query("delete from indicator_dimensions where indicator_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (name, value) in pairs {
        sqlx::query(
            "insert into indicator_dimensions (indicator_id, name, value) values ($1, $2, $3)",
        )
        .bind(id)
        .bind(name)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
