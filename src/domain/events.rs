//! Events: high-level dialogues, expert group meetings, side events, conferences and workshops,
//! with the organisations behind them, who spoke, and what was said.

use sqlx::AnyConnection;

use super::audit;
use super::auth::{Role, Viewer};
use super::change::Change;
use super::records::{archived, require_write, require_write_placed, stale};
use crate::error::{AppError, AppResult};
use crate::storage::events::{self as store, EventRow, NewSpeaker, SpeakerRow};
use crate::storage::ownership::{self, Kind, Owners};
use crate::storage::scope::{Scope, links};
use crate::storage::{Db, engagements, programmes};

mod filter;
mod validate;

pub use filter::{EventQuery, filter};
pub use validate::clean_themes;
use validate::{Valid, validate_patch};

pub type Event = EventRow;
pub type Speaker = SpeakerRow;

/// What kind of event it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum EventKind {
    /// A high-level dialogue between Member States, UN officials and civil society.
    HighLevelDialogue,
    /// A meeting of experts, e.g. to review a handbook.
    ExpertGroupMeeting,
    /// An event beside a larger meeting (e.g. the Crime Commission).
    SideEvent,
    /// A conference.
    Conference,
    /// A workshop.
    Workshop,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::HighLevelDialogue => "high_level_dialogue",
            EventKind::ExpertGroupMeeting => "expert_group_meeting",
            EventKind::SideEvent => "side_event",
            EventKind::Conference => "conference",
            EventKind::Workshop => "workshop",
        }
    }

    /// The kind a stored value names; the table's check constraint admits no other.
    pub fn parse(s: &str) -> EventKind {
        match s {
            "high_level_dialogue" => EventKind::HighLevelDialogue,
            "expert_group_meeting" => EventKind::ExpertGroupMeeting,
            "side_event" => EventKind::SideEvent,
            "conference" => EventKind::Conference,
            _ => EventKind::Workshop,
        }
    }
}

/// A programme named by id or by code.
#[derive(Clone, Debug)]
pub enum ProgrammeRef {
    Id(i64),
    Code(String),
}

/// A speaker as a client sends one.
#[derive(Clone, Debug, Default)]
pub struct SpeakerInput {
    pub name: String,
    pub position: Option<String>,
    pub organisation: Option<i64>,
    pub organisation_name: Option<String>,
}

/// Where an event took place; a venue given on update replaces the whole venue.
#[derive(Clone, Debug, Default)]
pub struct VenueInput {
    pub city: Option<String>,
    pub country: Option<String>,
}

/// An event's fields as a client sends them; `None` keeps the current value on update.
#[derive(Clone, Debug, Default)]
pub struct EventPatch {
    pub kind: Option<EventKind>,
    pub title: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub venue: Option<VenueInput>,
    pub co_organisers: Option<Vec<i64>>,
    pub speakers: Option<Vec<SpeakerInput>>,
    pub themes: Option<Vec<String>>,
    pub summary: Option<String>,
    pub key_messages: Option<Vec<String>>,
    pub participant_count: Change<i64>,
    pub documents: Option<Vec<i64>>,
    pub programmes: Option<Vec<ProgrammeRef>>,
    pub engagements: Option<Vec<i64>>,
}

/// An event with everything linked to it: what the audit log records before and after a change.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EventSnapshot {
    #[serde(flatten)]
    pub event: EventRow,
    pub co_organisers: Vec<i64>,
    pub speakers: Vec<SpeakerRow>,
    pub themes: Vec<String>,
    pub key_messages: Vec<String>,
    pub documents: Vec<i64>,
    pub programmes: Vec<i64>,
    pub engagements: Vec<i64>,
}

async fn snapshot(conn: &mut AnyConnection, id: i64) -> AppResult<Option<EventSnapshot>> {
    let Some(event) = store::find(&mut *conn, &Scope::All, id).await? else {
        return Ok(None);
    };
    let ids = |pairs: Vec<(i64, i64)>| pairs.into_iter().map(|(_, t)| t).collect::<Vec<_>>();
    let texts = |pairs: Vec<(i64, String)>| pairs.into_iter().map(|(_, t)| t).collect::<Vec<_>>();
    Ok(Some(EventSnapshot {
        event,
        co_organisers: ids(store::organisers(&mut *conn, &[id]).await?),
        speakers: store::speakers(&mut *conn, &[id]).await?,
        themes: texts(store::themes(&mut *conn, &[id]).await?),
        key_messages: texts(store::key_messages(&mut *conn, &[id]).await?),
        documents: ids(links(
            &mut *conn,
            "event_documents",
            "event_id",
            "document_id",
            &[id],
        )
        .await?),
        programmes: ids(links(
            &mut *conn,
            "event_programmes",
            "event_id",
            "programme_id",
            &[id],
        )
        .await?),
        engagements: ids(store::engagements(&mut *conn, &Scope::All, &[id]).await?),
    }))
}

/// Whom an event belongs to: the programmes linked directly, and the programmes and countries of
/// linked engagements.
async fn owners_of(
    db: &Db,
    programmes: &[(i64, String)],
    engagements: &[(i64, String)],
) -> AppResult<Owners> {
    let mut owners = Owners::default();
    for (_, code) in programmes.iter().chain(engagements) {
        if !owners.programmes.contains(code) {
            owners.programmes.push(code.clone());
        }
    }
    for (id, _) in engagements {
        for c in ownership::owners(db.pool(), Kind::Engagement, *id)
            .await?
            .countries
        {
            if !owners.countries.contains(&c) {
                owners.countries.push(c);
            }
        }
    }
    Ok(owners)
}

async fn write_links(tx: &mut crate::storage::Tx, id: i64, v: &Valid) -> AppResult<()> {
    if let Some(ids) = &v.organisers {
        store::set_ids(tx, "event_organisers", "organisation_id", id, ids).await?;
    }
    if let Some(list) = &v.speakers {
        let speakers: Vec<NewSpeaker> = list
            .iter()
            .map(|s| NewSpeaker {
                name: &s.name,
                position: &s.position,
                organisation_id: s.organisation_id,
                organisation_name: &s.organisation_name,
            })
            .collect();
        store::set_speakers(tx, id, &speakers).await?;
    }
    if let Some(themes) = &v.themes {
        store::set_themes(tx, id, themes).await?;
    }
    if let Some(messages) = &v.key_messages {
        store::set_key_messages(tx, id, messages).await?;
    }
    if let Some(ids) = &v.documents {
        store::set_ids(tx, "event_documents", "document_id", id, ids).await?;
    }
    if let Some(list) = &v.programmes {
        let ids: Vec<i64> = list.iter().map(|(id, _)| *id).collect();
        store::set_ids(tx, "event_programmes", "programme_id", id, &ids).await?;
    }
    if let Some(list) = &v.engagements {
        let ids: Vec<i64> = list.iter().map(|(id, _)| *id).collect();
        store::set_ids(tx, "event_engagements", "engagement_id", id, &ids).await?;
    }
    Ok(())
}

/// What an officer's event linked to no programme needs.
const UNPLACED: &str = "an event linked to no programme: link it to one of yours with \
    input.programmes or input.engagements";

/// Records an event. Officers may record events of their programmes; an event linked to no
/// programme (directly or through an engagement) is for admins.
pub async fn create(db: &Db, viewer: &Viewer, p: EventPatch) -> AppResult<Event> {
    viewer.require_role(&[Role::Admin, Role::Officer], "record events")?;
    let v = validate_patch(db, viewer, None, p).await?;
    let owners = owners_of(
        db,
        v.programmes.as_deref().unwrap_or_default(),
        v.engagements.as_deref().unwrap_or_default(),
    )
    .await?;
    require_write_placed(viewer, Kind::Event, &owners, UNPLACED)?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &v.fields()).await?;
    write_links(&mut tx, id, &v).await?;
    let after = snapshot(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read a new event", "missing"))?;
    audit::record::<(), _>(&mut tx, viewer, "create", "Event", id, None, Some(&after)).await?;
    tx.commit().await?;
    Ok(after.event)
}

/// Changes an event at `version`. The caller must be allowed to write it both as it is and as it
/// will be, so an officer can neither take an event from another programme nor give one away.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    p: EventPatch,
) -> AppResult<Event> {
    let scope = viewer.record_scope()?;
    let not_found = || AppError::not_found(format!("Event:{id}"));
    store::find(db.pool(), &scope, id)
        .await?
        .ok_or_else(not_found)?;
    let owners = ownership::owners(db.pool(), Kind::Event, id).await?;
    require_write(viewer, Kind::Event, &owners)?;
    let before = {
        let mut conn = db.pool().acquire().await?;
        snapshot(&mut conn, id).await?.ok_or_else(not_found)?
    };
    if before.event.archived_at.is_some() {
        return Err(archived(Kind::Event, id));
    }
    let v = validate_patch(db, viewer, Some(&before.event), p).await?;
    if v.programmes.is_some() || v.engagements.is_some() {
        let programmes = match &v.programmes {
            Some(list) => list.clone(),
            None => programme_codes(db, &before.programmes).await?,
        };
        let engagements = match &v.engagements {
            Some(list) => list.clone(),
            None => engagement_programmes(db, &before.engagements).await?,
        };
        require_write_placed(
            viewer,
            Kind::Event,
            &owners_of(db, &programmes, &engagements).await?,
            UNPLACED,
        )?;
    }
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, id, version, &v.fields()).await? {
        return Err(stale(Kind::Event, id, before.event.version, version));
    }
    write_links(&mut tx, id, &v).await?;
    let after = snapshot(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read an updated event", "missing"))?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.event.version == version;
    if !audit::record_update(&mut tx, viewer, "Event", id, replaced, &before, &after).await? {
        return Ok(before.event);
    }
    tx.commit().await?;
    Ok(after.event)
}

/// `(engagement, programme code)` of engagements linked already, archived or not.
async fn engagement_programmes(db: &Db, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(ctx) = engagements::context(db.pool(), &Scope::All, *id).await? {
            out.push((*id, ctx.programme_code));
        }
    }
    Ok(out)
}

async fn programme_codes(db: &Db, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    let rows = programmes::by_ids(db.pool(), &Scope::All, ids).await?;
    Ok(rows.into_iter().map(|r| (r.id, r.code)).collect())
}
