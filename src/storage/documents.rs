//! Reference documents (the Nelson Mandela Rules, UNODC handbooks, checklists) and their links.

use sqlx::{Any, Executor, FromRow};

use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct DocumentRow {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub category_code: String,
    pub language: String,
    pub document_date: Option<String>,
    pub publisher: String,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, title, url, category_code, language, document_date, publisher, \
                       version, archived_at, created_at, updated_at";

pub struct DocumentFields<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub category_code: &'a str,
    pub language: &'a str,
    pub document_date: Option<&'a str>,
    pub publisher: &'a str,
}

#[derive(Clone, Debug, Default)]
pub struct DocumentFilter {
    pub search: Option<String>,
    pub category: Option<String>,
    pub include_archived: bool,
}

fn where_clause(f: &DocumentFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    if !f.include_archived {
        sql.push(" and archived_at is null");
    }
    if let Some(s) = &f.search {
        sql.push(" and ").contains_text(&["title", "publisher"], s);
    }
    if let Some(c) = &f.category {
        sql.push(" and category_code = ").bind(c);
    }
    sql
}

/// Documents are public references: readable by every authenticated caller.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &DocumentFilter,
    after: Option<(String, i64)>,
    limit: i64,
) -> AppResult<Vec<DocumentRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from documents"));
    sql.append(&where_clause(f));
    if let Some((title, id)) = after {
        sql.push(" and (title > ")
            .bind(&title)
            .push(" or (title = ")
            .bind(title)
            .push(" and id > ")
            .bind(id)
            .push("))");
    }
    sql.push(" order by title, id limit ").bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &DocumentFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from documents");
    sql.append(&where_clause(f));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
) -> AppResult<Vec<DocumentRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from documents where id in "));
    sql.bind_list(ids);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> AppResult<Option<DocumentRow>> {
    Ok(by_ids(ex, &[id]).await?.pop())
}

/// Documents linked through `table` to the given owners: `(owner id, document)`.
pub async fn linked<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    table: &str,
    owner_column: &str,
    owners: &[i64],
) -> AppResult<Vec<(i64, DocumentRow)>> {
    #[derive(FromRow)]
    struct Linked {
        owner: i64,
        #[sqlx(flatten)]
        doc: DocumentRow,
    }
    let cols = COLUMNS
        .split(", ")
        .map(|c| format!("d.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = Sql::new(&format!(
        "select l.{owner_column} as owner, {cols} from {table} l join documents d on d.id = l.document_id \
         where d.archived_at is null and l.{owner_column} in "
    ));
    sql.bind_list(owners).push(" order by d.title, d.id");
    let rows: Vec<Linked> = sql.query_as().fetch_all(ex).await?;
    Ok(rows.into_iter().map(|r| (r.owner, r.doc)).collect())
}

pub async fn insert(tx: &mut super::Tx, f: &DocumentFields<'_>) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into documents (title, url, category_code, language, document_date, publisher, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
    )
    .bind(f.title)
    .bind(f.url)
    .bind(f.category_code)
    .bind(f.language)
    .bind(f.document_date)
    .bind(f.publisher)
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &DocumentFields<'_>,
) -> AppResult<bool> {
    let done = sqlx::query(
        "update documents set title = $1, url = $2, category_code = $3, language = $4, \
         document_date = $5, publisher = $6, version = version + 1, updated_at = $7 \
         where id = $8 and version = $9",
    )
    .bind(f.title)
    .bind(f.url)
    .bind(f.category_code)
    .bind(f.language)
    .bind(f.document_date)
    .bind(f.publisher)
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which of `ids` are live documents.
pub async fn existing<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
) -> AppResult<Vec<i64>> {
    let mut sql = Sql::new("select id from documents where archived_at is null and id in ");
    sql.bind_list(ids);
    let rows: Vec<(i64,)> = sql.query_as().fetch_all(ex).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
