//! Activity list filters as clients write them, resolved to codes storage can use.

use super::{ActivityKind, country_code};
use crate::domain::geography::area;
use crate::domain::validate;
use crate::error::AppResult;
use crate::storage::Db;
use crate::storage::activities::ActivityFilter;

/// A list filter as a client writes it, before codes are resolved.
#[derive(Default)]
pub struct ActivitySearch {
    pub engagement: Option<i64>,
    pub programme: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub kind: Option<ActivityKind>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub target_group: Option<String>,
    pub search: Option<String>,
    pub include_archived: bool,
}

fn non_blank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Resolves the codes and dates of a list filter; unknown ones are the client's error.
pub async fn filter(db: &Db, q: ActivitySearch) -> AppResult<ActivityFilter> {
    let country_iso3 = match non_blank(q.country) {
        Some(code) => Some(country_code(db, "filter.country", &code).await?),
        None => None,
    };
    let area = match non_blank(q.region) {
        Some(code) => Some(area(db, "filter.region", &code).await?),
        None => None,
    };
    let from = non_blank(q.from)
        .map(|d| validate::date("filter.from", &d).map(|d| d.to_string()))
        .transpose()?;
    let to = non_blank(q.to)
        .map(|d| validate::date("filter.to", &d).map(|d| d.to_string()))
        .transpose()?;
    Ok(ActivityFilter {
        engagement_id: q.engagement,
        programme_code: non_blank(q.programme).map(|c| c.to_ascii_uppercase()),
        country_iso3,
        area,
        kind: q.kind.map(|k| k.as_str().to_string()),
        from,
        to,
        target_group: non_blank(q.target_group),
        search: non_blank(q.search),
        include_archived: q.include_archived,
    })
}
