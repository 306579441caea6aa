//! The figures of a donor's portfolio: one GROUP BY statement per figure over the portfolio's
//! engagement ids, never one statement per engagement.

use sqlx::{Any, Executor, FromRow};

use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

/// Live activities of one engagement and kind, with their participants by sex.
#[derive(Clone, Debug, FromRow)]
pub struct ActivityGroup {
    pub engagement_id: i64,
    pub kind: String,
    pub count: i64,
    pub total: i64,
    pub female: i64,
    pub male: i64,
}

/// The budgets of one engagement in one currency, added up.
#[derive(Clone, Debug, FromRow)]
pub struct BudgetGroup {
    pub engagement_id: i64,
    pub currency: String,
    pub amount: f64,
}

/// Activities per engagement and kind (live activities only).
pub async fn activities<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    engagements: &[i64],
) -> AppResult<Vec<ActivityGroup>> {
    let mut sql = Sql::new(
        "select a.engagement_id, a.kind, count(*) as count, \
         cast(sum(a.participants_total) as bigint) as total, \
         cast(sum(a.participants_female) as bigint) as female, \
         cast(sum(a.participants_male) as bigint) as male \
         from activities a where a.archived_at is null and a.engagement_id in ",
    );
    sql.bind_list(engagements)
        .append(&scope.engagements("a.engagement_id"))
        .push(" group by a.engagement_id, a.kind order by a.engagement_id, a.kind");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// Budget amounts per engagement and currency.
pub async fn budgets<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    engagements: &[i64],
) -> AppResult<Vec<BudgetGroup>> {
    let mut sql = Sql::new(
        "select b.engagement_id, b.currency, cast(sum(b.amount) as double precision) as amount \
         from budgets b where b.engagement_id in ",
    );
    sql.bind_list(engagements)
        .append(&scope.engagements("b.engagement_id"))
        .push(" group by b.engagement_id, b.currency order by b.engagement_id, b.currency");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// How many funding organisations (IATI role 1) each engagement has.
pub async fn funders<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    engagements: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    let mut sql = Sql::new(
        "select o.engagement_id, count(*) from engagement_organisations o \
         where o.role_code = '1' and o.engagement_id in ",
    );
    sql.bind_list(engagements)
        .append(&scope.engagements("o.engagement_id"))
        .push(" group by o.engagement_id");
    Ok(sql.query_as().fetch_all(ex).await?)
}
