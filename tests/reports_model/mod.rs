//! The records a reconciliation test creates, kept in memory, and the summary figures computed
//! from them directly in Rust (independently of the SQL under test), plus the comparison with
//! what `regionalSummary` answers.
#![allow(dead_code)]

pub mod dataset;
pub mod observe;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

/// M49 facts the dataset relies on: (ISO3, region, sub-region, in UNODC-MENA).
pub const PLACES: &[(&str, &str, &str, bool)] = &[
    ("KAZ", "142", "143", false),
    ("UZB", "142", "143", false),
    ("KGZ", "142", "143", false),
    ("IDN", "142", "035", false),
    ("PHL", "142", "035", false),
    ("JOR", "142", "145", true),
    ("TUN", "002", "015", true),
    ("EGY", "002", "015", true),
    ("BFA", "002", "202", false),
    ("USA", "019", "021", false),
];

fn place(iso3: &str) -> (&'static str, &'static str, bool) {
    let p = PLACES
        .iter()
        .find(|p| p.0 == iso3)
        .unwrap_or_else(|| panic!("{iso3} is not in PLACES"));
    (p.1, p.2, p.3)
}

/// The M49 parent of the region codes the dataset uses.
fn parent(code: &str) -> Option<&'static str> {
    match code {
        "143" | "035" | "145" => Some("142"),
        "015" | "202" => Some("002"),
        "011" => Some("202"),
        "021" => Some("019"),
        "142" | "002" | "019" | "009" => Some("001"),
        _ => None,
    }
}

/// An area as the test understands it.
#[derive(Clone, Copy, Debug)]
pub enum Area {
    World,
    Region(&'static str),
    Mena,
}

impl Area {
    pub fn code(self) -> &'static str {
        match self {
            Area::World => "001",
            Area::Region(c) => c,
            Area::Mena => "UNODC-MENA",
        }
    }

    pub fn has_country(self, iso3: &str) -> bool {
        let (region, sub, mena) = place(iso3);
        match self {
            Area::World => true,
            Area::Region(c) => c == region || c == sub,
            Area::Mena => mena,
        }
    }

    /// Whether a region or grouping code lies inside the area.
    pub fn has_code(self, code: &str) -> bool {
        match self {
            Area::World => true,
            Area::Mena => code == "UNODC-MENA",
            Area::Region(c) => {
                let mut at = Some(code);
                while let Some(x) = at {
                    if x == c {
                        return true;
                    }
                    at = parent(x);
                }
                false
            }
        }
    }
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[derive(Clone, Debug)]
pub struct Budget {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub amount: f64,
    pub currency: &'static str,
}

#[derive(Clone, Debug)]
pub struct Eng {
    pub id: String,
    pub programme: &'static str,
    pub status: &'static str,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// `from` and `to` are actual dates, which the API keeps its activities within.
    pub actual: bool,
    pub countries: Vec<(&'static str, f64)>,
    pub region: Option<&'static str>,
    /// Funding organisations (numeric ids).
    pub funders: Vec<i64>,
    pub archived: bool,
    pub budgets: Vec<Budget>,
}

#[derive(Clone, Debug)]
pub struct Act {
    pub eng: usize,
    pub kind: &'static str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub country: &'static str,
    pub total: i64,
    pub female: i64,
    pub male: i64,
    pub archived: bool,
}

#[derive(Clone, Debug)]
pub struct Ev {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub venue: &'static str,
    pub engagements: Vec<usize>,
    pub programmes: Vec<&'static str>,
    pub archived: bool,
}

#[derive(Clone, Debug)]
pub struct Lesson {
    pub recorded: NaiveDate,
    pub countries: Vec<&'static str>,
    pub areas: Vec<&'static str>,
    pub source: Option<usize>,
    pub archived: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Records {
    pub engs: Vec<Eng>,
    pub acts: Vec<Act>,
    pub events: Vec<Ev>,
    pub lessons: Vec<Lesson>,
}

/// The figures of a sub-region or country row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub reached: i64,
    pub engagements: i64,
    pub activities: i64,
    pub participants: [i64; 4],
    pub events: i64,
    pub budget: BTreeMap<String, f64>,
}

/// Every figure of a summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub reached: i64,
    pub engagements: i64,
    pub by_status: BTreeMap<String, i64>,
    pub activities: i64,
    pub by_kind: BTreeMap<String, i64>,
    pub participants: [i64; 4],
    pub events: i64,
    pub lessons: i64,
    /// (donor numeric id or "none", currency) -> amount.
    pub funding: BTreeMap<(String, String), f64>,
    pub budget: BTreeMap<String, f64>,
    pub subs: BTreeMap<String, Row>,
    pub countries: BTreeMap<String, Row>,
}

/// Who is asking and for what.
#[derive(Clone, Copy, Debug)]
pub struct Ask {
    pub area: Area,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub programme: Option<&'static str>,
    /// A donor organisation's numeric id: only what it funds.
    pub donor: Option<i64>,
}

fn overlaps(
    period: Option<(NaiveDate, NaiveDate)>,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> bool {
    period.is_none_or(|(from, to)| start <= to && end.is_none_or(|e| e >= from))
}

/// Days of `[start, end]` inside the period over all its days.
fn prorate(period: Option<(NaiveDate, NaiveDate)>, start: NaiveDate, end: NaiveDate) -> f64 {
    let Some((from, to)) = period else { return 1.0 };
    let inside = (end.min(to) - start.max(from)).num_days() + 1;
    inside as f64 / ((end - start).num_days() + 1) as f64
}

fn add_people(p: &mut [i64; 4], a: &Act) {
    p[0] += a.total;
    p[1] += a.female;
    p[2] += a.male;
    p[3] += a.total - a.female - a.male;
}

/// The summary computed from the records themselves.
pub fn expected(r: &Records, ask: Ask) -> Figures {
    let area = ask.area;
    let visible = |e: &Eng| {
        !e.archived
            && ask.programme.is_none_or(|p| p == e.programme)
            && ask.donor.is_none_or(|d| e.funders.contains(&d))
    };
    let active = |e: &Eng| visible(e) && overlaps(ask.period, e.from, e.to);
    // (country, sub-region, share) of each engagement inside the area.
    let shares = |e: &Eng| -> Vec<(Option<&'static str>, Option<&'static str>, f64)> {
        match e.region {
            Some(region) if area.has_code(region) => {
                let sub = if parent(region) == Some("001") {
                    None
                } else {
                    Some(region)
                };
                vec![(None, sub, 1.0)]
            }
            Some(_) => vec![],
            None => e
                .countries
                .iter()
                .filter(|(c, _)| area.has_country(c))
                .map(|(c, pct)| (Some(*c), Some(place(c).1), pct / 100.0))
                .collect(),
        }
    };
    let mut f = Figures::default();
    let mut reached: BTreeSet<&str> = BTreeSet::new();

    for e in r.engs.iter().filter(|e| active(e)) {
        let s = shares(e);
        if s.is_empty() {
            continue;
        }
        f.engagements += 1;
        *f.by_status.entry(e.status.to_string()).or_default() += 1;
        let subs: BTreeSet<&str> = s.iter().filter_map(|x| x.1).collect();
        for sub in subs {
            f.subs.entry(sub.to_string()).or_default().engagements += 1;
        }
        for c in s.iter().filter_map(|x| x.0) {
            f.countries.entry(c.to_string()).or_default().engagements += 1;
            reached.insert(c);
        }
    }
    for a in &r.acts {
        let e = &r.engs[a.eng];
        if a.archived
            || !visible(e)
            || !area.has_country(a.country)
            || !overlaps(ask.period, a.start, Some(a.end))
        {
            continue;
        }
        f.activities += 1;
        *f.by_kind.entry(a.kind.to_string()).or_default() += 1;
        add_people(&mut f.participants, a);
        let c = f.countries.entry(a.country.to_string()).or_default();
        c.activities += 1;
        add_people(&mut c.participants, a);
        let s = f.subs.entry(place(a.country).1.to_string()).or_default();
        s.activities += 1;
        add_people(&mut s.participants, a);
        reached.insert(a.country);
    }
    f.reached = reached.len() as i64;
    for c in reached {
        f.subs.entry(place(c).1.to_string()).or_default().reached += 1;
    }
    for e in r.engs.iter().filter(|e| visible(e)) {
        let s = shares(e);
        for b in e
            .budgets
            .iter()
            .filter(|b| overlaps(ask.period, b.start, Some(b.end)))
        {
            let days = prorate(ask.period, b.start, b.end);
            for (country, sub, share) in &s {
                let amount = b.amount * days * share;
                let cur = b.currency.to_string();
                if e.funders.is_empty() {
                    *f.funding.entry(("none".into(), cur.clone())).or_default() += amount;
                }
                for d in &e.funders {
                    *f.funding.entry((d.to_string(), cur.clone())).or_default() +=
                        amount / e.funders.len() as f64;
                }
                *f.budget.entry(cur.clone()).or_default() += amount;
                if let Some(sub) = sub {
                    *f.subs
                        .entry(sub.to_string())
                        .or_default()
                        .budget
                        .entry(cur.clone())
                        .or_default() += amount;
                }
                if let Some(c) = country {
                    *f.countries
                        .entry(c.to_string())
                        .or_default()
                        .budget
                        .entry(cur)
                        .or_default() += amount;
                }
            }
        }
    }
    // Events hang under engagements only through their links, whatever those engagements' state.
    for ev in &r.events {
        let in_scope = ask.donor.is_none_or(|d| {
            ev.engagements
                .iter()
                .any(|i| r.engs[*i].funders.contains(&d))
        });
        let in_programme = ask.programme.is_none_or(|p| {
            ev.programmes.contains(&p) || ev.engagements.iter().any(|i| r.engs[*i].programme == p)
        });
        if ev.archived
            || !in_scope
            || !in_programme
            || !area.has_country(ev.venue)
            || !overlaps(ask.period, ev.start, Some(ev.end))
        {
            continue;
        }
        f.events += 1;
        f.countries.entry(ev.venue.to_string()).or_default().events += 1;
        f.subs
            .entry(place(ev.venue).1.to_string())
            .or_default()
            .events += 1;
    }
    for l in &r.lessons {
        let source = l.source.map(|i| &r.engs[i]);
        let in_scope = ask
            .donor
            .is_none_or(|d| source.is_some_and(|e| e.funders.contains(&d)));
        let in_programme = ask
            .programme
            .is_none_or(|p| source.is_some_and(|e| e.programme == p));
        let applies = l.countries.iter().any(|c| area.has_country(c))
            || l.areas.iter().any(|c| area.has_code(c));
        if !l.archived
            && in_scope
            && in_programme
            && applies
            && overlaps(ask.period, l.recorded, Some(l.recorded))
        {
            f.lessons += 1;
        }
    }
    f
}

/// The id number of a global id (`Organisation:3` -> 3).
pub fn number(id: &str) -> i64 {
    id.split_once(':').unwrap().1.parse().unwrap()
}
