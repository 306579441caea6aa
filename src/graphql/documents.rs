//! Reference documents.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::context::Ctx;
use super::ids::{global_id, parse};
use super::loaders::DocumentsOf;
use super::pagination::{Page, PageRequest, TotalCount, page};
use crate::domain::documents::{self as docs, Document, DocumentInput};
use crate::domain::validate::filter_text;
use crate::storage::documents::{self as store, DocumentFilter};

/// A reference document: the Nelson Mandela Rules, a UNODC handbook or checklist, an evaluation.
#[Object]
impl Document {
    /// Global id, e.g. Document:1.
    pub async fn id(&self) -> ID {
        global_id("Document", self.id)
    }
    /// Title, e.g. "The United Nations Standard Minimum Rules for the Treatment of Prisoners
    /// (the Nelson Mandela Rules)".
    async fn title(&self) -> &str {
        &self.title
    }
    /// Where the document can be read.
    async fn url(&self) -> &str {
        &self.url
    }
    /// IATI DocumentCategory code, e.g. A04 (conditions), A07 (review and evaluation), B12
    /// (thematic strategy). Activity-level codes (A..) are published with the IATI activity of
    /// each engagement the document is linked to; organisation-level ones (B..) stay linked here
    /// but are left out of activity files, where IATI does not take them.
    async fn category(&self) -> &str {
        &self.category_code
    }
    /// ISO 639-1 language code, e.g. en.
    async fn language(&self) -> &str {
        &self.language
    }
    /// Publication date (YYYY-MM-DD), where known.
    async fn date(&self) -> Option<&str> {
        self.document_date.as_deref()
    }
    /// Publisher, e.g. UNODC or the United Nations General Assembly.
    async fn publisher(&self) -> &str {
        &self.publisher
    }
    /// Optimistic-concurrency version: pass it back when updating or archiving.
    async fn version(&self) -> i64 {
        self.version
    }
    /// When it was archived, if it was.
    async fn archived_at(&self) -> Option<&str> {
        self.archived_at.as_deref()
    }
}

/// Documents linked to a record, for nested fields.
pub async fn linked(
    ctx: &Context<'_>,
    table: &'static str,
    owner_column: &'static str,
    owner: i64,
) -> Result<Vec<Document>> {
    Ok(ctx
        .loader()
        .load_one(DocumentsOf {
            table,
            owner_column,
            owner,
        })
        .await?
        .unwrap_or_default())
}

/// Narrows a document list.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct DocumentFilterInput {
    /// Part of the title or publisher, case-insensitive.
    pub search: Option<String>,
    /// IATI DocumentCategory code.
    pub category: Option<String>,
    /// Include archived documents.
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Default)]
pub struct DocumentQuery;

#[Object]
impl DocumentQuery {
    /// Reference documents by title (any authenticated caller).
    async fn documents(
        &self,
        ctx: &Context<'_>,
        filter: Option<DocumentFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Document>> {
        ctx.viewer().record_scope()?;
        let f = filter.unwrap_or_default();
        let filter = DocumentFilter {
            search: filter_text("filter.search", f.search.as_deref())?,
            category: filter_text("filter.category", f.category.as_deref())?,
            include_archived: f.include_archived,
        };
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let rows = store::list(db.pool(), &filter, req.after()?, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, filter) = (db.clone(), filter.clone());
            async move { store::count(db.pool(), &filter).await }
        });
        Ok(page(&req, rows, |r| (r.title.clone(), r.id), |r| r, total))
    }

    /// One document by id.
    async fn document(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Document>> {
        ctx.viewer().record_scope()?;
        let id = parse("id", "Document", &id)?;
        Ok(store::find(ctx.db().pool(), id).await?)
    }
}

/// A reference document.
#[derive(InputObject)]
#[graphql(name = "DocumentInput")]
pub struct DocumentInputGql {
    /// Title.
    pub title: String,
    /// Where it can be read: an http(s) URL.
    pub url: String,
    /// IATI DocumentCategory code, e.g. A07 or B12; only activity-level (A..) documents are
    /// published with the IATI activities of the engagements they are linked to.
    pub category: String,
    /// ISO 639-1 language code; en when not given.
    pub language: Option<String>,
    /// Publication date, YYYY-MM-DD.
    pub date: Option<String>,
    /// Publisher, e.g. UNODC.
    pub publisher: Option<String>,
}

impl From<DocumentInputGql> for DocumentInput {
    fn from(i: DocumentInputGql) -> Self {
        DocumentInput {
            title: i.title,
            url: i.url,
            category: i.category,
            language: i.language,
            date: i.date,
            publisher: i.publisher,
        }
    }
}

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Adds a reference document (admins and officers).
    async fn create_document(
        &self,
        ctx: &Context<'_>,
        input: DocumentInputGql,
    ) -> Result<Option<Document>> {
        Ok(Some(
            docs::create(ctx.db(), ctx.viewer(), input.into()).await?,
        ))
    }

    /// Changes a reference document; `version` must be the current one.
    async fn update_document(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: DocumentInputGql,
    ) -> Result<Option<Document>> {
        let id = parse("id", "Document", &id)?;
        Ok(Some(
            docs::update(ctx.db(), ctx.viewer(), id, version, input.into()).await?,
        ))
    }
}
