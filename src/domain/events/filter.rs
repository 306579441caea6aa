//! Turning what a client asks of the event list into a checked storage filter.

use super::{EventKind, ProgrammeRef};
use crate::domain::validate::{self, filter_text};
use crate::domain::{geography, records};
use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::storage::events::EventFilter;
use crate::storage::ownership::Kind;
use crate::storage::programmes;
use crate::storage::scope::Scope;

/// The most words a text search may hold; more add cost and no precision.
const MAX_WORDS: usize = 20;

/// The event list as a client narrows it.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    pub search: Option<String>,
    pub kind: Option<EventKind>,
    pub theme: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub programme: Option<ProgrammeRef>,
    pub engagement: Option<i64>,
    pub include_archived: bool,
}

/// Lower-cased search words, with the punctuation people type around words removed.
pub fn search_words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .collect()
}

/// Checks the codes, ids and dates of a query; unknown ones are the caller's error. A programme
/// or engagement outside `scope` is as unknown as one that does not exist.
pub async fn filter(db: &Db, scope: &Scope, q: EventQuery) -> AppResult<EventFilter> {
    let country_iso3 = match filter_text("filter.country", q.country.as_deref())? {
        None => None,
        Some(code) => Some(
            geography::country(db, &code)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(
                        "filter.country",
                        &format!("{code} is not a known country code"),
                    )
                })?
                .iso3,
        ),
    };
    let area = match filter_text("filter.region", q.region.as_deref())? {
        None => None,
        Some(code) => Some(geography::area(db, "filter.region", &code).await?),
    };
    let from = filter_text("filter.from", q.from.as_deref())?
        .map(|d| validate::date("filter.from", &d))
        .transpose()?;
    let to = filter_text("filter.to", q.to.as_deref())?
        .map(|d| validate::date("filter.to", &d))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        validate::date_order("filter.to", from, to)?;
    }
    let programme_id = match q.programme {
        None => None,
        Some(r) => {
            let (row, given) = match &r {
                ProgrammeRef::Id(id) => (
                    programmes::find(db.pool(), scope, *id).await?,
                    format!("Programme:{id}"),
                ),
                ProgrammeRef::Code(code) => {
                    let code = filter_text("filter.programme", Some(code))?.unwrap_or_default();
                    let row =
                        programmes::find_by_code(db.pool(), scope, &code.to_ascii_uppercase())
                            .await?;
                    (row, code)
                }
            };
            let row = row.ok_or_else(|| {
                AppError::bad_input(
                    "filter.programme",
                    &format!("there is no programme {given}"),
                )
            })?;
            Some(row.id)
        }
    };
    Ok(EventFilter {
        words: match filter_text("filter.search", q.search.as_deref())? {
            None => Vec::new(),
            // Text without a single word is refused, as in a lessons search, rather than read
            // as no search at all.
            Some(text) => match search_words(&text) {
                words if words.is_empty() => {
                    return Err(AppError::bad_input(
                        "filter.search",
                        "must contain at least one word (letters or digits)",
                    ));
                }
                words => words,
            },
        },
        kind: q.kind.map(|k| k.as_str().to_string()),
        theme: filter_text("filter.theme", q.theme.as_deref())?,
        country_iso3,
        area,
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        programme_id,
        engagement_id: records::named_in_filter(
            db,
            scope,
            "filter.engagement",
            Kind::Engagement,
            q.engagement,
        )
        .await?,
        include_archived: q.include_archived,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_lower_cased_and_stripped_of_surrounding_punctuation() {
        assert_eq!(
            search_words("  \"Radicalization\", PRISONS!  -- "),
            vec!["radicalization", "prisons"]
        );
        assert_eq!(search_words("stand-alone"), vec!["stand-alone"]);
        assert!(search_words("\"\" ( * -").is_empty());
    }
}
