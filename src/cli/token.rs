//! `ta-tracker token ...`: create, list and revoke API tokens on the database.

use super::{TokenCommand, open_existing};
use crate::domain::auth::Role;
use crate::domain::tokens::{self, TokenRequest};
use crate::error::{AppError, AppResult};
use crate::storage::{Db, tokens as token_store};

pub(super) async fn run(command: TokenCommand) -> AppResult<()> {
    match command {
        TokenCommand::Create {
            db,
            role,
            name,
            programmes,
            countries,
            organisation,
            expires,
        } => {
            let role = Role::from(role);
            let organisation_id = organisation
                .map(|o| {
                    o.rsplit(':')
                        .next()
                        .unwrap_or("")
                        .parse::<i64>()
                        .map_err(|_| {
                            AppError::bad_input(
                                "organisation",
                                "must be a number such as 3 or an id such as Organisation:3",
                            )
                        })
                })
                .transpose()?;
            scope_fits_role(role, &programmes, &countries, organisation_id)?;
            if let Some(expires) = &expires {
                not_past(expires)?;
            }
            let db = open_existing(db).await?;
            crate::seeds::seed(&db, false).await?;
            let programmes = live_programmes(&db, &programmes).await?;
            let (id, secret) = tokens::create(
                &db,
                TokenRequest {
                    role,
                    name,
                    programmes,
                    countries,
                    organisation_id,
                    expires,
                },
            )
            .await?;
            eprintln!("created token {id}; it is shown only now:");
            super::stdout(&format!("{secret}\n"))
        }
        TokenCommand::List { db } => {
            let db = open_existing(db).await?;
            let today = chrono::Utc::now().date_naive().to_string();
            let mut table = String::from(
                "id\trole\tname\torganisation\tprogrammes\tcountries\texpires\tstate\n",
            );
            for t in token_store::list(db.pool()).await? {
                let scopes = token_store::scopes(db.pool(), t.id).await?;
                let scope = |kind: &str| {
                    scopes
                        .iter()
                        .filter(|(k, _)| k == kind)
                        .map(|(_, v)| v.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                };
                // As authentication judges it: the last valid day is the expiry date (UTC).
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_on.as_ref().is_some_and(|e| *e < today) {
                    "expired"
                } else {
                    "live"
                };
                table.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{state}\n",
                    t.id,
                    t.role,
                    t.name,
                    t.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
                    scope("programme"),
                    scope("country"),
                    t.expires_on.unwrap_or_default(),
                ));
            }
            super::stdout(&table)
        }
        TokenCommand::Revoke { db, id } => {
            let db = open_existing(db).await?;
            tokens::revoke(&db, id).await?;
            eprintln!("revoked token {id}");
            Ok(())
        }
    }
}

/// Refuses a scope the role does not use, which would make the token look narrower than it is:
/// only an officer's writes are limited by programmes and countries, and only a donor belongs
/// to an organisation (domain::auth).
fn scope_fits_role(
    role: Role,
    programmes: &[String],
    countries: &[String],
    organisation: Option<i64>,
) -> AppResult<()> {
    let name = role.with_article();
    if role != Role::Officer && !programmes.is_empty() {
        return Err(AppError::bad_input(
            "programme",
            &format!(
                "{name} token is not limited to programmes; only an officer token takes --programme"
            ),
        ));
    }
    if role != Role::Officer && !countries.is_empty() {
        return Err(AppError::bad_input(
            "country",
            &format!(
                "{name} token is not limited to countries; only an officer token takes --country"
            ),
        ));
    }
    if role != Role::Donor && organisation.is_some() {
        return Err(AppError::bad_input(
            "organisation",
            &format!(
                "{name} token belongs to no organisation; only a donor token takes --organisation"
            ),
        ));
    }
    Ok(())
}

/// Refuses an expiry date already past (UTC, as authentication judges it): such a token would
/// never be valid. Today is the last valid day of a token that expires today.
fn not_past(expires: &str) -> AppResult<()> {
    let day = crate::domain::validate::date("expires", expires)?;
    let today = chrono::Utc::now().date_naive();
    if day < today {
        return Err(AppError::bad_input(
            "expires",
            &format!(
                "{day} is already past (today is {today}, UTC); the token would never be valid"
            ),
        ));
    }
    Ok(())
}

/// The programmes an officer token names, by their codes as stored (any case is accepted, as
/// list filters accept it): each must exist and not be archived, since an officer may write in
/// no other.
async fn live_programmes(db: &Db, codes: &[String]) -> AppResult<Vec<String>> {
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let code = code.trim();
        let found = crate::storage::programmes::find_by_code(
            db.pool(),
            &crate::storage::scope::Scope::All,
            &code.to_ascii_uppercase(),
        )
        .await?;
        match found {
            None => {
                return Err(AppError::bad_input(
                    "programme",
                    &format!("there is no programme {code}"),
                ));
            }
            Some(p) if p.archived_at.is_some() => {
                return Err(AppError::bad_input(
                    "programme",
                    &format!(
                        "programme {} is archived; an officer could write nothing in it",
                        p.code
                    ),
                ));
            }
            Some(p) => out.push(p.code),
        }
    }
    crate::domain::validate::distinct("programme", &out)?;
    Ok(out)
}
