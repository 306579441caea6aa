//! Events and lessons learned, end to end through the real router on SQLite and PostgreSQL: the
//! 28 June 2019 high-level dialogue found by text search, Ms. Kato's lessons found by their words
//! and ranked, hostile search text, validation, stale versions, and who may see and change what.

mod common;

use serde_json::{Value, json};

const CREATE_ORG: &str =
    "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }";
const CREATE_PROGRAMME: &str =
    "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }";
const CREATE_ENGAGEMENT: &str =
    "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
const CREATE_DOC: &str = "mutation($i: DocumentInput!) { createDocument(input: $i) { id } }";
const CREATE_EVENT: &str = "mutation($i: EventInput!) { createEvent(input: $i) { id version } }";
const UPDATE_EVENT: &str = "mutation($id: ID!, $v: Int!, $i: EventInput!) { updateEvent(id: $id, version: $v, input: $i) { id version title coOrganisers { name } speakers { name } } }";
const RECORD_LESSON: &str =
    "mutation($i: LessonInput!) { recordLesson(input: $i) { id version recordedBy } }";
const UPDATE_LESSON: &str = "mutation($id: ID!, $v: Int!, $i: LessonInput!) { updateLesson(id: $id, version: $v, input: $i) { id version title } }";
const SEARCH_EVENTS: &str = "query($f: EventFilterInput) { events(filter: $f) { totalCount nodes { id title kind startDate endDate venue { city country { iso3 name } } coOrganisers { name } speakers { name position organisation { name } organisationName } themes keyMessages documents { title } programmes { code } engagementIds engagements { title } } } }";
const SEARCH_LESSONS: &str = "query($f: LessonFilterInput, $first: Int, $after: String) { lessons(filter: $f, first: $first, after: $after) { totalCount nodes { id title relevance themes areas { code name grouping } sourceEventId sourceEvent { title } documents { title } recordedBy } pageInfo { hasNextPage endCursor } } }";

const KEY_MESSAGE_1: &str = "Poor prison conditions, overcrowding, under-staffing, insufficient staff training and a lack of programming undermine the management of violent extremist prisoners and can be entry points for radicalization to violence.";
const KEY_MESSAGE_2: &str = "The Nelson Mandela Rules, of which UNODC is the custodian, are the blueprint for good prison management.";
const LESSON_1: &str = "A prison system which is managed in compliance with the Nelson Mandela Rules will serve as an important barrier against violent extremism taking root in prisons and will form the foundation on which specialized interventions can be built.";
const LESSON_2: &str = "Stand-alone interventions for violent extremist prisoners which are implemented in isolation of the broader prison context are unlikely to yield positive and sustainable results.";
const KATO_CONTEXT: &str = "Drawn by Miwa Kato, UNODC Director of Operations, from UNODC technical assistance to more than 20 Member States across the Middle East and North Africa, sub-Saharan Africa, and Central, South and South-East Asia (high-level dialogue, New York, 28 June 2019)";

/// What the tests build on: organisations, documents, programmes GLOZ85 and OTHER, and an
/// engagement of GLOZ85 funded by a donor.
struct World {
    admin: String,
    unodc: String,
    norway: String,
    organisers: Vec<String>,
    mandela: String,
    handbook: String,
    engagement: String,
    donor_org: i64,
}

async fn id_of(
    app: &common::TestApp,
    query: &str,
    vars: Value,
    token: &str,
    field: &str,
) -> String {
    let data = app.ok(query, vars, Some(token)).await;
    data[field]["id"].as_str().unwrap().to_string()
}

fn number(id: &str) -> i64 {
    id.split_once(':').unwrap().1.parse().unwrap()
}

async fn world(app: &common::TestApp) -> World {
    let admin = app.admin().await;
    let mut organisers = Vec::new();
    for (name, country) in [
        ("United Nations Office on Drugs and Crime (UNODC)", None),
        ("Government of Belgium", Some("BEL")),
        ("Government of Burkina Faso", Some("BFA")),
        ("Government of Indonesia", Some("IDN")),
        ("Government of Norway", Some("NOR")),
    ] {
        let t = if country.is_some() { "10" } else { "40" };
        let vars = json!({ "i": { "name": name, "type": t, "country": country } });
        organisers.push(id_of(app, CREATE_ORG, vars, &admin, "createOrganisation").await);
    }
    let donor = id_of(
        app,
        CREATE_ORG,
        json!({ "i": { "name": "[Test] Donor agency", "type": "10", "country": "NLD" } }),
        &admin,
        "createOrganisation",
    )
    .await;
    let mut docs = Vec::new();
    for title in [
        "The United Nations Standard Minimum Rules for the Treatment of Prisoners (the Nelson Mandela Rules)",
        "Handbook on the Management of Violent Extremist Prisoners and the Prevention of Radicalization to Violence in Prisons",
    ] {
        let vars = json!({ "i": { "title": title, "url": "https://www.unodc.org/documents/x.pdf", "category": "A12", "publisher": "UNODC" } });
        docs.push(id_of(app, CREATE_DOC, vars, &admin, "createDocument").await);
    }
    for code in ["GLOZ85", "OTHER"] {
        let vars = json!({ "i": { "code": code, "title": format!("[Test] programme {code}") } });
        id_of(app, CREATE_PROGRAMME, vars, &admin, "createProgramme").await;
    }
    let vars = json!({ "i": {
        "programme": "GLOZ85", "title": "[Test] engagement in Indonesia", "status": "2",
        "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2019-01-01", "recipientCountries": [{ "country": "IDN", "percentage": 100 }],
        "participatingOrganisations": [{ "organisation": donor, "role": "1" }]
    }});
    let engagement = id_of(app, CREATE_ENGAGEMENT, vars, &admin, "createEngagement").await;
    World {
        admin,
        unodc: organisers[0].clone(),
        norway: organisers[4].clone(),
        organisers,
        mandela: docs[0].clone(),
        handbook: docs[1].clone(),
        engagement,
        donor_org: number(&donor),
    }
}

fn dialogue(w: &World) -> Value {
    json!({
        "kind": "HIGH_LEVEL_DIALOGUE",
        "title": "First High-Level Dialogue on the Prevention of Radicalization to Violence in Prisons",
        "startDate": "2019-06-28",
        "venue": { "city": "New York", "country": "USA" },
        "coOrganisers": w.organisers,
        "speakers": [
            { "name": "Jøran Kallmyr", "position": "Minister of Justice and Public Security, Norway", "organisation": w.norway },
            { "name": "Miwa Kato", "position": "Director of Operations, UNODC", "organisation": w.unodc }
        ],
        "summary": "The first-ever high-level dialogue on preventing radicalization to violence in prisons, bringing together Member States, UN officials and civil society.",
        "themes": ["prison management", "violent extremist prisoners", "prevention of radicalization to violence", "Nelson Mandela Rules"],
        "keyMessages": [KEY_MESSAGE_1, KEY_MESSAGE_2],
        "documents": [w.mandela, w.handbook],
        "programmes": ["GLOZ85"]
    })
}

async fn create_dialogue(app: &common::TestApp, w: &World) -> String {
    id_of(
        app,
        CREATE_EVENT,
        json!({ "i": dialogue(w) }),
        &w.admin,
        "createEvent",
    )
    .await
}

async fn record_kato_lessons(app: &common::TestApp, w: &World, event: &str) -> (String, String) {
    let first = json!({ "i": {
        "title": "Prisons managed in line with the Nelson Mandela Rules are a barrier to violent extremism",
        "statement": LESSON_1, "context": KATO_CONTEXT, "source": event,
        "themes": ["prison management", "Nelson Mandela Rules"],
        "areas": ["UNODC-MENA", "202", "143", "034", "035"], "documents": [w.mandela]
    }});
    let second = json!({ "i": {
        "title": "Stand-alone interventions for violent extremist prisoners rarely last",
        "statement": LESSON_2, "context": KATO_CONTEXT,
        "evidence": "\"We must not put the cart before the horse\" (Miwa Kato).",
        "source": event, "themes": ["violent extremist prisoners", "prison management"],
        "areas": ["UNODC-MENA", "202", "143", "034", "035"], "documents": [w.mandela, w.handbook]
    }});
    (
        id_of(app, RECORD_LESSON, first, &w.admin, "recordLesson").await,
        id_of(app, RECORD_LESSON, second, &w.admin, "recordLesson").await,
    )
}

// The tests, by concern; `#[path]` because a test crate's root looks for modules beside it.
#[path = "events_lessons/access.rs"]
mod access;
#[path = "events_lessons/periods.rs"]
mod periods;
#[path = "events_lessons/search.rs"]
mod search;
#[path = "events_lessons/writes.rs"]
mod writes;
