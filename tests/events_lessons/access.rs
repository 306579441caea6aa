//! Who may see and change events and lessons: donors, officers, reporters, anonymous callers.

use serde_json::json;
use ta_tracker::domain::auth::Role;

use super::*;

on_both_engines!(
    donors_see_only_events_and_lessons_under_engagements_they_fund,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let dialogue_id = create_dialogue(&app, &w).await;
        let funded = id_of(&app, CREATE_EVENT, json!({ "i": {
            "kind": "WORKSHOP", "title": "[Test] Workshop under a funded engagement", "startDate": "2019-09-10",
            "engagements": [w.engagement]
        }}), &w.admin, "createEvent").await;
        record_kato_lessons(&app, &w, &dialogue_id).await;
        let from_engagement = id_of(&app, RECORD_LESSON, json!({ "i": { "title": "[Test] From the engagement", "statement": "Prison staff training works best with follow-up.", "source": w.engagement } }), &w.admin, "recordLesson").await;
        let from_event = id_of(&app, RECORD_LESSON, json!({ "i": { "title": "[Test] From the workshop", "statement": "Follow-up visits help prison staff training.", "source": funded } }), &w.admin, "recordLesson").await;

        let activity = app.ok("mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }", json!({ "i": {
            "engagement": w.engagement, "kind": "TRAINING", "title": "[Test] Training of prison staff",
            "startDate": "2019-10-14", "endDate": "2019-10-18", "country": "IDN"
        }}), Some(&w.admin)).await["logActivity"]["id"].clone();
        let from_activity = id_of(&app, RECORD_LESSON, json!({ "i": { "title": "[Test] From the training", "statement": "Trainers from the prison service itself keep training going.", "source": activity } }), &w.admin, "recordLesson").await;

        let count = "{ events { totalCount nodes { id engagementIds } } lessons { totalCount nodes { id } } }";
        let other_org = id_of(
            &app,
            CREATE_ORG,
            json!({ "i": { "name": "[Test] Funds nothing", "type": "10" } }),
            &w.admin,
            "createOrganisation",
        )
        .await;
        let nobody = app
            .token(Role::Donor)
            .organisation(number(&other_org))
            .create()
            .await;
        let data = app.ok(count, json!({}), Some(&nobody)).await;
        assert_eq!(data["events"]["totalCount"], 0);
        assert_eq!(data["lessons"]["totalCount"], 0);
        let one = "query($e: ID!, $l: ID!) { event(id: $e) { id } lesson(id: $l) { id } }";
        let data = app
            .ok(one, json!({ "e": funded, "l": from_event }), Some(&nobody))
            .await;
        assert!(data["event"].is_null() && data["lesson"].is_null());
        let searched = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "prison" } }),
                Some(&nobody),
            )
            .await;
        assert_eq!(searched["lessons"]["totalCount"], 0);

        let donor = app
            .token(Role::Donor)
            .organisation(w.donor_org)
            .create()
            .await;
        let data = app.ok(count, json!({}), Some(&donor)).await;
        assert_eq!(data["events"]["totalCount"], 1);
        assert_eq!(data["events"]["nodes"][0]["id"], funded.as_str());
        assert_eq!(
            data["events"]["nodes"][0]["engagementIds"],
            json!([w.engagement])
        );
        let titles = app.ok(SEARCH_EVENTS, json!({}), Some(&donor)).await;
        assert_eq!(
            titles["events"]["nodes"][0]["engagements"][0]["title"],
            "[Test] engagement in Indonesia"
        );
        let mut lessons: Vec<String> = data["lessons"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect();
        lessons.sort();
        let mut expected = vec![
            from_engagement.clone(),
            from_event.clone(),
            from_activity.clone(),
        ];
        expected.sort();
        assert_eq!(lessons, expected);
        let searched = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "prison" } }),
                Some(&donor),
            )
            .await;
        assert_eq!(
            searched["lessons"]["totalCount"], 3,
            "search keeps to the donor's scope"
        );
        let sources = app.ok("query($a: ID!, $b: ID!) { a: lesson(id: $a) { sourceActivity { title } } b: lesson(id: $b) { sourceEngagement { title } } }", json!({ "a": from_activity, "b": from_engagement }), Some(&donor)).await;
        assert_eq!(
            sources["a"]["sourceActivity"]["title"],
            "[Test] Training of prison staff"
        );
        assert_eq!(
            sources["b"]["sourceEngagement"]["title"],
            "[Test] engagement in Indonesia"
        );
        let data = app
            .ok(
                one,
                json!({ "e": dialogue_id, "l": from_event }),
                Some(&donor),
            )
            .await;
        assert!(data["event"].is_null());
        assert_eq!(data["lesson"]["id"], from_event.as_str());
        let e = app
            .err(CREATE_EVENT, json!({ "i": dialogue(&w) }), Some(&donor))
            .await;
        assert_eq!(e.code, "FORBIDDEN");
    }
);

/// An officer's event or lesson that its input leaves in no programme is refused saying which
/// input places it in one.
const EVENT_OF_NO_PROGRAMME: &str = "an officer token may not write an event linked to no \
    programme: link it to one of yours with input.programmes or input.engagements";
const LESSON_OF_NO_PROGRAMME: &str = "an officer token may not write a lesson that belongs to \
    no programme: draw it (input.source) from an engagement, activity or event of one of yours";

on_both_engines!(
    officers_write_only_inside_their_programmes_and_anonymous_callers_are_unauthenticated,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let outsider = app
            .token(Role::Officer)
            .programmes(&["OTHER"])
            .create()
            .await;
        let insider = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .create()
            .await;
        let reporter = app.token(Role::Reporter).create().await;

        let e = app
            .err(CREATE_EVENT, json!({ "i": dialogue(&w) }), Some(&outsider))
            .await;
        assert_eq!(e.code, "FORBIDDEN");
        let mut unlinked = dialogue(&w);
        unlinked["programmes"] = json!([]);
        let e = app
            .err(CREATE_EVENT, json!({ "i": unlinked }), Some(&insider))
            .await;
        assert_eq!(
            e.code, "FORBIDDEN",
            "an event of no programme is for admins"
        );
        assert_eq!(e.message, EVENT_OF_NO_PROGRAMME, "it says what to give");
        let e = app
            .err(CREATE_EVENT, json!({ "i": dialogue(&w) }), Some(&reporter))
            .await;
        assert_eq!(e.code, "FORBIDDEN");
        assert_eq!(app.count("events").await, 0);

        let id = id_of(
            &app,
            CREATE_EVENT,
            json!({ "i": dialogue(&w) }),
            &insider,
            "createEvent",
        )
        .await;
        let e = app
            .err(
                UPDATE_EVENT,
                json!({ "id": id, "v": 1, "i": { "title": "x" } }),
                Some(&outsider),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN");
        let e = app
            .err(
                UPDATE_EVENT,
                json!({ "id": id, "v": 1, "i": { "programmes": ["OTHER"] } }),
                Some(&insider),
            )
            .await;
        assert_eq!(
            e.code, "FORBIDDEN",
            "an officer cannot hand an event to another programme"
        );
        let e = app
            .err(
                UPDATE_EVENT,
                json!({ "id": id, "v": 1, "i": { "programmes": [], "engagements": [] } }),
                Some(&insider),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("FORBIDDEN", EVENT_OF_NO_PROGRAMME),
            "nor take it out of every programme"
        );

        let lesson = json!({ "i": { "title": "T", "statement": "S", "source": id } });
        let e = app
            .err(RECORD_LESSON, lesson.clone(), Some(&outsider))
            .await;
        assert_eq!(e.code, "FORBIDDEN");
        let e = app
            .err(
                RECORD_LESSON,
                json!({ "i": { "title": "T", "statement": "S" } }),
                Some(&insider),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "a lesson of no source is for admins");
        assert_eq!(e.message, LESSON_OF_NO_PROGRAMME, "it says what to give");
        let data = app.ok(RECORD_LESSON, lesson, Some(&insider)).await;
        assert_eq!(data["recordLesson"]["recordedBy"], "test Officer");
        let lesson_id = data["recordLesson"]["id"].clone();
        let e = app
            .err(
                UPDATE_LESSON,
                json!({ "id": lesson_id, "v": 1, "i": { "title": "x" } }),
                Some(&outsider),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN");
        let e = app
            .err(
                UPDATE_LESSON,
                json!({ "id": lesson_id, "v": 1, "i": { "source": null } }),
                Some(&insider),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("FORBIDDEN", LESSON_OF_NO_PROGRAMME)
        );
        assert_eq!(app.count("lessons where title = 'x'").await, 0);
        assert_eq!(app.count("lessons where source_event_id is null").await, 0);

        for query in [
            "{ events { totalCount } }",
            "{ lessons { totalCount } }",
            "{ lessons(filter: {search: \"prison\"}) { totalCount } }",
        ] {
            let e = app.err(query, json!({}), None).await;
            assert_eq!(e.code, "UNAUTHENTICATED", "{query}");
        }
        let e = app
            .err(CREATE_EVENT, json!({ "i": dialogue(&w) }), None)
            .await;
        assert_eq!(e.code, "UNAUTHENTICATED");
        let e = app
            .err(
                RECORD_LESSON,
                json!({ "i": { "title": "T", "statement": "S" } }),
                None,
            )
            .await;
        assert_eq!(e.code, "UNAUTHENTICATED");
    }
);
