//! `activities(filter: {donor})` lists what `engagements(filter: {donor})` lists the activities
//! of, and `lessons(filter: {programme})` the lessons a regional summary narrowed to the
//! programme counts. On SQLite and PostgreSQL.

mod common;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use common::TestApp;

async fn id(app: &TestApp, admin: &str, mutation: &str, input: Value) -> String {
    let data = app.ok(mutation, json!({ "i": input }), Some(admin)).await;
    let created = data.as_object().unwrap().values().next().unwrap();
    created["id"].as_str().unwrap().to_string()
}

const ORG: &str = "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }";
const ENG: &str = "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
const ACT: &str = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }";
const EVENT: &str = "mutation($i: EventInput!) { createEvent(input: $i) { id } }";
const LESSON: &str = "mutation($i: LessonInput!) { recordLesson(input: $i) { id } }";

/// The ids a list answered.
async fn ids(app: &TestApp, token: &str, query: &str) -> BTreeSet<String> {
    let data = app.ok(query, json!({}), Some(token)).await;
    let list = data.as_object().unwrap().values().next().unwrap();
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

on_both_engines!(
    activities_by_donor_and_lessons_by_programme_match_engagements_and_summaries,
    |app: TestApp| async move {
        let admin = app.admin().await;
        for code in ["DON", "OTH"] {
            let q =
                "mutation($c: String!) { createProgramme(input: {code: $c, title: $c}) { id } }";
            app.ok(q, json!({ "c": code }), Some(&admin)).await;
        }
        let norway = id(&app, &admin, ORG, json!({ "name": "Norway", "type": "10" })).await;
        let belgium = id(
            &app,
            &admin,
            ORG,
            json!({ "name": "Belgium", "type": "10" }),
        )
        .await;
        let engagement = |programme: &str, funders: Vec<&String>| {
            let orgs: Vec<Value> = funders
                .into_iter()
                .map(|o| json!({ "organisation": o, "role": "1" }))
                .collect();
            json!({ "programme": programme, "title": "[Test]", "status": "2",
                "plannedStart": "2021-01-01", "plannedEnd": "2021-12-31",
                "recipientCountries": [{ "country": "KAZ", "percentage": 100 }],
                "sectors": [{ "code": "15130", "percentage": 100 }],
                "participatingOrganisations": orgs })
        };
        let e1 = id(&app, &admin, ENG, engagement("DON", vec![&norway])).await;
        let e2 = id(&app, &admin, ENG, engagement("OTH", vec![&belgium])).await;
        let e3 = id(
            &app,
            &admin,
            ENG,
            engagement("DON", vec![&norway, &belgium]),
        )
        .await;
        let mut acts = Vec::new();
        for e in [&e1, &e2, &e3] {
            let input = json!({ "engagement": e, "kind": "TRAINING", "title": "t",
                "startDate": "2021-03-01", "endDate": "2021-03-02", "country": "KAZ" });
            acts.push(id(&app, &admin, ACT, input).await);
        }
        let set = |v: &[&String]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();

        // An activity is listed for a donor when the donor funds its engagement.
        for (donor, engagements, activities) in [
            (&norway, set(&[&e1, &e3]), set(&[&acts[0], &acts[2]])),
            (&belgium, set(&[&e2, &e3]), set(&[&acts[1], &acts[2]])),
        ] {
            let q =
                format!("{{ engagements(filter: {{donor: \"{donor}\"}}) {{ nodes {{ id }} }} }}");
            assert_eq!(ids(&app, &admin, &q).await, engagements);
            let q =
                format!("{{ activities(filter: {{donor: \"{donor}\"}}) {{ nodes {{ id }} }} }}");
            assert_eq!(ids(&app, &admin, &q).await, activities, "{donor}");
        }
        let q = "{ activities(filter: {donor: \"Organisation:999\"}) { totalCount } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(
            e.message,
            "filter.donor: there is no organisation Organisation:999"
        );
        let q = "{ activities(filter: {donor: \"Programme:1\"}) { totalCount } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(e.field.as_deref(), Some("filter.donor"));

        // Lessons drawn from DON's engagement, from an activity of one, from an event linked to
        // the programme and from one linked to its engagement; one from OTH's engagement.
        let ev1 = json!({ "kind": "CONFERENCE", "title": "e", "startDate": "2021-05-01",
            "programmes": ["DON"] });
        let ev1 = id(&app, &admin, EVENT, ev1).await;
        let ev2 = json!({ "kind": "CONFERENCE", "title": "e", "startDate": "2021-05-01",
            "engagements": [&e3] });
        let ev2 = id(&app, &admin, EVENT, ev2).await;
        let mut lessons = Vec::new();
        for source in [&e1, &acts[2], &ev1, &ev2, &e2] {
            let input = json!({ "title": "l", "statement": "s", "source": source,
                "countries": ["KAZ"] });
            lessons.push(id(&app, &admin, LESSON, input).await);
        }
        let q = "{ lessons(filter: {programme: \"don\"}) { nodes { id } } }";
        assert_eq!(
            ids(&app, &admin, q).await,
            set(&lessons[..4].iter().collect::<Vec<_>>())
        );
        let q = "{ lessons(filter: {programme: \"OTH\"}) { nodes { id } } }";
        assert_eq!(ids(&app, &admin, q).await, set(&[&lessons[4]]));
        for (programme, n) in [("DON", 4), ("OTH", 1)] {
            let q = "query($p: String) { regionalSummary(region: \"001\", programme: $p) { lessonsRecorded } }";
            let s = app.ok(q, json!({ "p": programme }), Some(&admin)).await;
            assert_eq!(s["regionalSummary"]["lessonsRecorded"], n, "{programme}");
        }
        let q = "{ lessons(filter: {programme: \"NOPE\"}) { totalCount } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (
                Some("filter.programme"),
                "filter.programme: there is no programme NOPE"
            )
        );
    }
);

/// Every filter that takes a record's id, with its list and the kind of record it names.
const ID_FILTERS: &[(&str, &str, &str, &str)] = &[
    ("activities", "engagement", "Engagement", "engagement"),
    ("events", "engagement", "Engagement", "engagement"),
    ("results", "engagement", "Engagement", "engagement"),
    ("indicators", "engagement", "Engagement", "engagement"),
    ("indicators", "result", "Result", "result"),
    ("lessons", "sourceEngagement", "Engagement", "engagement"),
    ("lessons", "sourceActivity", "Activity", "activity"),
    ("lessons", "sourceEvent", "Event", "event"),
    ("lessons", "sourceDocument", "Document", "document"),
];

on_both_engines!(
    an_id_filter_naming_no_record_is_refused_as_an_unknown_programme_is,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let q = "mutation { createProgramme(input: {code: \"DON\", title: \"DON\"}) { id } }";
        app.ok(q, json!({}), Some(&admin)).await;
        let engagement = id(
            &app,
            &admin,
            ENG,
            json!({ "programme": "DON", "title": "[Test]",
            "status": "2", "plannedStart": "2021-01-01", "plannedEnd": "2021-12-31",
            "recipientCountries": [{ "country": "KAZ", "percentage": 100 }],
            "sectors": [{ "code": "15130", "percentage": 100 }] }),
        )
        .await;
        let activity = id(
            &app,
            &admin,
            ACT,
            json!({ "engagement": engagement,
            "kind": "TRAINING", "title": "t", "startDate": "2021-03-01",
            "endDate": "2021-03-02", "country": "KAZ" }),
        )
        .await;
        let event = id(
            &app,
            &admin,
            EVENT,
            json!({ "kind": "CONFERENCE", "title": "e",
            "startDate": "2021-05-01", "engagements": [&engagement] }),
        )
        .await;
        let result = id(
            &app,
            &admin,
            "mutation($i: CreateResultInput!) { createResult(input: $i) { id } }",
            json!({ "engagement": engagement, "type": "2", "title": "Outcome" }),
        )
        .await;
        let document = id(
            &app,
            &admin,
            "mutation($i: DocumentInput!) { createDocument(input: $i) { id } }",
            json!({ "title": "Evaluation", "category": "B12", "url": "https://www.unodc.org/" }),
        )
        .await;
        let record = |name: &str| match name {
            "engagement" => engagement.clone(),
            "activity" => activity.clone(),
            "event" => event.clone(),
            "result" => result.clone(),
            _ => document.clone(),
        };
        for (list, field, kind, noun) in ID_FILTERS {
            let q =
                format!("query($id: ID!) {{ {list}(filter: {{{field}: $id}}) {{ totalCount }} }}");
            // Unknown: refused naming the field, where it read as an empty list.
            let e = app
                .err(&q, json!({ "id": format!("{kind}:999") }), Some(&admin))
                .await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref(), e.message.as_str()),
                (
                    "BAD_USER_INPUT",
                    Some(format!("filter.{field}").as_str()),
                    format!("filter.{field}: there is no {noun} {kind}:999").as_str()
                ),
                "{list}(filter: {{{field}}})"
            );
            // A malformed id is refused as before.
            let e = app
                .err(&q, json!({ "id": "Programme:1" }), Some(&admin))
                .await;
            assert_eq!(
                e.message,
                format!("filter.{field}: must be the id of an {kind}, not of a Programme")
                    .replace("an Result", "a Result")
                    .replace("an Document", "a Document"),
            );
            // A record that exists is listed under as before.
            app.ok(&q, json!({ "id": record(noun) }), Some(&admin))
                .await;
        }

        // An archived engagement is known: what hangs under it is listed with includeArchived.
        let v = "query($id: ID!) { node(id: $id) { ... on Engagement { version } } }";
        let version =
            app.ok(v, json!({ "id": engagement }), Some(&admin)).await["node"]["version"].clone();
        let q = "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { version } }";
        app.ok(q, json!({ "id": engagement, "v": version }), Some(&admin))
            .await;
        let q = "query($id: ID!) { activities(filter: {engagement: $id, includeArchived: true}) \
                 { nodes { id } } }";
        let d = app.ok(q, json!({ "id": engagement }), Some(&admin)).await;
        assert_eq!(d["activities"]["nodes"], json!([{ "id": activity }]));
    }
);
