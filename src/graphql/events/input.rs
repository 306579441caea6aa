//! What clients send about events: list filters and the fields of a new or changed event.

use async_graphql::{ID, InputObject, MaybeUndefined};

use crate::domain::change::Change;
use crate::domain::events::{
    EventKind, EventPatch, EventQuery, ProgrammeRef, SpeakerInput, VenueInput,
};
use crate::error::AppResult;
use crate::graphql::ids::{parse, split};
use crate::graphql::patch::{Write, clearable};

/// Narrows an event list. All conditions must hold.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct EventFilterInput {
    /// Words that must all appear (case-insensitive) in the title, summary, key messages,
    /// themes, venue city or speakers' names, e.g. "radicalization prisons"; text without any
    /// word is refused.
    pub search: Option<String>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events with this theme (case-insensitive, whole theme), e.g. "prison management".
    pub theme: Option<String>,
    /// Only events held in this country (ISO3, ISO2 or M49 code).
    pub country: Option<String>,
    /// Only events held in this M49 region (any level) or grouping, e.g. 035 or UNODC-MENA. A
    /// country's code is refused, saying it is one.
    pub region: Option<String>,
    /// Only events ending on or after this date (YYYY-MM-DD).
    pub from: Option<String>,
    /// Only events starting on or before this date (YYYY-MM-DD).
    pub to: Option<String>,
    /// Only events of this programme, by code (GLOZ85) or id, linked directly or through an
    /// engagement.
    pub programme: Option<String>,
    /// Only events linked to this engagement; one the caller cannot read is refused as unknown.
    pub engagement: Option<ID>,
    /// Include archived events.
    #[graphql(default)]
    pub include_archived: bool,
}

/// A programme given as `Programme:3` or as its code.
pub fn programme_ref(field: &str, value: &str) -> AppResult<ProgrammeRef> {
    match split(field, value) {
        Ok(_) => Ok(ProgrammeRef::Id(parse(
            field,
            "Programme",
            &ID(value.to_string()),
        )?)),
        Err(_) => Ok(ProgrammeRef::Code(value.to_string())),
    }
}

impl EventFilterInput {
    pub fn into_query(self) -> AppResult<EventQuery> {
        Ok(EventQuery {
            search: self.search,
            kind: self.kind,
            theme: self.theme,
            country: self.country,
            region: self.region,
            from: self.from,
            to: self.to,
            programme: self
                .programme
                .as_deref()
                .map(|p| programme_ref("filter.programme", p))
                .transpose()?,
            engagement: self
                .engagement
                .map(|id| parse("filter.engagement", "Engagement", &id))
                .transpose()?,
            include_archived: self.include_archived,
        })
    }
}

/// Where an event took place.
#[derive(InputObject)]
#[graphql(name = "VenueInput")]
pub struct VenueInputGql {
    /// City, e.g. New York.
    pub city: Option<String>,
    /// Country: ISO3, ISO2 or M49 code, e.g. USA.
    pub country: Option<String>,
}

/// Someone who spoke at an event.
#[derive(InputObject)]
#[graphql(name = "SpeakerInput")]
pub struct SpeakerInputGql {
    /// Full name, e.g. Miwa Kato.
    pub name: String,
    /// Position at the time, e.g. Director of Operations.
    pub position: Option<String>,
    /// The organisation they spoke for, if it is registered.
    pub organisation: Option<ID>,
    /// The organisation's name as it stood then; taken from `organisation` when not given.
    pub organisation_name: Option<String>,
}

/// An event's fields. On `createEvent`, `kind`, `title` and `startDate` are required; on
/// `updateEvent`, fields left out keep their value and lists given replace the whole list, and
/// `null` empties the fields that say so and is refused, naming the field, on the others.
#[derive(InputObject, Default)]
pub struct EventInput {
    /// What kind of event it is.
    pub kind: MaybeUndefined<EventKind>,
    /// Title, e.g. "First High-Level Dialogue on the Prevention of Radicalization to Violence in
    /// Prisons".
    pub title: MaybeUndefined<String>,
    /// First day, YYYY-MM-DD.
    pub start_date: MaybeUndefined<String>,
    /// Last day, YYYY-MM-DD; the start date when not given on creation.
    pub end_date: MaybeUndefined<String>,
    /// Where it took place; a venue given replaces the whole venue, and null on `updateEvent`
    /// removes it.
    pub venue: MaybeUndefined<VenueInputGql>,
    /// The organisations (Member State governments included) that organised it, UNODC included.
    pub co_organisers: MaybeUndefined<Vec<ID>>,
    /// Who spoke, in the order to show them.
    pub speakers: MaybeUndefined<Vec<SpeakerInputGql>>,
    /// Themes, e.g. "prison management"; trimmed, repeats (ignoring case) dropped.
    pub themes: MaybeUndefined<Vec<String>>,
    /// What it was and who took part; null empties it.
    pub summary: MaybeUndefined<String>,
    /// The key messages, in order.
    pub key_messages: MaybeUndefined<Vec<String>>,
    /// How many people took part; null on `updateEvent` removes the count.
    pub participant_count: MaybeUndefined<i64>,
    /// Documents presented or referred to.
    pub documents: MaybeUndefined<Vec<ID>>,
    /// Programmes it belongs to, by id (Programme:1) or code (GLOZ85).
    pub programmes: MaybeUndefined<Vec<String>>,
    /// Engagements it belongs to.
    pub engagements: MaybeUndefined<Vec<ID>>,
}

fn ids(field: &str, kind: &str, list: Option<Vec<ID>>) -> AppResult<Option<Vec<i64>>> {
    list.map(|l| {
        l.iter()
            .enumerate()
            .map(|(i, id)| parse(&format!("{field}[{i}]"), kind, id))
            .collect()
    })
    .transpose()
}

impl EventInput {
    /// The patch these fields make; `null` reads as not given on creation (`Write::Create`).
    pub fn into_patch(self, w: Write) -> AppResult<EventPatch> {
        let speakers = w
            .list("input.speakers", self.speakers)?
            .map(|list| {
                list.into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        Ok(SpeakerInput {
                            name: s.name,
                            position: s.position,
                            organisation: s
                                .organisation
                                .map(|id| {
                                    parse(
                                        &format!("input.speakers[{i}].organisation"),
                                        "Organisation",
                                        &id,
                                    )
                                })
                                .transpose()?,
                            organisation_name: s.organisation_name,
                        })
                    })
                    .collect::<AppResult<Vec<_>>>()
            })
            .transpose()?;
        let programmes = w
            .list("input.programmes", self.programmes)?
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, p)| programme_ref(&format!("input.programmes[{i}]"), p))
                    .collect::<AppResult<Vec<_>>>()
            })
            .transpose()?;
        // No venue is an empty one: its city and country both cleared.
        let venue = match (self.venue, w) {
            (MaybeUndefined::Value(v), _) => Some(VenueInput {
                city: v.city,
                country: v.country,
            }),
            (MaybeUndefined::Null, Write::Update) => Some(VenueInput {
                city: None,
                country: None,
            }),
            _ => None,
        };
        let participant_count = match (self.participant_count, w) {
            (MaybeUndefined::Value(n), _) => Change::Set(n),
            (MaybeUndefined::Null, Write::Update) => Change::Clear,
            _ => Change::Keep,
        };
        Ok(EventPatch {
            kind: w.kept("input.kind", self.kind)?,
            title: w.kept("input.title", self.title)?,
            start_date: w.kept("input.startDate", self.start_date)?,
            end_date: w.kept("input.endDate", self.end_date)?,
            venue,
            co_organisers: ids(
                "input.coOrganisers",
                "Organisation",
                w.list("input.coOrganisers", self.co_organisers)?,
            )?,
            speakers,
            themes: w.list("input.themes", self.themes)?,
            summary: clearable(self.summary),
            key_messages: w.list("input.keyMessages", self.key_messages)?,
            participant_count,
            documents: ids(
                "input.documents",
                "Document",
                w.list("input.documents", self.documents)?,
            )?,
            programmes,
            engagements: ids(
                "input.engagements",
                "Engagement",
                w.list("input.engagements", self.engagements)?,
            )?,
        })
    }
}
