//! An engagement's whole record judged before a write: the patch applied to the stored record
//! (a `Draft`), then each part in turn (status and dates, recipients, organisations, sectors, SDG
//! targets, policy markers, budgets), the first problem refused naming its field.

use chrono::{Datelike, NaiveDate};

use super::{BudgetInput, identifier, lifecycle};
use crate::domain::auth::Viewer;
use crate::domain::records::resolve_documents;
use crate::domain::{codes, geography, validate};
use crate::error::{AppError, AppResult};
use crate::storage::engagements::{
    Budget, Children, CountryShare, EngagementFields, Participant, PolicyMarker, SectorShare,
};
use crate::storage::{Db, organisations, programmes};

/// The record before validation: the current one with the patch applied.
pub(super) struct Draft {
    /// The engagement being updated; None when creating.
    pub(super) id: Option<i64>,
    /// Whether `iati_identifier` is being set now (it never changes once set, and one set before
    /// a rule about identifiers was added stays as it was).
    pub(super) new_identifier: bool,
    /// The status and actual dates stored before this write (None when creating). The rules on
    /// them (actual dates in the past, a status that agrees with them) judge what the write
    /// changes, so a record kept from before a rule can still be corrected field by field.
    pub(super) stored: Option<Lifecycle>,
    /// Whether the sectors are being given now (always when creating): IATI asks every activity
    /// for one, and a record kept from before that rule takes other corrections as it is.
    pub(super) new_sectors: bool,
    /// Whether the planned and actual ends are the ones stored (an update that gave neither): a
    /// start moved past such an end is what a refusal names.
    pub(super) kept_ends: (bool, bool),
    pub(super) programme: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) objectives: String,
    pub(super) iati_identifier: Option<String>,
    pub(super) status: String,
    pub(super) planned_start: Option<String>,
    pub(super) planned_end: Option<String>,
    pub(super) actual_start: Option<String>,
    pub(super) actual_end: Option<String>,
    pub(super) countries: Vec<(String, f64)>,
    pub(super) region: Option<String>,
    pub(super) participants: Vec<(i64, String)>,
    pub(super) sectors: Vec<(String, f64)>,
    pub(super) sdg_targets: Vec<String>,
    pub(super) policy_markers: Vec<(String, String)>,
    pub(super) budgets: Vec<BudgetInput>,
    pub(super) documents: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Lifecycle {
    pub(super) status: String,
    pub(super) actual_start: Option<String>,
    pub(super) actual_end: Option<String>,
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

/// The record's fields and lists, checked, and its programme's code; the first problem found is
/// the error.
pub(super) async fn validate(
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
    let Dates {
        status,
        planned_start,
        planned_end,
        actual_start,
        actual_end,
        active_from,
        active_to,
    } = status_and_dates(db, &d).await?;
    let (countries, region) = recipients(db, &d).await?;
    let participants = participants(db, &d).await?;
    let sectors = sectors(db, &d).await?;
    let sdg_targets = sdg_targets(db, &d).await?;
    let policy_markers = policy_markers(db, &d).await?;
    let budgets = budgets(db, &d).await?;
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

/// The status with the dates it must agree with, and the span the engagement is active in.
struct Dates {
    status: String,
    planned_start: Option<NaiveDate>,
    planned_end: Option<NaiveDate>,
    actual_start: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
    active_from: NaiveDate,
    active_to: Option<NaiveDate>,
}

async fn status_and_dates(db: &Db, d: &Draft) -> AppResult<Dates> {
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
    Ok(Dates {
        status,
        planned_start,
        planned_end,
        actual_start,
        actual_end,
        active_from,
        active_to,
    })
}

/// Recipient countries with their percentages, or a recipient region: one or the other.
async fn recipients(db: &Db, d: &Draft) -> AppResult<(Vec<CountryShare>, Option<String>)> {
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
    Ok((countries, region))
}

async fn participants(db: &Db, d: &Draft) -> AppResult<Vec<Participant>> {
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
    Ok(participants)
}

async fn sectors(db: &Db, d: &Draft) -> AppResult<Vec<SectorShare>> {
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
    Ok(sectors)
}

async fn sdg_targets(db: &Db, d: &Draft) -> AppResult<Vec<String>> {
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
    Ok(sdg_targets)
}

async fn policy_markers(db: &Db, d: &Draft) -> AppResult<Vec<PolicyMarker>> {
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
    Ok(policy_markers)
}

async fn budgets(db: &Db, d: &Draft) -> AppResult<Vec<Budget>> {
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
    Ok(budgets)
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
}
