//! Lessons learned, their themes, countries, areas and documents, and full-text search over
//! them: FTS5 on SQLite (`lessons_fts`), a weighted tsvector on PostgreSQL (`search_vector`).

use sqlx::{Any, Executor, FromRow};

use super::Backend;
use super::geography::Area;
use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

mod lists;

pub use lists::*;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct LessonRow {
    pub id: i64,
    pub title: String,
    pub statement: String,
    pub context: String,
    pub evidence: String,
    pub source_engagement_id: Option<i64>,
    pub source_activity_id: Option<i64>,
    pub source_event_id: Option<i64>,
    pub source_document_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// How well the lesson matches a text search (higher is better); only searches select it.
    #[sqlx(default)]
    #[serde(skip)]
    pub relevance: Option<f64>,
}

const COLUMNS: &[&str] = &[
    "id",
    "title",
    "statement",
    "context",
    "evidence",
    "source_engagement_id",
    "source_activity_id",
    "source_event_id",
    "source_document_id",
    "recorded_by",
    "recorded_at",
    "version",
    "archived_at",
    "created_at",
    "updated_at",
];

/// `l.id, l.title, ...`: every query reads lessons under the alias `l`.
fn columns() -> String {
    COLUMNS
        .iter()
        .map(|c| format!("l.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The stored fields of a lesson, validated by the domain layer.
pub struct LessonFields<'a> {
    pub title: &'a str,
    pub statement: &'a str,
    pub context: &'a str,
    pub evidence: &'a str,
    pub source_engagement_id: Option<i64>,
    pub source_activity_id: Option<i64>,
    pub source_event_id: Option<i64>,
    pub source_document_id: Option<i64>,
}

/// What a lesson list may be narrowed by; codes are resolved already.
#[derive(Clone, Debug, Default)]
pub struct LessonFilter {
    /// A full-text query both engines parse safely: double-quoted words separated by spaces.
    pub search: Option<String>,
    pub theme: Option<String>,
    pub country_iso3: Option<String>,
    pub area: Option<Area>,
    pub source_engagement_id: Option<i64>,
    pub source_activity_id: Option<i64>,
    pub source_event_id: Option<i64>,
    pub source_document_id: Option<i64>,
    /// Drawn from the programme's engagements, their activities or its events.
    pub programme_id: Option<i64>,
    /// Recorded at or after this instant (`YYYY-MM-DD`, the first day's start, UTC).
    pub recorded_from: Option<String>,
    /// Recorded before this instant (the day after the last day asked for).
    pub recorded_before: Option<String>,
    pub include_archived: bool,
}

/// The M49 codes of a region and of every region below it (the hierarchy is four levels deep).
fn region_and_below(code: &str) -> Sql {
    let mut sql = Sql::new("(select code from regions where code = ");
    sql.bind(code)
        .push(" or parent_code = ")
        .bind(code)
        .push(" or parent_code in (select code from regions where parent_code = ")
        .bind(code)
        .push(") or parent_code in (select code from regions where parent_code in ")
        .push("(select code from regions where parent_code = ")
        .bind(code)
        .push(")))");
    sql
}

fn where_clause(scope: &Scope, f: &LessonFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    sql.append(&scope.lessons("l.id"));
    if !f.include_archived {
        sql.push(" and l.archived_at is null");
    }
    if let Some(t) = &f.theme {
        sql.push(" and l.id in (select lesson_id from lesson_themes where lower(theme) = ")
            .bind(t.to_lowercase())
            .push(")");
    }
    // A lesson applies to a country it names, or to every country of an area it names.
    if let Some(c) = &f.country_iso3 {
        sql.push(" and (l.id in (select lesson_id from lesson_countries where country_iso3 = ")
            .bind(c)
            .push(
                ") or l.id in (select la.lesson_id from lesson_areas la join countries c on c.iso3 = ",
            )
            .bind(c)
            .push(
                " where la.area_code in ('001', c.region_code, c.sub_region_code, \
                 c.intermediate_region_code) or la.area_code in \
                 (select grouping_code from grouping_countries where country_iso3 = ",
            )
            .bind(c)
            .push(")))");
    }
    // A lesson belongs to an area when it names a country in it, the area itself, or (for an
    // M49 region) a region below it.
    if let Some(area) = &f.area {
        sql.push(" and (l.id in (select lesson_id from lesson_countries where ")
            .append(&area.contains("country_iso3"))
            .push(") or l.id in (select lesson_id from lesson_areas where ");
        match area {
            Area::World => sql.push("1 = 1"),
            Area::Region(code) => sql.push("area_code in ").append(&region_and_below(code)),
            Area::Grouping(code) => sql.push("area_code = ").bind(code),
        };
        sql.push("))");
    }
    let sources = [
        ("l.source_engagement_id", f.source_engagement_id),
        ("l.source_activity_id", f.source_activity_id),
        ("l.source_event_id", f.source_event_id),
        ("l.source_document_id", f.source_document_id),
    ];
    for (column, id) in sources {
        if let Some(id) = id {
            sql.push(" and ").push(column).push(" = ").bind(id);
        }
    }
    if let Some(p) = f.programme_id {
        sql.append(&of_programme(p));
    }
    // Instants are UTC text, so they compare with days as text, as the summaries compare them.
    if let Some(from) = &f.recorded_from {
        sql.push(" and l.recorded_at >= ").bind(from);
    }
    if let Some(before) = &f.recorded_before {
        sql.push(" and l.recorded_at < ").bind(before);
    }
    sql
}

/// ` and (the lesson is drawn from the programme)`: from one of its engagements, an activity of
/// one, or one of its events (linked directly or through an engagement). The list and a regional
/// summary narrowed to the programme share it, so they count the same lessons.
pub(super) fn of_programme(programme: i64) -> Sql {
    let mut sql = Sql::new(
        " and (l.source_engagement_id in (select id from engagements where programme_id = ",
    );
    sql.bind(programme)
        .push(
            ") or l.source_activity_id in (select a.id from activities a \
             join engagements pe on pe.id = a.engagement_id where pe.programme_id = ",
        )
        .bind(programme)
        .push(") or (l.source_event_id is not null")
        .append(&super::reports::programme_events(
            programme,
            "l.source_event_id",
        ))
        .push("))");
    sql
}

/// ` and (the lesson matches query)` on this engine.
fn matches(backend: Backend, query: &str) -> Sql {
    let mut sql = match backend {
        Backend::Sqlite => {
            Sql::new(" and l.id in (select rowid from lessons_fts where lessons_fts match ")
        }
        Backend::Postgres => Sql::new(" and (l.search_vector @@ websearch_to_tsquery('english', "),
    };
    sql.bind(query).push(")");
    if backend == Backend::Postgres {
        sql.push(")");
    }
    sql
}

/// A page in `recorded_at desc, id desc` order after the keyset `(recorded_at, id)`.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &LessonFilter,
    after: Option<(String, i64)>,
    limit: i64,
) -> AppResult<Vec<LessonRow>> {
    let mut sql = Sql::new(&format!("select {} from lessons l", columns()));
    sql.append(&where_clause(scope, f));
    if let Some((at, id)) = after {
        sql.push(" and (l.recorded_at < ")
            .bind(&at)
            .push(" or (l.recorded_at = ")
            .bind(at)
            .push(" and l.id < ")
            .bind(id)
            .push("))");
    }
    sql.push(" order by l.recorded_at desc, l.id desc limit ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// Lessons matching `query`, best first, skipping `offset` of them. Relevance is not a keyset
/// one can resume after cheaply (it depends on the query), so search pages go by offset.
pub async fn search<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    backend: Backend,
    scope: &Scope,
    f: &LessonFilter,
    query: &str,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<LessonRow>> {
    let mut sql = Sql::new(&format!("select {}, ", columns()));
    match backend {
        // bm25 is lower-is-better, so it is negated: both engines rank higher-is-better. The
        // column weights (title, statement, context, evidence) mirror PostgreSQL's defaults
        // for the A, A, B and C weights of search_vector.
        Backend::Sqlite => {
            sql.push(
                "-bm25(lessons_fts, 1.0, 1.0, 0.4, 0.2) as relevance from lessons l \
                 join lessons_fts on lessons_fts.rowid = l.id",
            )
            .append(&where_clause(scope, f))
            .push(" and lessons_fts match ")
            .bind(query);
        }
        Backend::Postgres => {
            sql.push("cast(ts_rank(l.search_vector, websearch_to_tsquery('english', ")
                .bind(query)
                .push(")) as double precision) as relevance from lessons l")
                .append(&where_clause(scope, f))
                .append(&matches(backend, query));
        }
    }
    sql.push(" order by relevance desc, l.id desc limit ")
        .bind(limit)
        .push(" offset ")
        .bind(offset);
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// How many lessons the filter (and search, when given) selects.
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    backend: Backend,
    scope: &Scope,
    f: &LessonFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from lessons l");
    sql.append(&where_clause(scope, f));
    if let Some(q) = &f.search {
        sql.append(&matches(backend, q));
    }
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

/// Lessons by id within the scope, archived ones included.
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    ids: &[i64],
) -> AppResult<Vec<LessonRow>> {
    let mut sql = Sql::new(&format!(
        "select {} from lessons l where l.id in ",
        columns()
    ));
    sql.bind_list(ids).append(&scope.lessons("l.id"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<LessonRow>> {
    Ok(by_ids(ex, scope, &[id]).await?.pop())
}

pub async fn insert(tx: &mut super::Tx, f: &LessonFields<'_>, recorded_by: &str) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into lessons (title, statement, context, evidence, source_engagement_id, \
         source_activity_id, source_event_id, source_document_id, recorded_by, recorded_at, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10) \
         returning id",
    )
    .bind(f.title)
    .bind(f.statement)
    .bind(f.context)
    .bind(f.evidence)
    .bind(f.source_engagement_id)
    .bind(f.source_activity_id)
    .bind(f.source_event_id)
    .bind(f.source_document_id)
    .bind(recorded_by)
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Writes the fields at `version`; false when the version is stale. Who recorded the lesson and
/// when stay as they were.
pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &LessonFields<'_>,
) -> AppResult<bool> {
    let done = sqlx::query(
        "update lessons set title = $1, statement = $2, context = $3, evidence = $4, \
         source_engagement_id = $5, source_activity_id = $6, source_event_id = $7, \
         source_document_id = $8, version = version + 1, updated_at = $9 \
         where id = $10 and version = $11",
    )
    .bind(f.title)
    .bind(f.statement)
    .bind(f.context)
    .bind(f.evidence)
    .bind(f.source_engagement_id)
    .bind(f.source_activity_id)
    .bind(f.source_event_id)
    .bind(f.source_document_id)
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
