//! Events: the `events` list, `event(id)`, `createEvent` and `updateEvent`.

use std::borrow::Cow;

mod input;
pub mod loaders;

use async_graphql::{Context, ID, Object, Result};

use super::context::Ctx;
use super::engagements::EngagementById;
use super::geography::load_country;
use super::ids::{global_id, parse};
use super::loaders::{OrganisationById, ProgrammeById};
use super::pagination::{Page, PageRequest, TotalCount, page};
use super::patch::Write;
use crate::domain::documents::Document;
use crate::domain::engagements::Engagement;
use crate::domain::events::{self as events, Event, EventKind, Speaker};
use crate::domain::geography::Country;
use crate::domain::organisations::Organisation;
use crate::domain::programmes::Programme;
use crate::storage::events as store;
pub use input::{EventFilterInput, EventInput};
use loaders::{
    EventById, EventEngagements, EventKeyMessages, EventOrganisers, EventProgrammes, EventSpeakers,
    EventThemes,
};

/// An event UNODC organised or took part in: a high-level dialogue, an expert group meeting, a
/// side event, a conference or a workshop.
#[Object]
impl Event {
    /// Global id, e.g. Event:1.
    pub async fn id(&self) -> ID {
        global_id("Event", self.id)
    }
    /// What kind of event it was.
    async fn kind(&self) -> EventKind {
        EventKind::parse(&self.kind)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.title
    }
    /// First day, YYYY-MM-DD.
    async fn start_date(&self) -> &str {
        &self.start_date
    }
    /// Last day, YYYY-MM-DD (the start date for a one-day event).
    async fn end_date(&self) -> &str {
        &self.end_date
    }
    /// Where it took place.
    async fn venue(&self) -> Venue {
        Venue {
            city: self.venue_city.clone(),
            country_iso3: self.venue_country_iso3.clone(),
        }
    }
    /// The organisations that organised it (UNODC and Member State governments among them), in
    /// the order they were registered.
    async fn co_organisers(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        let ids = ctx
            .loader()
            .load_one(EventOrganisers(self.id))
            .await?
            .unwrap_or_default();
        let mut found = ctx
            .loader()
            .load_many(ids.iter().copied().map(OrganisationById))
            .await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| found.remove(&OrganisationById(id)))
            .collect())
    }
    /// Who spoke, in order.
    async fn speakers(&self, ctx: &Context<'_>) -> Result<Vec<Speaker>> {
        Ok(ctx
            .loader()
            .load_one(EventSpeakers(self.id))
            .await?
            .unwrap_or_default())
    }
    /// Themes, e.g. "prison management", in alphabetical order.
    async fn themes(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(ctx
            .loader()
            .load_one(EventThemes(self.id))
            .await?
            .unwrap_or_default())
    }
    /// What it was and who took part.
    async fn summary(&self) -> &str {
        &self.summary
    }
    /// The key messages, in order.
    async fn key_messages(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(ctx
            .loader()
            .load_one(EventKeyMessages(self.id))
            .await?
            .unwrap_or_default())
    }
    /// How many people took part, where known.
    async fn participant_count(&self) -> Option<i64> {
        self.participant_count
    }
    /// Documents presented or referred to, by title.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        super::documents::linked(ctx, "event_documents", "event_id", self.id).await
    }
    /// The programmes it is linked to directly (those the caller may read), by code.
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<Programme>> {
        let list = ctx
            .loader()
            .load_one(EventProgrammes(self.id))
            .await?
            .unwrap_or_default();
        let mut found = ctx
            .loader()
            .load_many(list.iter().map(|(id, _)| ProgrammeById(*id)))
            .await?;
        Ok(list
            .into_iter()
            .filter_map(|(id, _)| found.remove(&ProgrammeById(id)))
            .collect())
    }
    /// Ids of the engagements it is linked to (those the caller may read).
    async fn engagement_ids(&self, ctx: &Context<'_>) -> Result<Vec<ID>> {
        let list = ctx.loader().load_one(EventEngagements(self.id)).await?;
        Ok(list
            .unwrap_or_default()
            .into_iter()
            .map(|id| global_id("Engagement", id))
            .collect())
    }
    /// The engagements it is linked to (those the caller may read).
    async fn engagements(&self, ctx: &Context<'_>) -> Result<Vec<Engagement>> {
        let ids = ctx
            .loader()
            .load_one(EventEngagements(self.id))
            .await?
            .unwrap_or_default();
        let mut found = ctx
            .loader()
            .load_many(ids.iter().copied().map(EngagementById))
            .await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| found.remove(&EngagementById(id)))
            .collect())
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

/// Where an event took place.
pub struct Venue {
    city: String,
    country_iso3: Option<String>,
}

/// The place an event was held.
#[Object]
impl Venue {
    /// City, e.g. New York; empty when not recorded.
    async fn city(&self) -> &str {
        &self.city
    }
    /// Country, where recorded.
    async fn country<'a>(&self, ctx: &Context<'a>) -> Result<Option<Cow<'a, Country>>> {
        load_country(ctx, self.country_iso3.as_deref()).await
    }
}

/// Someone who spoke at an event.
#[Object]
impl Speaker {
    /// Full name, e.g. Jøran Kallmyr.
    async fn name(&self) -> &str {
        &self.name
    }
    /// Position at the time, e.g. Minister of Justice and Public Security.
    async fn position(&self) -> &str {
        &self.position
    }
    /// The organisation they spoke for, when it is registered.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.organisation_id {
            Some(id) => Ok(ctx.loader().load_one(OrganisationById(id)).await?),
            None => Ok(None),
        }
    }
    /// The organisation's name as it stood when they spoke.
    async fn organisation_name(&self) -> &str {
        &self.organisation_name
    }
}

/// An event by id for other records' nested fields (e.g. a lesson's source), within the caller's
/// scope.
pub async fn load_event(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Event>> {
    match id {
        Some(id) => Ok(ctx.loader().load_one(EventById(id)).await?),
        None => Ok(None),
    }
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Events, latest first. Donors see only events linked to engagements their organisation
    /// funds.
    async fn events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Event>> {
        let scope = ctx.viewer().record_scope()?;
        let query = filter.unwrap_or_default().into_query()?;
        let filter = events::filter(ctx.db(), &scope, query).await?;
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let rows = store::list(db.pool(), &scope, &filter, req.after()?, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, scope, filter) = (db.clone(), scope.clone(), filter.clone());
            async move { store::count(db.pool(), &scope, &filter).await }
        });
        Ok(page(
            &req,
            rows,
            |r| (r.start_date.clone(), r.id),
            |r| r,
            total,
        ))
    }

    /// One event by id; null when it does not exist or the caller may not see it.
    async fn event(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Event>> {
        let scope = ctx.viewer().record_scope()?;
        let id = parse("id", "Event", &id)?;
        Ok(store::find(ctx.db().pool(), &scope, id).await?)
    }
}

#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Records an event. Admins may record any; officers only events linked to their
    /// programmes (directly or through an engagement).
    async fn create_event(&self, ctx: &Context<'_>, input: EventInput) -> Result<Option<Event>> {
        ctx.viewer().record_scope()?;
        let patch = input.into_patch(Write::Create)?;
        Ok(Some(events::create(ctx.db(), ctx.viewer(), patch).await?))
    }

    /// Changes an event; `version` must be the current one. Fields left out keep their value.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: EventInput,
    ) -> Result<Option<Event>> {
        ctx.viewer().record_scope()?;
        let id = parse("id", "Event", &id)?;
        let patch = input.into_patch(Write::Update)?;
        Ok(Some(
            events::update(ctx.db(), ctx.viewer(), id, version, patch).await?,
        ))
    }
}
