//! API tokens. Only a SHA-256 hash of each token is stored.

use sqlx::{Any, Executor, FromRow};

use crate::error::AppResult;

#[derive(Clone, Debug, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub organisation_id: Option<i64>,
    pub expires_on: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, name, role, organisation_id, expires_on, created_at, revoked_at";

pub struct NewToken<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub organisation_id: Option<i64>,
    pub expires_on: Option<&'a str>,
    pub programmes: &'a [String],
    pub countries: &'a [String],
}

pub async fn insert(tx: &mut super::Tx, t: &NewToken<'_>) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into api_tokens (name, role, token_hash, organisation_id, expires_on, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(t.name)
    .bind(t.role)
    .bind(t.token_hash)
    .bind(t.organisation_id)
    .bind(t.expires_on)
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    for (kind, values) in [("programme", t.programmes), ("country", t.countries)] {
        for value in values {
            sqlx::query("insert into token_scopes (token_id, kind, value) values ($1, $2, $3)")
                .bind(id)
                .bind(kind)
                .bind(value)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(id)
}

pub async fn find_by_hash<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    hash: &str,
) -> AppResult<Option<TokenRow>> {
    let sql = format!("select {COLUMNS} from api_tokens where token_hash = $1");
    Ok(sqlx::query_as(&sql).bind(hash).fetch_optional(ex).await?)
}

/// `(kind, value)` scope entries of a token.
pub async fn scopes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    token_id: i64,
) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "select kind, value from token_scopes where token_id = $1 order by kind, value",
    )
    .bind(token_id)
    .fetch_all(ex)
    .await?)
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(ex: E) -> AppResult<Vec<TokenRow>> {
    let sql = format!("select {COLUMNS} from api_tokens order by id");
    Ok(sqlx::query_as(&sql).fetch_all(ex).await?)
}

/// Revokes a token; false when there is no such live token.
pub async fn revoke(tx: &mut super::Tx, id: i64) -> AppResult<bool> {
    let done =
        sqlx::query("update api_tokens set revoked_at = $1 where id = $2 and revoked_at is null")
            .bind(super::now())
            .bind(id)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether any live admin token exists, neither revoked nor past its last valid day (for the
/// start-up hint).
pub async fn has_live_admin<'e, E: Executor<'e, Database = Any>>(ex: E) -> AppResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from api_tokens where role = 'admin' and revoked_at is null \
         and (expires_on is null or expires_on >= $1)",
    )
    .bind(chrono::Utc::now().date_naive().to_string())
    .fetch_one(ex)
    .await?;
    Ok(n > 0)
}
