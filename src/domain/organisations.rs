//! Organisations: Member State governments, UN entities, donors, NGOs.

use crate::error::{AppError, AppResult};
use crate::storage::Db;
use crate::storage::organisations::{self as store, OrganisationFields, OrganisationRow};

use super::auth::{Role, Viewer};
use super::records::stale;
use super::{audit, codes, geography, validate};
use crate::storage::ownership::Kind;

/// An organisation as the API shows it.
pub type Organisation = OrganisationRow;

/// The fields of an organisation as a client sends them.
pub struct OrganisationInput {
    pub name: String,
    pub org_type: String,
    pub iati_ref: Option<String>,
    pub country: Option<String>,
}

struct Valid {
    name: String,
    org_type: String,
    iati_ref: Option<String>,
    country: Option<String>,
}

async fn validate_input(db: &Db, input: OrganisationInput) -> AppResult<Valid> {
    let name = validate::required_text("input.name", &input.name, validate::SHORT_TEXT)?;
    let org_type = codes::require(db, "OrganisationType", "input.type", input.org_type.trim())
        .await?
        .code;
    let iati_ref = match input.iati_ref.as_deref().map(str::trim) {
        None | Some("") => None,
        // IATI organisation identifiers are `{agency prefix}-{id}`, e.g. XM-DAC-8 (Norway).
        Some(r) => Some(validate::iati_identifier(
            "input.iatiRef",
            r,
            100,
            "an IATI organisation identifier such as XM-DAC-8",
        )?),
    };
    let country = match input.country.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            geography::resolve_countries(db, "input.country", &[c.to_string()])
                .await
                .map_err(|_| {
                    AppError::bad_input("input.country", &format!("{c} is not a known country"))
                })?
                .remove(0),
        ),
    };
    Ok(Valid {
        name,
        org_type,
        iati_ref,
        country,
    })
}

fn fields(v: &Valid) -> OrganisationFields<'_> {
    OrganisationFields {
        name: &v.name,
        org_type: &v.org_type,
        iati_ref: v.iati_ref.as_deref(),
        country_iso3: v.country.as_deref(),
    }
}

pub async fn create(db: &Db, viewer: &Viewer, input: OrganisationInput) -> AppResult<Organisation> {
    viewer.require_role(&[Role::Admin], "create organisations")?;
    let v = validate_input(db, input).await?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields(&v)).await?;
    let after = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read a new organisation", "missing"))?;
    audit::record::<(), _>(
        &mut tx,
        viewer,
        "create",
        "Organisation",
        id,
        None,
        Some(&after),
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
    input: OrganisationInput,
) -> AppResult<Organisation> {
    viewer.require_role(&[Role::Admin], "update organisations")?;
    let v = validate_input(db, input).await?;
    let mut tx = db.begin().await?;
    let before = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Organisation:{id}")))?;
    if !store::update(&mut tx, id, version, &fields(&v)).await? {
        return Err(stale(Kind::Organisation, id, before.version, version));
    }
    let after = store::find(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::internal("read an updated organisation", "missing"))?;
    // Nothing changed: the write is rolled back with the transaction, the version stays.
    let replaced = before.version == version;
    if !audit::record_update(
        &mut tx,
        viewer,
        "Organisation",
        id,
        replaced,
        &before,
        &after,
    )
    .await?
    {
        return Ok(before);
    }
    tx.commit().await?;
    Ok(after)
}
