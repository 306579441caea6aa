//! What hangs under an event: co-organisers, speakers, themes, key messages, and links to
//! documents, programmes and engagements. Reads take many events at once, for loaders.

use sqlx::{Any, Executor, FromRow};

use crate::error::AppResult;
use crate::storage::Tx;
use crate::storage::scope::{Scope, links, set_links};
use crate::storage::sql::Sql;

/// A speaker as stored, in list order.
#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct SpeakerRow {
    pub event_id: i64,
    pub name: String,
    pub position: String,
    pub organisation_id: Option<i64>,
    pub organisation_name: String,
}

/// `(event, organisation)` pairs, in organisation id order (the order organisations were
/// registered: the table keeps no list position).
pub async fn organisers<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    events: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    links(
        ex,
        "event_organisers",
        "event_id",
        "organisation_id",
        events,
    )
    .await
}

/// Speakers of the given events, in list order.
pub async fn speakers<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    events: &[i64],
) -> AppResult<Vec<SpeakerRow>> {
    let mut sql = Sql::new(
        "select event_id, name, position, organisation_id, organisation_name from event_speakers \
         where event_id in ",
    );
    sql.bind_list(events)
        .push(" order by event_id, position_in_list");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// `(event, theme)` pairs in theme order.
pub async fn themes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    events: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    let mut sql = Sql::new("select event_id, theme from event_themes where event_id in ");
    sql.bind_list(events).push(" order by event_id, theme");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// `(event, message)` pairs in list order.
pub async fn key_messages<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    events: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    let mut sql = Sql::new("select event_id, message from event_key_messages where event_id in ");
    sql.bind_list(events)
        .push(" order by event_id, position_in_list");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// `(event, programme id, programme code)` for the programmes linked directly, within the scope.
pub async fn programmes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    events: &[i64],
) -> AppResult<Vec<(i64, i64, String)>> {
    let mut sql = Sql::new(
        "select ep.event_id, p.id, p.code from event_programmes ep \
         join programmes p on p.id = ep.programme_id where ep.event_id in ",
    );
    sql.bind_list(events)
        .append(&scope.programmes("p.id"))
        .push(" order by ep.event_id, p.code");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// `(event, engagement)` links, only to engagements the caller may read.
pub async fn engagements<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    events: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    let mut sql =
        Sql::new("select event_id, engagement_id from event_engagements where event_id in ");
    sql.bind_list(events)
        .append(&scope.engagements("engagement_id"))
        .push(" order by event_id, engagement_id");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// A speaker to store; the list position is its index.
pub struct NewSpeaker<'a> {
    pub name: &'a str,
    pub position: &'a str,
    pub organisation_id: Option<i64>,
    pub organisation_name: &'a str,
}

pub async fn set_speakers(tx: &mut Tx, event: i64, list: &[NewSpeaker<'_>]) -> AppResult<()> {
    sqlx::query("delete from event_speakers where event_id = $1")
        .bind(event)
        .execute(&mut **tx)
        .await?;
    for (i, s) in list.iter().enumerate() {
        sqlx::query(
            "insert into event_speakers (event_id, position_in_list, name, position, \
             organisation_id, organisation_name) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(event)
        .bind(i as i64)
        .bind(s.name)
        .bind(s.position)
        .bind(s.organisation_id)
        .bind(s.organisation_name)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn set_themes(tx: &mut Tx, event: i64, themes: &[String]) -> AppResult<()> {
    sqlx::query("delete from event_themes where event_id = $1")
        .bind(event)
        .execute(&mut **tx)
        .await?;
    for t in themes {
        sqlx::query("insert into event_themes (event_id, theme) values ($1, $2)")
            .bind(event)
            .bind(t.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn set_key_messages(tx: &mut Tx, event: i64, messages: &[String]) -> AppResult<()> {
    sqlx::query("delete from event_key_messages where event_id = $1")
        .bind(event)
        .execute(&mut **tx)
        .await?;
    for (i, m) in messages.iter().enumerate() {
        sqlx::query(
            "insert into event_key_messages (event_id, position_in_list, message) values ($1, $2, $3)",
        )
        .bind(event)
        .bind(i as i64)
        .bind(m.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces one of the id link tables: organisers, documents, programmes or engagements.
pub async fn set_ids(
    tx: &mut Tx,
    table: &'static str,
    target_column: &'static str,
    event: i64,
    ids: &[i64],
) -> AppResult<()> {
    set_links(tx, table, "event_id", target_column, event, ids).await
}
