//! Checking an event patch: every rule names the field as the client wrote it.

use super::{EventKind, EventPatch, ProgrammeRef, SpeakerInput};
use crate::domain::auth::Viewer;
use crate::domain::change::Change;
use crate::domain::records::resolve_documents;
use crate::domain::{geography, validate};
use crate::error::{AppError, AppResult};
use crate::storage::events::{EventFields, EventRow};
use crate::storage::scope::Scope;
use crate::storage::{Db, engagements, organisations, programmes};

/// Trimmed themes without blanks' or case-insensitive repeats; the first spelling wins.
pub fn clean_themes(field: &str, themes: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for (i, t) in themes.iter().enumerate() {
        let t = validate::required_text(&format!("{field}[{i}]"), t, validate::SHORT_TEXT)?;
        if !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
            out.push(t);
        }
    }
    Ok(out)
}

/// A speaker, checked.
pub(super) struct ValidSpeaker {
    pub(super) name: String,
    pub(super) position: String,
    pub(super) organisation_id: Option<i64>,
    pub(super) organisation_name: String,
}

/// Every field of an event after a patch, checked.
pub(super) struct Valid {
    pub(super) kind: EventKind,
    pub(super) title: String,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) city: String,
    pub(super) country: Option<String>,
    pub(super) summary: String,
    pub(super) participant_count: Option<i64>,
    pub(super) organisers: Option<Vec<i64>>,
    pub(super) speakers: Option<Vec<ValidSpeaker>>,
    pub(super) themes: Option<Vec<String>>,
    pub(super) key_messages: Option<Vec<String>>,
    pub(super) documents: Option<Vec<i64>>,
    pub(super) programmes: Option<Vec<(i64, String)>>,
    pub(super) engagements: Option<Vec<(i64, String)>>,
}

impl Valid {
    pub(super) fn fields(&self) -> EventFields<'_> {
        EventFields {
            kind: self.kind.as_str(),
            title: &self.title,
            start_date: &self.start,
            end_date: &self.end,
            venue_city: &self.city,
            venue_country_iso3: self.country.as_deref(),
            summary: &self.summary,
            participant_count: self.participant_count,
        }
    }
}

/// Checks a patch over `before` (None when creating); list fields stay `None` when not given.
pub(super) async fn validate_patch(
    db: &Db,
    viewer: &Viewer,
    before: Option<&EventRow>,
    p: EventPatch,
) -> AppResult<Valid> {
    let required = |v: Option<String>, old: Option<&String>, field: &str| {
        v.or_else(|| old.cloned())
            .ok_or_else(|| AppError::bad_input(field, "is required"))
    };
    let kind = match (p.kind, before) {
        (Some(k), _) => k,
        (None, Some(b)) => EventKind::parse(&b.kind),
        (None, None) => return Err(AppError::bad_input("input.kind", "is required")),
    };
    let title = required(p.title, before.map(|b| &b.title), "input.title")?;
    let title = validate::required_text("input.title", &title, validate::SHORT_TEXT)?;
    let start = required(
        p.start_date,
        before.map(|b| &b.start_date),
        "input.startDate",
    )?;
    let start = validate::date("input.startDate", &start)?;
    let end_kept = before.is_some() && p.end_date.is_none();
    // A one-day event needs no end date.
    let end = match (p.end_date, before) {
        (Some(e), _) => validate::date("input.endDate", &e)?,
        (None, Some(b)) => validate::date("input.endDate", &b.end_date)?,
        (None, None) => start,
    };
    validate::date_order_kept("input.startDate", "input.endDate", start, end, end_kept)?;
    let (city, country) = match p.venue {
        Some(v) => {
            let city = validate::optional_text(
                "input.venue.city",
                v.city.as_deref(),
                validate::SHORT_TEXT,
            )?;
            let country = match v
                .country
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                None => None,
                Some(code) => Some(
                    geography::country(db, code)
                        .await?
                        .ok_or_else(|| {
                            AppError::bad_input(
                                "input.venue.country",
                                &format!("{code} is not a known country code"),
                            )
                        })?
                        .iso3,
                ),
            };
            (city, country)
        }
        None => (
            before.map(|b| b.venue_city.clone()).unwrap_or_default(),
            before.and_then(|b| b.venue_country_iso3.clone()),
        ),
    };
    let summary = match p.summary {
        Some(s) => validate::optional_text("input.summary", Some(&s), validate::LONG_TEXT)?,
        None => before.map(|b| b.summary.clone()).unwrap_or_default(),
    };
    let participant_count = match p.participant_count {
        Change::Set(n) => Some(validate::headcount("input.participantCount", n)?),
        Change::Clear => None,
        Change::Keep => before.and_then(|b| b.participant_count),
    };
    let organisers = match p.co_organisers {
        Some(ids) => Some(resolve_organisations(db, &ids).await?),
        None => None,
    };
    let speakers = match p.speakers {
        Some(list) => Some(resolve_speakers(db, list).await?),
        None => None,
    };
    let themes = p
        .themes
        .map(|t| clean_themes("input.themes", &t))
        .transpose()?;
    let key_messages = match p.key_messages {
        Some(list) => Some(
            list.iter()
                .enumerate()
                .map(|(i, m)| {
                    validate::required_text(
                        &format!("input.keyMessages[{i}]"),
                        m,
                        validate::LONG_TEXT,
                    )
                })
                .collect::<AppResult<Vec<_>>>()?,
        ),
        None => None,
    };
    let documents = match p.documents {
        Some(ids) => Some(resolve_documents(db, "input.documents", &ids).await?),
        None => None,
    };
    let programmes = match p.programmes {
        Some(refs) => Some(resolve_programmes(db, &refs).await?),
        None => None,
    };
    let engagements = match p.engagements {
        Some(ids) => Some(resolve_engagements(db, viewer, &ids).await?),
        None => None,
    };
    Ok(Valid {
        kind,
        title,
        start: start.to_string(),
        end: end.to_string(),
        city,
        country,
        summary,
        participant_count,
        organisers,
        speakers,
        themes,
        key_messages,
        documents,
        programmes,
        engagements,
    })
}

async fn resolve_organisations(db: &Db, ids: &[i64]) -> AppResult<Vec<i64>> {
    validate::distinct("input.coOrganisers", ids)?;
    let found = organisations::by_ids(db.pool(), ids).await?;
    for (i, id) in ids.iter().enumerate() {
        if !found.iter().any(|o| o.id == *id && o.archived_at.is_none()) {
            return Err(AppError::bad_input(
                &format!("input.coOrganisers[{i}]"),
                &format!("there is no organisation Organisation:{id}"),
            ));
        }
    }
    Ok(ids.to_vec())
}

async fn resolve_speakers(db: &Db, list: Vec<SpeakerInput>) -> AppResult<Vec<ValidSpeaker>> {
    let ids: Vec<i64> = list.iter().filter_map(|s| s.organisation).collect();
    let found = organisations::by_ids(db.pool(), &ids).await?;
    let mut out = Vec::with_capacity(list.len());
    for (i, s) in list.into_iter().enumerate() {
        let field = |f: &str| format!("input.speakers[{i}].{f}");
        let name = validate::required_text(&field("name"), &s.name, validate::SHORT_TEXT)?;
        let position = validate::optional_text(
            &field("position"),
            s.position.as_deref(),
            validate::SHORT_TEXT,
        )?;
        let mut org_name = validate::optional_text(
            &field("organisationName"),
            s.organisation_name.as_deref(),
            validate::SHORT_TEXT,
        )?;
        if let Some(id) = s.organisation {
            let org = found.iter().find(|o| o.id == id).ok_or_else(|| {
                AppError::bad_input(
                    &field("organisation"),
                    &format!("there is no organisation Organisation:{id}"),
                )
            })?;
            // The name as it stood when the speaker spoke, should the organisation be renamed.
            if org_name.is_empty() {
                org_name = org.name.clone();
            }
        }
        out.push(ValidSpeaker {
            name,
            position,
            organisation_id: s.organisation,
            organisation_name: org_name,
        });
    }
    Ok(out)
}

async fn resolve_programmes(db: &Db, refs: &[ProgrammeRef]) -> AppResult<Vec<(i64, String)>> {
    let mut out: Vec<(i64, String)> = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        let field = format!("input.programmes[{i}]");
        let row = match r {
            ProgrammeRef::Id(id) => programmes::find(db.pool(), &Scope::All, *id).await?,
            ProgrammeRef::Code(code) => {
                programmes::find_by_code(db.pool(), &Scope::All, &code.trim().to_ascii_uppercase())
                    .await?
            }
        };
        let row = row.filter(|p| p.archived_at.is_none()).ok_or_else(|| {
            let name = match r {
                ProgrammeRef::Id(id) => format!("Programme:{id}"),
                ProgrammeRef::Code(code) => code.clone(),
            };
            AppError::bad_input(&field, &format!("there is no programme {name}"))
        })?;
        if out.iter().any(|(id, _)| *id == row.id) {
            return Err(AppError::bad_input(
                "input.programmes",
                &format!("lists {} twice", row.code),
            ));
        }
        out.push((row.id, row.code));
    }
    Ok(out)
}

/// `(engagement, its programme code)`; engagements outside the caller's scope do not exist.
pub(super) async fn resolve_engagements(
    db: &Db,
    viewer: &Viewer,
    ids: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    validate::distinct("input.engagements", ids)?;
    let scope = viewer.record_scope()?;
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let ctx = engagements::context(db.pool(), &scope, *id)
            .await?
            .filter(|c| !c.archived)
            .ok_or_else(|| {
                AppError::bad_input(
                    &format!("input.engagements[{i}]"),
                    &format!("there is no engagement Engagement:{id}"),
                )
            })?;
        out.push((*id, ctx.programme_code));
    }
    Ok(out)
}
