//! Authorization, everywhere: a matrix derived from the schema itself, so a new root field or
//! mutation without an entry fails here; and donor isolation checked on generated data.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::schema::{Schema, named, schema};

use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

/// Root query fields anyone may call, anonymous callers included: reference data.
const PUBLIC: &[&str] = &[
    "codelist",
    "codelists",
    "countries",
    "country",
    "grouping",
    "groupings",
    "me",
    "organisation",
    "organisations",
    "region",
    "regions",
];
/// Root query fields for admins only.
const ADMIN_ONLY: &[&str] = &["auditLog"];
// Every other root query field reads programme records: any role, never anonymous, and donors
// only what they fund. Every mutation: admins and officers (in scope), never anyone else.

/// A literal for a value of type `t`, plausible enough to pass validation.
fn literal(s: &Schema, field: &str, arg: &str, t: &Value) -> String {
    let list = {
        let mut u = t;
        if u["kind"] == "NON_NULL" {
            u = &u["ofType"];
        }
        u["kind"] == "LIST"
    };
    let (kind, name, _) = named(t);
    let one = match (kind, name) {
        ("SCALAR", "Int") => "1".to_string(),
        ("SCALAR", "Float") => "1.5".to_string(),
        ("SCALAR", "Boolean") => "true".to_string(),
        ("SCALAR", "ID") => {
            let kind = match (field, arg) {
                (_, "engagement") | ("engagement", _) | ("updateEngagement", _) => "Engagement",
                _ => {
                    let base = field
                        .trim_start_matches("update")
                        .trim_start_matches("create")
                        .trim_start_matches("record")
                        .trim_start_matches("set")
                        .trim_start_matches("log");
                    let mut c = base.chars();
                    match c.next() {
                        Some(f) => {
                            return format!(
                                "\"{}{}:1\"",
                                f.to_uppercase(),
                                c.as_str()
                                    .trim_end_matches("Actual")
                                    .trim_end_matches("Target")
                            )
                            .replace("\"Archive:1\"", "\"Engagement:1\"")
                            .replace("\"Node:1\"", "\"Engagement:1\"")
                            .replace("\"AuditLog:1\"", "\"Engagement:1\"");
                        }
                        None => "Engagement",
                    }
                }
            };
            format!("\"{kind}:1\"")
        }
        ("SCALAR", _) => match arg {
            "region" => "\"001\"".to_string(),
            "code" => "\"NOR\"".to_string(),
            _ => "\"x\"".to_string(),
        },
        ("ENUM", n) => s.types[n]["enumValues"][0]["name"]
            .as_str()
            .unwrap()
            .to_string(),
        ("INPUT_OBJECT", n) => {
            let fields: Vec<String> = s.types[n]["inputFields"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["type"]["kind"] == "NON_NULL")
                .map(|f| {
                    let fname = f["name"].as_str().unwrap();
                    format!("{fname}: {}", literal(s, field, fname, &f["type"]))
                })
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => panic!("no literal for {other:?}"),
    };
    if list { format!("[{one}]") } else { one }
}

/// A call of a root field with its required arguments and a minimal selection.
fn call(s: &Schema, op: &str, f: &Value) -> String {
    let name = f["name"].as_str().unwrap();
    let args: Vec<String> = f["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"]["kind"] == "NON_NULL")
        .map(|a| {
            let an = a["name"].as_str().unwrap();
            format!("{an}: {}", literal(s, name, an, &a["type"]))
        })
        .collect();
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    };
    let (kind, _, _) = named(&f["type"]);
    let selection = if matches!(kind, "OBJECT" | "INTERFACE" | "UNION") {
        " { __typename }"
    } else {
        ""
    };
    format!("{op} {{ {name}{args}{selection} }}")
}

async fn first_code(app: &common::TestApp, query: &str, token: Option<&str>) -> Option<String> {
    let (_, body) = app.post(query, json!({}), token).await;
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_string)
}

on_both_engines!(
    every_root_field_is_in_the_matrix_and_obeys_it,
    |app: common::TestApp| async move {
        let s = schema(&app).await;
        let reporter = app.token(Role::Reporter).create().await;
        let admin = app.admin().await;
        let org = app
            .ok(
                "mutation { createOrganisation(input: {name: \"Donor\", type: \"10\"}) { id } }",
                json!({}),
                Some(&admin),
            )
            .await;
        let org_id: i64 = org["createOrganisation"]["id"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let donor = app.token(Role::Donor).organisation(org_id).create().await;

        for f in &s.queries {
            let name = f["name"].as_str().unwrap();
            let q = call(&s, "query", f);
            let anonymous = first_code(&app, &q, None).await;
            if PUBLIC.contains(&name) {
                assert_ne!(
                    anonymous.as_deref(),
                    Some("UNAUTHENTICATED"),
                    "{name} is public: {q}"
                );
            } else {
                assert_eq!(
                    anonymous.as_deref(),
                    Some("UNAUTHENTICATED"),
                    "anonymous {name} must be refused: {q}"
                );
                let for_reporter = first_code(&app, &q, Some(&reporter)).await;
                if ADMIN_ONLY.contains(&name) {
                    assert_eq!(
                        for_reporter.as_deref(),
                        Some("FORBIDDEN"),
                        "{name} is for admins: {q}"
                    );
                    assert_eq!(
                        first_code(&app, &q, Some(&donor)).await.as_deref(),
                        Some("FORBIDDEN"),
                        "{name}"
                    );
                } else {
                    assert_ne!(
                        for_reporter.as_deref(),
                        Some("FORBIDDEN"),
                        "reporters read {name}: {q}"
                    );
                    assert_ne!(for_reporter.as_deref(), Some("UNAUTHENTICATED"), "{name}");
                }
            }
        }
        for f in &s.mutations {
            let name = f["name"].as_str().unwrap();
            let q = call(&s, "mutation", f);
            assert_eq!(
                first_code(&app, &q, None).await.as_deref(),
                Some("UNAUTHENTICATED"),
                "anonymous {name}: {q}"
            );
            assert_eq!(
                first_code(&app, &q, Some(&reporter)).await.as_deref(),
                Some("FORBIDDEN"),
                "reporter {name}: {q}"
            );
            assert_eq!(
                first_code(&app, &q, Some(&donor)).await.as_deref(),
                Some("FORBIDDEN"),
                "donor {name}: {q}"
            );
        }
        for listed in PUBLIC.iter().chain(ADMIN_ONLY) {
            assert!(
                s.queries.iter().any(|f| f["name"] == *listed),
                "{listed} is in the matrix but not in the schema"
            );
        }
        assert_eq!(
            app.count("audit_log").await,
            1,
            "only the admin's setup wrote anything"
        );
    }
);

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

on_both_engines!(
    donors_see_exactly_what_they_fund_on_generated_data,
    |app: common::TestApp| async move {
        let admin = app.admin().await;
        app.ok(
            "mutation { createProgramme(input: {code: \"P\", title: \"P\"}) { id } }",
            json!({}),
            Some(&admin),
        )
        .await;
        let mut orgs = Vec::new();
        for i in 0..4 {
            let d = app.ok("mutation($n: String!) { createOrganisation(input: {name: $n, type: \"10\"}) { id } }", json!({"n": format!("Donor {i}")}), Some(&admin)).await;
            orgs.push(d["createOrganisation"]["id"].as_str().unwrap().to_string());
        }
        let countries = ["IDN", "KAZ", "TUN", "BFA", "PHL", "NOR"];
        // Records accumulate across seeds, and so does what each donor should see.
        let mut funded: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut all = Vec::new();
        for seed in [1_u64, 2, 3] {
            let mut g = Gen(seed);
            for e in 0..6 {
                let funders: Vec<&String> = orgs.iter().filter(|_| g.below(3) == 0).collect();
                let mut participants: Vec<Value> = funders
                    .iter()
                    .map(|o| json!({"organisation": o, "role": "1"}))
                    .collect();
                // Organisations in other roles must not make an engagement visible to them.
                participants.push(json!({"organisation": orgs[g.below(4) as usize], "role": "4"}));
                let c = countries[g.below(6) as usize];
                let d = app.ok("mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
                json!({"i": {"programme": "P", "title": format!("S{seed}E{e}"), "status": "2", "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2020-01-01",
                    "recipientCountries": [{"country": c, "percentage": 100}], "participatingOrganisations": participants}}), Some(&admin)).await;
                let id = d["createEngagement"]["id"].as_str().unwrap().to_string();
                app.ok("mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                json!({"i": {"engagement": id, "kind": "TRAINING", "title": "T", "startDate": "2020-02-01", "endDate": "2020-02-01", "country": c}}), Some(&admin)).await;
                for o in &funders {
                    funded.entry((*o).clone()).or_default().insert(id.clone());
                }
                all.push(id);
            }
            for org in &orgs {
                let n: i64 = org.rsplit(':').next().unwrap().parse().unwrap();
                let token = app.token(Role::Donor).organisation(n).create().await;
                let data = app.ok("{ engagements(first: 50, filter: {includeArchived: true}) { nodes { id activities(first: 5) { engagement { id } } } } activities(first: 100) { nodes { engagement { id } } } programmes { nodes { engagements { id } } } }", json!({}), Some(&token)).await;
                let seen: BTreeSet<String> = data["engagements"]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["id"].as_str().unwrap().to_string())
                    .collect();
                let expected: BTreeSet<String> = funded_so_far(&funded, org);
                assert_eq!(seen, expected, "donor {org}, seed {seed}");
                for a in data["activities"]["nodes"].as_array().unwrap() {
                    assert!(
                        expected.contains(a["engagement"]["id"].as_str().unwrap()),
                        "activity outside the donor's engagements"
                    );
                }
                for p in data["programmes"]["nodes"].as_array().unwrap() {
                    for e in p["engagements"].as_array().unwrap() {
                        assert!(expected.contains(e["id"].as_str().unwrap()));
                    }
                }
                for id in &all {
                    let d = app
                        .ok(
                            "query($id: ID!) { engagement(id: $id) { id } }",
                            json!({"id": id}),
                            Some(&token),
                        )
                        .await;
                    assert_eq!(
                        d["engagement"].is_null(),
                        !expected.contains(id),
                        "engagement({id}) for donor {org}"
                    );
                }
            }
        }
    }
);

fn funded_so_far(funded: &HashMap<String, BTreeSet<String>>, org: &str) -> BTreeSet<String> {
    funded.get(org).cloned().unwrap_or_default()
}

/// Two programmes, engagements in them funded by two donors, and a result, an indicator, an
/// activity, a lesson and an event under each engagement, made as an admin would: the world the
/// adversarial tests in `authorization/` probe.
struct World {
    admin: String,
    /// Funds `kaz_uzb` only.
    norway: i64,
    /// Funds `idn` only.
    belgium: i64,
    /// GLOZ85 in Kazakhstan and Uzbekistan.
    kaz_uzb: Records,
    /// GLOZ85 in Indonesia.
    idn: Records,
    /// OTHER1 in Tunisia (funded by Belgium).
    tun: Records,
}

/// An engagement and what hangs under it (global ids).
struct Records {
    engagement: String,
    result: String,
    indicator: String,
    activity: String,
    lesson: String,
    event: String,
}

fn number_of(id: &str) -> i64 {
    id.rsplit_once(':')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("not an id: {id}"))
}

async fn made(app: &common::TestApp, admin: &str, mutation: &str, input: Value) -> String {
    let (_, rest) = mutation.split_once('{').unwrap();
    let field = rest.trim().split('(').next().unwrap().to_string();
    let data = app.ok(mutation, json!({ "i": input }), Some(admin)).await;
    data[&field]["id"].as_str().unwrap().to_string()
}

const NEW_ENGAGEMENT: &str =
    "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
const NEW_RESULT: &str = "mutation($i: CreateResultInput!) { createResult(input: $i) { id } }";
const NEW_INDICATOR: &str =
    "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }";
const NEW_ACTIVITY: &str = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }";
const NEW_LESSON: &str = "mutation($i: LessonInput!) { recordLesson(input: $i) { id } }";
const NEW_EVENT: &str = "mutation($i: EventInput!) { createEvent(input: $i) { id } }";

async fn records(
    app: &common::TestApp,
    admin: &str,
    programme: &str,
    countries: &[&str],
    funder: i64,
) -> Records {
    let share = 100.0 / countries.len() as f64;
    let engagement = made(app, admin, NEW_ENGAGEMENT, json!({
        "programme": programme, "title": format!("{programme} in {}", countries.join(" and ")),
        "status": "2", "sectors": [{"code": "15130", "percentage": 100}],
        "plannedStart": "2019-01-01", "plannedEnd": "2024-12-31",
        "recipientCountries": countries.iter().map(|c| json!({"country": c, "percentage": share})).collect::<Vec<_>>(),
        "participatingOrganisations": [{"organisation": format!("Organisation:{funder}"), "role": "1"}],
        "budgets": [{"periodStart": "2020-01-01", "periodEnd": "2020-12-31", "amount": 1000, "currency": "USD"}]
    })).await;
    let result = made(
        app,
        admin,
        NEW_RESULT,
        json!({
            "engagement": engagement, "type": "2", "title": format!("Outcome of {engagement}")
        }),
    )
    .await;
    let indicator = made(
        app,
        admin,
        NEW_INDICATOR,
        json!({
            "result": result, "code": format!("I-{}", number_of(&engagement)),
            "title": "Prison officers trained", "measure": "UNIT", "aggregation": "SUM"
        }),
    )
    .await;
    let activity = made(app, admin, NEW_ACTIVITY, json!({
        "engagement": engagement, "kind": "TRAINING", "title": format!("Training under {engagement}"),
        "startDate": "2020-02-01", "endDate": "2020-02-02", "country": countries[0],
        "participants": {"total": 10, "female": 5, "male": 5}
    })).await;
    let lesson = made(
        app,
        admin,
        NEW_LESSON,
        json!({
            "title": format!("Lesson from {engagement}"), "statement": "Staff rotate too often",
            "source": engagement, "countries": [countries[0]]
        }),
    )
    .await;
    let event = made(
        app,
        admin,
        NEW_EVENT,
        json!({
            "kind": "EXPERT_GROUP_MEETING", "title": format!("Meeting on {engagement}"),
            "startDate": "2020-03-01", "venue": {"city": "Vienna", "country": "AUT"},
            "engagements": [engagement]
        }),
    )
    .await;
    Records {
        engagement,
        result,
        indicator,
        activity,
        lesson,
        event,
    }
}

async fn world(app: &common::TestApp) -> World {
    let admin = app.admin().await;
    let mut orgs = Vec::new();
    for name in ["Government of Norway", "Government of Belgium"] {
        let id = made(
            app,
            &admin,
            "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
            json!({"name": name, "type": "10"}),
        )
        .await;
        orgs.push(number_of(&id));
    }
    for code in ["GLOZ85", "OTHER1"] {
        made(
            app,
            &admin,
            "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }",
            json!({"code": code, "title": format!("Programme {code}")}),
        )
        .await;
    }
    let kaz_uzb = records(app, &admin, "GLOZ85", &["KAZ", "UZB"], orgs[0]).await;
    let idn = records(app, &admin, "GLOZ85", &["IDN"], orgs[1]).await;
    let tun = records(app, &admin, "OTHER1", &["TUN"], orgs[1]).await;
    World {
        admin,
        norway: orgs[0],
        belgium: orgs[1],
        kaz_uzb,
        idn,
        tun,
    }
}

/// The current version of a record, read as an admin.
async fn version(app: &common::TestApp, w: &World, id: &str) -> i64 {
    let d = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Engagement { version } ... on Result { version } \
             ... on Indicator { version } ... on Activity { version } ... on Lesson { version } \
             ... on Event { version } ... on Programme { version } ... on Document { version } } }",
            json!({ "id": id }),
            Some(&w.admin),
        )
        .await;
    d["node"]["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("no version for {id}: {d}"))
}

// The adversarial tests, by concern; `#[path]` because a test crate's root looks for modules
// beside it.
#[path = "authorization/donors.rs"]
mod donors;
#[path = "authorization/officers.rs"]
mod officers;
