//! Lessons learned: the `lessons` list with ranked full-text search, `lesson(id)`,
//! `recordLesson` and `updateLesson`.

mod input;
pub mod loaders;

use async_graphql::{Context, ID, Object, Result};

use super::context::Ctx;
use super::engagements::load_engagement;
use super::events::load_event;
use super::ids::{global_id, parse};
use super::loaders::CountryByIso3;
use super::pagination::{Page, PageRequest, TotalCount, page};
use super::patch::Write;
use crate::domain::activities::Activity;
use crate::domain::documents::Document;
use crate::domain::engagements::Engagement;
use crate::domain::events::Event;
use crate::domain::geography::Country;
use crate::domain::lessons::{self as lessons, Lesson};
use crate::storage::lessons::{self as store, LessonAreaRow};
pub use input::{LessonFilterInput, LessonInput};
use loaders::{DocumentById, LessonAreas, LessonCountries, LessonThemes, SourceActivity};

/// A lesson learned from UNODC's technical assistance: what it is, where it applies, where it
/// came from, and who recorded it.
#[Object]
impl Lesson {
    /// Global id, e.g. Lesson:1.
    pub async fn id(&self) -> ID {
        global_id("Lesson", self.id)
    }
    /// A short title.
    async fn title(&self) -> &str {
        &self.title
    }
    /// The lesson itself.
    async fn statement(&self) -> &str {
        &self.statement
    }
    /// Where and how it was learned.
    async fn context(&self) -> &str {
        &self.context
    }
    /// What supports it.
    async fn evidence(&self) -> &str {
        &self.evidence
    }
    /// The engagement it was drawn from, if that is its source.
    async fn source_engagement_id(&self) -> Option<ID> {
        self.source_engagement_id
            .map(|id| global_id("Engagement", id))
    }
    /// The engagement it was drawn from, if that is its source and the caller may see it.
    async fn source_engagement(&self, ctx: &Context<'_>) -> Result<Option<Engagement>> {
        match self.source_engagement_id {
            Some(id) => load_engagement(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The activity it was drawn from, if that is its source.
    async fn source_activity_id(&self) -> Option<ID> {
        self.source_activity_id.map(|id| global_id("Activity", id))
    }
    /// The activity it was drawn from, if that is its source and the caller may see it.
    async fn source_activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        match self.source_activity_id {
            Some(id) => Ok(ctx.loader().load_one(SourceActivity(id)).await?),
            None => Ok(None),
        }
    }
    /// The event it was drawn from, if that is its source.
    async fn source_event_id(&self) -> Option<ID> {
        self.source_event_id.map(|id| global_id("Event", id))
    }
    /// The event it was drawn from, if that is its source and the caller may see it.
    async fn source_event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        load_event(ctx, self.source_event_id).await
    }
    /// The document (e.g. an evaluation) it was drawn from, if that is its source.
    async fn source_document(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        match self.source_document_id {
            Some(id) => Ok(ctx.loader().load_one(DocumentById(id)).await?),
            None => Ok(None),
        }
    }
    /// Themes, e.g. "prison management", in alphabetical order.
    async fn themes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(ctx
            .loader()
            .load_one(LessonThemes(self.id))
            .await?
            .unwrap_or_default())
    }
    /// Countries it applies to by name.
    async fn countries(&self, ctx: &Context<'_>) -> Result<Vec<Country>> {
        let codes = ctx
            .loader()
            .load_one(LessonCountries(self.id))
            .await?
            .unwrap_or_default();
        let mut found = ctx
            .loader()
            .load_many(codes.iter().cloned().map(CountryByIso3))
            .await?;
        Ok(codes
            .into_iter()
            .filter_map(|c| found.remove(&CountryByIso3(c)))
            .collect())
    }
    /// M49 regions and groupings it applies to as a whole.
    async fn areas(&self, ctx: &Context<'_>) -> Result<Vec<LessonAreaRow>> {
        Ok(ctx
            .loader()
            .load_one(LessonAreas(self.id))
            .await?
            .unwrap_or_default())
    }
    /// Documents that support it, by title.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        super::documents::linked(ctx, "lesson_documents", "lesson_id", self.id).await
    }
    /// The name of the token that recorded it.
    async fn recorded_by(&self) -> &str {
        &self.recorded_by
    }
    /// When it was recorded (UTC, RFC 3339).
    async fn recorded_at(&self) -> &str {
        &self.recorded_at
    }
    /// How well it matches the list's `search` (higher is better; comparable only within one
    /// search); null when the list was not searched.
    async fn relevance(&self) -> Option<f64> {
        self.relevance
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

/// An M49 region or a grouping a lesson applies to.
#[Object(name = "LessonArea")]
impl LessonAreaRow {
    /// M49 code (e.g. 202) or grouping code (e.g. UNODC-MENA).
    async fn code(&self) -> &str {
        &self.code
    }
    /// Name, e.g. Sub-Saharan Africa.
    async fn name(&self) -> &str {
        &self.name
    }
    /// Whether this is a grouping rather than an M49 region.
    async fn grouping(&self) -> bool {
        self.is_grouping != 0
    }
}

#[derive(Default)]
pub struct LessonQuery;

#[Object]
impl LessonQuery {
    /// Lessons learned. With `filter.search`, best match first; otherwise latest recorded first.
    /// Donors see only lessons drawn from what their organisation funds.
    async fn lessons(
        &self,
        ctx: &Context<'_>,
        filter: Option<LessonFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Lesson>> {
        let scope = ctx.viewer().record_scope()?;
        let query = filter.unwrap_or_default().into_query()?;
        let filter = lessons::lesson_filter(ctx.db(), &scope, query).await?;
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let total = {
            let (db, scope, filter) = (db.clone(), scope.clone(), filter.clone());
            TotalCount::new(move || {
                let (db, scope, filter) = (db.clone(), scope.clone(), filter.clone());
                async move { store::count(db.pool(), db.backend(), &scope, &filter).await }
            })
        };
        match &filter.search {
            // Relevance depends on the query, so there is no cheap keyset to resume after:
            // search pages go by offset, and the cursor is the number of results before it.
            Some(q) => {
                let offset: i64 = req.after()?.unwrap_or(0);
                if offset < 0 {
                    return Err(crate::error::AppError::bad_input(
                        "after",
                        "is not a cursor this list returned",
                    )
                    .into());
                }
                let rows = store::search(
                    db.pool(),
                    db.backend(),
                    &scope,
                    &filter,
                    q,
                    offset,
                    req.fetch(),
                )
                .await?;
                let numbered = rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| (offset + i as i64 + 1, r));
                Ok(page(
                    &req,
                    numbered.collect(),
                    |(n, _)| *n,
                    |(_, r)| r,
                    total,
                ))
            }
            None => {
                let rows =
                    store::list(db.pool(), &scope, &filter, req.after()?, req.fetch()).await?;
                Ok(page(
                    &req,
                    rows,
                    |r| (r.recorded_at.clone(), r.id),
                    |r| r,
                    total,
                ))
            }
        }
    }

    /// One lesson by id; null when it does not exist or the caller may not see it.
    async fn lesson(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Lesson>> {
        let scope = ctx.viewer().record_scope()?;
        let id = parse("id", "Lesson", &id)?;
        Ok(store::find(ctx.db().pool(), &scope, id).await?)
    }
}

#[derive(Default)]
pub struct LessonMutation;

#[Object]
impl LessonMutation {
    /// Records a lesson in the caller's name. Admins may record any; officers only lessons
    /// drawn from an engagement, activity or event of their programmes.
    async fn record_lesson(&self, ctx: &Context<'_>, input: LessonInput) -> Result<Option<Lesson>> {
        ctx.viewer().record_scope()?;
        let patch = input.into_patch(Write::Create)?;
        Ok(Some(lessons::record(ctx.db(), ctx.viewer(), patch).await?))
    }

    /// Changes a lesson; `version` must be the current one. Fields left out keep their value.
    async fn update_lesson(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: LessonInput,
    ) -> Result<Option<Lesson>> {
        ctx.viewer().record_scope()?;
        let id = parse("id", "Lesson", &id)?;
        let patch = input.into_patch(Write::Update)?;
        Ok(Some(
            lessons::update(ctx.db(), ctx.viewer(), id, version, patch).await?,
        ))
    }
}
