//! What clients send about events: list filters and the fields of a new or changed event.

use async_graphql::{ID, InputObject, MaybeUndefined};

use crate::domain::events::{
    EventKind, EventPatch, EventQuery, ProgrammeRef, SpeakerInput, VenueInput,
};
use crate::error::AppResult;
use crate::graphql::engagement_inputs::clearable;
use crate::graphql::ids::{parse, split};

/// Narrows an event list. All conditions must hold.
#[derive(InputObject, Default)]
pub struct EventFilterInput {
    /// Words that must all appear (case-insensitive) in the title, summary, key messages,
    /// themes, venue city or speakers' names, e.g. "radicalization prisons".
    pub search: Option<String>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events with this theme (case-insensitive, whole theme), e.g. "prison management".
    pub theme: Option<String>,
    /// Only events held in this country (ISO3, ISO2 or M49 code).
    pub country: Option<String>,
    /// Only events held in this M49 region (any level) or grouping, e.g. 035 or UNODC-MENA.
    pub region: Option<String>,
    /// Only events ending on or after this date (YYYY-MM-DD).
    pub from: Option<String>,
    /// Only events starting on or before this date (YYYY-MM-DD).
    pub to: Option<String>,
    /// Only events of this programme, by code (GLOZ85) or id, linked directly or through an
    /// engagement.
    pub programme: Option<String>,
    /// Only events linked to this engagement.
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
/// `updateEvent`, fields left out keep their value and lists given replace the whole list.
#[derive(InputObject, Default)]
pub struct EventInput {
    /// What kind of event it is.
    pub kind: Option<EventKind>,
    /// Title, e.g. "First High-Level Dialogue on the Prevention of Radicalization to Violence in
    /// Prisons".
    pub title: Option<String>,
    /// First day, YYYY-MM-DD.
    pub start_date: Option<String>,
    /// Last day, YYYY-MM-DD; the start date when not given on creation.
    pub end_date: Option<String>,
    /// Where it took place.
    pub venue: Option<VenueInputGql>,
    /// The organisations (Member State governments included) that organised it, UNODC included.
    pub co_organisers: Option<Vec<ID>>,
    /// Who spoke, in the order to show them.
    pub speakers: Option<Vec<SpeakerInputGql>>,
    /// Themes, e.g. "prison management"; trimmed, repeats (ignoring case) dropped.
    pub themes: Option<Vec<String>>,
    /// What it was and who took part; null empties it.
    pub summary: MaybeUndefined<String>,
    /// The key messages, in order.
    pub key_messages: Option<Vec<String>>,
    /// How many people took part.
    pub participant_count: Option<i64>,
    /// Documents presented or referred to.
    pub documents: Option<Vec<ID>>,
    /// Programmes it belongs to, by id (Programme:1) or code (GLOZ85).
    pub programmes: Option<Vec<String>>,
    /// Engagements it belongs to.
    pub engagements: Option<Vec<ID>>,
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
    pub fn into_patch(self) -> AppResult<EventPatch> {
        let speakers = self
            .speakers
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
        let programmes = self
            .programmes
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, p)| programme_ref(&format!("input.programmes[{i}]"), p))
                    .collect::<AppResult<Vec<_>>>()
            })
            .transpose()?;
        Ok(EventPatch {
            kind: self.kind,
            title: self.title,
            start_date: self.start_date,
            end_date: self.end_date,
            venue: self.venue.map(|v| VenueInput {
                city: v.city,
                country: v.country,
            }),
            co_organisers: ids("input.coOrganisers", "Organisation", self.co_organisers)?,
            speakers,
            themes: self.themes,
            summary: clearable(self.summary),
            key_messages: self.key_messages,
            participant_count: self.participant_count,
            documents: ids("input.documents", "Document", self.documents)?,
            programmes,
            engagements: ids("input.engagements", "Engagement", self.engagements)?,
        })
    }
}
