//! A lesson's lists: themes, countries, areas (M49 regions or groupings) and documents. Reads
//! take many lessons at once, for loaders.

use sqlx::{Any, Executor, FromRow};

use crate::error::AppResult;
use crate::storage::Tx;
use crate::storage::scope::set_links;
use crate::storage::sql::Sql;

/// `(lesson, text)` rows of one of the lesson list tables, in text order.
async fn texts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    table: &str,
    column: &str,
    lessons: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    let mut sql = Sql::new(&format!(
        "select lesson_id, {column} from {table} where lesson_id in "
    ));
    sql.bind_list(lessons)
        .push(&format!(" order by lesson_id, {column}"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn themes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    lessons: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    texts(ex, "lesson_themes", "theme", lessons).await
}

/// `(lesson, country ISO3)` pairs.
pub async fn countries<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    lessons: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    texts(ex, "lesson_countries", "country_iso3", lessons).await
}

/// An area a lesson applies to, with its name.
#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct LessonAreaRow {
    pub lesson_id: i64,
    pub code: String,
    pub name: String,
    /// 1 for a grouping, 0 for an M49 region.
    pub is_grouping: i64,
}

pub async fn areas<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    lessons: &[i64],
) -> AppResult<Vec<LessonAreaRow>> {
    let mut sql = Sql::new(
        "select la.lesson_id, la.area_code as code, coalesce(r.name, g.name, la.area_code) as name, \
         case when g.code is null then 0 else 1 end as is_grouping from lesson_areas la \
         left join regions r on r.code = la.area_code left join groupings g on g.code = la.area_code \
         where la.lesson_id in ",
    );
    sql.bind_list(lessons)
        .push(" order by la.lesson_id, la.area_code");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// Replaces one of the text list tables: `lesson_themes.theme`, `lesson_countries.country_iso3`
/// or `lesson_areas.area_code`.
pub async fn set_texts(
    tx: &mut Tx,
    table: &'static str,
    column: &'static str,
    lesson: i64,
    values: &[String],
) -> AppResult<()> {
    sqlx::query(&format!("delete from {table} where lesson_id = $1"))
        .bind(lesson)
        .execute(&mut **tx)
        .await?;
    let insert = format!("insert into {table} (lesson_id, {column}) values ($1, $2)");
    for v in values {
        sqlx::query(&insert)
            .bind(lesson)
            .bind(v.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn set_documents(tx: &mut Tx, lesson: i64, ids: &[i64]) -> AppResult<()> {
    set_links(
        tx,
        "lesson_documents",
        "lesson_id",
        "document_id",
        lesson,
        ids,
    )
    .await
}
