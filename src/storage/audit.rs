//! The audit log: who changed what, when, with the record before and after.

use sqlx::{Any, Executor, FromRow};

use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor_token_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: i64,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// One change, written in the same transaction as the change itself.
pub struct NewAudit<'a> {
    pub actor_token_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn insert(tx: &mut super::Tx, entry: NewAudit<'_>) -> AppResult<()> {
    sqlx::query(
        "insert into audit_log (at, actor_token_id, actor, action, entity_type, entity_id, \
         before_json, after_json) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(super::now())
    .bind(entry.actor_token_id)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.entity_type)
    .bind(entry.entity_id)
    .bind(entry.before.map(|v| v.to_string()))
    .bind(entry.after.map(|v| v.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Newest first, after the keyset `id`.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    entity: Option<(&str, i64)>,
    before_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let mut sql = Sql::new(
        "select id, at, actor_token_id, actor, action, entity_type, entity_id, before_json, \
         after_json from audit_log where 1 = 1",
    );
    if let Some((kind, id)) = entity {
        sql.push(" and entity_type = ")
            .bind(kind)
            .push(" and entity_id = ")
            .bind(id);
    }
    if let Some(before) = before_id {
        sql.push(" and id < ").bind(before);
    }
    sql.push(" order by id desc limit ").bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    entity: Option<(&str, i64)>,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from audit_log where 1 = 1");
    if let Some((kind, id)) = entity {
        sql.push(" and entity_type = ")
            .bind(kind)
            .push(" and entity_id = ")
            .bind(id);
    }
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}
