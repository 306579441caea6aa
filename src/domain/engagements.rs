//! Engagements: validation of the whole record (dates, shares, codes), permissions and writes.

mod draft;
mod identifier;
mod lifecycle;

use super::audit;
use super::auth::Viewer;
use super::records::{archived, require_write, stale};
use crate::error::{AppError, AppResult};
use crate::storage::engagements::{self as store, Children, EngagementRow};
use crate::storage::ownership::{Kind, Owners};
use crate::storage::scope::Scope;
use crate::storage::{Db, programmes};

pub type Engagement = EngagementRow;

pub use super::change::Change;

/// An engagement's fields as a client sends them; on update, absent fields keep their values and
/// a given list replaces the whole list.
#[derive(Clone, Debug, Default)]
pub struct EngagementPatch {
    pub programme: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub objectives: Option<String>,
    pub iati_identifier: Change<String>,
    pub status: Option<String>,
    pub planned_start: Change<String>,
    pub planned_end: Change<String>,
    pub actual_start: Change<String>,
    pub actual_end: Change<String>,
    pub recipient_countries: Option<Vec<(String, f64)>>,
    pub recipient_region: Change<String>,
    pub participating_organisations: Option<Vec<(i64, String)>>,
    pub sectors: Option<Vec<(String, f64)>>,
    pub sdg_targets: Option<Vec<String>>,
    pub policy_markers: Option<Vec<(String, String)>>,
    pub budgets: Option<Vec<BudgetInput>>,
    pub documents: Option<Vec<i64>>,
}

#[derive(Clone, Debug)]
pub struct BudgetInput {
    pub period_start: String,
    pub period_end: String,
    pub amount: f64,
    pub currency: String,
    pub value_date: Option<String>,
}

fn owners(programme: &str, c: &Children) -> Owners {
    Owners {
        programmes: vec![programme.to_string()],
        countries: c.countries.iter().map(|c| c.country_iso3.clone()).collect(),
    }
}

/// The audit snapshot of an engagement: the record with all its lists.
fn snapshot(row: &EngagementRow, c: &Children) -> serde_json::Value {
    // Lists built for a write carry no engagement id yet (0): they are this engagement's.
    let mut lists = serde_json::json!(c);
    for item in lists
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
        .filter_map(|l| l.as_array_mut())
        .flatten()
        .filter_map(|i| i.as_object_mut())
    {
        if item.contains_key("engagement_id") {
            item.insert("engagement_id".into(), row.id.into());
        }
    }
    serde_json::json!({ "engagement": row, "lists": lists })
}

/// The refusal of a country (on `input.country`) that is not among an engagement's recipient
/// `countries`: an activity's and an indicator value's read alike.
pub fn not_a_recipient(iso3: &str, countries: &[String]) -> AppError {
    let allowed = if countries.is_empty() {
        "it names no recipient country".to_string()
    } else {
        format!("allowed: {}", countries.join(", "))
    };
    AppError::bad_input(
        "input.country",
        &format!("{iso3} is not one of the engagement's recipient countries ({allowed})"),
    )
}

pub async fn create(db: &Db, viewer: &Viewer, p: EngagementPatch) -> AppResult<Engagement> {
    let required =
        |v: Option<String>, field: &str| v.ok_or_else(|| AppError::bad_input(field, "is required"));
    let draft = draft::Draft {
        id: None,
        new_identifier: true,
        stored: None,
        new_sectors: true,
        kept_ends: (false, false),
        programme: required(p.programme, "input.programme")?,
        title: required(p.title, "input.title")?,
        description: p.description.unwrap_or_default(),
        objectives: p.objectives.unwrap_or_default(),
        iati_identifier: p.iati_identifier.apply(None),
        status: required(p.status, "input.status")?,
        planned_start: p.planned_start.apply(None),
        planned_end: p.planned_end.apply(None),
        actual_start: p.actual_start.apply(None),
        actual_end: p.actual_end.apply(None),
        countries: p.recipient_countries.unwrap_or_default(),
        region: p.recipient_region.apply(None),
        participants: p.participating_organisations.unwrap_or_default(),
        sectors: p.sectors.unwrap_or_default(),
        sdg_targets: p.sdg_targets.unwrap_or_default(),
        policy_markers: p.policy_markers.unwrap_or_default(),
        budgets: p.budgets.unwrap_or_default(),
        documents: p.documents.unwrap_or_default(),
    };
    let (fields, children, programme) = draft::validate(db, viewer, draft).await?;
    require_write(viewer, Kind::Engagement, &owners(&programme, &children))?;
    identifier::require_unique(db, fields.iati_identifier.as_deref(), None).await?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields).await?;
    store::replace_children(&mut tx, id, &children).await?;
    let after = store::find(&mut *tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read a new engagement", "missing"))?;
    audit::record::<(), _>(
        &mut tx,
        viewer,
        "create",
        "Engagement",
        id,
        None,
        Some(&snapshot(&after, &children)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    p: EngagementPatch,
) -> AppResult<Engagement> {
    let scope = viewer.record_scope()?;
    let before = store::find(db.pool(), &scope, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Engagement:{id}")))?;
    let before_children = store::children(db.pool(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let before_programme = programmes::find(db.pool(), &Scope::All, before.programme_id)
        .await?
        .map(|p| p.code)
        .unwrap_or_default();
    require_write(
        viewer,
        Kind::Engagement,
        &owners(&before_programme, &before_children),
    )?;
    if before.archived_at.is_some() {
        return Err(archived(Kind::Engagement, id));
    }
    // Set once and kept, as IATI asks of a published identifier; but one set under the
    // placeholder reference was never a real one, and moves under the real reference once one
    // is configured.
    let changing = matches!((&before.iati_identifier, &p.iati_identifier),
        (Some(current), Change::Set(new)) if current != new.trim());
    if changing && !identifier::provisional(db, before.iati_identifier.as_deref()).await? {
        return Err(AppError::bad_input(
            "input.iatiIdentifier",
            "cannot change once set",
        ));
    }
    if before.iati_identifier.is_some() && matches!(p.iati_identifier, Change::Clear) {
        return Err(AppError::bad_input(
            "input.iatiIdentifier",
            "cannot be removed once set",
        ));
    }
    let c = &before_children;
    let draft = draft::Draft {
        id: Some(id),
        new_identifier: before.iati_identifier.is_none() || changing,
        new_sectors: p.sectors.is_some(),
        kept_ends: (
            matches!(p.planned_end, Change::Keep),
            matches!(p.actual_end, Change::Keep),
        ),
        stored: Some(draft::Lifecycle {
            status: before.status_code.clone(),
            actual_start: before.actual_start.clone(),
            actual_end: before.actual_end.clone(),
        }),
        programme: p.programme.unwrap_or(before_programme),
        title: p.title.unwrap_or(before.title.clone()),
        description: p.description.unwrap_or(before.description.clone()),
        objectives: p.objectives.unwrap_or(before.objectives.clone()),
        iati_identifier: p.iati_identifier.apply(before.iati_identifier.clone()),
        status: p.status.unwrap_or(before.status_code.clone()),
        planned_start: p.planned_start.apply(before.planned_start.clone()),
        planned_end: p.planned_end.apply(before.planned_end.clone()),
        actual_start: p.actual_start.apply(before.actual_start.clone()),
        actual_end: p.actual_end.apply(before.actual_end.clone()),
        countries: p.recipient_countries.unwrap_or_else(|| {
            c.countries
                .iter()
                .map(|s| (s.country_iso3.clone(), s.percentage))
                .collect()
        }),
        region: p
            .recipient_region
            .apply(before.recipient_region_code.clone()),
        participants: p.participating_organisations.unwrap_or_else(|| {
            c.participants
                .iter()
                .map(|s| (s.organisation_id, s.role_code.clone()))
                .collect()
        }),
        sectors: p.sectors.unwrap_or_else(|| {
            c.sectors
                .iter()
                .map(|s| (s.sector_code.clone(), s.percentage))
                .collect()
        }),
        sdg_targets: p.sdg_targets.unwrap_or_else(|| c.sdg_targets.clone()),
        policy_markers: p.policy_markers.unwrap_or_else(|| {
            c.policy_markers
                .iter()
                .map(|m| (m.marker_code.clone(), m.significance_code.clone()))
                .collect()
        }),
        budgets: p.budgets.unwrap_or_else(|| {
            c.budgets
                .iter()
                .map(|b| BudgetInput {
                    period_start: b.period_start.clone(),
                    period_end: b.period_end.clone(),
                    amount: b.amount,
                    currency: b.currency.clone(),
                    value_date: Some(b.value_date.clone()),
                })
                .collect()
        }),
        documents: p.documents.unwrap_or_else(|| c.documents.clone()),
    };
    let (fields, children, programme) = draft::validate(db, viewer, draft).await?;
    require_write(viewer, Kind::Engagement, &owners(&programme, &children))?;
    identifier::require_unique(db, fields.iati_identifier.as_deref(), Some(id)).await?;
    // An activity's country is one of its engagement's (or inside its region): the recipients
    // may change only where nothing recorded would be left outside them.
    let kept: Vec<String> = children
        .countries
        .iter()
        .map(|c| c.country_iso3.clone())
        .collect();
    let region = fields.recipient_region_code.as_deref();
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, id, version, &fields).await? {
        return Err(stale(Kind::Engagement, id, before.version, version));
    }
    // Read after the update locked the engagement, inside its transaction: an activity or value
    // written meanwhile in a country left out is either seen here or waits and is refused.
    let stranded = store::places_in_use_outside(&mut *tx, id, &kept, region).await?;
    if !stranded.is_empty() {
        let field = if region.is_some() {
            "input.recipientRegion"
        } else {
            "input.recipientCountries"
        };
        return Err(AppError::bad_input(
            field,
            &format!(
                "would leave out {}, where activities or indicator values of this engagement \
                 are recorded; move or archive them first",
                stranded.join(", ")
            ),
        ));
    }
    // Likewise for a new actual start or end: the activities logged must stay within them.
    let start = fields.actual_start.as_deref();
    let end = fields.actual_end.as_deref();
    let (early, late) = store::activities_outside(
        &mut tx,
        id,
        start.filter(|_| fields.actual_start != before.actual_start),
        end.filter(|_| fields.actual_end != before.actual_end),
    )
    .await?;
    let outside = |field: &str, (activity, day): (i64, String), what: &str| {
        Err(AppError::bad_input(
            field,
            &format!(
                "Activity:{activity} {what} on {day}; an engagement's activities take place \
                 within its actual dates: change or archive the activity first"
            ),
        ))
    };
    if let Some(found) = early {
        return outside("input.actualStart", found, "begins earlier,");
    }
    if let Some(found) = late {
        return outside("input.actualEnd", found, "ends later,");
    }
    store::replace_children(&mut tx, id, &children).await?;
    let after = store::find(&mut *tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read an updated engagement", "missing"))?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.version == version;
    if !audit::record_update(
        &mut tx,
        viewer,
        "Engagement",
        id,
        replaced,
        &snapshot(&before, &before_children),
        &snapshot(&after, &children),
    )
    .await?
    {
        return Ok(before);
    }
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_keeps_clears_or_sets() {
        assert_eq!(Change::<i32>::Keep.apply(Some(1)), Some(1));
        assert_eq!(Change::<i32>::Clear.apply(Some(1)), None);
        assert_eq!(Change::Set(2).apply(Some(1)), Some(2));
    }
}
