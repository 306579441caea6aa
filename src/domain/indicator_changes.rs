//! Creating and changing indicators: validation of their fields, the baseline, the SDG reference
//! and the dimensions, and keeping recorded targets and actuals valid when the rules change.

use serde::Serialize;

use super::auth::Viewer;
use super::indicator_rules::{
    BaselineInput, check_value, sdg_indicator, validate_baseline, validate_code,
    validate_dimensions,
};
use super::indicators::{
    Aggregation, Baseline, Dimension, Indicator, Measure, dimensions_from_pairs,
};
use super::records::{require_write, stale};
use super::{audit, codes, results, validate};
use crate::error::{AppError, AppResult};
use crate::storage::indicators::{self as store, IndicatorFields};
use crate::storage::ownership::Kind;
use crate::storage::scope::Scope;
use crate::storage::{Db, indicator_values};

/// An indicator's fields as a client sends them. On update `None` keeps the current value;
/// for the SDG indicator and baseline, `Some(None)` clears it.
#[derive(Default)]
pub struct IndicatorPatch {
    pub code: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub measure: Option<Measure>,
    pub ascending: Option<bool>,
    pub aggregation: Option<Aggregation>,
    pub sdg_indicator: Option<Option<String>>,
    pub dimensions: Option<Vec<Dimension>>,
    pub baseline: Option<Option<BaselineInput>>,
}

/// What the audit log keeps of an indicator: its fields and the dimensions it allows.
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    indicator: &'a Indicator,
    dimensions: &'a [Dimension],
}

struct Valid {
    code: String,
    title: String,
    description: String,
    measure: Measure,
    ascending: bool,
    aggregation: Aggregation,
    sdg: Option<String>,
    baseline: Option<Baseline>,
    dimensions: Vec<Dimension>,
}

async fn validate_sdg(db: &Db, sdg: Option<&str>) -> AppResult<Option<String>> {
    let field = "input.sdgIndicator";
    let Some(s) = sdg.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let (indicator, target) = sdg_indicator(field, s)?;
    codes::require(db, "UNSDG-Targets", field, &target)
        .await
        .map_err(|e| match e {
            AppError::BadInput { .. } => AppError::bad_input(
                field,
                &format!("{indicator} belongs to target {target}, which is not an SDG target"),
            ),
            other => other,
        })?;
    Ok(Some(indicator))
}

struct Raw<'a> {
    code: &'a str,
    title: &'a str,
    description: &'a str,
    measure: Measure,
    ascending: bool,
    aggregation: Aggregation,
    sdg: Option<&'a str>,
    dimensions: Vec<Dimension>,
    baseline: Option<BaselineInput>,
}

async fn validate_all(db: &Db, r: Raw<'_>) -> AppResult<Valid> {
    Ok(Valid {
        code: validate_code(r.code)?,
        title: validate::required_text("input.title", r.title, validate::SHORT_TEXT)?,
        description: validate::optional_text(
            "input.description",
            Some(r.description),
            validate::LONG_TEXT,
        )?,
        sdg: validate_sdg(db, r.sdg).await?,
        dimensions: validate_dimensions("input.dimensions", r.dimensions)?,
        baseline: r
            .baseline
            .map(|b| validate_baseline(r.measure, b))
            .transpose()?,
        measure: r.measure,
        ascending: r.ascending,
        aggregation: r.aggregation,
    })
}

fn fields(v: &Valid) -> IndicatorFields<'_> {
    let b = v.baseline.as_ref();
    IndicatorFields {
        code: &v.code,
        title: &v.title,
        description: &v.description,
        measure: v.measure.code(),
        ascending: v.ascending,
        aggregation: v.aggregation.as_str(),
        sdg_indicator: v.sdg.as_deref(),
        baseline_year: b.and_then(|b| b.year),
        baseline_date: b.and_then(|b| b.date.as_deref()),
        baseline_value: b.and_then(|b| b.value),
        baseline_comment: b.map_or("", |b| b.comment.as_str()),
    }
}

fn pairs(dims: &[Dimension]) -> Vec<(String, String)> {
    dims.iter()
        .flat_map(|d| d.values.iter().map(|v| (d.name.clone(), v.clone())))
        .collect()
}

async fn code_is_free(db: &Db, code: &str, own: Option<i64>) -> AppResult<()> {
    match store::id_by_code(db.pool(), code).await? {
        Some(id) if Some(id) != own => Err(code_taken(code)),
        _ => Ok(()),
    }
}

/// The clash on `input.code`, also when another write took the code after `code_is_free` looked
/// (the code is the indicators' only unique column, so the database's clash can only be it).
fn code_taken(code: &str) -> AppError {
    AppError::taken(
        "input.code",
        format!("an indicator with code {code} already exists"),
    )
}

fn clash_on_code(code: &str) -> impl Fn(AppError) -> AppError + '_ {
    move |e| match e {
        AppError::Conflict { field: None, .. } => code_taken(code),
        other => other,
    }
}

/// An indicator and its dimensions, read in `tx` after a change.
async fn read_back(tx: &mut crate::storage::Tx, id: i64) -> AppResult<(Indicator, Vec<Dimension>)> {
    let row = store::find(&mut **tx, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::internal("read an indicator back", "missing"))?;
    let dims = store::dimensions_of(&mut **tx, &Scope::All, &[id]).await?;
    Ok((
        Indicator::try_from(row)?,
        dimensions_from_pairs(dims.into_iter().map(|(_, n, v)| (n, v))),
    ))
}

/// Adds an indicator to a result (officers who may change the result).
pub async fn create(
    db: &Db,
    viewer: &Viewer,
    result: i64,
    p: IndicatorPatch,
) -> AppResult<Indicator> {
    let scope = viewer.record_scope()?;
    let r = crate::storage::results::find(db.pool(), &scope, result)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "input.result",
                &format!("there is no result Result:{result}"),
            )
        })?;
    require_write(viewer, Kind::Indicator, &results::owners_of(db, &r).await?)?;
    if r.archived_at.is_some() {
        return Err(AppError::bad_input(
            "input.result",
            &format!("Result:{result} is archived"),
        ));
    }
    let required = |field: &str| AppError::bad_input(field, "is required");
    let v = validate_all(
        db,
        Raw {
            code: p.code.as_deref().ok_or_else(|| required("input.code"))?,
            title: p.title.as_deref().ok_or_else(|| required("input.title"))?,
            description: p.description.as_deref().unwrap_or(""),
            measure: p.measure.ok_or_else(|| required("input.measure"))?,
            ascending: p.ascending.unwrap_or(true),
            aggregation: p.aggregation.ok_or_else(|| required("input.aggregation"))?,
            sdg: p.sdg_indicator.as_ref().and_then(|s| s.as_deref()),
            dimensions: p.dimensions.unwrap_or_default(),
            baseline: p.baseline.flatten(),
        },
    )
    .await?;
    code_is_free(db, &v.code, None).await?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, result, &fields(&v))
        .await
        .map_err(clash_on_code(&v.code))?;
    store::set_dimensions(&mut tx, id, &pairs(&v.dimensions)).await?;
    let (after, dims) = read_back(&mut tx, id).await?;
    let snapshot = Snapshot {
        indicator: &after,
        dimensions: &dims,
    };
    audit::record::<(), _>(
        &mut tx,
        viewer,
        "create",
        "Indicator",
        id,
        None,
        Some(&snapshot),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Fails when the recorded targets and actuals would break the new measure or dimensions.
async fn check_recorded(db: &Db, id: i64, v: &Valid) -> AppResult<()> {
    for r in indicator_values::of_indicators(db, &Scope::All, &[id], false).await? {
        let what = format!(
            "the recorded {} for {} to {}",
            r.kind, r.period_start, r.period_end
        );
        if check_value(v.measure, r.value, &r.comment, "value", "comment").is_err() {
            return Err(AppError::bad_input(
                "input.measure",
                &format!("cannot become {:?}: {what} does not fit it", v.measure),
            ));
        }
        let allowed = r.dimension_name.is_empty()
            || v.dimensions
                .iter()
                .any(|d| d.name == r.dimension_name && d.values.contains(&r.dimension_value));
        if !allowed {
            return Err(AppError::bad_input(
                "input.dimensions",
                &format!(
                    "must keep {} = {}: {what} is disaggregated by it",
                    r.dimension_name, r.dimension_value
                ),
            ));
        }
    }
    Ok(())
}

/// Changes an indicator (patch semantics); `version` must be the current one.
pub async fn update(
    db: &Db,
    viewer: &Viewer,
    id: i64,
    version: i64,
    p: IndicatorPatch,
) -> AppResult<Indicator> {
    let scope = viewer.record_scope()?;
    let before = store::find(db.pool(), &scope, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Indicator:{id}")))?;
    let before = Indicator::try_from(before)?;
    let r = crate::storage::results::find(db.pool(), &Scope::All, before.result_id)
        .await?
        .ok_or_else(|| AppError::internal("read an indicator's result", "missing"))?;
    require_write(viewer, Kind::Indicator, &results::owners_of(db, &r).await?)?;
    if before.archived_at.is_some() {
        return Err(AppError::conflict(format!("Indicator:{id} is archived")));
    }
    let before_dims = dimensions_from_pairs(
        store::dimensions_of(db.pool(), &Scope::All, &[id])
            .await?
            .into_iter()
            .map(|(_, n, v)| (n, v)),
    );
    let measure = p.measure.unwrap_or(before.measure);
    let kept_baseline = p.baseline.is_none();
    let baseline = match p.baseline {
        Some(b) => b,
        None => before.baseline.as_ref().map(|b| BaselineInput {
            year: b.year,
            date: b.date.clone(),
            value: b.value,
            comment: Some(b.comment.clone()),
        }),
    };
    let v = validate_all(
        db,
        Raw {
            code: p.code.as_deref().unwrap_or(&before.code),
            title: p.title.as_deref().unwrap_or(&before.title),
            description: p.description.as_deref().unwrap_or(&before.description),
            measure,
            ascending: p.ascending.unwrap_or(before.ascending),
            aggregation: p.aggregation.unwrap_or(before.aggregation),
            sdg: match &p.sdg_indicator {
                Some(s) => s.as_deref(),
                None => before.sdg_indicator.as_deref(),
            },
            dimensions: p.dimensions.unwrap_or_else(|| before_dims.clone()),
            baseline,
        },
    )
    .await
    .map_err(|e| match e {
        // A kept baseline only fails when the measure changed under it.
        AppError::BadInput { field, .. } if kept_baseline && field.starts_with("input.baseline") => {
            AppError::bad_input(
                "input.measure",
                &format!("cannot become {measure:?}: the baseline does not fit it (change input.baseline too)"),
            )
        }
        other => other,
    })?;
    let dims_changed = v.dimensions != before_dims;
    if v.measure != before.measure || dims_changed {
        check_recorded(db, id, &v).await?;
    }
    code_is_free(db, &v.code, Some(id)).await?;
    let mut tx = db.begin().await?;
    if !store::update(&mut tx, id, version, &fields(&v))
        .await
        .map_err(clash_on_code(&v.code))?
    {
        return Err(stale(Kind::Indicator, id, before.version, version));
    }
    if dims_changed {
        store::set_dimensions(&mut tx, id, &pairs(&v.dimensions)).await?;
    }
    let (after, dims) = read_back(&mut tx, id).await?;
    let old = Snapshot {
        indicator: &before,
        dimensions: &before_dims,
    };
    let new = Snapshot {
        indicator: &after,
        dimensions: &dims,
    };
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.version == version;
    if !audit::record_update(&mut tx, viewer, "Indicator", id, replaced, &old, &new).await? {
        return Ok(before);
    }
    tx.commit().await?;
    Ok(after)
}
