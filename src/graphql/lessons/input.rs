//! What clients send about lessons: list filters and the fields of a new or changed lesson.

use async_graphql::{ID, InputObject, MaybeUndefined};

use crate::domain::change::Change;
use crate::domain::lessons::{LessonPatch, LessonQuery, LessonSource};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{a, parse, split};
use crate::graphql::patch::{Write, clearable};

/// Narrows a lesson list. All conditions must hold.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct LessonFilterInput {
    /// Words that must all appear in the title, statement, context or evidence (any form of a
    /// word matches: "prisons" finds "prison"). Results come best match first, with a
    /// `relevance`. Quotes and operators are ignored; text without any word is refused.
    pub search: Option<String>,
    /// Only lessons with this theme (case-insensitive, whole theme).
    pub theme: Option<String>,
    /// Only lessons that apply to this country (ISO3, ISO2 or M49 code): naming it, or naming
    /// a region or grouping it belongs to.
    pub country: Option<String>,
    /// Only lessons that apply to this M49 region (any level) or grouping: naming it (or a
    /// region below it), or naming a country in it. A country's code is refused, saying it is
    /// one.
    pub region: Option<String>,
    /// Only lessons drawn from this engagement. A source (this one or the three below) that the
    /// caller cannot read is refused as unknown.
    pub source_engagement: Option<ID>,
    /// Only lessons drawn from this activity.
    pub source_activity: Option<ID>,
    /// Only lessons drawn from this event.
    pub source_event: Option<ID>,
    /// Only lessons drawn from this document (e.g. an evaluation).
    pub source_document: Option<ID>,
    /// Only lessons drawn from this programme (its code, e.g. GLOZ85): from one of its
    /// engagements, an activity of one, or one of its events (linked directly or through an
    /// engagement), as a regional summary narrowed to the programme counts `lessonsRecorded`.
    pub programme: Option<String>,
    /// Only lessons recorded on or after this day (YYYY-MM-DD, UTC), as a regional summary's
    /// `lessonsRecorded` counts them for its period.
    pub from: Option<String>,
    /// Only lessons recorded on or before this day (YYYY-MM-DD, UTC).
    pub to: Option<String>,
    /// Include archived lessons.
    #[graphql(default)]
    pub include_archived: bool,
}

fn opt_id(field: &str, kind: &str, id: Option<ID>) -> AppResult<Option<i64>> {
    id.map(|id| parse(field, kind, &id)).transpose()
}

impl LessonFilterInput {
    pub fn into_query(self) -> AppResult<LessonQuery> {
        Ok(LessonQuery {
            search: self.search,
            theme: self.theme,
            country: self.country,
            region: self.region,
            source_engagement: opt_id(
                "filter.sourceEngagement",
                "Engagement",
                self.source_engagement,
            )?,
            source_activity: opt_id("filter.sourceActivity", "Activity", self.source_activity)?,
            source_event: opt_id("filter.sourceEvent", "Event", self.source_event)?,
            source_document: opt_id("filter.sourceDocument", "Document", self.source_document)?,
            programme: self.programme,
            from: self.from,
            to: self.to,
            include_archived: self.include_archived,
        })
    }
}

/// A lesson's fields. On `recordLesson`, `title` and `statement` are required; on
/// `updateLesson`, fields left out keep their value and lists given replace the whole list, and
/// `null` empties the fields that say so and is refused, naming the field, on the others.
#[derive(InputObject, Default)]
pub struct LessonInput {
    /// A short title.
    pub title: MaybeUndefined<String>,
    /// The lesson itself, in a sentence or two.
    pub statement: MaybeUndefined<String>,
    /// Where and how it was learned; null empties it.
    pub context: MaybeUndefined<String>,
    /// What supports it; null empties it.
    pub evidence: MaybeUndefined<String>,
    /// Where it was drawn from: the id of an Engagement, Activity, Event or Document; null on
    /// `updateLesson` removes it (a lesson drawn from nothing in particular is for admins).
    pub source: MaybeUndefined<ID>,
    /// Themes, e.g. "prison management"; trimmed, repeats (ignoring case) dropped.
    pub themes: MaybeUndefined<Vec<String>>,
    /// Countries it applies to (ISO3, ISO2 or M49 codes). Left out of `recordLesson` with
    /// `areas`, a lesson drawn from an engagement or an activity applies to its countries (an
    /// engagement recorded for a region: to the region); `[]` applies it to none.
    pub countries: MaybeUndefined<Vec<String>>,
    /// M49 regions (e.g. 202 Sub-Saharan Africa) or groupings (e.g. UNODC-MENA) it applies to.
    pub areas: MaybeUndefined<Vec<String>>,
    /// Documents that support it.
    pub documents: MaybeUndefined<Vec<ID>>,
}

fn source(id: &ID) -> AppResult<LessonSource> {
    let (kind, n) = split("input.source", id)?;
    match kind.as_str() {
        "Engagement" => Ok(LessonSource::Engagement(n)),
        "Activity" => Ok(LessonSource::Activity(n)),
        "Event" => Ok(LessonSource::Event(n)),
        "Document" => Ok(LessonSource::Document(n)),
        other => Err(AppError::bad_input(
            "input.source",
            &format!(
                "must be the id of an Engagement, Activity, Event or Document, not of {}",
                a(other)
            ),
        )),
    }
}

impl LessonInput {
    /// The patch these fields make; `null` reads as not given on creation (`Write::Create`).
    pub fn into_patch(self, w: Write) -> AppResult<LessonPatch> {
        let documents = w
            .list("input.documents", self.documents)?
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, id)| parse(&format!("input.documents[{i}]"), "Document", id))
                    .collect::<AppResult<Vec<_>>>()
            })
            .transpose()?;
        Ok(LessonPatch {
            title: w.kept("input.title", self.title)?,
            statement: w.kept("input.statement", self.statement)?,
            context: clearable(self.context),
            evidence: clearable(self.evidence),
            source: match (self.source, w) {
                (MaybeUndefined::Value(id), _) => Change::Set(source(&id)?),
                (MaybeUndefined::Null, Write::Update) => Change::Clear,
                _ => Change::Keep,
            },
            themes: w.list("input.themes", self.themes)?,
            countries: w.list("input.countries", self.countries)?,
            areas: w.list("input.areas", self.areas)?,
            documents,
        })
    }
}
