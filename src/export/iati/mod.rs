//! IATI 2.03 activity XML: one `iati-activity` per live engagement the caller may read.
//!
//! Engagements without an IATI identifier get `{reporting-org ref}-ENG-{id}`, so every
//! engagement appears; the API gives no other engagement an identifier of that form
//! (`domain::reporting`), so no two activities of a file share one. The body is produced page
//! by page (keyset, `PAGE` engagements at a time) and handed out one activity at a time, so
//! memory does not grow with the number of rows.

mod data;
mod file_format;
mod render;

use std::collections::VecDeque;

use futures_util::Stream;

use crate::domain::{geography, validate};
use crate::error::{AppError, AppResult};
use crate::storage::engagements::{self, EngagementFilter};
use crate::storage::scope::Scope;
use crate::storage::{Db, programmes};

pub use crate::domain::reporting::{DEMO_REPORTING_REF, ReportingOrg};
pub use render::{BUDGET_STATUS, BUDGET_TYPE, identifier};

/// Engagements fetched per statement round.
const PAGE: i64 = 200;

/// Refuses a file that would publish an engagement's own identifier outside the reporting
/// organisation's (`{reference}-...`), which IATI's rules require of every activity it
/// publishes: such identifiers were set under another reference (the placeholder, before a real
/// one was configured, or one configured earlier) and the file would be wrong IATI.
pub async fn require_identifiers_under(
    db: &Db,
    scope: &Scope,
    f: &EngagementFilter,
    org: &ReportingOrg,
) -> AppResult<()> {
    let prefix = format!("{}-", org.reference);
    let outside = engagements::identifiers_outside(db.pool(), scope, f, &prefix, 4).await?;
    let Some((first, ident)) = outside.first() else {
        return Ok(());
    };
    let others = match &outside[1..] {
        [] => String::new(),
        rest => format!(
            " (also {}{})",
            rest.iter()
                .take(2)
                .map(|(id, i)| format!("Engagement:{id} {i}"))
                .collect::<Vec<_>>()
                .join(", "),
            if rest.len() > 2 { ", and more" } else { "" }
        ),
    };
    Err(AppError::conflict(format!(
        "Engagement:{first} has the IATI identifier {ident}, which does not begin with {prefix} \
         (the reporting organisation's identifier and a hyphen){others}, as IATI requires of \
         every activity a file publishes; an identifier set under the placeholder {DEMO_REPORTING_REF} \
         may be changed with updateEngagement, any other one only by archiving its engagement \
         or exporting under the reference it was set under"
    )))
}

/// What the export may be narrowed to, as the caller wrote it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ExportFilter {
    /// A programme code.
    pub programme: Option<String>,
    /// A country: ISO 3166-1 alpha-3 (alpha-2 and M49 are accepted too).
    pub country: Option<String>,
    /// An M49 region at any level ("001" is the world) or a grouping code.
    pub region: Option<String>,
}

impl ExportFilter {
    /// The engagement filter these name; an unknown code is the caller's error, not an empty file,
    /// and so is a filter (with the caller's scope) that selects no engagement: IATI's schema
    /// wants at least one `iati-activity` in a file, so an empty one would not be valid IATI.
    pub async fn resolve(&self, db: &Db, scope: &Scope) -> AppResult<EngagementFilter> {
        let f = self.named(db, scope).await?;
        if engagements::count(db.pool(), scope, &f).await? == 0 {
            return Err(AppError::nothing(
                "no engagement to export matches these filters (an IATI file holds at least one \
                 activity)",
            ));
        }
        Ok(f)
    }

    async fn named(&self, db: &Db, scope: &Scope) -> AppResult<EngagementFilter> {
        let mut f = EngagementFilter::default();
        // A parameter given blank (region=) is refused by name, as the API refuses one.
        let given = |field: &str, s: &Option<String>| validate::filter_text(field, s.as_deref());
        if let Some(code) = given("programme", &self.programme)? {
            let code = code.to_ascii_uppercase();
            let p = programmes::find_by_code(db.pool(), scope, &code)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input("programme", &format!("there is no programme {code}"))
                })?;
            f.programme_id = Some(p.id);
        }
        // Codes are read as the API and the CSV read them: any case, M49 codes unpadded.
        if let Some(code) = given("country", &self.country)? {
            let c = geography::country(db, &code).await?.ok_or_else(|| {
                AppError::bad_input("country", &format!("{code} is not a known country code"))
            })?;
            f.country_iso3 = Some(c.iso3);
        }
        if let Some(code) = given("region", &self.region)? {
            f.area = Some(geography::area(db, "region", &code).await?);
        }
        Ok(f)
    }
}

enum State {
    Start,
    Body {
        after: Option<(String, i64)>,
        pending: VecDeque<String>,
        exhausted: bool,
    },
    Done,
}

/// The export as a stream of text chunks: the header, one chunk per activity, the footer.
pub fn stream(
    db: Db,
    scope: Scope,
    filter: EngagementFilter,
    org: ReportingOrg,
) -> impl Stream<Item = AppResult<String>> + Send + 'static {
    stream_paged(db, scope, filter, org, PAGE)
}

/// [`stream`] fetching `page` engagements per round (small pages let tests cross boundaries).
pub fn stream_paged(
    db: Db,
    scope: Scope,
    filter: EngagementFilter,
    org: ReportingOrg,
    page: i64,
) -> impl Stream<Item = AppResult<String>> + Send + 'static {
    let page = page.max(1);
    futures_util::stream::unfold(State::Start, move |state| {
        let (db, scope, filter, org) = (db.clone(), scope.clone(), filter.clone(), org.clone());
        async move {
            match state {
                State::Start => {
                    let header = format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                         <iati-activities version=\"2.03\" generated-datetime=\"{}\">\n",
                        crate::storage::now()
                    );
                    let next = State::Body {
                        after: None,
                        pending: VecDeque::new(),
                        exhausted: false,
                    };
                    Some((Ok(header), next))
                }
                State::Body {
                    mut after,
                    mut pending,
                    mut exhausted,
                } => {
                    while pending.is_empty() && !exhausted {
                        match next_page(&db, &scope, &filter, &org, &after, page).await {
                            Ok((chunks, last)) => {
                                exhausted = (chunks.len() as i64) < page;
                                after = last;
                                pending.extend(chunks);
                            }
                            Err(e) => return Some((Err(e), State::Done)),
                        }
                    }
                    match pending.pop_front() {
                        Some(chunk) => Some((
                            Ok(chunk),
                            State::Body {
                                after,
                                pending,
                                exhausted,
                            },
                        )),
                        None => Some((Ok("</iati-activities>\n".to_string()), State::Done)),
                    }
                }
                State::Done => None,
            }
        }
    })
}

/// The activities of the page after `after`, and the keyset of its last engagement.
async fn next_page(
    db: &Db,
    scope: &Scope,
    filter: &EngagementFilter,
    org: &ReportingOrg,
    after: &Option<(String, i64)>,
    limit: i64,
) -> AppResult<(Vec<String>, Option<(String, i64)>)> {
    let rows = data::page(db.pool(), scope, filter, after.clone(), limit).await?;
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let details = data::details(db.pool(), scope, &ids).await?;
    let last = rows.last().map(|e| (e.active_from.clone(), e.id));
    let chunks = rows
        .iter()
        .map(|e| render::activity(e, &details, org))
        .collect();
    Ok((chunks, last))
}
