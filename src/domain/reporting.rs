//! The organisation that publishes the IATI file, and the activity identifiers its reference
//! keeps for the export: an engagement without an identifier is published as
//! `{reference}-ENG-{id}`, so no engagement may be given one of that form but its own.

use crate::domain::validate;
use crate::error::{AppError, AppResult};
use crate::storage::{Db, organisations};

/// The default reporting organisation reference: deliberately not a real identifier, so nobody
/// publishes under it by accident. Set `TA_TRACKER_IATI_REPORTING_ORG_REF` to the real one.
pub const DEMO_REPORTING_REF: &str = "XX-UNODC-DEMO";

/// The environment variable that names the reporting organisation's IATI identifier.
pub const REPORTING_REF_ENV: &str = "TA_TRACKER_IATI_REPORTING_ORG_REF";

/// What comes between the reference and the engagement id in an exported fallback identifier.
const FALLBACK_INFIX: &str = "-ENG-";

/// The organisation publishing the file (IATI `reporting-org`).
#[derive(Clone, Debug)]
pub struct ReportingOrg {
    pub reference: String,
    pub name: String,
    /// IATI OrganisationType; 40 is multilateral.
    pub org_type: String,
}

impl ReportingOrg {
    /// The configured reference (`configured`, else an organisation named like UNODC with an
    /// IATI reference, else the demo placeholder), named after that organisation when known.
    pub async fn resolve(db: &Db, configured: Option<&str>) -> AppResult<ReportingOrg> {
        let unodc = organisations::named_like_unodc(db.pool()).await?;
        let configured = configured.map(str::trim).filter(|r| !r.is_empty());
        let reference = configured
            .map(str::to_string)
            .or_else(|| unodc.as_ref().and_then(|(_, r)| r.clone()))
            .unwrap_or_else(|| DEMO_REPORTING_REF.to_string());
        let name = unodc
            .map(|(n, _)| n)
            .unwrap_or_else(|| "United Nations Office on Drugs and Crime (UNODC)".to_string());
        Ok(ReportingOrg {
            reference,
            name,
            org_type: "40".to_string(),
        })
    }

    /// From the environment (`TA_TRACKER_IATI_REPORTING_ORG_REF`), as the HTTP endpoint and the
    /// API's checks of identifiers use it.
    pub async fn from_env(db: &Db) -> AppResult<ReportingOrg> {
        let configured = std::env::var(REPORTING_REF_ENV).ok();
        Self::resolve(db, configured.as_deref()).await
    }

    /// Refuses a configured reference (`--reporting-org-ref`, `TA_TRACKER_IATI_REPORTING_ORG_REF`)
    /// that is not an IATI organisation identifier, naming the flag and the variable: one with a
    /// space or a `/` was taken as it was, published in every file's `reporting-org`, and left no
    /// engagement identifier that the API would accept under it. Empty is unset.
    pub fn check_configured(reference: &str) -> AppResult<()> {
        Self::check_setting(
            reference,
            &format!("--reporting-org-ref or {REPORTING_REF_ENV}"),
        )
    }

    /// [`check_configured`](Self::check_configured) for a command that reads only the variable
    /// (`seed`, which has no such flag).
    pub fn check_variable(reference: &str) -> AppResult<()> {
        Self::check_setting(reference, REPORTING_REF_ENV)
    }

    fn check_setting(reference: &str, setting: &str) -> AppResult<()> {
        if reference.trim().is_empty() {
            return Ok(());
        }
        validate::iati_identifier(
            "reporting-org-ref",
            reference,
            100,
            "an IATI organisation identifier, its registration agency's code, a hyphen and the \
             organisation's number (XM-DAC-41147), with no spaces",
        )
        .map(drop)
        .map_err(|e| match e {
            AppError::BadInput { field, message } => {
                AppError::bad_input(&field, &format!("{message} ({setting})"))
            }
            other => other,
        })
    }

    /// The identifier engagement `id` is exported under when it has none of its own.
    pub fn fallback_identifier(&self, id: i64) -> String {
        format!("{}{FALLBACK_INFIX}{id}", self.reference)
    }

    /// Whether `identifier` has the form of a fallback, `{reference}-ENG-{digits}`.
    pub fn is_fallback_form(&self, identifier: &str) -> bool {
        identifier
            .strip_prefix(self.reference.as_str())
            .and_then(|rest| rest.strip_prefix(FALLBACK_INFIX))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(reference: &str) -> ReportingOrg {
        ReportingOrg {
            reference: reference.to_string(),
            name: "UNODC".to_string(),
            org_type: "40".to_string(),
        }
    }

    #[test]
    fn a_configured_reference_must_be_an_organisation_identifier() {
        for good in ["XM-DAC-41147", " GB-COH-123 ", ""] {
            assert!(ReportingOrg::check_configured(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("has space", "must be an IATI organisation identifier"),
            ("XM-DAC-41147/x", "must not contain /"),
            ("UNODC", "must be an IATI organisation identifier"),
        ] {
            let message = ReportingOrg::check_configured(bad)
                .unwrap_err()
                .client_message();
            assert!(message.contains(says), "{bad}: {message}");
            assert!(
                message.ends_with("(--reporting-org-ref or TA_TRACKER_IATI_REPORTING_ORG_REF)"),
                "{message}"
            );
        }
    }

    #[test]
    fn the_fallback_form_is_the_reference_eng_and_digits() {
        let o = org("XX-UNODC-DEMO");
        assert_eq!(o.fallback_identifier(7), "XX-UNODC-DEMO-ENG-7");
        assert!(o.is_fallback_form("XX-UNODC-DEMO-ENG-7"));
        assert!(o.is_fallback_form("XX-UNODC-DEMO-ENG-007"));
        assert!(!o.is_fallback_form("XX-UNODC-DEMO-ENG-"));
        assert!(!o.is_fallback_form("XX-UNODC-DEMO-ENG-7b"));
        assert!(!o.is_fallback_form("XX-UNODC-DEMO-ENGAGE-7"));
        assert!(!o.is_fallback_form("XM-DAC-8-ENG-7"));
        assert!(!o.is_fallback_form("XX-UNODC-DEMO-VEP-ENG-7"));
    }
}
