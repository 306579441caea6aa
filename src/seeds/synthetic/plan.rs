//! The generator behind the synthetic load: a small PRNG (SplitMix64) and the rows it draws.
//! Each kind of record draws from its own stream, so growing one size (say activities) leaves
//! the others identical.

use chrono::{Datelike, Duration, NaiveDate};

use super::{Options, V};

/// SplitMix64: tiny, fast and good enough for test data; not for anything secret.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Rng {
        Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..n (n below 2^32), without modulo bias worth noticing.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const KINDS: [(&str, &str, u64); 8] = [
    ("training", "Training", 30),
    ("workshop", "Workshop", 20),
    ("assessment", "Assessment", 8),
    ("advisory_mission", "Advisory mission", 12),
    ("study_visit", "Study visit", 5),
    ("equipment_delivery", "Equipment delivery", 5),
    ("conference", "Conference", 8),
    ("other", "Activity", 12),
];
const TOPICS: [&str; 12] = [
    "prison management",
    "anti-corruption",
    "border control",
    "criminal justice reform",
    "victim support",
    "counter-terrorism",
    "drug use prevention",
    "cybercrime",
    "maritime crime",
    "forensic science",
    "gender-responsive policing",
    "juvenile justice",
];
const GROUPS: [&str; 7] = [
    "prison officers",
    "judges",
    "prosecutors",
    "police officers",
    "customs officers",
    "civil society",
    "policy makers",
];
const OPENERS: [&str; 5] = [
    "Early engagement with ministries on",
    "Translating training material on",
    "Mentoring after courses in",
    "Joint assessments of",
    "Remote delivery of sessions on",
];
const CLAIMS: [&str; 5] = [
    "improved uptake by national counterparts",
    "needed more lead time than planned",
    "worked best with a local partner institution",
    "was slowed by procurement delays",
    "reached more women when sessions were held locally",
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn text(d: NaiveDate) -> V {
    V::T(d.to_string())
}

fn opt(d: Option<NaiveDate>) -> V {
    d.map(text).unwrap_or(V::N)
}

/// The day the synthetic data is drawn as of, fixed so that a seed always gives the same rows:
/// engagements end before it or go on past it, and activities begin by it.
const TODAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");

/// An engagement as later rows need it.
struct Eng {
    id: i64,
    topic: usize,
    from: NaiveDate,
    /// Last day activities may fall on: the end, or the end of 2026 when open-ended.
    until: NaiveDate,
    countries: Vec<(usize, f64)>,
    row: Vec<V>,
}

struct Indicator {
    id: i64,
    unit: bool,
    sex: bool,
    by_country: Option<usize>,
    base_year: i32,
    baseline: f64,
}

pub struct Plan {
    opts: Options,
    countries: Vec<String>,
    donors: Vec<i64>,
    engs: Vec<Eng>,
    weights: Vec<u64>,
    activity_rng: Rng,
    next_activity: usize,
    /// Engagement-level results: (result id, engagement index).
    results: Vec<(i64, usize)>,
    indicators: Vec<Indicator>,
}

impl Plan {
    pub fn new(opts: &Options, mut countries: Vec<String>, donors: Vec<i64>) -> Plan {
        // Most Member States, not all: a shuffled tenth gets no synthetic engagement.
        let mut rng = Rng::new(opts.seed, 1);
        for i in (1..countries.len()).rev() {
            countries.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let served = (countries.len() * 9 / 10).max(1);
        let engs: Vec<Eng> = (0..opts.engagements)
            .map(|i| engagement(&mut rng, opts.programmes, i, served, &countries))
            .collect();
        // Activities are logged once an engagement has begun: one still in the pipeline gets
        // none (a weight of 0 is never drawn).
        let mut total = 0;
        let weights = engs
            .iter()
            .map(|e| {
                let w = 1 + rng.below(10);
                if e.from <= TODAY {
                    total += w;
                }
                total
            })
            .collect();
        Plan {
            opts: opts.clone(),
            countries,
            donors,
            engs,
            weights,
            activity_rng: Rng::new(opts.seed, 2),
            next_activity: 0,
            results: Vec::new(),
            indicators: Vec::new(),
        }
    }

    pub fn programmes(&self) -> Vec<Vec<V>> {
        (1..=self.opts.programmes as i64)
            .map(|p| {
                let topic = TOPICS[(p as usize - 1) % TOPICS.len()];
                vec![
                    V::I(p),
                    V::T(format!("SYN{p:02}")),
                    V::T(format!("[Synthetic] Global programme on {topic} {p}")),
                    V::T("Generated for performance testing; not real.".into()),
                    V::T(topic.into()),
                ]
            })
            .collect()
    }

    pub fn engagements(&mut self) -> Vec<Vec<V>> {
        self.engs
            .iter_mut()
            .map(|e| std::mem::take(&mut e.row))
            .collect()
    }

    pub fn engagement_countries(&self) -> Vec<Vec<V>> {
        let mut rows = Vec::new();
        for e in &self.engs {
            for &(c, pct) in &e.countries {
                rows.push(vec![V::I(e.id), V::T(self.countries[c].clone()), V::F(pct)]);
            }
        }
        rows
    }

    /// Every engagement has a DAC sector, as IATI asks: legal and judicial development alone,
    /// or shared with one of the other sectors UNODC works in.
    pub fn engagement_sectors(&self) -> Vec<Vec<V>> {
        const OTHERS: [&str; 4] = ["15210", "15113", "16063", "15220"];
        let mut rng = Rng::new(self.opts.seed, 9);
        let mut rows = Vec::new();
        for e in &self.engs {
            if rng.chance(50) {
                rows.push(vec![V::I(e.id), V::T("15130".into()), V::F(100.0)]);
            } else {
                let other = *rng.pick(&OTHERS);
                rows.push(vec![V::I(e.id), V::T("15130".into()), V::F(60.0)]);
                rows.push(vec![V::I(e.id), V::T(other.into()), V::F(40.0)]);
            }
        }
        rows
    }

    /// Four in five engagements have one or two donors; the rest are unfunded.
    pub fn engagement_donors(&self) -> Vec<Vec<V>> {
        let mut rng = Rng::new(self.opts.seed, 3);
        let mut rows = Vec::new();
        for e in &self.engs {
            if !rng.chance(80) {
                continue;
            }
            let first = *rng.pick(&self.donors);
            rows.push(vec![V::I(e.id), V::I(first), V::T("1".into())]);
            let second = *rng.pick(&self.donors);
            if rng.chance(25) && second != first {
                rows.push(vec![V::I(e.id), V::I(second), V::T("1".into())]);
            }
        }
        rows
    }

    /// A budget per calendar year of most engagements, in USD or EUR.
    pub fn budgets(&self) -> Vec<Vec<V>> {
        let mut rng = Rng::new(self.opts.seed, 4);
        let mut rows = Vec::new();
        for e in &self.engs {
            if !rng.chance(90) {
                continue;
            }
            let currency = if rng.chance(70) { "USD" } else { "EUR" };
            for year in e.from.year()..=e.until.year() {
                let start = day(year, 1, 1).max(e.from);
                let end = day(year, 12, 31).min(e.until);
                rows.push(vec![
                    V::I(rows.len() as i64 + 1),
                    V::I(e.id),
                    text(start),
                    text(end),
                    V::F(((20 + rng.below(980)) * 1000) as f64),
                    V::T(currency.into()),
                    text(start),
                ]);
            }
        }
        rows
    }

    /// The next batch of at most `n` activities, or None when all were drawn.
    pub fn activities(&mut self, n: usize) -> Option<Vec<Vec<V>>> {
        let left = self.opts.activities - self.next_activity;
        if left == 0 || self.weights.last().is_none_or(|&w| w == 0) {
            return None;
        }
        let rows = (0..n.min(left)).map(|_| self.activity()).collect();
        Some(rows)
    }

    fn activity(&mut self) -> Vec<V> {
        self.next_activity += 1;
        let id = self.next_activity as i64;
        let rng = &mut self.activity_rng;
        let r = rng.below(*self.weights.last().expect("engagements"));
        let e = &self.engs[self.weights.partition_point(|&w| w <= r)];
        let mut k = rng.below(100);
        let (kind, label, _) = *KINDS
            .iter()
            .find(|(_, _, w)| {
                let hit = k < *w;
                k = k.saturating_sub(*w);
                hit
            })
            .unwrap_or(&KINDS[7]);
        // Logged by the data's own today: none has a first day still to come.
        let last = e.until.min(TODAY);
        let span = (last - e.from).num_days().max(0) as u64;
        let start = e.from + Duration::days(rng.below(span + 1) as i64);
        let end = (start + Duration::days(rng.below(5) as i64)).min(e.until);
        let mut p = rng.below(100) as f64;
        let country = e
            .countries
            .iter()
            .find(|(_, pct)| {
                p -= pct;
                p < 0.0
            })
            .unwrap_or(&e.countries[0])
            .0;
        let total = match kind {
            "equipment_delivery" => 0,
            "assessment" | "advisory_mission" => 2 + rng.below(14),
            "conference" => 30 + rng.below(170),
            _ => 8 + rng.below(33),
        };
        let female = total * (20 + rng.below(41)) / 100;
        let unknown = if rng.chance(10) {
            rng.below(total - female + 1)
        } else {
            0
        };
        vec![
            V::I(id),
            V::I(e.id),
            V::T(kind.into()),
            V::T(format!("[Synthetic] {label} on {} #{id}", TOPICS[e.topic])),
            text(start),
            text(end),
            V::T(self.countries[country].clone()),
            V::T(if rng.chance(80) { "Capital" } else { "" }.into()),
            V::I(total as i64),
            V::I(female as i64),
            V::I((total - female - unknown) as i64),
            V::T(rng.pick(&GROUPS).to_string()),
        ]
    }

    /// One lesson per four engagements, worded from a few phrases so text search has hits.
    pub fn lessons(&self) -> Vec<Vec<V>> {
        let mut rng = Rng::new(self.opts.seed, 5);
        (1..=(self.engs.len() / 4) as i64)
            .map(|id| {
                let e = rng.pick(&self.engs);
                let topic = TOPICS[e.topic];
                let statement = format!("{} {topic} {}.", rng.pick(&OPENERS), rng.pick(&CLAIMS));
                vec![
                    V::I(id),
                    V::T(format!("[Synthetic] Lesson {id} on {topic}")),
                    V::T(statement),
                    V::T(format!("Observed in {}.", self.countries[e.countries[0].0])),
                    V::I(e.id),
                    V::T("synthetic".into()),
                    V::T(format!("{}T12:00:00.000000Z", e.until)),
                ]
            })
            .collect()
    }

    /// One impact result per programme, then outcome/output results on engagements, about
    /// two indicators each.
    pub fn results(&mut self) -> Vec<Vec<V>> {
        let mut rng = Rng::new(self.opts.seed, 6);
        let mut rows: Vec<Vec<V>> = (1..=self.opts.programmes as i64)
            .map(|p| {
                vec![
                    V::I(p),
                    V::NI,
                    V::I(p),
                    V::T("3".into()),
                    V::T(format!("[Synthetic] Impact of programme SYN{p:02}")),
                ]
            })
            .collect();
        let wanted = self.opts.indicators.div_ceil(2);
        for _ in 0..wanted {
            let id = rows.len() as i64 + 1;
            let e = rng.below(self.engs.len() as u64) as usize;
            let (code, name) = if rng.chance(50) {
                ("2", "Outcome")
            } else {
                ("1", "Output")
            };
            let topic = TOPICS[self.engs[e].topic];
            rows.push(vec![
                V::I(id),
                V::I(self.engs[e].id),
                V::NI,
                V::T(code.into()),
                V::T(format!(
                    "[Synthetic] {name} {id}: {topic} capacity improved"
                )),
            ]);
            self.results.push((id, e));
        }
        rows
    }

    pub fn indicators(&mut self) -> Vec<Vec<V>> {
        let mut rng = Rng::new(self.opts.seed, 7);
        let mut rows = Vec::new();
        for i in 0..self.opts.indicators {
            let id = i as i64 + 1;
            // One in twenty indicators measures a programme's impact; the rest an engagement's.
            let (result, eng) = if self.results.is_empty() || rng.chance(5) {
                (1 + rng.below(self.opts.programmes as u64) as i64, None)
            } else {
                let (r, e) = self.results[i % self.results.len()];
                (r, Some(e))
            };
            let unit = rng.chance(70);
            let base_year = eng.map_or(2018, |e| self.engs[e].from.year());
            let baseline = if unit {
                rng.below(50) as f64
            } else {
                (5 + rng.below(55)) as f64
            };
            let group = rng.pick(&GROUPS);
            let title = if unit {
                format!("[Synthetic] Number of {group} trained ({id})")
            } else {
                format!("[Synthetic] Share of {group} applying new procedures, % ({id})")
            };
            rows.push(vec![
                V::I(id),
                V::I(result),
                V::T(format!("SYN-IND-{id}")),
                V::T(title),
                V::T(if unit { "1" } else { "2" }.into()),
                V::T(if unit { "sum" } else { "mean" }.into()),
                V::I(base_year.into()),
                V::F(baseline),
            ]);
            let by_country = eng.filter(|&e| self.engs[e].countries.len() > 1 && rng.chance(50));
            self.indicators.push(Indicator {
                id,
                unit,
                sex: unit && rng.chance(60),
                by_country,
                base_year,
                baseline,
            });
        }
        rows
    }

    pub fn indicator_dimensions(&self) -> Vec<Vec<V>> {
        let mut rows = Vec::new();
        for ind in self.indicators.iter().filter(|i| i.sex) {
            for value in ["female", "male"] {
                rows.push(vec![V::I(ind.id), V::T("sex".into()), V::T(value.into())]);
            }
        }
        rows
    }

    /// A target per yearly period; actuals for periods up to 2025, also by sex and by country
    /// where the indicator is disaggregated so.
    pub fn indicator_values(&self) -> Vec<Vec<V>> {
        let mut rng = Rng::new(self.opts.seed, 8);
        let mut rows = Vec::new();
        let mut push = |ind: i64, kind: &str, year: i32, value: f64, country: V, dim: &str| {
            rows.push(vec![
                V::I(rows.len() as i64 + 1),
                V::I(ind),
                V::T(kind.into()),
                text(day(year, 1, 1)),
                text(day(year, 12, 31)),
                V::F(value),
                country,
                V::T(if dim.is_empty() { "" } else { "sex" }.into()),
                V::T(dim.into()),
            ]);
        };
        for ind in &self.indicators {
            let step = (5 + rng.below(26)) as f64;
            for p in 0..self.opts.periods {
                let year = ind.base_year + 1 + p as i32;
                let target = if ind.unit {
                    ind.baseline + step * (p + 1) as f64
                } else {
                    (ind.baseline + 3.0 * (p + 1) as f64).min(100.0)
                };
                push(ind.id, "target", year, target, V::N, "");
                if year > 2025 {
                    continue;
                }
                let actual = (target * (60 + rng.below(56)) as f64 / 100.0)
                    .round()
                    .min(if ind.unit { f64::MAX } else { 100.0 });
                push(ind.id, "actual", year, actual, V::N, "");
                if ind.sex {
                    let female = (actual * (30 + rng.below(41)) as f64 / 100.0).round();
                    push(ind.id, "actual", year, female, V::N, "female");
                    push(ind.id, "actual", year, actual - female, V::N, "male");
                }
                if let Some(e) = ind.by_country {
                    for &(c, pct) in &self.engs[e].countries {
                        let share = if ind.unit {
                            (actual * pct / 100.0).round()
                        } else {
                            actual
                        };
                        push(
                            ind.id,
                            "actual",
                            year,
                            share,
                            V::T(self.countries[c].clone()),
                            "",
                        );
                    }
                }
            }
        }
        rows
    }
}

/// Draws one engagement: dates 2015-2026 (some open-ended), a status that fits them, and one
/// country or (three in ten) two to four with whole percentages summing to exactly 100.
fn engagement(rng: &mut Rng, programmes: usize, i: usize, served: usize, names: &[String]) -> Eng {
    let id = i as i64 + 1;
    let today = TODAY;
    let horizon = day(2026, 12, 31);
    let pipeline = rng.chance(4);
    let start = if pipeline {
        today + Duration::days(rng.below(300) as i64)
    } else {
        day(2015, 1, 1) + Duration::days(rng.below(4017) as i64)
    };
    let planned_start = if pipeline {
        start
    } else {
        start - Duration::days(rng.below(60) as i64)
    };
    let planned_end =
        (!rng.chance(12)).then(|| start + Duration::days(180 + rng.below(1620) as i64));
    let (status, actual_start, actual_end) = match planned_end {
        _ if pipeline => ("1", None, None),
        Some(end) if end < today => {
            let r = rng.below(100);
            let status = if r < 3 {
                "5"
            } else if r < 13 {
                "3"
            } else {
                "4"
            };
            (status, Some(start), Some(end))
        }
        _ => ("2", Some(start), None),
    };
    let active_from = actual_start.unwrap_or(planned_start);
    let active_to = if pipeline { planned_end } else { actual_end };
    let until = active_to
        .or(planned_end)
        .unwrap_or(horizon)
        .min(horizon)
        .max(active_from);

    let k = if rng.chance(30) {
        2 + rng.below(3) as usize
    } else {
        1
    };
    let mut picked: Vec<usize> = Vec::with_capacity(k);
    while picked.len() < k.min(served) {
        let c = rng.below(served as u64) as usize;
        if !picked.contains(&c) {
            picked.push(c);
        }
    }
    let weights: Vec<u64> = picked.iter().map(|_| 1 + rng.below(9)).collect();
    let sum: u64 = weights.iter().sum();
    let mut shares: Vec<u64> = weights.iter().map(|w| 100 * w / sum).collect();
    let last = shares.len() - 1;
    shares[last] = 100 - shares[..last].iter().sum::<u64>();
    let shares: Vec<(usize, f64)> = picked
        .into_iter()
        .zip(shares.into_iter().map(|s| s as f64))
        .collect();

    let topic = rng.below(TOPICS.len() as u64) as usize;
    let iso: Vec<&str> = shares.iter().map(|&(c, _)| names[c].as_str()).collect();
    let programme = (i % programmes) as i64 + 1;
    let row = vec![
        V::I(id),
        V::I(programme),
        V::T(format!(
            "[Synthetic] {} support, {} #{id}",
            capitalised(TOPICS[topic]),
            iso.join("/")
        )),
        V::T("Generated for performance testing; not a real engagement.".into()),
        V::T(format!("XX-SYNTHETIC-{id}")),
        V::T(status.into()),
        text(planned_start),
        opt(planned_end),
        opt(actual_start),
        opt(actual_end),
        text(active_from),
        opt(active_to),
    ];
    Eng {
        id,
        topic,
        from: active_from,
        until,
        countries: shares,
        row,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
