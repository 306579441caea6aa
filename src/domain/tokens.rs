//! Issuing and revoking API tokens (from the command line).

use crate::error::{AppError, AppResult};
use crate::storage::{self, Db, tokens};

use super::auth::{Role, generate_token, hash_token};

pub struct TokenRequest {
    pub role: Role,
    pub name: Option<String>,
    pub programmes: Vec<String>,
    pub countries: Vec<String>,
    pub organisation_id: Option<i64>,
    pub expires: Option<String>,
}

/// Creates a token and returns it in clear, the only time it is ever shown.
pub async fn create(db: &Db, req: TokenRequest) -> AppResult<(i64, String)> {
    if req.role == Role::Donor && req.organisation_id.is_none() {
        return Err(AppError::bad_input(
            "organisation",
            "a donor token must name the organisation it belongs to",
        ));
    }
    if req.role == Role::Officer && req.programmes.is_empty() {
        return Err(AppError::bad_input(
            "programme",
            "an officer token must name at least one programme",
        ));
    }
    if let Some(org) = req.organisation_id
        && storage::organisations::find(db.pool(), org)
            .await?
            .is_none()
    {
        return Err(AppError::bad_input(
            "organisation",
            &format!("there is no organisation Organisation:{org}"),
        ));
    }
    let expires = match &req.expires {
        Some(d) => Some(super::validate::date("expires", d)?.to_string()),
        None => None,
    };
    let countries = super::geography::resolve_countries(db, "country", &req.countries).await?;
    let token = generate_token()?;
    let default = format!("{} token", req.role.as_str());
    let name = match req.name.as_deref().map(str::trim) {
        None => default,
        Some("") => {
            return Err(AppError::bad_input(
                "name",
                &format!("must not be empty; leave --name out for the default, '{default}'"),
            ));
        }
        // `token list` writes a token a line, its columns separated by tabs.
        Some(name) if name.chars().any(char::is_control) => {
            return Err(AppError::bad_input(
                "name",
                "must not contain a tab, a line break or another control character: token \
                 list writes one token a line, with tabs between its columns",
            ));
        }
        Some(name) => name.to_string(),
    };
    let mut tx = db.begin().await?;
    let id = tokens::insert(
        &mut tx,
        &tokens::NewToken {
            name: &name,
            role: req.role.as_str(),
            token_hash: &hash_token(&token),
            organisation_id: req.organisation_id,
            expires_on: expires.as_deref(),
            programmes: &req.programmes,
            countries: &countries,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

pub async fn revoke(db: &Db, id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    if !tokens::revoke(&mut tx, id).await? {
        // Said apart: a token revoked before is already what the operator wants.
        let listed = tokens::list(&mut *tx).await?;
        return Err(if listed.iter().any(|t| t.id == id) {
            AppError::conflict(format!("token {id} is already revoked"))
        } else {
            AppError::not_found(format!("token {id}"))
        });
    }
    tx.commit().await?;
    Ok(())
}
