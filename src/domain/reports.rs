//! Regional summaries: what a region (an M49 code at any level, or a grouping) received in a
//! period, within what the caller may read. The figures are aggregated by the database (see
//! `storage::reports`); this module resolves the request, rolls the per-country groups up into
//! totals and breakdowns, and names the regions and countries.

pub mod period;
pub mod rollup;

use std::collections::BTreeMap;

use crate::domain::auth::Viewer;
use crate::domain::gazetteer::{self, Gazetteer};
use crate::domain::geography::{self, Country, Region};
use crate::domain::validate;
use crate::error::{AppError, AppResult};
use crate::storage::geography::Area;
use crate::storage::reports::{self as store, Span, SummaryFilter};
use crate::storage::{Db, codelists, programmes};

pub use period::{Period, PeriodSpec};
pub use rollup::{DonorFunding, Figures, Groups, KindCount, Money, StatusCount, Totals, roll_up};

/// What a client asks a summary for.
#[derive(Clone, Debug, Default)]
pub struct SummaryRequest {
    pub region: String,
    /// None: all time.
    pub period: Option<PeriodSpec>,
    pub programme: Option<String>,
}

/// A regional summary.
#[derive(Clone, Debug)]
pub struct RegionalSummary {
    pub area_code: String,
    pub area_name: String,
    pub is_grouping: bool,
    pub period: Option<Period>,
    pub programme: Option<String>,
    pub totals: Totals,
    pub by_status: Vec<StatusCount>,
    pub by_sub_region: Vec<(Region, Figures)>,
    pub by_country: Vec<(Country, Figures)>,
}

/// Resolves the request and computes the summary within the caller's scope.
pub async fn regional_summary(
    db: &Db,
    places: &Gazetteer,
    viewer: &Viewer,
    req: SummaryRequest,
) -> AppResult<RegionalSummary> {
    let scope = viewer.record_scope()?;
    let period = req.period.as_ref().map(period::resolve).transpose()?;
    let region = validate::filter_text("region", Some(&req.region))?.unwrap_or_default();
    let area = geography::area_or_else(db, "region", &region, |c| match c.smallest_region() {
        Some(r) => format!("ask for its region, {r}, and read its row in byCountry"),
        None => "it is in no M49 region below the world, 001".to_string(),
    })
    .await?;
    let programme = match validate::filter_text("programme", req.programme.as_deref())? {
        None => None,
        Some(code) => {
            let code = code.to_ascii_uppercase();
            let found = programmes::find_by_code(db.pool(), &scope, &code).await?;
            Some(found.ok_or_else(|| {
                AppError::bad_input("programme", &format!("there is no programme {code}"))
            })?)
        }
    };
    let filter = SummaryFilter {
        area: area.clone(),
        span: period.map(|p| Span {
            from: p.from_text(),
            to: p.to_text(),
            after: p.after_text(),
        }),
        programme_id: programme.as_ref().map(|p| p.id),
        scope,
    };
    let pool = db.pool();
    let (engaged, engagements, activities, funding, events, lessons, area_name, statuses) = tokio::try_join!(
        store::engaged_countries(pool, &filter),
        store::engagements(pool, &filter),
        store::activities(pool, &filter),
        store::funding(pool, db.backend(), &filter),
        store::events(pool, &filter),
        store::lessons(pool, &filter),
        store::area_name(pool, &area),
        codelists::list_items(pool, "ActivityStatus"),
    )?;
    let totals = roll_up(&Groups {
        reach: rollup::reach(&engaged, &activities),
        engagements,
        activities,
        funding,
        events,
        lessons,
    });
    let (area_code, is_grouping) = match &area {
        Area::World => ("001".to_string(), false),
        Area::Region(code) => (code.clone(), false),
        Area::Grouping(code) => (code.clone(), true),
    };
    let sub_codes: Vec<String> = totals.sub_regions.keys().cloned().collect();
    let country_codes: Vec<String> = totals.countries.keys().cloned().collect();
    // Named from the gazetteer: the tens of places of a summary take no statement of their own.
    let (regions, countries) = tokio::try_join!(
        gazetteer::regions(db, places, &sub_codes),
        gazetteer::countries(db, places, &country_codes),
    )?;
    let status_names: BTreeMap<String, String> =
        statuses.into_iter().map(|c| (c.code, c.name)).collect();
    let by_status = totals
        .by_status
        .iter()
        .map(|(status, count)| StatusCount {
            status: status.clone(),
            name: status_names.get(status).cloned().unwrap_or_default(),
            count: *count,
        })
        .collect();
    let mut by_sub_region: Vec<(Region, Figures)> = regions
        .into_iter()
        .filter(|r| lies_within(r, &area))
        .map(|r| {
            let f = totals.sub_regions.get(&r.code).cloned().unwrap_or_default();
            (r, f)
        })
        .collect();
    by_sub_region.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let mut by_country: Vec<(Country, Figures)> = countries
        .into_iter()
        .map(|c| {
            let mut f = totals.countries.get(&c.iso3).cloned().unwrap_or_default();
            f.countries_reached = i64::from(f.engagements > 0 || f.activities > 0);
            (c, f)
        })
        .collect();
    by_country.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(RegionalSummary {
        area_name: area_name.unwrap_or_else(|| area_code.clone()),
        area_code,
        is_grouping,
        period,
        programme: programme.map(|p| p.code),
        totals,
        by_status,
        by_sub_region,
        by_country,
    })
}

/// Whether a sub-region of the area's countries is a sub-region of the area, or the area
/// itself. Every sub-region of a continent's (or the world's, or a grouping's) countries is; an
/// intermediate region (Western Africa 011) lies inside its sub-region (Sub-Saharan Africa 202)
/// and has none of its own, so its summary lists no sub-region rather than the larger one.
fn lies_within(sub_region: &Region, area: &Area) -> bool {
    match area {
        Area::World | Area::Grouping(_) => true,
        Area::Region(code) => {
            sub_region.code == *code || sub_region.parent_code.as_deref() == Some(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geography::RegionLevel;

    fn sub_region(code: &str, parent: &str) -> Region {
        Region {
            code: code.into(),
            name: code.into(),
            level: RegionLevel::SubRegion,
            parent_code: Some(parent.into()),
        }
    }

    #[test]
    fn a_summary_lists_the_sub_regions_inside_its_area_never_a_larger_one() {
        let sub_saharan = sub_region("202", "002");
        let region = |c: &str| Area::Region(c.into());
        assert!(lies_within(&sub_saharan, &Area::World));
        assert!(lies_within(&sub_saharan, &region("002")));
        assert!(lies_within(&sub_saharan, &region("202")));
        assert!(lies_within(&sub_saharan, &Area::Grouping("G".into())));
        assert!(!lies_within(&sub_saharan, &region("011")), "Western Africa");
    }
}
