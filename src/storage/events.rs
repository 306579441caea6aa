//! Events (high-level dialogues, expert group meetings, side events, ...) with their co-organisers,
//! speakers, themes, key messages, documents and links to programmes and engagements.

use sqlx::{Any, Executor, FromRow};

use super::geography::Area;
use super::scope::Scope;
use super::sql::{Sql, like_pattern};
use crate::error::AppResult;

mod links;

pub use links::*;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub start_date: String,
    pub end_date: String,
    pub venue_city: String,
    pub venue_country_iso3: Option<String>,
    pub summary: String,
    pub participant_count: Option<i64>,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &[&str] = &[
    "id",
    "kind",
    "title",
    "start_date",
    "end_date",
    "venue_city",
    "venue_country_iso3",
    "summary",
    "participant_count",
    "version",
    "archived_at",
    "created_at",
    "updated_at",
];

/// `e.id, e.kind, ...`: every query reads events under the alias `e`.
fn columns() -> String {
    COLUMNS
        .iter()
        .map(|c| format!("e.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scalar fields of an event, validated by the domain layer.
pub struct EventFields<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub venue_city: &'a str,
    pub venue_country_iso3: Option<&'a str>,
    pub summary: &'a str,
    pub participant_count: Option<i64>,
}

/// What an event list may be narrowed by; codes and ids are resolved already.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Lower-cased words that must each appear somewhere in the event's text.
    pub words: Vec<String>,
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub country_iso3: Option<String>,
    pub area: Option<Area>,
    /// Events ending on or after this date.
    pub from: Option<String>,
    /// Events starting on or before this date.
    pub to: Option<String>,
    pub programme_id: Option<i64>,
    pub engagement_id: Option<i64>,
    pub include_archived: bool,
}

fn where_clause(scope: &Scope, f: &EventFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    sql.append(&scope.events("e.id"));
    if !f.include_archived {
        sql.push(" and e.archived_at is null");
    }
    // Every word must appear in one of the texts people remember an event by.
    for word in &f.words {
        let p = like_pattern(word);
        sql.push(" and (lower(e.title) like ")
            .bind(&p)
            .push(" escape '\\' or lower(e.summary) like ")
            .bind(&p)
            .push(" escape '\\' or lower(e.venue_city) like ")
            .bind(&p)
            .push(
                " escape '\\' or exists (select 1 from event_key_messages m \
                 where m.event_id = e.id and lower(m.message) like ",
            )
            .bind(&p)
            .push(
                " escape '\\') or exists (select 1 from event_themes t \
                 where t.event_id = e.id and lower(t.theme) like ",
            )
            .bind(&p)
            .push(
                " escape '\\') or exists (select 1 from event_speakers s \
                 where s.event_id = e.id and lower(s.name) like ",
            )
            .bind(p)
            .push(" escape '\\'))");
    }
    if let Some(k) = &f.kind {
        sql.push(" and e.kind = ").bind(k);
    }
    if let Some(t) = &f.theme {
        sql.push(" and exists (select 1 from event_themes t where t.event_id = e.id and lower(t.theme) = ")
            .bind(t.to_lowercase())
            .push(")");
    }
    if let Some(c) = &f.country_iso3 {
        sql.push(" and e.venue_country_iso3 = ").bind(c);
    }
    if let Some(area) = &f.area {
        sql.push(" and ")
            .append(&area.contains("e.venue_country_iso3"));
    }
    // Overlap of [from, to] with [start_date, end_date]; ISO dates compare as text.
    if let Some(from) = &f.from {
        sql.push(" and e.end_date >= ").bind(from);
    }
    if let Some(to) = &f.to {
        sql.push(" and e.start_date <= ").bind(to);
    }
    if let Some(p) = f.programme_id {
        sql.push(" and (e.id in (select event_id from event_programmes where programme_id = ")
            .bind(p)
            .push(
                ") or e.id in (select ee.event_id from event_engagements ee \
                 join engagements g on g.id = ee.engagement_id where g.programme_id = ",
            )
            .bind(p)
            .push("))");
    }
    if let Some(g) = f.engagement_id {
        sql.push(" and e.id in (select event_id from event_engagements where engagement_id = ")
            .bind(g)
            .push(")");
    }
    sql
}

/// A page in `start_date desc, id desc` order after the keyset `(start_date, id)`.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &EventFilter,
    after: Option<(String, i64)>,
    limit: i64,
) -> AppResult<Vec<EventRow>> {
    let mut sql = Sql::new(&format!("select {} from events e", columns()));
    sql.append(&where_clause(scope, f));
    if let Some((start, id)) = after {
        sql.push(" and (e.start_date < ")
            .bind(&start)
            .push(" or (e.start_date = ")
            .bind(start)
            .push(" and e.id < ")
            .bind(id)
            .push("))");
    }
    sql.push(" order by e.start_date desc, e.id desc limit ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &EventFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from events e");
    sql.append(&where_clause(scope, f));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

/// Events by id within the scope, archived ones included (a direct lookup still finds them).
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    ids: &[i64],
) -> AppResult<Vec<EventRow>> {
    let mut sql = Sql::new(&format!(
        "select {} from events e where e.id in ",
        columns()
    ));
    sql.bind_list(ids).append(&scope.events("e.id"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<EventRow>> {
    Ok(by_ids(ex, scope, &[id]).await?.pop())
}

pub async fn insert(tx: &mut super::Tx, f: &EventFields<'_>) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into events (kind, title, start_date, end_date, venue_city, venue_country_iso3, \
         summary, participant_count, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
    )
    .bind(f.kind)
    .bind(f.title)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(f.venue_city)
    .bind(f.venue_country_iso3)
    .bind(f.summary)
    .bind(f.participant_count)
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Writes the scalar fields at `version`; false when the version is stale.
pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &EventFields<'_>,
) -> AppResult<bool> {
    let done = sqlx::query(
        "update events set kind = $1, title = $2, start_date = $3, end_date = $4, venue_city = $5, \
         venue_country_iso3 = $6, summary = $7, participant_count = $8, version = version + 1, \
         updated_at = $9 where id = $10 and version = $11",
    )
    .bind(f.kind)
    .bind(f.title)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(f.venue_city)
    .bind(f.venue_country_iso3)
    .bind(f.summary)
    .bind(f.participant_count)
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
