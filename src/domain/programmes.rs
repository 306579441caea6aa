//! Programmes: the UNODC programmes that engagements belong to and officers' scopes name.

use super::auth::{Role, Viewer};
use super::records::{require_write, resolve_documents, stale};
use super::{audit, validate};
use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::storage::ownership::{self, Kind};
use crate::storage::programmes::{self as store, ProgrammeFields, ProgrammeRow};
use crate::storage::scope::{Scope, set_links};

pub type Programme = ProgrammeRow;

/// A programme's fields as a client sends them; `None` keeps the current value on update.
#[derive(Default)]
pub struct ProgrammePatch {
    pub code: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub thematic_area: Option<String>,
    pub documents: Option<Vec<i64>>,
}

struct Valid {
    code: String,
    title: String,
    description: String,
    thematic_area: String,
}

fn validate_fields(code: &str, title: &str, description: &str, area: &str) -> AppResult<Valid> {
    let code = validate::required_text("input.code", code, 40)?.to_ascii_uppercase();
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/')
    {
        return Err(AppError::bad_input(
            "input.code",
            "must be letters, digits, -, _ or / (e.g. GLOZ85)",
        ));
    }
    validate::begins_with_letter_or_digit("input.code", &code)?;
    Ok(Valid {
        code,
        title: validate::required_text("input.title", title, validate::SHORT_TEXT)?,
        description: validate::optional_text(
            "input.description",
            Some(description),
            validate::LONG_TEXT,
        )?,
        thematic_area: validate::optional_text(
            "input.thematicArea",
            Some(area),
            validate::SHORT_TEXT,
        )?,
    })
}

fn fields(v: &Valid) -> ProgrammeFields<'_> {
    ProgrammeFields {
        code: &v.code,
        title: &v.title,
        description: &v.description,
        thematic_area: &v.thematic_area,
    }
}

/// The programme a list filter names by code (any case), within what `scope` may read: a code
/// the caller cannot see is as unknown as one that does not exist, and is the client's error.
pub async fn named_in_filter(db: &Db, scope: &Scope, code: &str) -> AppResult<ProgrammeRow> {
    let code = code.trim();
    store::find_by_code(db.pool(), scope, &code.to_ascii_uppercase())
        .await?
        .ok_or_else(|| {
            AppError::bad_input("filter.programme", &format!("there is no programme {code}"))
        })
}

/// Creates a programme (admins only: a programme is what officers' scopes are made of).
pub async fn create(db: &Db, viewer: &Viewer, p: ProgrammePatch) -> AppResult<Programme> {
    viewer.require_role(&[Role::Admin], "create programmes")?;
    let code = p
        .code
        .ok_or_else(|| AppError::bad_input("input.code", "is required"))?;
    let title = p
        .title
        .ok_or_else(|| AppError::bad_input("input.title", "is required"))?;
    let v = validate_fields(
        &code,
        &title,
        p.description.as_deref().unwrap_or(""),
        p.thematic_area.as_deref().unwrap_or(""),
    )?;
    let documents =
        resolve_documents(db, "input.documents", &p.documents.unwrap_or_default()).await?;
    code_is_free(db, &v.code, None).await?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields(&v))
        .await
        .map_err(clash_on_code(&v.code))?;
    set_links(
        &mut tx,
        "programme_documents",
        "programme_id",
        "document_id",
        id,
        &documents,
    )
    .await?;
    let after = store::find(&mut *tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read a new programme", "missing"))?;
    audit::record::<(), _>(
        &mut tx,
        viewer,
        "create",
        "Programme",
        id,
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Refuses a code another programme (archived ones included) already has, naming the field.
async fn code_is_free(db: &Db, code: &str, except: Option<i64>) -> AppResult<()> {
    match store::find_by_code(db.pool(), &Scope::All, code).await? {
        Some(other) if Some(other.id) != except => Err(code_taken(code)),
        _ => Ok(()),
    }
}

fn code_taken(code: &str) -> AppError {
    AppError::taken(
        "input.code",
        format!("a programme with code {code} already exists"),
    )
}

/// A clash on the unique code the database found (a concurrent write took it first) reads as
/// the check above would have put it.
fn clash_on_code(code: &str) -> impl Fn(AppError) -> AppError + '_ {
    move |e| match e {
        AppError::Conflict { field: None, .. } => code_taken(code),
        other => other,
    }
}

/// Changes a programme: admins, or officers whose scope names it. Its code is what scopes
/// refer to, so only admins may change the code.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    p: ProgrammePatch,
) -> AppResult<Programme> {
    let before = store::find(db.pool(), &viewer.record_scope()?, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Programme:{id}")))?;
    let owners = ownership::owners(db.pool(), Kind::Programme, id).await?;
    require_write(viewer, Kind::Programme, &owners)?;
    if p.code
        .as_ref()
        .is_some_and(|c| c.trim().to_ascii_uppercase() != before.code)
    {
        viewer.require_role(&[Role::Admin], "change a programme's code")?;
    }
    let v = validate_fields(
        p.code.as_deref().unwrap_or(&before.code),
        p.title.as_deref().unwrap_or(&before.title),
        p.description.as_deref().unwrap_or(&before.description),
        p.thematic_area.as_deref().unwrap_or(&before.thematic_area),
    )?;
    let documents = match &p.documents {
        Some(ids) => Some(resolve_documents(db, "input.documents", ids).await?),
        None => None,
    };
    code_is_free(db, &v.code, Some(id)).await?;
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, id, version, &fields(&v))
        .await
        .map_err(clash_on_code(&v.code))?
    {
        return Err(stale(Kind::Programme, id, before.version, version));
    }
    if let Some(documents) = documents {
        set_links(
            &mut tx,
            "programme_documents",
            "programme_id",
            "document_id",
            id,
            &documents,
        )
        .await?;
    }
    let after = store::find(&mut *tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read an updated programme", "missing"))?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.version == version;
    if !audit::record_update(&mut tx, viewer, "Programme", id, replaced, &before, &after).await? {
        return Ok(before);
    }
    tx.commit().await?;
    Ok(after)
}
