//! Programmes: the UNODC programmes engagements belong to.

use sqlx::{Any, Executor, FromRow};

use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct ProgrammeRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub thematic_area: String,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str =
    "id, code, title, description, thematic_area, version, archived_at, created_at, updated_at";

pub struct ProgrammeFields<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub thematic_area: &'a str,
}

#[derive(Clone, Debug, Default)]
pub struct ProgrammeFilter {
    pub search: Option<String>,
    pub thematic_area: Option<String>,
    pub include_archived: bool,
}

fn where_clause(scope: &Scope, f: &ProgrammeFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    sql.append(&scope.programmes("id"));
    if !f.include_archived {
        sql.push(" and archived_at is null");
    }
    if let Some(s) = &f.search {
        sql.push(" and ").contains_text(&["title", "code"], s);
    }
    if let Some(t) = &f.thematic_area {
        sql.push(" and lower(thematic_area) = ")
            .bind(t.to_lowercase());
    }
    sql
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &ProgrammeFilter,
    after: Option<String>,
    limit: i64,
) -> AppResult<Vec<ProgrammeRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from programmes"));
    sql.append(&where_clause(scope, f));
    if let Some(code) = after {
        sql.push(" and code > ").bind(code);
    }
    sql.push(" order by code limit ").bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &ProgrammeFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from programmes");
    sql.append(&where_clause(scope, f));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    ids: &[i64],
) -> AppResult<Vec<ProgrammeRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from programmes where id in "));
    sql.bind_list(ids).append(&scope.programmes("id"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<ProgrammeRow>> {
    Ok(by_ids(ex, scope, &[id]).await?.pop())
}

pub async fn find_by_code<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    code: &str,
) -> AppResult<Option<ProgrammeRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from programmes where code = "));
    sql.bind(code).append(&scope.programmes("id"));
    Ok(sql.query_as().fetch_optional(ex).await?)
}

pub async fn insert(tx: &mut super::Tx, f: &ProgrammeFields<'_>) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into programmes (code, title, description, thematic_area, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(f.code)
    .bind(f.title)
    .bind(f.description)
    .bind(f.thematic_area)
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &ProgrammeFields<'_>,
) -> AppResult<bool> {
    let done = sqlx::query(
        "update programmes set code = $1, title = $2, description = $3, thematic_area = $4, \
         version = version + 1, updated_at = $5 where id = $6 and version = $7",
    )
    .bind(f.code)
    .bind(f.title)
    .bind(f.description)
    .bind(f.thematic_area)
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
