//! Reference documents.

use super::auth::Viewer;
use super::records::{archived, require_write, stale};
use super::{audit, codes, validate};
use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::storage::documents::{self as store, DocumentFields, DocumentRow};
use crate::storage::ownership::{Kind, Owners};

pub type Document = DocumentRow;

/// A document as a client describes it.
pub struct DocumentInput {
    pub title: String,
    pub url: String,
    pub category: String,
    pub language: Option<String>,
    pub date: Option<String>,
    pub publisher: Option<String>,
}

struct Valid {
    title: String,
    url: String,
    category: String,
    language: String,
    date: Option<String>,
    publisher: String,
}

async fn validate_input(db: &Db, i: DocumentInput) -> AppResult<Valid> {
    let title = validate::required_text("input.title", &i.title, validate::SHORT_TEXT)?;
    let url = validate::url("input.url", &i.url)?;
    let category = codes::require(db, "DocumentCategory", "input.category", i.category.trim())
        .await?
        .code;
    let language = i
        .language
        .unwrap_or_else(|| "en".into())
        .trim()
        .to_lowercase();
    codes::require(db, "Language", "input.language", &language).await?;
    let date = i
        .date
        .map(|d| validate::date("input.date", &d).map(|d| d.to_string()))
        .transpose()?;
    let publisher = validate::optional_text(
        "input.publisher",
        i.publisher.as_deref(),
        validate::SHORT_TEXT,
    )?;
    Ok(Valid {
        title,
        url,
        category,
        language,
        date,
        publisher,
    })
}

fn fields(v: &Valid) -> DocumentFields<'_> {
    DocumentFields {
        title: &v.title,
        url: &v.url,
        category_code: &v.category,
        language: &v.language,
        document_date: v.date.as_deref(),
        publisher: &v.publisher,
    }
}

pub async fn create(db: &Db, viewer: &Viewer, input: DocumentInput) -> AppResult<Document> {
    require_write(viewer, Kind::Document, &Owners::default())?;
    let v = validate_input(db, input).await?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields(&v)).await?;
    let after = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read a new document", "missing"))?;
    audit::record::<(), _>(
        &mut tx,
        viewer,
        "create",
        "Document",
        id,
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    input: DocumentInput,
) -> AppResult<Document> {
    require_write(viewer, Kind::Document, &Owners::default())?;
    let v = validate_input(db, input).await?;
    let mut tx = db.begin().await?;
    let before = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Document:{id}")))?;
    if before.archived_at.is_some() {
        return Err(archived(Kind::Document, id));
    }
    if !store::update(&mut tx, id, version, &fields(&v)).await? {
        return Err(stale(Kind::Document, id, before.version, version));
    }
    let after = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read an updated document", "missing"))?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.version == version;
    if !audit::record_update(&mut tx, viewer, "Document", id, replaced, &before, &after).await? {
        return Ok(before);
    }
    tx.commit().await?;
    Ok(after)
}
