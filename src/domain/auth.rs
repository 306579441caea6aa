//! Callers, roles and what each may do. Every read and write asks a `Viewer`; storage queries for
//! programme records take the `RecordScope` it yields, so no path can forget donor isolation.

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::storage::{self, Db};

/// What a token lets its holder do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum, serde::Serialize)]
pub enum Role {
    /// Everything, including tokens, groupings and the audit log.
    Admin,
    /// Reads everything except the audit log; writes inside the programmes (and countries) of
    /// its scope.
    Officer,
    /// Reads the engagements its organisation funds and what hangs under them; writes nothing.
    Donor,
    /// Reads everything except the audit log; writes nothing.
    Reporter,
}

impl Role {
    pub fn parse(s: &str) -> AppResult<Role> {
        match s {
            "admin" => Ok(Role::Admin),
            "officer" => Ok(Role::Officer),
            "donor" => Ok(Role::Donor),
            "reporter" => Ok(Role::Reporter),
            _ => Err(AppError::bad_input(
                "role",
                "must be one of admin, officer, donor, reporter",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Donor => "donor",
            Role::Reporter => "reporter",
        }
    }

    /// "an admin", "a donor", ...: for messages.
    pub fn with_article(self) -> &'static str {
        match self {
            Role::Admin => "an admin",
            Role::Officer => "an officer",
            Role::Donor => "a donor",
            Role::Reporter => "a reporter",
        }
    }
}

/// Which programme records a caller may read (the SQL for it lives in storage).
pub use crate::storage::scope::Scope as RecordScope;

/// The caller of one request.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub token_id: Option<i64>,
    pub name: String,
    pub role: Option<Role>,
    pub programmes: Vec<String>,
    pub countries: Vec<String>,
    pub organisation_id: Option<i64>,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer {
            token_id: None,
            name: "anonymous".to_string(),
            role: None,
            programmes: Vec::new(),
            countries: Vec::new(),
            organisation_id: None,
        }
    }

    /// The command line acting as an administrator (seeding, imports).
    pub fn system(name: &str) -> Viewer {
        Viewer {
            token_id: None,
            name: name.to_string(),
            role: Some(Role::Admin),
            programmes: Vec::new(),
            countries: Vec::new(),
            organisation_id: None,
        }
    }

    fn role(&self) -> AppResult<Role> {
        self.role.ok_or_else(|| {
            AppError::Unauthenticated(
                "this needs a credential: send Authorization: Bearer <token>".to_string(),
            )
        })
    }

    /// Succeeds for the listed roles; anonymous callers get UNAUTHENTICATED, others FORBIDDEN.
    pub fn require_role(&self, allowed: &[Role], action: &str) -> AppResult<Role> {
        let role = self.role()?;
        if allowed.contains(&role) {
            Ok(role)
        } else {
            Err(AppError::forbidden(format!(
                "{} token may not {action}",
                role.with_article()
            )))
        }
    }

    /// The records this caller may read; anonymous callers read reference data only.
    pub fn record_scope(&self) -> AppResult<RecordScope> {
        match self.role()? {
            Role::Donor => self
                .organisation_id
                .map(RecordScope::FundedBy)
                .ok_or_else(|| AppError::forbidden("this donor token is bound to no organisation")),
            _ => Ok(RecordScope::All),
        }
    }

    /// Whether this caller may change records of `programme` in `countries`.
    pub fn require_programme_write(&self, programme: &str, countries: &[String]) -> AppResult<()> {
        match self.role()? {
            Role::Admin => Ok(()),
            Role::Officer => {
                if !self.programmes.iter().any(|p| p == programme) {
                    return Err(AppError::forbidden(format!(
                        "this token may not write in programme {programme}"
                    )));
                }
                // A token for some countries writes what is theirs: not a record of a region, of
                // the whole programme or of no country, which reaches beyond them.
                if !self.countries.is_empty() && countries.is_empty() {
                    return Err(AppError::forbidden(format!(
                        "this token writes only for {}; this record names no country (a \
                         region's or the whole programme's), which needs an officer token \
                         without --country",
                        self.countries.join(", ")
                    )));
                }
                if !self.countries.is_empty()
                    && let Some(c) = countries.iter().find(|c| !self.countries.contains(c))
                {
                    return Err(AppError::forbidden(format!(
                        "this token may not write for country {c}"
                    )));
                }
                Ok(())
            }
            role => Err(AppError::forbidden(format!(
                "{} token may not change records",
                role.with_article()
            ))),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }
}

/// A new random token: `tat_` and 64 hex digits (256 bits).
pub fn generate_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::internal("generate a token", e.to_string()))?;
    Ok(format!("tat_{}", hex(&bytes)))
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Resolves an `Authorization` header value to a viewer. No header means anonymous; a header that
/// does not name a live token is refused rather than silently downgraded.
pub async fn authenticate(db: &Db, header: Option<&str>) -> AppResult<Viewer> {
    let Some(header) = header else {
        return Ok(Viewer::anonymous());
    };
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::Unauthenticated(
                "the Authorization header must be: Bearer <token>".to_string(),
            )
        })?;
    let row = storage::tokens::find_by_hash(db.pool(), &hash_token(token))
        .await?
        .ok_or_else(|| AppError::Unauthenticated("the token is not valid".to_string()))?;
    if row.revoked_at.is_some() {
        return Err(AppError::Unauthenticated(
            "the token has been revoked".to_string(),
        ));
    }
    if let Some(expires) = &row.expires_on {
        let today = chrono::Utc::now().date_naive().to_string();
        if *expires < today {
            return Err(AppError::Unauthenticated(
                "the token has expired".to_string(),
            ));
        }
    }
    let role =
        Role::parse(&row.role).map_err(|_| AppError::internal("read a token", "bad role"))?;
    let scopes = storage::tokens::scopes(db.pool(), row.id).await?;
    let pick = |kind: &str| {
        scopes
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    Ok(Viewer {
        token_id: Some(row.id),
        name: row.name,
        role: Some(role),
        programmes: pick("programme"),
        countries: pick("country"),
        organisation_id: row.organisation_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer(programmes: &[&str], countries: &[&str]) -> Viewer {
        Viewer {
            role: Some(Role::Officer),
            programmes: programmes.iter().map(|s| s.to_string()).collect(),
            countries: countries.iter().map(|s| s.to_string()).collect(),
            ..Viewer::anonymous()
        }
    }

    #[test]
    fn anonymous_callers_are_unauthenticated_for_records_and_writes() {
        let v = Viewer::anonymous();
        assert_eq!(v.record_scope().unwrap_err().code(), "UNAUTHENTICATED");
        assert_eq!(
            v.require_programme_write("P", &[]).unwrap_err().code(),
            "UNAUTHENTICATED"
        );
    }

    #[test]
    fn officers_write_only_inside_their_programmes_and_countries() {
        let v = officer(&["GLOZ85"], &["IDN"]);
        assert!(v.require_programme_write("GLOZ85", &["IDN".into()]).is_ok());
        assert_eq!(
            v.require_programme_write("OTHER", &[]).unwrap_err().code(),
            "FORBIDDEN"
        );
        assert_eq!(
            v.require_programme_write("GLOZ85", &["KAZ".into()])
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
        let unrestricted = officer(&["GLOZ85"], &[]);
        assert!(
            unrestricted
                .require_programme_write("GLOZ85", &["KAZ".into()])
                .is_ok()
        );
    }

    #[test]
    fn donors_and_reporters_never_write_and_donors_read_what_they_fund() {
        let donor = Viewer {
            role: Some(Role::Donor),
            organisation_id: Some(7),
            ..Viewer::anonymous()
        };
        assert_eq!(donor.record_scope().unwrap(), RecordScope::FundedBy(7));
        assert_eq!(
            donor.require_programme_write("P", &[]).unwrap_err().code(),
            "FORBIDDEN"
        );
        let reporter = Viewer {
            role: Some(Role::Reporter),
            ..Viewer::anonymous()
        };
        assert_eq!(reporter.record_scope().unwrap(), RecordScope::All);
        assert_eq!(
            reporter
                .require_programme_write("P", &[])
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("tat_") && a.len() == 68);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
