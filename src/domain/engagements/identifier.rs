//! An engagement's IATI identifier: its form when it is set, the identifiers the export keeps
//! for engagements without one, and uniqueness.

use crate::domain::reporting::{DEMO_REPORTING_REF, REPORTING_REF_ENV, ReportingOrg};
use crate::domain::validate;
use crate::error::{AppError, AppResult};
use crate::storage::Db;

const FIELD: &str = "input.iatiIdentifier";

/// Checks an identifier being set now, on engagement `own` (None when it is being created).
///
/// Besides its form, it must begin with the reporting organisation's identifier and a hyphen
/// (IATI's rule for the identifiers an organisation publishes), and it may be neither that
/// identifier alone (IATI rule 1.1.3) nor of the form `{reporting ref}-ENG-{digits}`, which the
/// export gives engagements without an identifier, but for `own`'s: otherwise two activities of
/// one file could share an identifier. The reference is read as the export reads it.
pub(super) async fn check_new(db: &Db, value: &str, own: Option<i64>) -> AppResult<String> {
    let id = validate::iati_identifier(
        FIELD,
        value,
        200,
        "an IATI activity identifier: the reporting organisation's identifier, a hyphen, and \
         the activity's own code, with no spaces",
    )?;
    let org = ReportingOrg::from_env(db).await?;
    if id == org.reference {
        return Err(AppError::bad_input(
            FIELD,
            &format!(
                "must not be the reporting organisation's own identifier {}: add a hyphen and \
                 the activity's code",
                org.reference
            ),
        ));
    }
    let prefix = format!("{}-", org.reference);
    if !id.starts_with(&prefix) {
        return Err(AppError::bad_input(
            FIELD,
            &format!(
                "must begin with the reporting organisation's identifier and a hyphen, {prefix}, \
                 as IATI asks of the activities an organisation publishes (the reporting \
                 organisation is set by --reporting-org-ref or {REPORTING_REF_ENV})"
            ),
        ));
    }
    let own_fallback = own.map(|n| org.fallback_identifier(n));
    if org.is_fallback_form(&id) && own_fallback.as_deref() != Some(id.as_str()) {
        return Err(AppError::bad_input(
            FIELD,
            &format!(
                "{id} has the form {r}-ENG-{{number}}, which the IATI export gives engagements \
                 without an identifier; choose another code{own}",
                r = org.reference,
                own = own_fallback
                    .map(|f| format!(" (this engagement may take {f})"))
                    .unwrap_or_default(),
            ),
        ));
    }
    Ok(id)
}

/// Whether `current` was set under the placeholder reference while a real one is configured
/// now: then it was never a real identifier and may be replaced by one under the real reference.
pub(super) async fn provisional(db: &Db, current: Option<&str>) -> AppResult<bool> {
    let Some(current) = current else {
        return Ok(false);
    };
    if !current.starts_with(&format!("{DEMO_REPORTING_REF}-")) {
        return Ok(false);
    }
    Ok(ReportingOrg::from_env(db).await?.reference != DEMO_REPORTING_REF)
}

/// No other engagement (archived ones included) has `id`.
pub(super) async fn require_unique(
    db: &Db,
    id: Option<&str>,
    except: Option<i64>,
) -> AppResult<()> {
    let Some(ident) = id else { return Ok(()) };
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from engagements where iati_identifier = $1 and id <> $2")
            .bind(ident)
            .bind(except.unwrap_or(0))
            .fetch_one(db.pool())
            .await?;
    if n > 0 {
        return Err(AppError::taken(
            "input.iatiIdentifier",
            format!("another engagement already has the IATI identifier {ident}"),
        ));
    }
    Ok(())
}
