//! Activity list filters as clients write them, resolved to codes storage can use.

use super::{ActivityKind, country_code};
use crate::domain::geography::area;
use crate::domain::validate::{self, filter_text};
use crate::domain::{programmes, records};
use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::storage::activities::ActivityFilter;
use crate::storage::organisations;
use crate::storage::ownership::Kind;
use crate::storage::scope::Scope;

/// A list filter as a client writes it, before codes are resolved.
#[derive(Default)]
pub struct ActivitySearch {
    pub engagement: Option<i64>,
    pub programme: Option<String>,
    /// An organisation's id: activities of engagements it funds.
    pub donor: Option<i64>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub kind: Option<ActivityKind>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub target_group: Option<String>,
    pub search: Option<String>,
    pub include_archived: bool,
}

/// Resolves the codes and dates of a list filter; unknown ones, and a period that ends before
/// it starts, are the client's error. A programme or engagement outside `scope` is as unknown
/// as one that does not exist.
pub async fn filter(db: &Db, scope: &Scope, q: ActivitySearch) -> AppResult<ActivityFilter> {
    let engagement_id = records::named_in_filter(
        db,
        scope,
        "filter.engagement",
        Kind::Engagement,
        q.engagement,
    )
    .await?;
    let programme_code = match filter_text("filter.programme", q.programme.as_deref())? {
        Some(code) => Some(programmes::named_in_filter(db, scope, &code).await?.code),
        None => None,
    };
    // Organisations are public reference data, so naming an unknown one tells nothing.
    if let Some(d) = q.donor
        && organisations::find(db.pool(), d).await?.is_none()
    {
        return Err(AppError::bad_input(
            "filter.donor",
            &format!("there is no organisation Organisation:{d}"),
        ));
    }
    let country_iso3 = match filter_text("filter.country", q.country.as_deref())? {
        Some(code) => Some(country_code(db, "filter.country", &code).await?),
        None => None,
    };
    let area = match filter_text("filter.region", q.region.as_deref())? {
        Some(code) => Some(area(db, "filter.region", &code).await?),
        None => None,
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
    Ok(ActivityFilter {
        engagement_id,
        programme_code,
        donor_id: q.donor,
        country_iso3,
        area,
        kind: q.kind.map(|k| k.as_str().to_string()),
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        target_group: filter_text("filter.targetGroup", q.target_group.as_deref())?,
        search: filter_text("filter.search", q.search.as_deref())?,
        include_archived: q.include_archived,
    })
}
