//! What `regionalSummary` answered, read into the same shape as the expected figures, and the
//! comparison of the two.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Figures, Row, number};

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn people(v: &Value) -> [i64; 4] {
    [
        int(&v["total"]),
        int(&v["female"]),
        int(&v["male"]),
        int(&v["unreported"]),
    ]
}

fn money(v: &Value) -> BTreeMap<String, f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["currency"].as_str().unwrap().to_string(),
                m["amount"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// The figures as `regionalSummary` answered them (see `SUMMARY` in the tests).
pub fn observed(s: &Value) -> Figures {
    let mut f = Figures {
        reached: int(&s["countriesReached"]),
        engagements: int(&s["engagements"]["total"]),
        activities: int(&s["activities"]["total"]),
        participants: people(&s["participants"]),
        events: int(&s["events"]),
        lessons: int(&s["lessonsRecorded"]),
        budget: money(&s["budgetTotal"]),
        ..Default::default()
    };
    for b in s["engagements"]["byStatus"].as_array().unwrap() {
        f.by_status
            .insert(b["status"].as_str().unwrap().into(), int(&b["count"]));
    }
    for b in s["activities"]["byKind"].as_array().unwrap() {
        f.by_kind
            .insert(b["kind"].as_str().unwrap().into(), int(&b["count"]));
    }
    for d in s["funding"].as_array().unwrap() {
        let donor = d["donor"]["id"]
            .as_str()
            .map_or("none".to_string(), |id| number(id).to_string());
        let key = (donor, d["currency"].as_str().unwrap().to_string());
        assert!(
            f.funding
                .insert(key, d["amount"].as_f64().unwrap())
                .is_none(),
            "a donor and currency twice: {d}"
        );
    }
    for r in s["bySubRegion"].as_array().unwrap() {
        assert!(!r["region"]["name"].as_str().unwrap().is_empty(), "{r}");
        let row = Row {
            reached: int(&r["countriesReached"]),
            engagements: int(&r["engagements"]),
            activities: int(&r["activities"]),
            participants: people(&r["participants"]),
            events: int(&r["events"]),
            budget: money(&r["budgetTotal"]),
        };
        f.subs
            .insert(r["region"]["code"].as_str().unwrap().into(), row);
    }
    for r in s["byCountry"].as_array().unwrap() {
        assert!(!r["country"]["name"].as_str().unwrap().is_empty(), "{r}");
        let row = Row {
            engagements: int(&r["engagements"]),
            activities: int(&r["activities"]),
            participants: people(&r["participants"]),
            events: int(&r["events"]),
            budget: money(&r["budgetTotal"]),
            ..Default::default()
        };
        f.countries
            .insert(r["country"]["iso3"].as_str().unwrap().into(), row);
    }
    f
}

fn close_maps<K: Ord + std::fmt::Debug>(what: &str, a: &BTreeMap<K, f64>, b: &BTreeMap<K, f64>) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: keys"
    );
    for (k, x) in a {
        let y = b[k];
        assert!(
            (x - y).abs() <= 1e-6 * x.abs().max(1.0),
            "{what} {k:?}: expected {x}, got {y}"
        );
    }
}

fn same_rows(what: &str, exp: &BTreeMap<String, Row>, got: &BTreeMap<String, Row>, reached: bool) {
    assert_eq!(
        exp.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "{what}: rows"
    );
    for (k, e) in exp {
        let g = &got[k];
        let label = format!("{what} {k}");
        if reached {
            assert_eq!(e.reached, g.reached, "{label}: countries reached");
        }
        assert_eq!(e.engagements, g.engagements, "{label}: engagements");
        assert_eq!(e.activities, g.activities, "{label}: activities");
        assert_eq!(e.participants, g.participants, "{label}: participants");
        assert_eq!(e.events, g.events, "{label}: events");
        close_maps(&format!("{label}: budget"), &e.budget, &g.budget);
    }
}

/// Every figure of `got` equals the one computed from the records.
pub fn assert_reconciles(label: &str, exp: &Figures, got: &Figures) {
    assert_eq!(exp.reached, got.reached, "{label}: countries reached");
    assert_eq!(exp.engagements, got.engagements, "{label}: engagements");
    assert_eq!(
        exp.by_status, got.by_status,
        "{label}: engagements by status"
    );
    assert_eq!(exp.activities, got.activities, "{label}: activities");
    assert_eq!(exp.by_kind, got.by_kind, "{label}: activities by kind");
    assert_eq!(exp.participants, got.participants, "{label}: participants");
    assert_eq!(exp.events, got.events, "{label}: events");
    assert_eq!(exp.lessons, got.lessons, "{label}: lessons recorded");
    close_maps(&format!("{label}: funding"), &exp.funding, &got.funding);
    close_maps(&format!("{label}: budget total"), &exp.budget, &got.budget);
    same_rows(
        &format!("{label}: by sub-region"),
        &exp.subs,
        &got.subs,
        true,
    );
    same_rows(
        &format!("{label}: by country"),
        &exp.countries,
        &got.countries,
        false,
    );
}
