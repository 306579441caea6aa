//! Results (IATI 2.03 `result`): what an engagement or a whole programme sets out to achieve.

use sqlx::{Any, Executor, FromRow};

use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct ResultRow {
    pub id: i64,
    /// Set for engagement-level results.
    pub engagement_id: Option<i64>,
    /// Set for programme-level results.
    pub programme_id: Option<i64>,
    /// The programme the result belongs to, directly or through its engagement.
    pub owner_programme_id: i64,
    pub programme_code: String,
    pub result_type: String,
    pub title: String,
    pub description: String,
    pub parent_result_id: Option<i64>,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const SELECT: &str = "select r.id, r.engagement_id, r.programme_id, p.id as owner_programme_id, \
     p.code as programme_code, r.result_type, r.title, r.description, r.parent_result_id, \
     r.version, r.archived_at, r.created_at, r.updated_at from results r \
     left join engagements e on e.id = r.engagement_id \
     join programmes p on p.id = coalesce(r.programme_id, e.programme_id)";

/// Where a result hangs: exactly one of an engagement or a programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Engagement,
    Programme,
}

#[derive(Clone, Debug, Default)]
pub struct ResultFilter {
    pub engagement: Option<i64>,
    /// Results of this programme at either level.
    pub programme: Option<i64>,
    pub level: Option<Level>,
    pub result_type: Option<String>,
    pub include_archived: bool,
}

/// Narrows a list of results (`r`, joined to engagements `e`), or of what hangs under them, to
/// one engagement; across engagements, an archived engagement takes its results with it unless
/// archived records are asked for. Results of a programme, under no engagement, stay.
pub(super) fn under_engagement(sql: &mut Sql, engagement: Option<i64>, include_archived: bool) {
    match engagement {
        Some(e) => {
            sql.push(" and r.engagement_id = ").bind(e);
        }
        None if !include_archived => {
            sql.push(" and (r.engagement_id is null or e.archived_at is null)");
        }
        None => {}
    }
}

fn where_clause(scope: &Scope, f: &ResultFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    sql.append(&scope.results("r.id"));
    if !f.include_archived {
        sql.push(" and r.archived_at is null");
    }
    under_engagement(&mut sql, f.engagement, f.include_archived);
    if let Some(p) = f.programme {
        sql.push(" and p.id = ").bind(p);
    }
    match f.level {
        Some(Level::Engagement) => {
            sql.push(" and r.engagement_id is not null");
        }
        Some(Level::Programme) => {
            sql.push(" and r.programme_id is not null");
        }
        None => {}
    }
    if let Some(t) = &f.result_type {
        sql.push(" and r.result_type = ").bind(t);
    }
    sql
}

/// One page in id order (creation order), after the keyset `after`.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &ResultFilter,
    after: Option<i64>,
    limit: i64,
) -> AppResult<Vec<ResultRow>> {
    let mut sql = Sql::new(SELECT);
    sql.append(&where_clause(scope, f));
    if let Some(id) = after {
        sql.push(" and r.id > ").bind(id);
    }
    sql.push(" order by r.id limit ").bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &ResultFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new(
        "select count(*) from results r left join engagements e on e.id = r.engagement_id \
         join programmes p on p.id = coalesce(r.programme_id, e.programme_id)",
    );
    sql.append(&where_clause(scope, f));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

/// Results by id, archived ones included (a parent or an indicator's result may be archived).
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    ids: &[i64],
) -> AppResult<Vec<ResultRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.id in ")
        .bind_list(ids)
        .append(&scope.results("r.id"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<ResultRow>> {
    Ok(by_ids(ex, scope, &[id]).await?.pop())
}

/// The live results whose `column` (engagement_id, programme_id or parent_result_id) is one of
/// `owners`, in id order: one statement for a whole list of parents.
pub async fn under<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    column: Under,
    owners: &[i64],
) -> AppResult<Vec<ResultRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.archived_at is null and r.")
        .push(column.column())
        .push(" in ")
        .bind_list(owners)
        .append(&scope.results("r.id"))
        .push(" order by r.id");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// What `under` groups results by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Under {
    Engagement,
    Programme,
    Parent,
}

impl Under {
    fn column(self) -> &'static str {
        match self {
            Under::Engagement => "engagement_id",
            Under::Programme => "programme_id",
            Under::Parent => "parent_result_id",
        }
    }

    /// The owner id of a row under this grouping.
    pub fn owner_of(self, row: &ResultRow) -> Option<i64> {
        match self {
            Under::Engagement => row.engagement_id,
            Under::Programme => row.programme_id,
            Under::Parent => row.parent_result_id,
        }
    }
}

/// The parent of a result, unscoped: only for walking up the tree to refuse cycles.
pub async fn parent_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> AppResult<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("select parent_result_id from results where id = $1")
            .bind(id)
            .fetch_optional(ex)
            .await?;
    Ok(row.and_then(|(p,)| p))
}

pub struct ResultFields<'a> {
    pub result_type: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub parent_result_id: Option<i64>,
}

pub async fn insert(
    tx: &mut super::Tx,
    engagement_id: Option<i64>,
    programme_id: Option<i64>,
    f: &ResultFields<'_>,
) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into results (engagement_id, programme_id, result_type, title, description, \
         parent_result_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) \
         returning id",
    )
    .bind(engagement_id)
    .bind(programme_id)
    .bind(f.result_type)
    .bind(f.title)
    .bind(f.description)
    .bind(f.parent_result_id)
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &ResultFields<'_>,
) -> AppResult<bool> {
    let done = sqlx::query(
        "update results set result_type = $1, title = $2, description = $3, \
         parent_result_id = $4, version = version + 1, updated_at = $5 \
         where id = $6 and version = $7",
    )
    .bind(f.result_type)
    .bind(f.title)
    .bind(f.description)
    .bind(f.parent_result_id)
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
