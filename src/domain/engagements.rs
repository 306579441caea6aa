//! Engagements: validation of the whole record (dates, shares, codes), permissions and writes.

mod identifier;
mod lifecycle;

use chrono::{Datelike, NaiveDate};

use super::auth::Viewer;
use super::records::{archived, require_write, resolve_documents, stale};
use super::{audit, codes, geography, validate};
use crate::error::{AppError, AppResult};
use crate::storage::engagements::{
    self as store, Budget, Children, CountryShare, EngagementFields, EngagementRow, Participant,
    PolicyMarker, SectorShare,
};
use crate::storage::ownership::{Kind, Owners};
use crate::storage::scope::Scope;
use crate::storage::{Db, organisations, programmes};

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

/// The record before validation: the current one with the patch applied.
struct Draft {
    /// The engagement being updated; None when creating.
    id: Option<i64>,
    /// Whether `iati_identifier` is being set now (it never changes once set, and one set before
    /// a rule about identifiers was added stays as it was).
    new_identifier: bool,
    /// The status and actual dates stored before this write (None when creating). The rules on
    /// them (actual dates in the past, a status that agrees with them) judge what the write
    /// changes, so a record kept from before a rule can still be corrected field by field.
    stored: Option<Lifecycle>,
    /// Whether the sectors are being given now (always when creating): IATI asks every activity
    /// for one, and a record kept from before that rule takes other corrections as it is.
    new_sectors: bool,
    /// Whether the planned and actual ends are the ones stored (an update that gave neither): a
    /// start moved past such an end is what a refusal names.
    kept_ends: (bool, bool),
    programme: String,
    title: String,
    description: String,
    objectives: String,
    iati_identifier: Option<String>,
    status: String,
    planned_start: Option<String>,
    planned_end: Option<String>,
    actual_start: Option<String>,
    actual_end: Option<String>,
    countries: Vec<(String, f64)>,
    region: Option<String>,
    participants: Vec<(i64, String)>,
    sectors: Vec<(String, f64)>,
    sdg_targets: Vec<String>,
    policy_markers: Vec<(String, String)>,
    budgets: Vec<BudgetInput>,
    documents: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
struct Lifecycle {
    status: String,
    actual_start: Option<String>,
    actual_end: Option<String>,
}

fn optional_date(field: &str, v: &Option<String>) -> AppResult<Option<NaiveDate>> {
    v.as_deref().map(|d| validate::date(field, d)).transpose()
}

/// One year at most, as IATI asks of budget periods.
fn within_a_year(start: NaiveDate, end: NaiveDate) -> bool {
    let limit = start
        .with_year(start.year() + 1)
        .unwrap_or(start + chrono::Days::new(365));
    end < limit
}

async fn validate_draft(
    db: &Db,
    viewer: &Viewer,
    d: Draft,
) -> AppResult<(EngagementFields, Children, String)> {
    let scope = viewer.record_scope()?;
    let programme = programmes::find_by_code(db.pool(), &scope, d.programme.trim())
        .await?
        .filter(|p| p.archived_at.is_none())
        .ok_or_else(|| {
            AppError::bad_input(
                "input.programme",
                &format!("there is no programme {}", d.programme.trim()),
            )
        })?;
    let title = validate::required_text("input.title", &d.title, validate::SHORT_TEXT)?;
    let description = validate::optional_text(
        "input.description",
        Some(&d.description),
        validate::LONG_TEXT,
    )?;
    let objectives =
        validate::optional_text("input.objectives", Some(&d.objectives), validate::LONG_TEXT)?;
    let iati_identifier = match d.iati_identifier.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) if !d.new_identifier => Some(id.to_string()),
        Some(id) => Some(identifier::check_new(db, id, d.id).await?),
    };
    let status = codes::require(db, "ActivityStatus", "input.status", d.status.trim()).await?;
    let lifecycle = Lifecycle {
        status: status.code.clone(),
        actual_start: d.actual_start.clone(),
        actual_end: d.actual_end.clone(),
    };
    let stored = d.stored.as_ref();
    let new_start = stored.is_none_or(|s| s.actual_start != d.actual_start);
    let new_end = stored.is_none_or(|s| s.actual_end != d.actual_end);

    let planned_start = optional_date("input.plannedStart", &d.planned_start)?;
    let planned_end = optional_date("input.plannedEnd", &d.planned_end)?;
    let actual_start = optional_date("input.actualStart", &d.actual_start)?;
    if let Some(day) = actual_start.filter(|_| new_start) {
        validate::happened("input.actualStart", day)?;
    }
    let actual_end = optional_date("input.actualEnd", &d.actual_end)?;
    if let Some(day) = actual_end.filter(|_| new_end) {
        validate::happened("input.actualEnd", day)?;
    }
    if let (Some(s), Some(e)) = (planned_start, planned_end) {
        validate::date_order_kept(
            "input.plannedStart",
            "input.plannedEnd",
            s,
            e,
            d.kept_ends.0,
        )?;
    }
    if let (Some(s), Some(e)) = (actual_start, actual_end) {
        validate::date_order_kept("input.actualStart", "input.actualEnd", s, e, d.kept_ends.1)?;
    }
    if actual_end.is_some() && actual_start.is_none() {
        return Err(AppError::bad_input(
            "input.actualEnd",
            "needs an actual start date",
        ));
    }
    if stored != Some(&lifecycle) {
        lifecycle::check(&status.code, &status.name, actual_start, actual_end)?;
    }
    let status = status.code;
    // Actual dates once it has started, planned ones before; no end means ongoing.
    let (active_from, active_to) = match (actual_start, planned_start) {
        (Some(s), _) => (s, actual_end),
        (None, Some(s)) => (s, planned_end),
        (None, None) => {
            return Err(AppError::bad_input(
                "input.plannedStart",
                "a planned or actual start date is required",
            ));
        }
    };

    let mut countries = Vec::new();
    if !d.countries.is_empty() && d.region.is_some() {
        return Err(AppError::bad_input(
            "input.recipientRegion",
            "give recipient countries with percentages or a recipient region, not both",
        ));
    }
    if d.countries.is_empty() && d.region.is_none() {
        return Err(AppError::bad_input(
            "input.recipientCountries",
            "at least one recipient country (or a recipient region) is required",
        ));
    }
    let codes_given: Vec<String> = d.countries.iter().map(|(c, _)| c.clone()).collect();
    let iso3 = geography::resolve_countries(db, "input.recipientCountries", &codes_given).await?;
    for (i, ((_, pct), iso3)) in d.countries.iter().zip(iso3).enumerate() {
        validate::percentage(&format!("input.recipientCountries[{i}].percentage"), *pct)?;
        countries.push(CountryShare {
            engagement_id: 0,
            country_iso3: iso3,
            percentage: *pct,
        });
    }
    if !countries.is_empty() {
        let shares: Vec<f64> = countries.iter().map(|c| c.percentage).collect();
        validate::sums_to_hundred("input.recipientCountries", &shares)?;
    }
    let region = match &d.region {
        None => None,
        Some(code) => {
            let normal = geography::normalise_country_code(code);
            match crate::storage::geography::find_region(db.pool(), &normal).await? {
                Some(r) => Some(r.code),
                // A country's code says so, with where it belongs instead.
                None => {
                    let message = match geography::country(db, code).await? {
                        Some(c) => format!(
                            "{} is a country ({}), not a region; give it as a recipient country \
                             (recipientCountries: [{{country: \"{}\", percentage: 100}}])",
                            code.trim(),
                            c.name,
                            c.iso3
                        ),
                        None => format!("{normal} is not an M49 region code"),
                    };
                    return Err(AppError::bad_input("input.recipientRegion", &message));
                }
            }
        }
    };

    let mut participants = Vec::new();
    for (i, (org, role)) in d.participants.iter().enumerate() {
        let field = format!("input.participatingOrganisations[{i}]");
        let found = organisations::find(db.pool(), *org)
            .await?
            .filter(|o| o.archived_at.is_none());
        if found.is_none() {
            return Err(AppError::bad_input(
                &format!("{field}.organisation"),
                &format!("there is no organisation Organisation:{org}"),
            ));
        }
        let role = codes::require(
            db,
            "OrganisationRole",
            &format!("{field}.role"),
            role.trim(),
        )
        .await?
        .code;
        let p = Participant {
            engagement_id: 0,
            organisation_id: *org,
            role_code: role,
        };
        if participants.contains(&p) {
            return Err(AppError::bad_input(
                &field,
                "lists the same organisation in the same role twice",
            ));
        }
        participants.push(p);
    }

    let mut sectors = Vec::new();
    for (i, (code, pct)) in d.sectors.iter().enumerate() {
        let field = format!("input.sectors[{i}]");
        let code = codes::require(db, "Sector", &format!("{field}.code"), code.trim())
            .await?
            .code;
        validate::percentage(&format!("{field}.percentage"), *pct)?;
        sectors.push(SectorShare {
            engagement_id: 0,
            sector_code: code,
            percentage: *pct,
        });
    }
    if sectors.is_empty() && d.new_sectors {
        return Err(AppError::bad_input(
            "input.sectors",
            "at least one OECD DAC sector is required, as IATI asks of every activity (for \
             example 15130, legal and judicial development)",
        ));
    }
    if !sectors.is_empty() {
        validate::distinct(
            "input.sectors",
            &sectors
                .iter()
                .map(|s| s.sector_code.clone())
                .collect::<Vec<_>>(),
        )?;
        validate::sums_to_hundred(
            "input.sectors",
            &sectors.iter().map(|s| s.percentage).collect::<Vec<_>>(),
        )?;
    }

    let mut sdg_targets = Vec::new();
    for (i, t) in d.sdg_targets.iter().enumerate() {
        sdg_targets.push(
            codes::require(
                db,
                "UNSDG-Targets",
                &format!("input.sdgTargets[{i}]"),
                t.trim(),
            )
            .await?
            .code,
        );
    }
    validate::distinct("input.sdgTargets", &sdg_targets)?;

    let mut policy_markers = Vec::new();
    for (i, (code, significance)) in d.policy_markers.iter().enumerate() {
        let field = format!("input.policyMarkers[{i}]");
        let code = codes::require(db, "PolicyMarker", &format!("{field}.code"), code.trim())
            .await?
            .code;
        let significance = codes::require(
            db,
            "PolicySignificance",
            &format!("{field}.significance"),
            significance.trim(),
        )
        .await?
        .code;
        policy_markers.push(PolicyMarker {
            engagement_id: 0,
            marker_code: code,
            significance_code: significance,
        });
    }
    validate::distinct(
        "input.policyMarkers",
        &policy_markers
            .iter()
            .map(|m| m.marker_code.clone())
            .collect::<Vec<_>>(),
    )?;

    let mut budgets = Vec::new();
    for (i, b) in d.budgets.iter().enumerate() {
        let field = format!("input.budgets[{i}]");
        let start = validate::date(&format!("{field}.periodStart"), &b.period_start)?;
        let end = validate::date(&format!("{field}.periodEnd"), &b.period_end)?;
        validate::date_order(&format!("{field}.periodEnd"), start, end)?;
        if !within_a_year(start, end) {
            return Err(AppError::bad_input(
                &format!("{field}.periodEnd"),
                "a budget period may not be longer than one year",
            ));
        }
        let amount = validate::amount(&format!("{field}.amount"), b.amount)?;
        let currency = b.currency.trim().to_ascii_uppercase();
        codes::require(db, "Currency", &format!("{field}.currency"), &currency).await?;
        let value_date = match &b.value_date {
            Some(v) => validate::date(&format!("{field}.valueDate"), v)?,
            None => start,
        };
        budgets.push(Budget {
            engagement_id: 0,
            period_start: start.to_string(),
            period_end: end.to_string(),
            amount,
            currency,
            value_date: value_date.to_string(),
        });
    }
    let documents = resolve_documents(db, "input.documents", &d.documents).await?;

    let fields = EngagementFields {
        programme_id: programme.id,
        title,
        description,
        objectives,
        iati_identifier,
        status_code: status,
        planned_start: planned_start.map(|d| d.to_string()),
        planned_end: planned_end.map(|d| d.to_string()),
        actual_start: actual_start.map(|d| d.to_string()),
        actual_end: actual_end.map(|d| d.to_string()),
        active_from: active_from.to_string(),
        active_to: active_to.map(|d| d.to_string()),
        recipient_region_code: region,
    };
    let children = Children {
        countries,
        participants,
        sectors,
        sdg_targets,
        policy_markers,
        budgets,
        documents,
    };
    Ok((fields, children, programme.code))
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
    let draft = Draft {
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
    let (fields, children, programme) = validate_draft(db, viewer, draft).await?;
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
    let draft = Draft {
        id: Some(id),
        new_identifier: before.iati_identifier.is_none() || changing,
        new_sectors: p.sectors.is_some(),
        kept_ends: (
            matches!(p.planned_end, Change::Keep),
            matches!(p.actual_end, Change::Keep),
        ),
        stored: Some(Lifecycle {
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
    let (fields, children, programme) = validate_draft(db, viewer, draft).await?;
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
    fn budget_periods_are_at_most_one_year() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(within_a_year(d("2020-01-01"), d("2020-12-31")));
        assert!(!within_a_year(d("2020-01-01"), d("2021-01-01")));
        assert!(within_a_year(d("2020-07-01"), d("2021-06-30")));
    }

    #[test]
    fn a_change_keeps_clears_or_sets() {
        assert_eq!(Change::<i32>::Keep.apply(Some(1)), Some(1));
        assert_eq!(Change::<i32>::Clear.apply(Some(1)), None);
        assert_eq!(Change::Set(2).apply(Some(1)), Some(2));
    }
}
