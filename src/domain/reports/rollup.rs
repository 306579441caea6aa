//! Rolling the grouped rows of the aggregate statements up into a summary's totals and its
//! per sub-region and per country figures: pure, so it is unit-tested without a database.

use std::collections::BTreeMap;

use crate::domain::activities::{ActivityKind, Participants};
use crate::storage::reports::{
    ActivityRow, EngagedCountryRow, EngagementCountRow, EventRow, FundingRow, ReachRow,
};

/// An amount in one currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Money {
    pub currency: String,
    pub amount: f64,
}

/// What one donor funds in one currency; `donor_id` None collects budgets of engagements with
/// no funding organisation recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct DonorFunding {
    pub donor_id: Option<i64>,
    pub currency: String,
    pub amount: f64,
}

/// Engagements with one IATI ActivityStatus.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusCount {
    pub status: String,
    pub name: String,
    pub count: i64,
}

/// Activities of one kind.
#[derive(Clone, Debug, PartialEq)]
pub struct KindCount {
    pub kind: ActivityKind,
    pub count: i64,
}

/// The figures of one sub-region or country of the area.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub countries_reached: i64,
    pub engagements: i64,
    pub activities: i64,
    pub participants: Participants,
    pub events: i64,
    /// Budget per currency.
    pub budget: BTreeMap<String, f64>,
}

impl Figures {
    pub fn budget_total(&self) -> Vec<Money> {
        money(&self.budget)
    }
}

fn money(by_currency: &BTreeMap<String, f64>) -> Vec<Money> {
    by_currency
        .iter()
        .map(|(currency, amount)| Money {
            currency: currency.clone(),
            amount: *amount,
        })
        .collect()
}

/// The grouped rows of the aggregate statements, rolled up. Every group is disjoint (one country,
/// one kind, one donor, one currency), so adding groups never counts a record twice; distinct
/// engagement counts are taken by the database per dimension for the same reason.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub countries_reached: i64,
    pub engagements: i64,
    pub by_status: BTreeMap<String, i64>,
    pub activities: i64,
    pub by_kind: BTreeMap<&'static str, i64>,
    pub participants: Participants,
    pub events: i64,
    pub lessons_recorded: i64,
    /// Amount per (currency, donor).
    pub funding: BTreeMap<(String, Option<i64>), f64>,
    pub budget: BTreeMap<String, f64>,
    pub sub_regions: BTreeMap<String, Figures>,
    pub countries: BTreeMap<String, Figures>,
}

impl Totals {
    pub fn by_kind(&self) -> Vec<KindCount> {
        self.by_kind
            .iter()
            .map(|(kind, count)| KindCount {
                kind: ActivityKind::parse(kind),
                count: *count,
            })
            .collect()
    }

    pub fn funding(&self) -> Vec<DonorFunding> {
        self.funding
            .iter()
            .map(|((currency, donor_id), amount)| DonorFunding {
                donor_id: *donor_id,
                currency: currency.clone(),
                amount: *amount,
            })
            .collect()
    }

    pub fn budget_total(&self) -> Vec<Money> {
        money(&self.budget)
    }
}

/// The grouped rows as the database returns them.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    pub reach: Vec<ReachRow>,
    pub engagements: Vec<EngagementCountRow>,
    pub activities: Vec<ActivityRow>,
    pub funding: Vec<FundingRow>,
    pub events: Vec<EventRow>,
    pub lessons: i64,
}

fn add(p: &mut Participants, total: i64, female: i64, male: i64) {
    p.total += total;
    p.female += female;
    p.male += male;
}

/// Countries reached per sub-region: countries with an active engagement or with activities.
pub fn reach(engaged: &[EngagedCountryRow], activities: &[ActivityRow]) -> Vec<ReachRow> {
    let countries: BTreeMap<&str, &Option<String>> = engaged
        .iter()
        .map(|c| (c.country_iso3.as_str(), &c.sub_region_code))
        .chain(
            activities
                .iter()
                .filter(|a| a.activities > 0)
                .map(|a| (a.country_iso3.as_str(), &a.sub_region_code)),
        )
        .collect();
    let mut per_sub: BTreeMap<&Option<String>, i64> = BTreeMap::new();
    for sub in countries.values() {
        *per_sub.entry(sub).or_default() += 1;
    }
    per_sub
        .into_iter()
        .map(|(sub, countries)| ReachRow {
            sub_region_code: sub.clone(),
            countries,
        })
        .collect()
}

/// Rolls grouped rows up into totals and per sub-region and per country figures. Rows without a
/// sub-region (or country) count in the totals only.
pub fn roll_up(g: &Groups) -> Totals {
    let mut t = Totals {
        lessons_recorded: g.lessons,
        ..Default::default()
    };
    for r in &g.reach {
        t.countries_reached += r.countries;
        if let Some(sub) = &r.sub_region_code {
            t.sub_regions
                .entry(sub.clone())
                .or_default()
                .countries_reached += r.countries;
        }
    }
    for r in &g.engagements {
        match (r.dim.as_str(), &r.code) {
            ("status", Some(status)) => {
                t.engagements += r.engagements;
                *t.by_status.entry(status.clone()).or_default() += r.engagements;
            }
            ("sub_region", Some(sub)) => {
                t.sub_regions.entry(sub.clone()).or_default().engagements += r.engagements;
            }
            ("country", Some(c)) => {
                t.countries.entry(c.clone()).or_default().engagements += r.engagements;
            }
            _ => {}
        }
    }
    for r in &g.activities {
        t.activities += r.activities;
        let kind = ActivityKind::parse(&r.kind).as_str();
        *t.by_kind.entry(kind).or_default() += r.activities;
        add(&mut t.participants, r.total, r.female, r.male);
        let country = t.countries.entry(r.country_iso3.clone()).or_default();
        country.activities += r.activities;
        add(&mut country.participants, r.total, r.female, r.male);
        if let Some(sub) = &r.sub_region_code {
            let f = t.sub_regions.entry(sub.clone()).or_default();
            f.activities += r.activities;
            add(&mut f.participants, r.total, r.female, r.male);
        }
    }
    for r in &g.funding {
        *t.funding
            .entry((r.currency.clone(), r.donor_id))
            .or_default() += r.amount;
        *t.budget.entry(r.currency.clone()).or_default() += r.amount;
        if let Some(sub) = &r.sub_region_code {
            let f = t.sub_regions.entry(sub.clone()).or_default();
            *f.budget.entry(r.currency.clone()).or_default() += r.amount;
        }
        if let Some(c) = &r.country_iso3 {
            let f = t.countries.entry(c.clone()).or_default();
            *f.budget.entry(r.currency.clone()).or_default() += r.amount;
        }
    }
    for r in &g.events {
        t.events += r.events;
        t.countries
            .entry(r.country_iso3.clone())
            .or_default()
            .events += r.events;
        if let Some(sub) = &r.sub_region_code {
            t.sub_regions.entry(sub.clone()).or_default().events += r.events;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(country: &str, sub: &str, kind: &str, n: i64, p: (i64, i64, i64)) -> ActivityRow {
        ActivityRow {
            country_iso3: country.into(),
            sub_region_code: Some(sub.into()),
            kind: kind.into(),
            activities: n,
            total: p.0,
            female: p.1,
            male: p.2,
        }
    }

    fn funding(
        country: Option<&str>,
        sub: &str,
        donor: Option<i64>,
        cur: &str,
        amount: f64,
    ) -> FundingRow {
        FundingRow {
            country_iso3: country.map(str::to_string),
            sub_region_code: Some(sub.into()),
            donor_id: donor,
            currency: cur.into(),
            amount,
        }
    }

    fn count(dim: &str, code: &str, n: i64) -> EngagementCountRow {
        EngagementCountRow {
            dim: dim.into(),
            code: Some(code.into()),
            engagements: n,
        }
    }

    #[test]
    fn groups_roll_up_into_totals_and_breakdowns_without_double_counting() {
        let g = Groups {
            reach: vec![ReachRow {
                sub_region_code: Some("143".into()),
                countries: 2,
            }],
            // One engagement in KAZ and UZB: once in the total and the sub-region, once per
            // country.
            engagements: vec![
                count("status", "2", 1),
                count("sub_region", "143", 1),
                count("country", "KAZ", 1),
                count("country", "UZB", 1),
            ],
            activities: vec![
                activity("KAZ", "143", "training", 2, (30, 10, 15)),
                activity("KAZ", "143", "workshop", 1, (5, 5, 0)),
                activity("UZB", "143", "training", 1, (8, 4, 4)),
            ],
            funding: vec![
                funding(Some("KAZ"), "143", Some(7), "USD", 600.0),
                funding(Some("UZB"), "143", Some(7), "USD", 400.0),
                funding(None, "143", None, "EUR", 50.0),
            ],
            events: vec![EventRow {
                country_iso3: "UZB".into(),
                sub_region_code: Some("143".into()),
                events: 3,
            }],
            lessons: 4,
        };
        let t = roll_up(&g);
        assert_eq!(t.countries_reached, 2);
        assert_eq!(t.engagements, 1);
        assert_eq!(t.activities, 4);
        assert_eq!(t.by_kind.get("training"), Some(&3));
        assert_eq!(
            t.participants,
            Participants {
                total: 43,
                female: 19,
                male: 19
            }
        );
        assert_eq!(t.events, 3);
        assert_eq!(t.lessons_recorded, 4);
        assert_eq!(t.funding.get(&("USD".into(), Some(7))), Some(&1000.0));
        assert_eq!(t.funding.get(&("EUR".into(), None)), Some(&50.0));
        assert_eq!(t.budget.get("USD"), Some(&1000.0));
        let sub = &t.sub_regions["143"];
        assert_eq!((sub.engagements, sub.activities, sub.events), (1, 4, 3));
        assert_eq!(sub.budget.get("EUR"), Some(&50.0));
        let kaz = &t.countries["KAZ"];
        assert_eq!(
            (kaz.engagements, kaz.activities, kaz.participants.total),
            (1, 3, 35)
        );
        assert_eq!(kaz.budget.get("USD"), Some(&600.0));
        assert_eq!(
            t.countries.len(),
            2,
            "a region-level budget names no country"
        );
    }

    #[test]
    fn an_empty_area_rolls_up_to_zeros() {
        let t = roll_up(&Groups::default());
        assert_eq!(t, Totals::default());
        assert!(t.funding().is_empty() && t.budget_total().is_empty() && t.by_kind().is_empty());
    }
}
