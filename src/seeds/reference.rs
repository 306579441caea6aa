//! Reference data from `seeds/reference/`: loaded when missing, never duplicated.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SeedReport;
use crate::error::{AppError, AppResult};
use crate::storage::geography::{self as geo, CountryRow, RegionRow};
use crate::storage::{Db, Flag, codelists};

const M49: &str = include_str!("../../seeds/reference/m49_countries.csv");
const GROUPINGS: &str = include_str!("../../seeds/reference/groupings.csv");

/// The IATI codelists shipped, by IATI name.
pub const CODELISTS: &[(&str, &str)] = &[
    (
        "ActivityDateType",
        include_str!("../../seeds/reference/iati-codelists/ActivityDateType.csv"),
    ),
    (
        "ActivityStatus",
        include_str!("../../seeds/reference/iati-codelists/ActivityStatus.csv"),
    ),
    (
        "BudgetStatus",
        include_str!("../../seeds/reference/iati-codelists/BudgetStatus.csv"),
    ),
    (
        "BudgetType",
        include_str!("../../seeds/reference/iati-codelists/BudgetType.csv"),
    ),
    (
        "Currency",
        include_str!("../../seeds/reference/iati-codelists/Currency.csv"),
    ),
    (
        "DescriptionType",
        include_str!("../../seeds/reference/iati-codelists/DescriptionType.csv"),
    ),
    (
        "DocumentCategory",
        include_str!("../../seeds/reference/iati-codelists/DocumentCategory.csv"),
    ),
    (
        "IndicatorMeasure",
        include_str!("../../seeds/reference/iati-codelists/IndicatorMeasure.csv"),
    ),
    (
        "IndicatorVocabulary",
        include_str!("../../seeds/reference/iati-codelists/IndicatorVocabulary.csv"),
    ),
    (
        "Language",
        include_str!("../../seeds/reference/iati-codelists/Language.csv"),
    ),
    (
        "OrganisationRole",
        include_str!("../../seeds/reference/iati-codelists/OrganisationRole.csv"),
    ),
    (
        "OrganisationType",
        include_str!("../../seeds/reference/iati-codelists/OrganisationType.csv"),
    ),
    (
        "PolicyMarker",
        include_str!("../../seeds/reference/iati-codelists/PolicyMarker.csv"),
    ),
    (
        "PolicyMarkerVocabulary",
        include_str!("../../seeds/reference/iati-codelists/PolicyMarkerVocabulary.csv"),
    ),
    (
        "PolicySignificance",
        include_str!("../../seeds/reference/iati-codelists/PolicySignificance.csv"),
    ),
    (
        "RegionVocabulary",
        include_str!("../../seeds/reference/iati-codelists/RegionVocabulary.csv"),
    ),
    (
        "ResultType",
        include_str!("../../seeds/reference/iati-codelists/ResultType.csv"),
    ),
    (
        "ResultVocabulary",
        include_str!("../../seeds/reference/iati-codelists/ResultVocabulary.csv"),
    ),
    (
        "Sector",
        include_str!("../../seeds/reference/iati-codelists/Sector.csv"),
    ),
    (
        "SectorVocabulary",
        include_str!("../../seeds/reference/iati-codelists/SectorVocabulary.csv"),
    ),
    (
        "TagVocabulary",
        include_str!("../../seeds/reference/iati-codelists/TagVocabulary.csv"),
    ),
    (
        "UNSDG-Goals",
        include_str!("../../seeds/reference/iati-codelists/UNSDG-Goals.csv"),
    ),
    (
        "UNSDG-Targets",
        include_str!("../../seeds/reference/iati-codelists/UNSDG-Targets.csv"),
    ),
];

#[derive(Deserialize)]
struct M49Row {
    iso3: String,
    iso2: String,
    m49: String,
    name: String,
    region_code: String,
    region: String,
    sub_region_code: String,
    sub_region: String,
    intermediate_region_code: String,
    intermediate_region: String,
    un_member: String,
}

#[derive(Deserialize)]
struct CodeCsvRow {
    code: String,
    name_en: String,
    category: String,
    status: String,
    description_en: String,
}

#[derive(Deserialize)]
struct GroupingCsvRow {
    code: String,
    name: String,
    description: String,
    countries: String,
}

fn bad_seed(what: &'static str, e: impl std::fmt::Display) -> AppError {
    AppError::internal(what, e.to_string())
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The M49 regions and countries in the shipped CSV.
pub fn geography() -> AppResult<(Vec<RegionRow>, Vec<CountryRow>)> {
    let mut regions: BTreeMap<String, RegionRow> = BTreeMap::new();
    let mut add = |code: &str, name: &str, level: &str, parent: Option<&str>| {
        if !code.is_empty() {
            regions
                .entry(code.to_string())
                .or_insert_with(|| RegionRow {
                    code: code.to_string(),
                    name: name.to_string(),
                    level: level.to_string(),
                    parent_code: parent.map(str::to_string),
                });
        }
    };
    add("001", "World", "world", None);
    let mut countries = Vec::new();
    for row in csv::Reader::from_reader(M49.as_bytes()).deserialize::<M49Row>() {
        let r = row.map_err(|e| bad_seed("read m49_countries.csv", e))?;
        add(&r.region_code, &r.region, "region", Some("001"));
        add(
            &r.sub_region_code,
            &r.sub_region,
            "sub_region",
            Some(&r.region_code),
        );
        add(
            &r.intermediate_region_code,
            &r.intermediate_region,
            "intermediate_region",
            Some(&r.sub_region_code),
        );
        countries.push(CountryRow {
            iso3: r.iso3,
            iso2: r.iso2,
            m49: r.m49,
            name: r.name,
            un_member: Flag(r.un_member == "true"),
            region_code: non_empty(&r.region_code),
            sub_region_code: non_empty(&r.sub_region_code),
            intermediate_region_code: non_empty(&r.intermediate_region_code),
        });
    }
    Ok((regions.into_values().collect(), countries))
}

/// Loads whatever reference data the database lacks, in one transaction.
pub async fn load(db: &Db) -> AppResult<SeedReport> {
    let mut report = SeedReport::default();
    let mut tx = db.begin().await?;
    if geo::country_count(&mut *tx).await? == 0 {
        let (regions, countries) = geography()?;
        // Parents first: the world, then regions, sub-regions, intermediate regions.
        for level in ["world", "region", "sub_region", "intermediate_region"] {
            for r in regions.iter().filter(|r| r.level == level) {
                geo::insert_region(&mut tx, r).await?;
            }
        }
        for c in &countries {
            geo::insert_country(&mut tx, c).await?;
        }
        report.regions = regions.len();
        report.countries = countries.len();
    }
    let held: Vec<String> = codelists::list_names(&mut *tx)
        .await?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for (list, text) in CODELISTS {
        if held.iter().any(|h| h == list) {
            continue;
        }
        for row in csv::Reader::from_reader(text.as_bytes()).deserialize::<CodeCsvRow>() {
            let r = row.map_err(|e| bad_seed("read a codelist CSV", e))?;
            let status = if r.status.is_empty() {
                "active".to_string()
            } else {
                r.status
            };
            codelists::insert_item(
                &mut tx,
                &codelists::CodeRow {
                    list: list.to_string(),
                    code: r.code,
                    name: r.name_en,
                    description: r.description_en,
                    category: r.category,
                    status,
                },
            )
            .await?;
            report.codes += 1;
        }
    }
    if geo::list_groupings(&mut *tx).await?.is_empty() {
        for row in csv::Reader::from_reader(GROUPINGS.as_bytes()).deserialize::<GroupingCsvRow>() {
            let r = row.map_err(|e| bad_seed("read groupings.csv", e))?;
            let members: Vec<String> = r.countries.split(';').map(str::to_string).collect();
            geo::insert_grouping(&mut tx, &r.code, &r.name, &r.description, &members).await?;
            report.groupings += 1;
        }
    }
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_geography_has_every_member_state_and_a_connected_hierarchy() {
        let (regions, countries) = geography().unwrap();
        assert_eq!(countries.len(), 249);
        assert_eq!(countries.iter().filter(|c| c.un_member.0).count(), 193);
        let codes: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        for r in &regions {
            if let Some(p) = &r.parent_code {
                assert!(
                    codes.contains(&p.as_str()),
                    "{} has unknown parent {p}",
                    r.code
                );
            }
        }
        let south_eastern_asia = countries
            .iter()
            .filter(|c| c.sub_region_code.as_deref() == Some("035"))
            .count();
        assert_eq!(south_eastern_asia, 11);
    }

    #[test]
    fn every_shipped_codelist_parses() {
        for (name, text) in CODELISTS {
            let rows: Vec<CodeCsvRow> = csv::Reader::from_reader(text.as_bytes())
                .deserialize()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(!rows.is_empty(), "{name} is empty");
        }
    }
}
