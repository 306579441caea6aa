//! Setting targets and recording actuals. Both fill a slot: (indicator, kind, period, country,
//! disaggregation). Setting a slot that holds a value replaces it, so a correction is the same
//! call as the first entry; the audit log keeps what it replaced. A value recorded by mistake is
//! archived, which frees its slot.

use super::auth::Viewer;
use super::indicator_rules::check_value;
use super::indicators::{Indicator, ValueKind};
use super::records::{require_write, stale};
use super::{audit, geography, results, validate};
use crate::error::{AppError, AppResult};
use crate::storage::indicator_values::{self as store, Slot, ValueFields, ValueRow};
use crate::storage::ownership::{self, Kind};
use crate::storage::scope::Scope;
use crate::storage::{Db, documents, engagements, indicators};

/// A target or actual as the API shows it.
pub type IndicatorValue = ValueRow;

/// A target or actual as a client sends it.
pub struct ValueInput {
    pub indicator: i64,
    pub period_start: String,
    pub period_end: String,
    pub value: Option<f64>,
    /// ISO3, ISO2 or M49 code.
    pub country: Option<String>,
    /// `(dimension name, value)`, e.g. (sex, female).
    pub dimension: Option<(String, String)>,
    pub comment: Option<String>,
    pub document: Option<i64>,
}

/// The indicator's dimension `name` must allow `value`.
async fn check_dimension(db: &Db, indicator: i64, name: &str, value: &str) -> AppResult<()> {
    let dims = indicators::dimensions_of(db.pool(), &Scope::All, &[indicator]).await?;
    let values: Vec<&str> = dims
        .iter()
        .filter(|(_, n, _)| n == name)
        .map(|(_, _, v)| v.as_str())
        .collect();
    if values.is_empty() {
        let mut names: Vec<&str> = dims.iter().map(|(_, n, _)| n.as_str()).collect();
        names.dedup();
        let allows = if names.is_empty() {
            "it allows no disaggregation".to_string()
        } else {
            format!("it allows {}", names.join(", "))
        };
        return Err(AppError::bad_input(
            "input.dimension.name",
            &format!("the indicator has no dimension {name}: {allows}"),
        ));
    }
    if !values.contains(&value) {
        return Err(AppError::bad_input(
            "input.dimension.value",
            &format!("must be one of {} (dimension {name})", values.join(", ")),
        ));
    }
    Ok(())
}

/// Sets a target (`ValueKind::Target`) or records an actual (`ValueKind::Actual`). Officers
/// may do it where they may change the indicator's result; a value for one country needs only
/// that country in their scope.
pub async fn set(db: &Db, viewer: &Viewer, kind: ValueKind, i: ValueInput) -> AppResult<ValueRow> {
    let scope = viewer.record_scope()?;
    let row = indicators::find(db.pool(), &scope, i.indicator)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "input.indicator",
                &format!("there is no indicator Indicator:{}", i.indicator),
            )
        })?;
    let indicator = Indicator::try_from(row)?;
    let result = crate::storage::results::find(db.pool(), &Scope::All, indicator.result_id)
        .await?
        .ok_or_else(|| AppError::internal("read an indicator's result", "missing"))?;
    let country = match i
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(
            geography::country(db, c)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(
                        "input.country",
                        &format!("{c} is not a known country code"),
                    )
                })?
                .iso3,
        ),
    };
    let mut owners = results::owners_of(db, &result).await?;
    if let Some(c) = &country {
        owners.countries = vec![c.clone()];
    }
    require_write(viewer, Kind::Indicator, &owners)?;
    if indicator.archived_at.is_some() {
        return Err(AppError::conflict(format!(
            "Indicator:{} is archived",
            indicator.id
        )));
    }

    let start = validate::date("input.periodStart", &i.period_start)?;
    let end = validate::date("input.periodEnd", &i.period_end)?;
    validate::date_order("input.periodEnd", start, end)?;
    if kind == ValueKind::Actual {
        validate::period_begun("input.periodStart", start)?;
    }
    let comment =
        validate::optional_text("input.comment", i.comment.as_deref(), validate::LONG_TEXT)?;
    check_value(
        indicator.measure,
        i.value,
        &comment,
        "input.value",
        "input.comment",
    )?;
    let (dim_name, dim_value) = match &i.dimension {
        None => (String::new(), String::new()),
        Some((n, v)) => {
            let n = validate::required_text("input.dimension.name", n, 100)?;
            let v = validate::required_text("input.dimension.value", v, 100)?;
            check_dimension(db, indicator.id, &n, &v).await?;
            (n, v)
        }
    };
    if let Some(d) = i.document
        && documents::existing(db.pool(), &[d]).await?.is_empty()
    {
        return Err(AppError::bad_input(
            "input.document",
            &format!("there is no document Document:{d}"),
        ));
    }

    let (start, end) = (start.to_string(), end.to_string());
    let slot = Slot {
        indicator_id: indicator.id,
        kind: kind.as_str(),
        period_start: &start,
        period_end: &end,
        country_iso3: country.as_deref(),
        dimension_name: &dim_name,
        dimension_value: &dim_value,
    };
    let fields = ValueFields {
        value: i.value,
        comment: &comment,
        document_id: i.document,
    };
    let mut tx = db.begin().await?;
    // A value for one country needs that country among the engagement's recipients, read with
    // the engagement locked so that a concurrent change of them cannot strand the value.
    if let (Some(c), Some(e)) = (&country, result.engagement_id) {
        engagements::lock(&mut tx, &[e]).await?;
        let countries = engagements::recipients(&mut tx, e)
            .await?
            .ok_or_else(|| AppError::internal("read a result's engagement", "missing"))?
            .countries;
        if !countries.contains(c) {
            return Err(super::engagements::not_a_recipient(c, &countries));
        }
    }
    let before = store::find_slot(&mut *tx, &slot).await?;
    let id = match &before {
        Some(b) => {
            if !store::replace(&mut tx, b.id, b.version, &fields).await? {
                return Err(AppError::conflict(format!(
                    "the {} for {start} to {end} changed meanwhile: try again",
                    kind.as_str()
                )));
            }
            b.id
        }
        None => store::insert(&mut tx, &slot, &fields).await?,
    };
    let after = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read a value back", "missing"))?;
    let action = match kind {
        ValueKind::Target => "set_target",
        ValueKind::Actual => "record_actual",
    };
    // Values are audited under their indicator, so its history shows every target and actual.
    audit::record(
        &mut tx,
        viewer,
        action,
        "Indicator",
        indicator.id,
        before.as_ref(),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Takes back a target or actual recorded by mistake: archived, it stays in the database and in
/// its indicator's history, but leaves every list, progress figure, report and export, and its
/// slot may be set again. Whoever may record the value may archive it; `version` must be the
/// current one.
pub async fn archive(db: &Db, viewer: &Viewer, id: i64, version: i64) -> AppResult<i64> {
    let kind = Kind::IndicatorValue;
    let mut tx = db.begin().await?;
    let before = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("{}:{id}", kind.name())))?;
    let owners = ownership::owners(&mut *tx, kind, id).await?;
    require_write(viewer, kind, &owners)?;
    if before.archived_at.is_some() {
        return Err(AppError::conflict(format!(
            "{}:{id} is archived already",
            kind.name()
        )));
    }
    let indicator = indicators::find(&mut *tx, &Scope::All, before.indicator_id)
        .await?
        .ok_or_else(|| AppError::internal("read a value's indicator", "missing"))?;
    if indicator.archived_at.is_some() {
        return Err(AppError::conflict(format!(
            "Indicator:{} is archived; its values are kept as they were",
            indicator.id
        )));
    }
    if !ownership::archive(&mut tx, kind, id, version).await? {
        return Err(stale(kind, id, before.version, version));
    }
    let after = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read an archived value back", "missing"))?;
    // Under the indicator, as the value was recorded, so its history shows it taken back.
    let action = if before.kind == ValueKind::Target.as_str() {
        "archive_target"
    } else {
        "archive_actual"
    };
    audit::record(
        &mut tx,
        viewer,
        action,
        "Indicator",
        indicator.id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.version)
}
