//! IATI codelists.

use sqlx::{Any, Executor, FromRow};

use crate::error::AppResult;

#[derive(Clone, Debug, FromRow)]
pub struct CodeRow {
    pub list: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub status: String,
}

const COLUMNS: &str = "list, code, name, description, category, status";

pub async fn list_items<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    list: &str,
) -> AppResult<Vec<CodeRow>> {
    let sql = format!("select {COLUMNS} from codelist_items where list = $1 order by code");
    Ok(sqlx::query_as(&sql).bind(list).fetch_all(ex).await?)
}

pub async fn find_item<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    list: &str,
    code: &str,
) -> AppResult<Option<CodeRow>> {
    let sql = format!("select {COLUMNS} from codelist_items where list = $1 and code = $2");
    Ok(sqlx::query_as(&sql)
        .bind(list)
        .bind(code)
        .fetch_optional(ex)
        .await?)
}

/// The names of the lists held, with their sizes.
pub async fn list_names<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> AppResult<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("select list, count(*) from codelist_items group by list order by list")
            .fetch_all(ex)
            .await?,
    )
}

pub async fn insert_item(tx: &mut super::Tx, row: &CodeRow) -> AppResult<()> {
    sqlx::query(
        "insert into codelist_items (list, code, name, description, category, status) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&row.list)
    .bind(&row.code)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.category)
    .bind(&row.status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
