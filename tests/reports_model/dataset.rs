//! The generated dataset, created through the API as an admin would, and the same records kept
//! in memory for the expected figures.

use chrono::Duration;
use serde_json::{Value, json};

use super::{Act, Budget, Eng, Ev, Lesson, Records, date, number};
use crate::common::TestApp;

/// A small linear congruential generator: the same numbers on every run.
pub struct Lcg(u64);

impl Lcg {
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        lo + ((self.0 >> 33) % (hi - lo + 1) as u64) as i64
    }
}

const KINDS: [&str; 8] = [
    "TRAINING",
    "WORKSHOP",
    "ASSESSMENT",
    "ADVISORY_MISSION",
    "STUDY_VISIT",
    "EQUIPMENT_DELIVERY",
    "CONFERENCE",
    "OTHER",
];

pub struct Dataset {
    pub admin: String,
    pub norway: i64,
    pub belgium: i64,
    pub records: Records,
}

async fn id_of(app: &TestApp, token: &str, query: &str, input: Value, root: &str) -> (String, i64) {
    let data = app.ok(query, json!({ "i": input }), Some(token)).await;
    let r = &data[root];
    (
        r["id"].as_str().unwrap().to_string(),
        r["version"].as_i64().unwrap(),
    )
}

async fn archive(app: &TestApp, token: &str, id: &str, version: i64) {
    app.ok(
        "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id } }",
        json!({ "id": id, "v": version }),
        Some(token),
    )
    .await;
}

/// One engagement: (programme, status, planned start/end, actual start/end, countries with
/// percentages or a region, funders, archived, budgets (start, end, currency)).
struct Spec {
    programme: &'static str,
    status: &'static str,
    planned: (&'static str, Option<&'static str>),
    actual: Option<(&'static str, Option<&'static str>)>,
    countries: &'static [(&'static str, f64)],
    region: Option<&'static str>,
    funders: &'static [&'static str],
    archived: bool,
    budgets: &'static [(&'static str, &'static str, &'static str)],
}

const SPECS: &[Spec] = &[
    // Two countries 60/40, ongoing (no end), funded by Norway.
    Spec {
        programme: "REC",
        status: "2",
        planned: ("2019-07-01", None),
        actual: None,
        countries: &[("KAZ", 60.0), ("UZB", 40.0)],
        region: None,
        funders: &["norway"],
        archived: false,
        budgets: &[
            ("2019-07-01", "2020-06-30", "USD"),
            ("2020-07-01", "2021-06-30", "USD"),
            ("2021-07-01", "2022-06-30", "EUR"),
        ],
    },
    // Actual dates override planned ones and span the 2020/2021 boundary; two donors; ended, so
    // in finalisation.
    Spec {
        programme: "REC",
        status: "3",
        planned: ("2020-01-01", Some("2020-12-31")),
        actual: Some(("2020-03-01", Some("2021-06-30"))),
        countries: &[("IDN", 100.0)],
        region: None,
        funders: &["norway", "belgium"],
        archived: false,
        budgets: &[
            ("2020-03-01", "2021-02-28", "USD"),
            ("2021-03-01", "2021-06-30", "EUR"),
        ],
    },
    // A grouping that cuts across regions (Tunisia in Africa, Jordan in Asia); no donor.
    Spec {
        programme: "REC",
        status: "1",
        planned: ("2021-01-01", Some("2021-12-31")),
        actual: None,
        countries: &[("TUN", 60.0), ("JOR", 40.0)],
        region: None,
        funders: &[],
        archived: false,
        budgets: &[("2021-01-01", "2021-12-31", "EUR")],
    },
    // Archived: nothing of it counts.
    Spec {
        programme: "REC",
        status: "2",
        planned: ("2020-01-01", Some("2022-12-31")),
        actual: None,
        countries: &[("BFA", 100.0)],
        region: None,
        funders: &["belgium"],
        archived: true,
        budgets: &[("2020-01-01", "2020-12-31", "USD")],
    },
    // Ended before 2020.
    Spec {
        programme: "REC",
        status: "4",
        planned: ("2018-01-01", Some("2019-12-31")),
        actual: Some(("2018-01-01", Some("2019-12-31"))),
        countries: &[("KGZ", 70.0), ("PHL", 30.0)],
        region: None,
        funders: &["belgium"],
        archived: false,
        budgets: &[
            ("2018-01-01", "2018-12-31", "USD"),
            ("2019-01-01", "2019-12-31", "USD"),
        ],
    },
    // Another programme.
    Spec {
        programme: "OTH",
        status: "2",
        planned: ("2021-04-01", Some("2022-03-31")),
        actual: None,
        countries: &[("EGY", 100.0)],
        region: None,
        funders: &["norway"],
        archived: false,
        budgets: &[("2021-04-01", "2022-03-31", "EUR")],
    },
    // Recorded for a sub-region (Central Asia), not countries; closed, on its planned dates.
    Spec {
        programme: "REC",
        status: "4",
        planned: ("2021-01-01", Some("2021-12-31")),
        actual: Some(("2021-01-01", Some("2021-12-31"))),
        countries: &[],
        region: Some("143"),
        funders: &["belgium"],
        archived: false,
        budgets: &[("2021-01-01", "2021-12-31", "USD")],
    },
];

pub async fn dataset(app: &TestApp) -> Dataset {
    let admin = app.admin().await;
    let mut rng = Lcg(0x5eed_2019);
    let org = |name: &'static str, kind: &'static str| {
        let admin = admin.clone();
        async move {
            let q = "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }";
            let data = app
                .ok(
                    q,
                    json!({ "i": { "name": name, "type": kind } }),
                    Some(&admin),
                )
                .await;
            data["createOrganisation"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let norway = org("Government of Norway", "10").await;
    let belgium = org("Government of Belgium", "10").await;
    let unodc = org("UNODC", "40").await;
    for code in ["REC", "OTH"] {
        let q = "mutation($c: String!) { createProgramme(input: {code: $c, title: $c}) { id } }";
        app.ok(q, json!({ "c": code }), Some(&admin)).await;
    }
    let org_id = |name: &str| if name == "norway" { &norway } else { &belgium };

    let mut records = Records::default();
    let mut archive_later = Vec::new();
    for (i, s) in SPECS.iter().enumerate() {
        let mut input = json!({
            "programme": s.programme, "title": format!("[Test] Engagement {i}"), "status": s.status,
            "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": s.planned.0, "plannedEnd": s.planned.1,
        });
        if let Some((start, end)) = s.actual {
            input["actualStart"] = json!(start);
            input["actualEnd"] = json!(end);
        }
        match s.region {
            Some(r) => input["recipientRegion"] = json!(r),
            None => {
                input["recipientCountries"] = s
                    .countries
                    .iter()
                    .map(|(c, p)| json!({ "country": c, "percentage": p }))
                    .collect()
            }
        }
        let mut orgs: Vec<Value> = s
            .funders
            .iter()
            .map(|f| json!({ "organisation": org_id(f), "role": "1" }))
            .collect();
        orgs.push(json!({ "organisation": unodc, "role": "4" }));
        input["participatingOrganisations"] = Value::Array(orgs);
        let budgets: Vec<Budget> = s
            .budgets
            .iter()
            .map(|(start, end, currency)| Budget {
                start: date(start),
                end: date(end),
                amount: rng.between(1_000_000, 25_000_000) as f64 / 100.0,
                currency,
            })
            .collect();
        input["budgets"] = budgets
            .iter()
            .map(|b| {
                json!({ "periodStart": b.start.to_string(), "periodEnd": b.end.to_string(),
                              "amount": b.amount, "currency": b.currency })
            })
            .collect();
        let q =
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id version } }";
        let (id, version) = id_of(app, &admin, q, input, "createEngagement").await;
        if s.archived {
            archive_later.push((id.clone(), version));
        }
        let (from, to) = match s.actual {
            Some((start, end)) => (date(start), end.map(date)),
            None => (date(s.planned.0), s.planned.1.map(date)),
        };
        records.engs.push(Eng {
            id,
            programme: s.programme,
            status: s.status,
            from,
            to,
            actual: s.actual.is_some(),
            countries: s.countries.to_vec(),
            region: s.region,
            funders: s.funders.iter().map(|f| number(org_id(f))).collect(),
            archived: s.archived,
            budgets,
        });
    }
    log_activities(app, &admin, &mut rng, &mut records).await;
    // Lessons are drawn from engagements in use; some of those are archived afterwards.
    record_lessons(app, &admin, &mut records).await;
    for (id, version) in archive_later {
        archive(app, &admin, &id, version).await;
    }
    create_events(app, &admin, &mut records).await;
    Dataset {
        admin,
        norway: number(&norway),
        belgium: number(&belgium),
        records,
    }
}

/// A last day kept within the engagement's actual end, where it has one.
fn within(e: &Eng, end: chrono::NaiveDate) -> chrono::NaiveDate {
    match e.to {
        Some(to) if e.actual => end.min(to),
        _ => end,
    }
}

/// Two to four activities per engagement, in its countries (or its region's), on generated
/// dates, kinds and participants; the first one is archived.
async fn log_activities(app: &TestApp, admin: &str, rng: &mut Lcg, records: &mut Records) {
    const CENTRAL_ASIA: [&str; 3] = ["KAZ", "UZB", "KGZ"];
    for (i, e) in records.engs.clone().iter().enumerate() {
        for _ in 0..rng.between(2, 4) {
            let countries: Vec<&'static str> = if e.countries.is_empty() {
                CENTRAL_ASIA.to_vec()
            } else {
                e.countries.iter().map(|c| c.0).collect()
            };
            let country = countries[rng.between(0, countries.len() as i64 - 1) as usize];
            let span = e.to.map_or(1000, |to| (to - e.from).num_days());
            let start = e.from + Duration::days(rng.between(0, span));
            // One in four runs for weeks or months, often across a new year, so periods cut
            // through activities as well as through years.
            let long = rng.between(0, 3) == 0;
            let end = start + Duration::days(rng.between(0, if long { 500 } else { 4 }));
            let end = within(e, end);
            let total = rng.between(5, 60);
            let female = rng.between(0, total);
            let male = rng.between(0, total - female);
            let kind = KINDS[rng.between(0, 7) as usize];
            let input = json!({
                "engagement": e.id, "kind": kind, "title": format!("[Test] Activity {}", records.acts.len()),
                "startDate": start.to_string(), "endDate": end.to_string(), "country": country,
                "participants": { "total": total, "female": female, "male": male }
            });
            let q = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id version } }";
            let (id, version) = id_of(app, admin, q, input, "logActivity").await;
            let archived = records.acts.is_empty();
            if archived {
                archive(app, admin, &id, version).await;
            }
            // Every fifth is corrected afterwards: new dates and counts replace the first ones.
            let (start, end, total, female, male) = if records.acts.len() % 5 == 3 {
                let earlier = start - Duration::days(rng.between(0, 200));
                let start = if e.actual {
                    earlier.max(e.from)
                } else {
                    earlier
                };
                let end = within(e, start + Duration::days(rng.between(0, 400)));
                let (total, female) = (total + 7, female.min(3));
                let input = json!({
                    "startDate": start.to_string(), "endDate": end.to_string(),
                    "participants": { "total": total, "female": female, "male": male }
                });
                let q = "mutation($id: ID!, $v: Int!, $i: UpdateActivityInput!) \
                         { updateActivity(id: $id, version: $v, input: $i) { id } }";
                let body = app
                    .ok(
                        q,
                        json!({ "id": id, "v": version, "i": input }),
                        Some(admin),
                    )
                    .await;
                assert_eq!(body["updateActivity"]["id"], id.as_str());
                (start, end, total, female, male)
            } else {
                (start, end, total, female, male)
            };
            records.acts.push(Act {
                eng: i,
                kind,
                start,
                end,
                country,
                total,
                female,
                male,
                archived,
            });
        }
    }
}

/// An event: (venue country, start, end, linked engagements (indexes), programmes, archived).
type EventSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static [usize],
    &'static [&'static str],
    bool,
);

async fn create_events(app: &TestApp, admin: &str, records: &mut Records) {
    let specs: [EventSpec; 7] = [
        ("KAZ", "2020-05-10", "2020-05-12", &[0], &["REC"], false),
        ("IDN", "2021-02-01", "2021-02-01", &[1], &[], false),
        ("TUN", "2021-06-20", "2021-06-21", &[2], &[], false),
        ("JOR", "2021-09-01", "2021-09-01", &[], &["OTH"], false),
        ("USA", "2019-06-28", "2019-06-28", &[], &["REC"], false),
        ("EGY", "2021-11-01", "2021-11-02", &[5], &[], true),
        ("UZB", "2020-12-30", "2021-01-02", &[0, 4], &[], false),
    ];
    for (n, (venue, start, end, engs, programmes, archived)) in specs.into_iter().enumerate() {
        let input = json!({
            "kind": "WORKSHOP", "title": format!("[Test] Event {n}"), "startDate": start, "endDate": end,
            "venue": { "city": "Somewhere", "country": venue },
            "engagements": engs.iter().map(|i| records.engs[*i].id.clone()).collect::<Vec<_>>(),
            "programmes": programmes,
        });
        let q = "mutation($i: EventInput!) { createEvent(input: $i) { id version } }";
        let (id, version) = id_of(app, admin, q, input, "createEvent").await;
        if archived {
            archive(app, admin, &id, version).await;
        }
        records.events.push(Ev {
            start: date(start),
            end: date(end),
            venue,
            engagements: engs.to_vec(),
            programmes: programmes.to_vec(),
            archived,
        });
    }
}

/// A lesson: (day recorded, countries, areas, source engagement (index), archived).
type LessonSpec = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    Option<usize>,
    bool,
);

/// Lessons, backdated: the API stamps `recordedAt` with the current time, so the test moves it
/// to a chosen day with direct SQL to place lessons in and out of the periods.
async fn record_lessons(app: &TestApp, admin: &str, records: &mut Records) {
    let specs: [LessonSpec; 8] = [
        ("2020-05-20", &["KAZ"], &[], Some(0), false),
        ("2021-03-04", &[], &["143"], Some(6), false),
        ("2021-08-15", &[], &["UNODC-MENA"], None, false),
        ("2021-06-30", &["TUN", "IDN"], &[], Some(1), false),
        ("2021-12-31", &[], &["142"], Some(5), false),
        ("2020-02-02", &["BFA"], &["202"], Some(3), false),
        ("2021-01-10", &["UZB"], &[], Some(0), true),
        ("2019-12-31", &[], &["035"], Some(1), false),
    ];
    for (n, (day, countries, areas, source, archived)) in specs.into_iter().enumerate() {
        let mut input = json!({
            "title": format!("[Test] Lesson {n}"), "statement": "Generated for a reconciliation test.",
            "countries": countries, "areas": areas,
        });
        if let Some(i) = source {
            input["source"] = json!(records.engs[i].id);
        }
        let q = "mutation($i: LessonInput!) { recordLesson(input: $i) { id version } }";
        let (id, version) = id_of(app, admin, q, input, "recordLesson").await;
        sqlx::query("update lessons set recorded_at = $1 where id = $2")
            .bind(format!("{day}T10:30:00.000000Z"))
            .bind(number(&id))
            .execute(app.db.pool())
            .await
            .expect("backdate the lesson");
        if archived {
            archive(app, admin, &id, version).await;
        }
        records.lessons.push(Lesson {
            recorded: date(day),
            countries: countries.to_vec(),
            areas: areas.to_vec(),
            source,
            archived,
        });
    }
}
