//! Rules every programme record shares: who may change it, optimistic versions, archiving and
//! document links.

use super::audit;
use super::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::storage::ownership::{self, Kind, Owners};
use crate::storage::scope::{self, Scope};
use crate::storage::{Db, documents};

/// Fails unless `viewer` may change a record belonging to `owners`. Admins may change anything;
/// officers only records whose programmes (and countries, when their token names countries) are
/// all in their scope; records that belong to no programme are for admins.
pub fn require_write(viewer: &Viewer, kind: Kind, owners: &Owners) -> AppResult<()> {
    match kind {
        Kind::Organisation => {
            viewer.require_role(&[Role::Admin], "change organisations")?;
            return Ok(());
        }
        Kind::Document => {
            viewer.require_role(&[Role::Admin, Role::Officer], "change documents")?;
            return Ok(());
        }
        _ => {}
    }
    if viewer.is_admin() {
        return Ok(());
    }
    if owners.programmes.is_empty() {
        viewer.require_role(&[Role::Admin], "change records that belong to no programme")?;
    }
    for programme in &owners.programmes {
        viewer.require_programme_write(programme, &owners.countries)?;
    }
    Ok(())
}

/// `require_write` for a record whose input places it in programmes (an event through its
/// programmes or engagements, a lesson through its source): where the input leaves it in none,
/// which only admins may write, the refusal says what to give (`how`) rather than only that.
pub fn require_write_placed(
    viewer: &Viewer,
    kind: Kind,
    owners: &Owners,
    how: &str,
) -> AppResult<()> {
    if owners.programmes.is_empty() && !viewer.is_admin() {
        viewer.require_role(&[Role::Admin], &format!("write {how}"))?;
    }
    require_write(viewer, kind, owners)
}

/// The CONFLICT for a change that named an old version.
pub fn stale(kind: Kind, id: i64, current: i64, given: i64) -> AppError {
    AppError::conflict(format!(
        "{}:{id} is at version {current}, not {given}: reload it and apply your change again",
        kind.name()
    ))
}

/// The conflict of a change to an archived record: archived records are kept as they were.
pub fn archived(kind: Kind, id: i64) -> AppError {
    AppError::conflict(format!(
        "{}:{id} is archived; it cannot be changed",
        kind.name()
    ))
}

/// The record a list filter names by id, refused (naming `field`) unless it exists and `scope`
/// may read it, as a programme filter refuses an unknown code: an empty list would read as "none
/// yet". A record a donor does not fund is as unknown as one that does not exist. Archived
/// records are known: `includeArchived` lists what hangs under them.
pub async fn named_in_filter(
    db: &Db,
    scope: &Scope,
    field: &str,
    kind: Kind,
    id: Option<i64>,
) -> AppResult<Option<i64>> {
    let Some(id) = id else { return Ok(None) };
    if scope::readable(db.pool(), scope, kind, id).await? {
        return Ok(Some(id));
    }
    Err(AppError::bad_input(
        field,
        &format!("there is no {} {}:{id}", kind.noun(), kind.name()),
    ))
}

/// Checks that every id names a live document.
pub async fn resolve_documents(db: &Db, field: &str, ids: &[i64]) -> AppResult<Vec<i64>> {
    super::validate::distinct(field, ids)?;
    let found = documents::existing(db.pool(), ids).await?;
    for (i, id) in ids.iter().enumerate() {
        if !found.contains(id) {
            return Err(AppError::bad_input(
                &format!("{field}[{i}]"),
                &format!("there is no document Document:{id}"),
            ));
        }
    }
    Ok(ids.to_vec())
}

/// Archives a record: it stays (others may refer to it) but drops out of lists.
pub async fn archive(
    db: &Db,
    viewer: &Viewer,
    kind: Kind,
    id: i64,
    version: i64,
    visible: bool,
) -> AppResult<i64> {
    let not_found = || AppError::not_found(format!("{}:{id}", kind.name()));
    if !visible {
        return Err(not_found());
    }
    // A programme is created by an admin, and archiving it archives its engagements and its own
    // results with it, out of lists, reports and exports: an admin's decision too, not one of its
    // officers'.
    if kind == Kind::Programme {
        viewer.require_role(&[Role::Admin], "archive programmes")?;
    }
    // A value is audited under its indicator and goes only while the indicator is live.
    if kind == Kind::IndicatorValue {
        return super::indicator_values::archive(db, viewer, id, version).await;
    }
    let mut tx = db.begin().await?;
    let (current, archived) = ownership::version(&mut *tx, kind, id)
        .await?
        .ok_or_else(not_found)?;
    let owners = ownership::owners(&mut *tx, kind, id).await?;
    require_write(viewer, kind, &owners)?;
    if archived {
        return Err(AppError::conflict(format!(
            "{}:{id} is archived already",
            kind.name()
        )));
    }
    if !ownership::archive(&mut tx, kind, id, version).await? {
        return Err(stale(kind, id, current, version));
    }
    let after = serde_json::json!({ "archived": true, "version": current + 1 });
    audit::record::<(), _>(
        &mut tx,
        viewer,
        "archive",
        kind.name(),
        id,
        None,
        Some(&after),
    )
    .await?;
    // A programme closes with everything under it, in the same transaction.
    if kind == Kind::Programme {
        for (held, held_id, held_version) in ownership::archive_under_programme(&mut tx, id).await?
        {
            let after = serde_json::json!({
                "archived": true,
                "version": held_version,
                "with": format!("Programme:{id}"),
            });
            audit::record::<(), _>(
                &mut tx,
                viewer,
                "archive",
                held.name(),
                held_id,
                None,
                Some(&after),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(current + 1)
}
