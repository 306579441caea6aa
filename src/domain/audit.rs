//! Writing audit entries beside the change they describe.

use serde::Serialize;

use super::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::storage::{self, Tx};

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
