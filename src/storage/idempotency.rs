//! Idempotency keys: reserve, complete, replay.

use crate::error::{AppError, AppResult};

/// What a key already holds.
pub enum Existing {
    /// Reserved just now by this request.
    Reserved,
    /// A request with this key is running, or was cut off before it finished.
    Pending { request_hash: String },
    /// The stored response of the first request.
    Done {
        request_hash: String,
        response: String,
    },
}

/// Reserves `key` for `credential`, or says what it already holds. Keys older than a day are
/// forgotten first.
pub async fn reserve(
    db: &super::Db,
    credential: &str,
    key: &str,
    request_hash: &str,
) -> AppResult<Existing> {
    let now = chrono::Utc::now();
    let cutoff = super::timestamp(now - chrono::Duration::days(1));
    let mut tx = db.begin().await?;
    sqlx::query("delete from idempotency_keys where created_at < $1")
        .bind(&cutoff)
        .execute(&mut *tx)
        .await?;
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "select request_hash, status, response from idempotency_keys where credential = $1 and key = $2",
    )
    .bind(credential)
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?;
    let existing = match row {
        Some((hash, status, response)) if status == "done" => Existing::Done {
            request_hash: hash,
            response: response.unwrap_or_default(),
        },
        Some((hash, _, _)) => Existing::Pending { request_hash: hash },
        None => {
            sqlx::query(
                "insert into idempotency_keys (credential, key, request_hash, status, created_at) \
                 values ($1, $2, $3, 'pending', $4)",
            )
            .bind(credential)
            .bind(key)
            .bind(request_hash)
            .bind(super::timestamp(now))
            .execute(&mut *tx)
            .await?;
            Existing::Reserved
        }
    };
    tx.commit().await.map_err(AppError::from)?;
    Ok(existing)
}

/// Stores the response of the request that reserved the key.
pub async fn complete(
    db: &super::Db,
    credential: &str,
    key: &str,
    response: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("update idempotency_keys set status = 'done', response = $1 where credential = $2 and key = $3")
        .bind(response)
        .bind(credential)
        .bind(key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Frees a key still pending, so that a retry runs as a first request.
pub async fn release(db: &super::Db, credential: &str, key: &str) -> AppResult<()> {
    sqlx::query(
        "delete from idempotency_keys where credential = $1 and key = $2 and status = 'pending'",
    )
    .bind(credential)
    .bind(key)
    .execute(db.pool())
    .await?;
    Ok(())
}
