//! Countries, M49 regions and groupings as the API presents them.

use crate::error::{AppError, AppResult};
use crate::storage::geography::{self as store, Area, CountryRow, GroupingRow, RegionRow};
use crate::storage::{Db, Tx};

use super::audit;
use super::auth::{Role, Viewer};
use super::validate;

/// A country or area in the UN M49 standard.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Country {
    pub iso3: String,
    pub iso2: String,
    pub m49: String,
    pub name: String,
    pub un_member: bool,
    pub region_code: Option<String>,
    pub sub_region_code: Option<String>,
    pub intermediate_region_code: Option<String>,
}

impl From<CountryRow> for Country {
    fn from(r: CountryRow) -> Self {
        Country {
            iso3: r.iso3,
            iso2: r.iso2,
            m49: r.m49,
            name: r.name,
            un_member: r.un_member.0,
            region_code: r.region_code,
            sub_region_code: r.sub_region_code,
            intermediate_region_code: r.intermediate_region_code,
        }
    }
}

/// A level of the M49 hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum RegionLevel {
    /// The world (M49 001).
    World,
    /// A continental region, e.g. Africa (002).
    Region,
    /// A sub-region, e.g. South-eastern Asia (035).
    SubRegion,
    /// An intermediate region, e.g. Eastern Africa (014).
    IntermediateRegion,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::World => "world",
            RegionLevel::Region => "region",
            RegionLevel::SubRegion => "sub_region",
            RegionLevel::IntermediateRegion => "intermediate_region",
        }
    }

    fn parse(s: &str) -> RegionLevel {
        match s {
            "world" => RegionLevel::World,
            "region" => RegionLevel::Region,
            "sub_region" => RegionLevel::SubRegion,
            _ => RegionLevel::IntermediateRegion,
        }
    }
}

/// An M49 region at any level.
#[derive(Clone, Debug)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    pub parent_code: Option<String>,
}

impl From<RegionRow> for Region {
    fn from(r: RegionRow) -> Self {
        Region {
            level: RegionLevel::parse(&r.level),
            code: r.code,
            name: r.name,
            parent_code: r.parent_code,
        }
    }
}

/// A named set of countries that is not an M49 region.
#[derive(Clone, Debug)]
pub struct Grouping {
    pub code: String,
    pub name: String,
    pub description: String,
}

impl From<GroupingRow> for Grouping {
    fn from(r: GroupingRow) -> Self {
        Grouping {
            code: r.code,
            name: r.name,
            description: r.description,
        }
    }
}

/// Normalises a country code as users write it: ISO3 and ISO2 upper-cased, M49 zero-padded.
pub fn normalise_country_code(code: &str) -> String {
    let c = code.trim();
    if !c.is_empty() && c.len() <= 3 && c.chars().all(|ch| ch.is_ascii_digit()) {
        format!("{c:0>3}")
    } else {
        c.to_ascii_uppercase()
    }
}

/// Finds a country by ISO3, ISO2 or M49 code.
pub async fn country(db: &Db, code: &str) -> AppResult<Option<Country>> {
    Ok(
        store::find_country(db.pool(), &normalise_country_code(code))
            .await?
            .map(Country::from),
    )
}

/// Resolves a region or grouping code given as `field`; unknown codes are the caller's error.
/// A country's code is told apart from an unknown one, with what to do instead: filter by
/// country (or, for an input's areas, list it among the countries).
pub async fn area(db: &Db, field: &str, code: &str) -> AppResult<Area> {
    area_or_else(db, field, code, |_| {
        if field.starts_with("input.") {
            "list it among the countries instead".to_string()
        } else {
            "filter by country instead".to_string()
        }
    })
    .await
}

/// [`area`], with `instead` saying what to do when the code names a country.
pub async fn area_or_else(
    db: &Db,
    field: &str,
    code: &str,
    instead: impl FnOnce(&Country) -> String,
) -> AppResult<Area> {
    let code = code.trim();
    let padded = normalise_country_code(code);
    let lookup = if padded.chars().all(|c| c.is_ascii_digit()) {
        padded
    } else {
        code.to_string()
    };
    if let Some(area) = store::find_area(db.pool(), &lookup).await? {
        return Ok(area);
    }
    let message = match country(db, code).await? {
        Some(c) => format!(
            "{code} is a country ({}), not a region or grouping; {}",
            c.name,
            instead(&c)
        ),
        None => {
            // Codes are registered as written, so two groupings may differ only in case; one
            // written in a third case names neither, and saying it is unknown would mislead.
            let alike = store::groupings_alike(db.pool(), code).await?;
            if alike.len() > 1 {
                format!(
                    "{code} could be any of the groupings {}, whose codes differ only in case; write the code exactly",
                    alike.join(", ")
                )
            } else {
                format!("{code} is neither an M49 region code nor a grouping code")
            }
        }
    };
    Err(AppError::bad_input(field, &message))
}

impl Country {
    /// The smallest M49 region it is in: its intermediate region, else its sub-region, else its
    /// region (none for Antarctica).
    pub fn smallest_region(&self) -> Option<&str> {
        self.intermediate_region_code
            .as_deref()
            .or(self.sub_region_code.as_deref())
            .or(self.region_code.as_deref())
    }
}

/// Checks that every code names a country, returning their ISO3 codes in the given order.
pub async fn resolve_countries(db: &Db, field: &str, codes: &[String]) -> AppResult<Vec<String>> {
    let mut out = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let found = store::find_country(db.pool(), &normalise_country_code(code)).await?;
        match found {
            Some(c) => out.push(c.iso3),
            None => {
                return Err(AppError::bad_input(
                    &format!("{field}[{i}]"),
                    &format!("{code} is not a known country code"),
                ));
            }
        }
    }
    validate::distinct(field, &out)?;
    Ok(out)
}

/// The fields a new grouping is made of.
pub struct NewGrouping {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub countries: Vec<String>,
}

/// Creates a grouping (admins only).
pub async fn create_grouping(db: &Db, viewer: &Viewer, input: NewGrouping) -> AppResult<Grouping> {
    viewer.require_role(&[Role::Admin], "create groupings")?;
    let code = validate::required_text("input.code", &input.code, 40)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || code.chars().all(|c| c.is_ascii_digit())
    {
        return Err(AppError::bad_input(
            "input.code",
            "must be letters, digits, - or _ and not all digits (digits are M49 codes)",
        ));
    }
    validate::begins_with_letter_or_digit("input.code", &code)?;
    let name = validate::required_text("input.name", &input.name, validate::SHORT_TEXT)?;
    let description = validate::optional_text(
        "input.description",
        input.description.as_deref(),
        validate::LONG_TEXT,
    )?;
    if input.countries.is_empty() {
        return Err(AppError::bad_input(
            "input.countries",
            "must list at least one country",
        ));
    }
    let countries = resolve_countries(db, "input.countries", &input.countries).await?;
    if store::find_grouping(db.pool(), &code).await?.is_some() {
        return Err(AppError::taken(
            "input.code",
            format!("a grouping with code {code} already exists"),
        ));
    }
    let mut tx: Tx = db.begin().await?;
    store::insert_grouping(&mut tx, &code, &name, &description, &countries).await?;
    let after = serde_json::json!({"code": code, "name": name, "countries": countries});
    audit::record::<(), _>(&mut tx, viewer, "create", "Grouping", 0, None, Some(&after)).await?;
    tx.commit().await?;
    Ok(Grouping {
        code,
        name,
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_normalised_as_users_write_them() {
        assert_eq!(normalise_country_code("nor"), "NOR");
        assert_eq!(normalise_country_code(" no "), "NO");
        assert_eq!(normalise_country_code("4"), "004");
        assert_eq!(normalise_country_code("578"), "578");
    }
}
