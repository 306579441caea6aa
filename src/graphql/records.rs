//! What every programme record shares: archiving and the audit log.

use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};

use super::context::Ctx;
use super::ids::{global_id, split};
use super::pagination::{Page, PageRequest, TotalCount, page};
use crate::domain::auth::Role;
use crate::domain::records;
use crate::error::AppError;
use crate::storage::audit::{self, AuditRow};
use crate::storage::ownership::Kind;

/// The outcome of archiving a record.
#[derive(SimpleObject)]
pub struct ArchiveResult {
    /// The archived record's id.
    pub id: ID,
    /// Its version after archiving.
    pub version: i64,
}

/// One change: who made it, when, and the record before and after.
#[Object(name = "AuditEntry")]
impl AuditRow {
    /// Position in the log (newest highest).
    async fn sequence(&self) -> i64 {
        self.id
    }
    /// When the change was committed (UTC).
    async fn at(&self) -> &str {
        &self.at
    }
    /// The name of the token that made it (or of the command line).
    async fn actor(&self) -> &str {
        &self.actor
    }
    /// What was done: create, update, archive, set_target or record_actual.
    async fn action(&self) -> &str {
        &self.action
    }
    /// The id of the record changed, e.g. Engagement:4.
    async fn entity_id(&self) -> ID {
        global_id(&self.entity_type, self.entity_id)
    }
    /// The record before the change (null for a creation).
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.before_json
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .map(Json)
    }
    /// The record after the change.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.after_json
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .map(Json)
    }
}

#[derive(Default)]
pub struct RecordQuery;

/// Audit.
#[Object]
impl RecordQuery {
    /// The audit log, newest first (admins only); optionally for one record.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        entity_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<AuditRow>> {
        ctx.viewer()
            .require_role(&[Role::Admin], "read the audit log")?;
        let entity = entity_id.map(|id| split("entityId", &id)).transpose()?;
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let entity_ref = entity.as_ref().map(|(k, id)| (k.as_str(), *id));
        let rows = audit::list(db.pool(), entity_ref, req.after()?, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, entity) = (db.clone(), entity.clone());
            async move {
                audit::count(db.pool(), entity.as_ref().map(|(k, id)| (k.as_str(), *id))).await
            }
        });
        Ok(page(&req, rows, |r| r.id, |r| r, total))
    }
}

#[derive(Default)]
pub struct RecordMutation;

/// Archiving.
#[Object]
impl RecordMutation {
    /// Archives a record: it stays in the database (other records refer to it) but drops out of
    /// lists unless they ask for archived records. `version` must be the current one. A programme
    /// (admins only) is archived with its engagements and its own results, in one transaction.
    /// An `IndicatorValue` (a target or actual recorded by mistake) is taken back this way by
    /// whoever may record it: it leaves every list, progress figure, report and export, its
    /// slot may be set again, and the audit entry is under its indicator.
    async fn archive(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
    ) -> Result<Option<ArchiveResult>> {
        let (kind, n) = split("id", &id)?;
        let kind = Kind::parse(&kind).ok_or_else(|| {
            AppError::bad_input("id", &format!("records of type {kind} cannot be archived"))
        })?;
        let version = records::archive(ctx.db(), ctx.viewer(), kind, n, version, true).await?;
        Ok(Some(ArchiveResult { id, version }))
    }
}
