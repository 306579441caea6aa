//! Writing audit entries beside the change they describe.

use serde::Serialize;

use super::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::storage::{self, Tx};
use erased::Ser;

/// Records `action` on `entity_type` `id` by `viewer`, with JSON snapshots before and after.
pub async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    viewer: &Viewer,
    action: &str,
    entity_type: &str,
    id: i64,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    let to_json = |v: &dyn erased::Ser| v.json();
    let before = before.map(|b| to_json(b)).transpose()?;
    let after = after.map(|a| to_json(a)).transpose()?;
    storage::audit::insert(
        tx,
        storage::audit::NewAudit {
            actor_token_id: viewer.token_id,
            actor: &viewer.name,
            action,
            entity_type,
            entity_id: id,
            before,
            after,
        },
    )
    .await
}

/// Records an update by `viewer`, unless it changed nothing: a patch that leaves every field as
/// it was (`input: {}`, or only values already there) is no change, and then no entry is written
/// and `false` comes back, for the caller to roll the write back so the version does not move
/// and no client holding it meets a conflict that is none. `before` must be the version the
/// update replaced (`replaced`), or the two cannot be compared and the update counts as a change.
pub async fn record_update<S: Serialize>(
    tx: &mut Tx,
    viewer: &Viewer,
    entity_type: &str,
    id: i64,
    replaced: bool,
    before: &S,
    after: &S,
) -> AppResult<bool> {
    let (b, a) = (before.json()?, after.json()?);
    if replaced && unstamped(b.clone()) == unstamped(a.clone()) {
        return Ok(false);
    }
    record(tx, viewer, "update", entity_type, id, Some(&b), Some(&a)).await?;
    Ok(true)
}

/// A snapshot without what every write moves: its version and its time stamp.
fn unstamped(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| k != "version" && k != "updated_at")
                .map(|(k, v)| (k, unstamped(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(unstamped).collect()),
        other => other,
    }
}

mod erased {
    use super::*;

    pub trait Ser {
        fn json(&self) -> AppResult<serde_json::Value>;
    }

    impl<T: Serialize> Ser for T {
        fn json(&self) -> AppResult<serde_json::Value> {
            serde_json::to_value(self)
                .map_err(|e| AppError::internal("serialise an audit entry", e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_snapshot_is_compared_without_its_version_and_time_stamp() {
        let before = json!({"engagement": {"title": "A", "version": 1, "updated_at": "t1"}});
        let same = json!({"engagement": {"title": "A", "version": 2, "updated_at": "t2"}});
        let other = json!({"engagement": {"title": "B", "version": 2, "updated_at": "t2"}});
        assert_eq!(unstamped(before.clone()), unstamped(same));
        assert_ne!(unstamped(before), unstamped(other));
    }
}
