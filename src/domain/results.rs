//! Results (IATI 2.03 `result`): the outputs, outcomes and impacts an engagement or a whole
//! programme works toward. Indicators measure them.

use super::auth::Viewer;
use super::records::{require_write, stale};
use super::{audit, codes, validate};
use crate::error::{AppError, AppResult};
use crate::storage::ownership::{self, Kind, Owners};
use crate::storage::programmes::{self, ProgrammeRow};
use crate::storage::results::{self as store, ResultFields, ResultRow};
use crate::storage::scope::Scope;
use crate::storage::{Db, engagements};

/// A result as the API shows it (`Result` in the schema).
pub type ResultRecord = ResultRow;

/// The English name of an IATI ResultType code.
pub fn type_name(code: &str) -> &'static str {
    match code {
        "1" => "Output",
        "2" => "Outcome",
        "3" => "Impact",
        _ => "Other",
    }
}

/// A new result: under exactly one of an engagement or a programme.
pub struct NewResult {
    pub engagement: Option<i64>,
    /// A programme code (GLOZ85) or global id (Programme:1).
    pub programme: Option<String>,
    pub result_type: String,
    pub title: String,
    pub description: Option<String>,
    pub parent: Option<i64>,
}

/// Changes to a result; `None` keeps the current value, `Some(None)` clears the parent.
#[derive(Default)]
pub struct ResultPatch {
    pub result_type: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub parent: Option<Option<i64>>,
}

/// A programme the caller may read, given by code (GLOZ85) or global id (Programme:1).
pub async fn resolve_programme(
    db: &Db,
    scope: &Scope,
    field: &str,
    value: &str,
) -> AppResult<ProgrammeRow> {
    let v = value.trim();
    let found = match v.strip_prefix("Programme:").map(str::parse::<i64>) {
        Some(Ok(id)) => programmes::find(db.pool(), scope, id).await?,
        _ => programmes::find_by_code(db.pool(), scope, &v.to_ascii_uppercase()).await?,
    };
    found.ok_or_else(|| AppError::bad_input(field, &format!("there is no programme {v}")))
}

/// Who may change a result: its engagement's programme and countries, or its programme.
pub async fn owners_of(db: &Db, r: &ResultRecord) -> AppResult<Owners> {
    match r.engagement_id {
        Some(e) => ownership::owners(db.pool(), Kind::Engagement, e).await,
        None => ownership::owners(db.pool(), Kind::Programme, r.owner_programme_id).await,
    }
}

struct Valid {
    result_type: String,
    title: String,
    description: String,
}

async fn validate_fields(
    db: &Db,
    result_type: &str,
    title: &str,
    description: &str,
) -> AppResult<Valid> {
    Ok(Valid {
        result_type: codes::require(db, "ResultType", "input.type", result_type.trim())
            .await?
            .code,
        title: validate::required_text("input.title", title, validate::SHORT_TEXT)?,
        description: validate::optional_text(
            "input.description",
            Some(description),
            validate::LONG_TEXT,
        )?,
    })
}

/// A parent must be a live result under the same engagement or programme, and (for an existing
/// result `child`) must not sit below it, or the tree would become a cycle.
async fn check_parent(
    db: &Db,
    scope: &Scope,
    parent: i64,
    engagement: Option<i64>,
    programme: Option<i64>,
    child: Option<i64>,
) -> AppResult<()> {
    let field = "input.parent";
    let p = store::find(db.pool(), scope, parent)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(field, &format!("there is no result Result:{parent}"))
        })?;
    if p.archived_at.is_some() {
        return Err(AppError::bad_input(
            field,
            &format!("Result:{parent} is archived"),
        ));
    }
    if p.engagement_id != engagement || p.programme_id != programme {
        let under = if engagement.is_some() {
            "engagement"
        } else {
            "programme (at programme level)"
        };
        return Err(AppError::bad_input(
            field,
            &format!("must be a result of the same {under}"),
        ));
    }
    if let Some(child) = child {
        let mut at = Some(parent);
        // Trees are shallow; the bound only guards against a cycle made by hand in the database.
        for _ in 0..1_000 {
            let Some(id) = at else { return Ok(()) };
            if id == child {
                return Err(AppError::bad_input(
                    field,
                    &format!(
                        "Result:{parent} lies under Result:{child}: a result cannot be its own ancestor"
                    ),
                ));
            }
            at = store::parent_of(db.pool(), id).await?;
        }
    }
    Ok(())
}

fn fields(v: &Valid, parent: Option<i64>) -> ResultFields<'_> {
    ResultFields {
        result_type: &v.result_type,
        title: &v.title,
        description: &v.description,
        parent_result_id: parent,
    }
}

/// Creates a result under an engagement (officers of its programme and countries) or a
/// programme (officers of the programme).
pub async fn create(db: &Db, viewer: &Viewer, input: NewResult) -> AppResult<ResultRecord> {
    let scope = viewer.record_scope()?;
    let (engagement, programme, owners) = match (input.engagement, input.programme.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(AppError::bad_input(
                "input.programme",
                "must be left out when input.engagement is given: a result hangs under one of them",
            ));
        }
        (None, None) => {
            return Err(AppError::bad_input(
                "input.engagement",
                "is required unless input.programme is given",
            ));
        }
        (Some(id), None) => {
            let e = engagements::context(db.pool(), &scope, id)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(
                        "input.engagement",
                        &format!("there is no engagement Engagement:{id}"),
                    )
                })?;
            if e.archived {
                return Err(AppError::bad_input(
                    "input.engagement",
                    &format!("Engagement:{id} is archived"),
                ));
            }
            let owners = Owners {
                programmes: vec![e.programme_code],
                countries: e.countries,
            };
            (Some(id), None, owners)
        }
        (None, Some(p)) => {
            let p = resolve_programme(db, &scope, "input.programme", p).await?;
            if p.archived_at.is_some() {
                return Err(AppError::bad_input(
                    "input.programme",
                    &format!("{} is archived", p.code),
                ));
            }
            let owners = Owners {
                programmes: vec![p.code],
                countries: Vec::new(),
            };
            (None, Some(p.id), owners)
        }
    };
    require_write(viewer, Kind::Result, &owners)?;
    let v = validate_fields(
        db,
        &input.result_type,
        &input.title,
        input.description.as_deref().unwrap_or(""),
    )
    .await?;
    if let Some(parent) = input.parent {
        check_parent(db, &scope, parent, engagement, programme, None).await?;
    }
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, engagement, programme, &fields(&v, input.parent)).await?;
    let after = store::find(&mut *tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read a new result", "missing"))?;
    audit::record::<(), _>(&mut tx, viewer, "create", "Result", id, None, Some(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Changes a result's type, title, description or parent; it stays where it hangs.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    p: ResultPatch,
) -> AppResult<ResultRecord> {
    let scope = viewer.record_scope()?;
    let before = store::find(db.pool(), &scope, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Result:{id}")))?;
    require_write(viewer, Kind::Result, &owners_of(db, &before).await?)?;
    if before.archived_at.is_some() {
        return Err(AppError::conflict(format!("Result:{id} is archived")));
    }
    let v = validate_fields(
        db,
        p.result_type.as_deref().unwrap_or(&before.result_type),
        p.title.as_deref().unwrap_or(&before.title),
        p.description.as_deref().unwrap_or(&before.description),
    )
    .await?;
    let parent = match p.parent {
        None => before.parent_result_id,
        Some(None) => None,
        Some(Some(parent)) => {
            check_parent(
                db,
                &scope,
                parent,
                before.engagement_id,
                before.programme_id,
                Some(id),
            )
            .await?;
            Some(parent)
        }
    };
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, id, version, &fields(&v, parent)).await? {
        return Err(stale(Kind::Result, id, before.version, version));
    }
    let after = store::find(&mut *tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read an updated result", "missing"))?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.version == version;
    if !audit::record_update(&mut tx, viewer, "Result", id, replaced, &before, &after).await? {
        return Ok(before);
    }
    tx.commit().await?;
    Ok(after)
}
