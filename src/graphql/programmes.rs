//! Programmes.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::context::Ctx;
use super::engagements::{engagement_count_of, engagements_of_programme};
use super::ids::{global_id, parse};
use super::pagination::{Page, PageRequest, TotalCount, page};
use super::patch::{Write, clearable};
use crate::domain::documents::Document;
use crate::domain::engagements::Engagement;
use crate::domain::programmes::{self as progs, Programme, ProgrammePatch};
use crate::storage::programmes::{self as store, ProgrammeFilter};

/// A UNODC programme, e.g. the Global Programme on Violent Extremist Prisoners. Officers' tokens
/// name the programmes they may write in.
#[Object]
impl Programme {
    /// Global id, e.g. Programme:1.
    pub async fn id(&self) -> ID {
        global_id("Programme", self.id)
    }
    /// Programme code, e.g. GLOZ85.
    async fn code(&self) -> &str {
        &self.code
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.title
    }
    /// What the programme does.
    async fn description(&self) -> &str {
        &self.description
    }
    /// Thematic area, e.g. "Prison reform and preventing violent extremism".
    async fn thematic_area(&self) -> &str {
        &self.thematic_area
    }
    /// Reference documents the programme builds on.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        super::documents::linked(ctx, "programme_documents", "programme_id", self.id).await
    }
    /// The programme's first live engagements the caller may see, most recent start first:
    /// `first` of them (default and maximum: the server's page sizes, 20 and 100 unless
    /// configured). `engagementCount` tells whether there are more;
    /// `engagements(filter: {programme: ...})` pages through them all.
    async fn engagements(&self, ctx: &Context<'_>, first: Option<i32>) -> Result<Vec<Engagement>> {
        let first = PageRequest::new(ctx.page_limits(), first, None)?.limit;
        engagements_of_programme(ctx, self.id, first).await
    }
    /// How many live engagements of the programme the caller may see.
    async fn engagement_count(&self, ctx: &Context<'_>) -> Result<i64> {
        engagement_count_of(ctx, self.id).await
    }
    /// Programme-level results (outcomes that span its engagements), with their indicators.
    async fn results(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::domain::results::ResultRecord>> {
        super::results::results_of_programme(ctx, self.id).await
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

/// Narrows a programme list.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct ProgrammeFilterInput {
    /// Part of the code or title, case-insensitive.
    pub search: Option<String>,
    /// Exact thematic area, case-insensitive.
    pub thematic_area: Option<String>,
    /// Include archived programmes.
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Default)]
pub struct ProgrammeQuery;

/// Programmes.
#[Object]
impl ProgrammeQuery {
    /// Programmes by code (donors: those with an engagement they fund).
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProgrammeFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Programme>> {
        let scope = ctx.viewer().record_scope()?;
        let f = filter.unwrap_or_default();
        use crate::domain::validate::filter_text;
        let filter = ProgrammeFilter {
            search: filter_text("filter.search", f.search.as_deref())?,
            thematic_area: filter_text("filter.thematicArea", f.thematic_area.as_deref())?,
            include_archived: f.include_archived,
        };
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let rows = store::list(db.pool(), &scope, &filter, req.after()?, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, filter, scope) = (db.clone(), filter.clone(), scope.clone());
            async move { store::count(db.pool(), &scope, &filter).await }
        });
        Ok(page(&req, rows, |r| r.code.clone(), |r| r, total))
    }

    /// One programme by code, e.g. GLOZ85.
    async fn programme(&self, ctx: &Context<'_>, code: String) -> Result<Option<Programme>> {
        let scope = ctx.viewer().record_scope()?;
        let code = code.trim().to_ascii_uppercase();
        Ok(store::find_by_code(ctx.db().pool(), &scope, &code).await?)
    }
}

/// A new programme.
#[derive(InputObject)]
pub struct CreateProgrammeInput {
    /// Programme code, e.g. GLOZ85: letters, digits, -, _ or /.
    pub code: String,
    /// Title.
    pub title: String,
    /// What the programme does.
    pub description: Option<String>,
    /// Thematic area.
    pub thematic_area: Option<String>,
    /// Reference documents (Document ids).
    pub documents: Option<Vec<ID>>,
}

/// Changes to a programme: absent fields keep their values; `null` empties the fields that say
/// so and is refused, naming the field, on the others.
#[derive(InputObject)]
pub struct UpdateProgrammeInput {
    /// New code (admins only: tokens refer to it).
    pub code: MaybeUndefined<String>,
    /// Title.
    pub title: MaybeUndefined<String>,
    /// What the programme does; null empties it.
    pub description: MaybeUndefined<String>,
    /// Thematic area; null empties it.
    pub thematic_area: MaybeUndefined<String>,
    /// Reference documents (Document ids); replaces the list.
    pub documents: MaybeUndefined<Vec<ID>>,
}

fn document_ids(ids: Option<Vec<ID>>) -> Result<Option<Vec<i64>>> {
    Ok(ids
        .map(|ids| {
            ids.iter()
                .enumerate()
                .map(|(i, id)| parse(&format!("input.documents[{i}]"), "Document", id))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?)
}

#[derive(Default)]
pub struct ProgrammeMutation;

/// Programme changes.
#[Object]
impl ProgrammeMutation {
    /// Creates a programme (admins only).
    async fn create_programme(
        &self,
        ctx: &Context<'_>,
        input: CreateProgrammeInput,
    ) -> Result<Option<Programme>> {
        let patch = ProgrammePatch {
            code: Some(input.code),
            title: Some(input.title),
            description: input.description,
            thematic_area: input.thematic_area,
            documents: document_ids(input.documents)?,
        };
        Ok(Some(progs::create(ctx.db(), ctx.viewer(), patch).await?))
    }

    /// Changes a programme (admins, or officers whose scope names it); `version` must be current.
    async fn update_programme(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: UpdateProgrammeInput,
    ) -> Result<Option<Programme>> {
        let id = parse("id", "Programme", &id)?;
        let w = Write::Update;
        let patch = ProgrammePatch {
            code: w.kept("input.code", input.code)?,
            title: w.kept("input.title", input.title)?,
            description: clearable(input.description),
            thematic_area: clearable(input.thematic_area),
            documents: document_ids(w.list("input.documents", input.documents)?)?,
        };
        Ok(Some(
            progs::update(ctx.db(), ctx.viewer(), id, version, patch).await?,
        ))
    }
}
