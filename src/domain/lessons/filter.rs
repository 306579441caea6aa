//! Turning what a client asks of the lesson list into a checked storage filter, and user text
//! into a full-text query no input can break.

use chrono::Duration;

use crate::domain::records::named_in_filter;
use crate::domain::validate::{self, filter_text};
use crate::domain::{geography, programmes};
use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::storage::lessons::LessonFilter;
use crate::storage::ownership::Kind;
use crate::storage::scope::Scope;

/// The most words a search may hold; more add cost and no precision.
const MAX_WORDS: usize = 20;
/// The longest word kept; longer runs of letters are not words anyone searches for.
const MAX_WORD_CHARS: usize = 60;

/// The lesson list as a client narrows it.
#[derive(Clone, Debug, Default)]
pub struct LessonQuery {
    pub search: Option<String>,
    pub theme: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub source_engagement: Option<i64>,
    pub source_activity: Option<i64>,
    pub source_event: Option<i64>,
    pub source_document: Option<i64>,
    /// A programme code: lessons drawn from its engagements, their activities or its events.
    pub programme: Option<String>,
    /// Recorded on or after this day (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// Recorded on or before this day.
    pub to: Option<String>,
    pub include_archived: bool,
}

/// User text as a full-text query: its words (runs of letters and digits), each double-quoted,
/// separated by spaces. FTS5 reads that as "all of these strings" and PostgreSQL's
/// `websearch_to_tsquery` as "all of these phrases"; quoting keeps words like OR, NOT or NEAR
/// from acting as operators, and nothing but letters and digits ever reaches the parser, so no
/// input can make the query fail.
pub fn fts_query(text: &str) -> AppResult<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| format!("\"{}\"", w.chars().take(MAX_WORD_CHARS).collect::<String>()))
        .collect();
    if words.is_empty() {
        return Err(AppError::bad_input(
            "filter.search",
            "must contain at least one word (letters or digits)",
        ));
    }
    Ok(words.join(" "))
}

/// Checks the codes and ids of a query; unknown ones are the caller's error. A programme or a
/// source outside `scope` is as unknown as one that does not exist.
pub async fn lesson_filter(db: &Db, scope: &Scope, q: LessonQuery) -> AppResult<LessonFilter> {
    let programme_id = match filter_text("filter.programme", q.programme.as_deref())? {
        Some(code) => Some(programmes::named_in_filter(db, scope, &code).await?.id),
        None => None,
    };
    // Text without a single word is refused as blank text is, rather than read as no search.
    let search = filter_text("filter.search", q.search.as_deref())?
        .as_deref()
        .map(fts_query)
        .transpose()?;
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
    let day = |field: &str, v: Option<&str>| {
        filter_text(field, v)?
            .map(|d| validate::date(field, &d))
            .transpose()
    };
    let from = day("filter.from", q.from.as_deref())?;
    let to = day("filter.to", q.to.as_deref())?;
    if let (Some(from), Some(to)) = (from, to) {
        validate::date_order("filter.to", from, to)?;
    }
    Ok(LessonFilter {
        search,
        theme: filter_text("filter.theme", q.theme.as_deref())?,
        country_iso3,
        area,
        source_engagement_id: named_in_filter(
            db,
            scope,
            "filter.sourceEngagement",
            Kind::Engagement,
            q.source_engagement,
        )
        .await?,
        source_activity_id: named_in_filter(
            db,
            scope,
            "filter.sourceActivity",
            Kind::Activity,
            q.source_activity,
        )
        .await?,
        source_event_id: named_in_filter(
            db,
            scope,
            "filter.sourceEvent",
            Kind::Event,
            q.source_event,
        )
        .await?,
        source_document_id: named_in_filter(
            db,
            scope,
            "filter.sourceDocument",
            Kind::Document,
            q.source_document,
        )
        .await?,
        programme_id,
        recorded_from: from.map(|d| d.to_string()),
        recorded_before: to.map(|d| (d + Duration::days(1)).to_string()),
        include_archived: q.include_archived,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_becomes_quoted_words_and_operators_lose_their_power() {
        assert_eq!(
            fts_query("stand-alone interventions").unwrap(),
            "\"stand\" \"alone\" \"interventions\""
        );
        assert_eq!(
            fts_query("\"foo\" OR ( NEAR* -").unwrap(),
            "\"foo\" \"OR\" \"NEAR\""
        );
        assert_eq!(fts_query("Jøran Kallmyr").unwrap(), "\"Jøran\" \"Kallmyr\"");
    }

    #[test]
    fn search_text_without_words_is_refused_on_the_search_field() {
        let err = fts_query("\"\" ( * - ^").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(err.client_message().starts_with("filter.search:"));
    }

    #[test]
    fn search_text_is_capped() {
        let long = "word ".repeat(100);
        assert_eq!(
            fts_query(&long).unwrap().matches('"').count(),
            2 * MAX_WORDS
        );
    }
}
