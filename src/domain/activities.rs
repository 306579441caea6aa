//! Activities logged under an engagement: what was done, where, when, with whom.

mod search;
mod values;

pub use search::{ActivitySearch, filter};
pub use values::{ActivityKind, Counts, Participants};

use chrono::NaiveDate;

use super::auth::{Role, Viewer};
use super::geography::country;
use super::records::{archived, require_write, resolve_documents, stale};
use super::{audit, validate};
use crate::error::{AppError, AppResult};
use crate::storage::activities::{self as store, ActivityFields, ActivityRow};
use crate::storage::engagements::{self, EngagementContext};
use crate::storage::geography::Area;
use crate::storage::ownership::{self, Kind, Owners};
use crate::storage::scope::{Scope, set_links};
use crate::storage::{Db, Tx};

pub type Activity = ActivityRow;

/// An activity's fields as a client sends them; `None` keeps the current value on update, and
/// a given list replaces the current one.
#[derive(Default)]
pub struct ActivityPatch {
    pub engagement: Option<i64>,
    pub kind: Option<ActivityKind>,
    pub title: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub country: Option<String>,
    pub place: Option<String>,
    /// The counts given; on update, one left out keeps its value (on creation, 0).
    pub participants: Option<Counts>,
    pub target_group: Option<String>,
    pub description: Option<String>,
    pub results: Option<Vec<i64>>,
    pub documents: Option<Vec<i64>>,
}

/// The record as audited: its row with the ids it links to.
#[derive(serde::Serialize)]
struct Snapshot {
    #[serde(flatten)]
    row: ActivityRow,
    results: Vec<i64>,
    documents: Vec<i64>,
}

async fn snapshot(tx: &mut Tx, id: i64) -> AppResult<Snapshot> {
    let row = store::find(&mut **tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read an activity", "missing"))?;
    let results = store::result_links(&mut **tx, &[id]).await?;
    let documents = store::document_links(&mut **tx, &[id]).await?;
    Ok(Snapshot {
        row,
        results: results.into_iter().map(|(_, r)| r).collect(),
        documents: documents.into_iter().map(|(_, d)| d).collect(),
    })
}

/// An engagement activities may be logged under: visible to the caller and not archived.
async fn engagement(db: &Db, scope: &Scope, id: i64) -> AppResult<EngagementContext> {
    let found = engagements::context(db.pool(), scope, id).await?;
    match found {
        Some(e) if !e.archived => Ok(e),
        Some(_) => Err(AppError::bad_input(
            "input.engagement",
            &format!("Engagement:{id} is archived; activities cannot be logged under it"),
        )),
        None => Err(AppError::bad_input(
            "input.engagement",
            &format!("there is no engagement Engagement:{id}"),
        )),
    }
}

/// Resolves a country code (ISO3, ISO2 or M49) given at `field` to ISO3.
async fn country_code(db: &Db, field: &str, code: &str) -> AppResult<String> {
    country(db, code).await?.map(|c| c.iso3).ok_or_else(|| {
        AppError::bad_input(
            field,
            &format!("{} is not a known country code", code.trim()),
        )
    })
}

/// An activity takes place while its engagement runs: not before the day it actually started
/// nor after the day it actually ended, where those are recorded. (Dates are `YYYY-MM-DD`, so
/// they compare as text.)
fn within_actual_dates(
    engagement_id: i64,
    actual_start: Option<&str>,
    actual_end: Option<&str>,
    start: &str,
    end: &str,
) -> AppResult<()> {
    let outside = |field: &str, day: &str, relation: &str, bound: &str| {
        Err(AppError::bad_input(
            field,
            &format!(
                "{day} is {relation} Engagement:{engagement_id} actually {bound}; an activity \
                 takes place within its engagement's actual dates"
            ),
        ))
    };
    if let Some(last) = actual_end
        && start > last
    {
        return outside(
            "input.startDate",
            start,
            "after",
            &format!("ended ({last})"),
        );
    }
    if let Some(first) = actual_start
        && start < first
    {
        return outside(
            "input.startDate",
            start,
            "before",
            &format!("started ({first})"),
        );
    }
    if let Some(last) = actual_end
        && end > last
    {
        return outside("input.endDate", end, "after", &format!("ended ({last})"));
    }
    Ok(())
}

/// The country must be a recipient of the engagement, or lie inside its recipient region, and
/// the engagement must not be archived. Read inside the write's transaction after the write
/// locked the engagement (`store::insert` and `store::update` do; SQLite's writers take turns),
/// so a concurrent change of its recipients or its archiving cannot strand the activity.
/// When `dates` is given (the activity's new first and last day), they must also lie within
/// the engagement's actual dates, read under the same lock.
async fn require_placement(
    db: &Db,
    tx: &mut Tx,
    engagement_id: i64,
    iso3: &str,
    dates: Option<(&str, &str)>,
) -> AppResult<()> {
    let placement = engagements::recipients(tx, engagement_id)
        .await?
        .ok_or_else(|| AppError::internal("read an activity's engagement", "missing"))?;
    if placement.archived {
        return Err(AppError::conflict(format!(
            "Engagement:{engagement_id} was archived meanwhile; activities cannot be logged under it"
        )));
    }
    if let Some((start, end)) = dates {
        within_actual_dates(
            engagement_id,
            placement.actual_start.as_deref(),
            placement.actual_end.as_deref(),
            start,
            end,
        )?;
    }
    let (countries, region) = (placement.countries, placement.region);
    if countries.iter().any(|c| c == iso3) {
        return Ok(());
    }
    if countries.is_empty()
        && let Some(region) = &region
    {
        if store::area_contains(db.pool(), &Area::Region(region.clone()), iso3).await? {
            return Ok(());
        }
        return Err(AppError::bad_input(
            "input.country",
            &format!(
                "{iso3} is not inside the engagement's recipient region {region}; \
                 the activity must take place in it"
            ),
        ));
    }
    Err(super::engagements::not_a_recipient(iso3, &countries))
}

/// Results must be live and belong to the engagement or its programme.
async fn require_results(
    db: &Db,
    field: &str,
    e: &EngagementContext,
    ids: &[i64],
) -> AppResult<Vec<i64>> {
    validate::distinct(field, ids)?;
    let found = store::results_within(db.pool(), ids, e.id, e.programme_id).await?;
    for (i, id) in ids.iter().enumerate() {
        if !found.contains(id) {
            return Err(AppError::bad_input(
                &format!("{field}[{i}]"),
                &format!(
                    "Result:{id} is not a live result of Engagement:{} or of programme {}",
                    e.id, e.programme_code
                ),
            ));
        }
    }
    Ok(ids.to_vec())
}

/// A validated activity, ready to store.
struct Valid {
    kind: ActivityKind,
    title: String,
    first_day: NaiveDate,
    start: String,
    end: String,
    country: String,
    place: String,
    participants: Participants,
    target_group: String,
    description: String,
}

impl Valid {
    fn fields(&self, engagement_id: i64) -> ActivityFields<'_> {
        ActivityFields {
            engagement_id,
            kind: self.kind.as_str(),
            title: &self.title,
            start_date: &self.start,
            end_date: &self.end,
            country_iso3: &self.country,
            place: &self.place,
            participants_total: self.participants.total,
            participants_female: self.participants.female,
            participants_male: self.participants.male,
            target_group: &self.target_group,
            description: &self.description,
        }
    }
}

/// Checks the values that need no database. `end_kept`: the end is the one the record has (an
/// update that gave no end), so a start moved past it is what the error names.
#[allow(clippy::too_many_arguments)]
fn validate_fields(
    kind: ActivityKind,
    title: &str,
    start: &str,
    end: &str,
    end_kept: bool,
    country: String,
    place: &str,
    participants: Participants,
    target_group: &str,
    description: &str,
) -> AppResult<Valid> {
    let title = validate::required_text("input.title", title, validate::SHORT_TEXT)?;
    let s = validate::date("input.startDate", start)?;
    let e = validate::date("input.endDate", end)?;
    validate::date_order_kept("input.startDate", "input.endDate", s, e, end_kept)?;
    Ok(Valid {
        kind,
        title,
        first_day: s,
        start: s.to_string(),
        end: e.to_string(),
        country,
        place: validate::optional_text("input.place", Some(place), validate::SHORT_TEXT)?,
        participants,
        target_group: validate::optional_text(
            "input.targetGroup",
            Some(target_group),
            validate::SHORT_TEXT,
        )?,
        description: validate::optional_text(
            "input.description",
            Some(description),
            validate::LONG_TEXT,
        )?,
    })
}

/// The participants after `change`, from `recorded` (none when an activity is logged).
fn participants(recorded: Participants, change: Option<Counts>) -> AppResult<Participants> {
    match change {
        Some(c) => Participants::changed("input.participants", recorded, c),
        None => Ok(recorded),
    }
}

fn owners(e: &EngagementContext, country: &str) -> Owners {
    Owners {
        programmes: vec![e.programme_code.clone()],
        countries: vec![country.to_string()],
    }
}

/// Logs an activity under an engagement (admins, and officers of the engagement's programme and,
/// when their token names countries, of the activity's country).
pub async fn log(db: &Db, viewer: &Viewer, p: ActivityPatch) -> AppResult<Activity> {
    let scope = viewer.record_scope()?;
    viewer.require_role(&[Role::Admin, Role::Officer], "log activities")?;
    let required = |field: &str| AppError::bad_input(field, "is required");
    let engagement_id = p.engagement.ok_or_else(|| required("input.engagement"))?;
    let e = engagement(db, &scope, engagement_id).await?;
    let code = p
        .country
        .as_deref()
        .ok_or_else(|| required("input.country"))?;
    let iso3 = country_code(db, "input.country", code).await?;
    require_write(viewer, Kind::Activity, &owners(&e, &iso3))?;
    let v = validate_fields(
        p.kind.ok_or_else(|| required("input.kind"))?,
        p.title.as_deref().ok_or_else(|| required("input.title"))?,
        p.start_date
            .as_deref()
            .ok_or_else(|| required("input.startDate"))?,
        p.end_date
            .as_deref()
            .ok_or_else(|| required("input.endDate"))?,
        false,
        iso3,
        p.place.as_deref().unwrap_or(""),
        participants(Participants::default(), p.participants)?,
        p.target_group.as_deref().unwrap_or(""),
        p.description.as_deref().unwrap_or(""),
    )?;
    validate::begun("input.startDate", v.first_day)?;
    let results = require_results(db, "input.results", &e, &p.results.unwrap_or_default()).await?;
    let documents =
        resolve_documents(db, "input.documents", &p.documents.unwrap_or_default()).await?;

    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &v.fields(e.id)).await?;
    require_placement(db, &mut tx, e.id, &v.country, Some((&v.start, &v.end))).await?;
    set_links(
        &mut tx,
        "activity_results",
        "activity_id",
        "result_id",
        id,
        &results,
    )
    .await?;
    set_links(
        &mut tx,
        "activity_documents",
        "activity_id",
        "document_id",
        id,
        &documents,
    )
    .await?;
    let after = snapshot(&mut tx, id).await?;
    audit::record::<(), _>(
        &mut tx,
        viewer,
        "create",
        Kind::Activity.name(),
        id,
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.row)
}

/// Changes an activity. The caller must be allowed to write both where it is now and where the
/// change puts it (engagement and country).
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    p: ActivityPatch,
) -> AppResult<Activity> {
    let scope = viewer.record_scope()?;
    let before = store::find(db.pool(), &scope, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Activity:{id}")))?;
    let current = ownership::owners(db.pool(), Kind::Activity, id).await?;
    require_write(viewer, Kind::Activity, &current)?;
    if before.archived_at.is_some() {
        return Err(archived(Kind::Activity, id));
    }
    let moved = p.engagement.is_some_and(|e| e != before.engagement_id);
    let e = engagement(db, &scope, p.engagement.unwrap_or(before.engagement_id)).await?;
    let iso3 = match &p.country {
        Some(code) => country_code(db, "input.country", code).await?,
        None => before.country_iso3.clone(),
    };
    require_write(viewer, Kind::Activity, &owners(&e, &iso3))?;
    let v = validate_fields(
        p.kind.unwrap_or_else(|| ActivityKind::parse(&before.kind)),
        p.title.as_deref().unwrap_or(&before.title),
        p.start_date.as_deref().unwrap_or(&before.start_date),
        p.end_date.as_deref().unwrap_or(&before.end_date),
        p.end_date.is_none(),
        iso3,
        p.place.as_deref().unwrap_or(&before.place),
        participants(Participants::of(&before), p.participants)?,
        p.target_group.as_deref().unwrap_or(&before.target_group),
        p.description.as_deref().unwrap_or(&before.description),
    )?;
    // Judged when it changes, so an activity kept from before the rule takes other corrections.
    if v.start != before.start_date {
        validate::begun("input.startDate", v.first_day)?;
    }
    // Linked results must still fit when the activity moves to another engagement.
    let results = match &p.results {
        Some(ids) => Some(require_results(db, "input.results", &e, ids).await?),
        None if moved => {
            let linked: Vec<i64> = store::result_links(db.pool(), &[id])
                .await?
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            require_results(db, "input.results", &e, &linked).await?;
            None
        }
        None => None,
    };
    let documents = match &p.documents {
        Some(ids) => Some(resolve_documents(db, "input.documents", ids).await?),
        None => None,
    };

    let mut tx = db.begin().await?;
    let prior = snapshot(&mut tx, id).await?;
    if !store::update(&mut tx, id, version, &v.fields(e.id)).await? {
        return Err(stale(Kind::Activity, id, prior.row.version, version));
    }
    // Judged when they change, like the first day above.
    let dates = (moved || v.start != before.start_date || v.end != before.end_date)
        .then_some((v.start.as_str(), v.end.as_str()));
    require_placement(db, &mut tx, e.id, &v.country, dates).await?;
    if let Some(results) = results {
        set_links(
            &mut tx,
            "activity_results",
            "activity_id",
            "result_id",
            id,
            &results,
        )
        .await?;
    }
    if let Some(documents) = documents {
        set_links(
            &mut tx,
            "activity_documents",
            "activity_id",
            "document_id",
            id,
            &documents,
        )
        .await?;
    }
    let after = snapshot(&mut tx, id).await?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = prior.row.version == version;
    if !audit::record_update(
        &mut tx,
        viewer,
        Kind::Activity.name(),
        id,
        replaced,
        &prior,
        &after,
    )
    .await?
    {
        return Ok(prior.row);
    }
    tx.commit().await?;
    Ok(after.row)
}
