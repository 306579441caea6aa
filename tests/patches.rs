//! Updates are patches: `null` empties an optional text on every record that has one, as the
//! README says, where results, indicators, events, lessons and programmes kept the text and
//! only moved the version. Through the real router on SQLite and PostgreSQL.

mod common;

use serde_json::json;

use common::TestApp;

/// (mutation, input type, record, the text field null empties).
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "updateResult",
        "UpdateResultInput",
        "Result:1",
        "description",
    ),
    (
        "updateIndicator",
        "UpdateIndicatorInput",
        "Indicator:1",
        "description",
    ),
    ("updateEvent", "EventInput", "Event:1", "summary"),
    ("updateLesson", "LessonInput", "Lesson:1", "context"),
    ("updateLesson", "LessonInput", "Lesson:1", "evidence"),
    (
        "updateProgramme",
        "UpdateProgrammeInput",
        "Programme:1",
        "description",
    ),
    (
        "updateProgramme",
        "UpdateProgrammeInput",
        "Programme:1",
        "thematicArea",
    ),
];

on_both_engines!(
    null_empties_the_optional_texts_of_every_record,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        for (mutation, input, id, field) in CASES {
            let version = app
                .ok(
                    "query($id: ID!) { node(id: $id) { ... on Result { version } \
                     ... on Indicator { version } ... on Event { version } \
                     ... on Lesson { version } ... on Programme { version } } }",
                    json!({ "id": id }),
                    Some(&admin),
                )
                .await["node"]["version"]
                .as_i64()
                .unwrap_or_else(|| panic!("{id} has a version"));
            let q = format!(
                "mutation($id: ID!, $v: Int!, $i: {input}!) {{ {mutation}(id: $id, version: $v, input: $i) {{ version {field} }} }}"
            );
            let set = app
                .ok(
                    &q,
                    json!({"id": id, "v": version, "i": { *field: "Some text" }}),
                    Some(&admin),
                )
                .await;
            assert_eq!(set[*mutation][*field], "Some text", "{mutation} {field}");
            let cleared = app
                .ok(
                    &q,
                    json!({"id": id, "v": version + 1, "i": { *field: null }}),
                    Some(&admin),
                )
                .await;
            assert_eq!(
                cleared[*mutation][*field], "",
                "{mutation}: null empties {field}"
            );
            assert_eq!(cleared[*mutation]["version"], version + 2);
        }
    }
);

/// (mutation, input type, record, field, its value in GraphQL): fields that always have a value.
const KEPT: &[(&str, &str, &str, &str, &str)] = &[
    (
        "updateEngagement",
        "UpdateEngagementInput",
        "Engagement:1",
        "title",
        "title",
    ),
    (
        "updateEngagement",
        "UpdateEngagementInput",
        "Engagement:1",
        "status",
        "status",
    ),
    (
        "updateEngagement",
        "UpdateEngagementInput",
        "Engagement:1",
        "sectors",
        "sectors { code }",
    ),
    (
        "updateActivity",
        "UpdateActivityInput",
        "Activity:1",
        "startDate",
        "startDate",
    ),
    (
        "updateActivity",
        "UpdateActivityInput",
        "Activity:1",
        "participants",
        "participants { total }",
    ),
    (
        "updateResult",
        "UpdateResultInput",
        "Result:1",
        "type",
        "title",
    ),
    (
        "updateIndicator",
        "UpdateIndicatorInput",
        "Indicator:1",
        "measure",
        "measure",
    ),
    (
        "updateIndicator",
        "UpdateIndicatorInput",
        "Indicator:1",
        "dimensions",
        "title",
    ),
    ("updateEvent", "EventInput", "Event:1", "title", "title"),
    ("updateEvent", "EventInput", "Event:1", "themes", "themes"),
    (
        "updateLesson",
        "LessonInput",
        "Lesson:1",
        "statement",
        "statement",
    ),
    (
        "updateProgramme",
        "UpdateProgrammeInput",
        "Programme:1",
        "code",
        "code",
    ),
];

async fn version_of(app: &TestApp, admin: &str, id: &str) -> i64 {
    app.ok(
        "query($id: ID!) { node(id: $id) { ... on Engagement { version } \
         ... on Activity { version } ... on Result { version } ... on Indicator { version } \
         ... on Event { version } ... on Lesson { version } ... on Programme { version } } }",
        json!({ "id": id }),
        Some(admin),
    )
    .await["node"]["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("{id} has a version"))
}

on_both_engines!(
    null_on_a_field_that_cannot_be_emptied_is_refused_by_name_and_nothing_is_written,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        for (mutation, input, id, field, read) in KEPT {
            let version = version_of(&app, &admin, id).await;
            let audit = app.count("audit_log").await;
            let q = format!(
                "mutation($id: ID!, $v: Int!, $i: {input}!) {{ {mutation}(id: $id, version: $v, input: $i) {{ version {read} }} }}"
            );
            let e = app
                .err(
                    &q,
                    json!({"id": id, "v": version, "i": { *field: null }}),
                    Some(&admin),
                )
                .await;
            assert_eq!(
                e.code, "BAD_USER_INPUT",
                "{mutation} {field}: {}",
                e.message
            );
            assert_eq!(
                e.field.as_deref(),
                Some(format!("input.{field}").as_str()),
                "{}",
                e.message
            );
            assert!(
                e.message.contains("leave it out"),
                "{mutation} {field}: {}",
                e.message
            );
            assert_eq!(
                version_of(&app, &admin, id).await,
                version,
                "{id} unchanged"
            );
            assert_eq!(
                app.count("audit_log").await,
                audit,
                "{mutation}: no audit entry"
            );
        }
        // A list says how to empty it.
        let version = version_of(&app, &admin, "Event:1").await;
        let e = app
            .err(
                "mutation($v: Int!) { updateEvent(id: \"Event:1\", version: $v, input: {keyMessages: null}) { version } }",
                json!({"v": version}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            e.message,
            "input.keyMessages: cannot be null; leave it out to keep the list as it is, or give [] to empty it"
        );
        let emptied = app
            .ok(
                "mutation($v: Int!) { updateEvent(id: \"Event:1\", version: $v, input: {keyMessages: []}) { keyMessages } }",
                json!({"v": version}),
                Some(&admin),
            )
            .await;
        assert_eq!(emptied["updateEvent"]["keyMessages"], json!([]));
    }
);

on_both_engines!(
    null_removes_an_events_venue_and_count_and_a_lessons_source,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let event = "venue { city country { iso3 } } participantCount";
        let q = format!(
            "mutation($v: Int!, $i: EventInput!) {{ updateEvent(id: \"Event:1\", version: $v, input: $i) {{ {event} }} }}"
        );
        let v = version_of(&app, &admin, "Event:1").await;
        let set = app
            .ok(
                &q,
                json!({"v": v, "i": {"venue": {"city": "Vienna", "country": "AUT"}, "participantCount": 120}}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            set["updateEvent"],
            json!({"venue": {"city": "Vienna", "country": {"iso3": "AUT"}}, "participantCount": 120})
        );
        let cleared = app
            .ok(
                &q,
                json!({"v": v + 1, "i": {"venue": null, "participantCount": null}}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            cleared["updateEvent"],
            json!({"venue": {"city": "", "country": null}, "participantCount": null})
        );

        let lesson =
            "sourceEngagementId sourceActivityId sourceEventId sourceDocument { id } version";
        let q = format!(
            "mutation($v: Int!, $i: LessonInput!) {{ updateLesson(id: \"Lesson:1\", version: $v, input: $i) {{ {lesson} }} }}"
        );
        let v = version_of(&app, &admin, "Lesson:1").await;
        let set = app
            .ok(
                &q,
                json!({"v": v, "i": {"source": "Event:1"}}),
                Some(&admin),
            )
            .await;
        assert_eq!(set["updateLesson"]["sourceEventId"], "Event:1");
        let v = set["updateLesson"]["version"].as_i64().unwrap();
        let cleared = app
            .ok(&q, json!({"v": v, "i": {"source": null}}), Some(&admin))
            .await;
        assert_eq!(
            cleared["updateLesson"],
            json!({"sourceEngagementId": null, "sourceActivityId": null, "sourceEventId": null, "sourceDocument": null, "version": v + 1})
        );

        // On creation null is a field not given.
        let created = app
            .ok(
                "mutation { createEvent(input: {kind: WORKSHOP, title: \"Follow-up\", startDate: \"2020-03-02\", \
                 themes: null, venue: null, participantCount: null}) { themes participantCount venue { city } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            created["createEvent"],
            json!({"themes": [], "participantCount": null, "venue": {"city": ""}})
        );
    }
);

on_both_engines!(
    an_update_that_changes_nothing_keeps_the_version_and_writes_no_audit_entry,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let cases = [
            ("updateEngagement", "UpdateEngagementInput", "Engagement:1"),
            ("updateActivity", "UpdateActivityInput", "Activity:1"),
            ("updateResult", "UpdateResultInput", "Result:1"),
            ("updateIndicator", "UpdateIndicatorInput", "Indicator:1"),
            ("updateEvent", "EventInput", "Event:1"),
            ("updateLesson", "LessonInput", "Lesson:1"),
            ("updateProgramme", "UpdateProgrammeInput", "Programme:1"),
        ];
        for (mutation, input, id) in cases {
            let version = version_of(&app, &admin, id).await;
            let audit = app.count("audit_log").await;
            let q = format!(
                "mutation($id: ID!, $v: Int!, $i: {input}!) {{ {mutation}(id: $id, version: $v, input: $i) {{ version title }} }}"
            );
            let empty = app
                .ok(&q, json!({"id": id, "v": version, "i": {}}), Some(&admin))
                .await;
            assert_eq!(empty[mutation]["version"], version, "{mutation} with {{}}");
            let title = empty[mutation]["title"].as_str().unwrap().to_string();
            let same = app
                .ok(
                    &q,
                    json!({"id": id, "v": version, "i": {"title": title}}),
                    Some(&admin),
                )
                .await;
            assert_eq!(same[mutation]["version"], version, "{mutation}, same title");
            assert_eq!(version_of(&app, &admin, id).await, version);
            assert_eq!(app.count("audit_log").await, audit, "{mutation}: no entry");
            // A real change still moves the version and is audited.
            let changed = app
                .ok(
                    &q,
                    json!({"id": id, "v": version, "i": {"title": format!("{title} (revised)")}}),
                    Some(&admin),
                )
                .await;
            assert_eq!(
                changed[mutation]["version"],
                version + 1,
                "{mutation} changed"
            );
            assert_eq!(app.count("audit_log").await, audit + 1);
        }
        // Replacing a document or an organisation with what it already holds is no change either.
        let doc = app
            .ok(
                "{ node(id: \"Document:1\") { ... on Document { version title url category language date publisher } } }",
                json!({}),
                Some(&admin),
            )
            .await["node"]
            .clone();
        let same = app
            .ok(
                "mutation($v: Int!, $i: DocumentInput!) { updateDocument(id: \"Document:1\", version: $v, input: $i) { version } }",
                json!({"v": doc["version"], "i": {
                    "title": doc["title"], "url": doc["url"], "category": doc["category"],
                    "language": doc["language"], "date": doc["date"], "publisher": doc["publisher"]}}),
                Some(&admin),
            )
            .await;
        assert_eq!(same["updateDocument"]["version"], doc["version"]);
    }
);

on_both_engines!(
    a_code_or_identifier_another_record_has_is_a_conflict_naming_its_field,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        app.ok(
            "mutation { createProgramme(input: {code: \"OTHER\", title: \"Other\"}) { id } }",
            json!({}),
            Some(&admin),
        )
        .await;
        let before = (app.count("programmes").await, app.count("audit_log").await);
        let read = app
            .ok(
                "{ programmes { nodes { id code version } } engagements(first: 20) { nodes { id version iatiIdentifier } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        let programmes = read["programmes"]["nodes"].as_array().unwrap();
        let (taken, other) = (&programmes[0], &programmes[1]);
        let code = taken["code"].as_str().unwrap();
        let engagements = read["engagements"]["nodes"].as_array().unwrap();
        let with = engagements
            .iter()
            .find(|e| e["iatiIdentifier"].is_string())
            .expect("a demo engagement with an IATI identifier");
        let ident = with["iatiIdentifier"].as_str().unwrap();
        let second = engagements.iter().find(|e| e["id"] != with["id"]).unwrap();
        let cases = [
            (
                "mutation($c: String!) { createProgramme(input: {code: $c, title: \"Again\"}) { id } }"
                    .to_string(),
                json!({"c": code.to_lowercase()}),
                "input.code",
                format!("a programme with code {code} already exists"),
            ),
            (
                "mutation($id: ID!, $v: Int!, $c: String!) { updateProgramme(id: $id, version: $v, input: {code: $c}) { id } }"
                    .to_string(),
                json!({"id": other["id"], "v": other["version"], "c": code}),
                "input.code",
                format!("a programme with code {code} already exists"),
            ),
            (
                "mutation { createGrouping(input: {code: \"UNODC-MENA\", name: \"Again\", countries: [\"EGY\"]}) { code } }"
                    .to_string(),
                json!({}),
                "input.code",
                "a grouping with code UNODC-MENA already exists".to_string(),
            ),
            (
                "mutation($id: ID!, $v: Int!, $i: String!) { updateEngagement(id: $id, version: $v, input: {iatiIdentifier: $i}) { id } }"
                    .to_string(),
                json!({"id": second["id"], "v": second["version"], "i": ident}),
                "input.iatiIdentifier",
                format!("another engagement already has the IATI identifier {ident}"),
            ),
        ];
        for (q, vars, field, message) in cases {
            let e = app.err(&q, vars, Some(&admin)).await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref(), e.message.as_str()),
                ("CONFLICT", Some(field), message.as_str())
            );
        }
        assert_eq!(
            (app.count("programmes").await, app.count("audit_log").await),
            before,
            "nothing is written"
        );
    }
);

on_both_engines!(
    a_start_moved_past_the_end_the_record_keeps_is_refused_naming_the_start,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let before = app.count("audit_log").await;
        // (mutation, id, input type, input, the field named, the message). The demo's Activity:1
        // runs 2019-10-14 to 2019-10-18, Event:2 2021-11-23 to 2021-11-24, Engagement:2 is
        // planned to end 2024-12-31 and Engagement:3 actually ended 2022-06-30.
        let cases = [
            (
                "updateActivity",
                "Activity:1",
                "UpdateActivityInput",
                json!({"startDate": "2019-10-20"}),
                "input.startDate",
                "input.startDate: must not be after the end date 2019-10-18; give the new end \
                 date with it",
            ),
            (
                "updateActivity",
                "Activity:1",
                "UpdateActivityInput",
                json!({"startDate": "2019-10-20", "endDate": "2019-10-19"}),
                "input.endDate",
                "input.endDate: must not be before the start date 2019-10-20",
            ),
            (
                "updateEvent",
                "Event:2",
                "EventInput",
                json!({"startDate": "2021-11-25"}),
                "input.startDate",
                "input.startDate: must not be after the end date 2021-11-24; give the new end \
                 date with it",
            ),
            (
                "updateEngagement",
                "Engagement:2",
                "UpdateEngagementInput",
                json!({"plannedStart": "2025-06-01"}),
                "input.plannedStart",
                "input.plannedStart: must not be after the end date 2024-12-31; give the new end \
                 date with it",
            ),
            (
                "updateEngagement",
                "Engagement:3",
                "UpdateEngagementInput",
                json!({"actualStart": "2023-01-01"}),
                "input.actualStart",
                "input.actualStart: must not be after the end date 2022-06-30; give the new end \
                 date with it",
            ),
            (
                "updateEngagement",
                "Engagement:3",
                "UpdateEngagementInput",
                json!({"actualEnd": "2018-01-01"}),
                "input.actualEnd",
                "input.actualEnd: must not be before the start date 2018-09-01",
            ),
        ];
        for (mutation, id, input, patch, field, message) in cases {
            let q = format!(
                "mutation($id: ID!, $v: Int!, $i: {input}!) {{ {mutation}(id: $id, version: $v, input: $i) {{ id }} }}"
            );
            let e = app
                .err(&q, json!({"id": id, "v": 1, "i": patch}), Some(&admin))
                .await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref(), e.message.as_str()),
                ("BAD_USER_INPUT", Some(field), message),
                "{mutation} {id} {patch}"
            );
        }
        assert_eq!(app.count("audit_log").await, before, "nothing is written");
    }
);
