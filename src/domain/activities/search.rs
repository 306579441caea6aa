//! Activity list filters as clients write them, resolved to codes storage can use.

use super::{ActivityKind, country_code};
use crate::domain::geography::area;
use crate::domain::{programmes, validate};
use crate::error::AppResult;
use crate::storage::Db;
use crate::storage::activities::ActivityFilter;
use crate::storage::scope::Scope;

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

/// Resolves the codes and dates of a list filter; unknown ones, and a period that ends before
/// it starts, are the client's error. A programme outside `scope` is as unknown as one that
/// does not exist.
pub async fn filter(db: &Db, scope: &Scope, q: ActivitySearch) -> AppResult<ActivityFilter> {
    let programme_code = match non_blank(q.programme) {
        Some(code) => Some(programmes::named_in_filter(db, scope, &code).await?.code),
        None => None,
    };
    let country_iso3 = match non_blank(q.country) {
        Some(code) => Some(country_code(db, "filter.country", &code).await?),
        None => None,
    };
    let area = match non_blank(q.region) {
        Some(code) => Some(area(db, "filter.region", &code).await?),
        None => None,
    };
    let from = non_blank(q.from)
        .map(|d| validate::date("filter.from", &d))
        .transpose()?;
    let to = non_blank(q.to)
        .map(|d| validate::date("filter.to", &d))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        validate::date_order("filter.to", from, to)?;
    }
    Ok(ActivityFilter {
        engagement_id: q.engagement,
        programme_code,
        country_iso3,
        area,
        kind: q.kind.map(|k| k.as_str().to_string()),
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        target_group: non_blank(q.target_group),
        search: non_blank(q.search),
        include_archived: q.include_archived,
    })
}
