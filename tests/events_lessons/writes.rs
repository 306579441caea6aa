//! Changing events and lessons: validation, patches, stale versions, archiving.

use serde_json::{Value, json};

use super::*;

on_both_engines!(
    invalid_events_and_lessons_are_refused_naming_the_field_and_nothing_is_written,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let base = dialogue(&w);
        let with = |key: &str, value: Value| {
            let mut v = base.clone();
            v[key] = value;
            v
        };
        let cases = [
            (with("endDate", json!("2019-06-27")), "input.endDate"),
            (with("startDate", json!("28/06/2019")), "input.startDate"),
            (with("kind", Value::Null), "input.kind"),
            (with("title", json!("   ")), "input.title"),
            (
                with("coOrganisers", json!([w.unodc, "Organisation:9999"])),
                "input.coOrganisers[1]",
            ),
            (
                with("coOrganisers", json!([w.unodc, w.unodc])),
                "input.coOrganisers",
            ),
            (
                with("coOrganisers", json!([w.mandela])),
                "input.coOrganisers[0]",
            ),
            (
                with("participantCount", json!(-1)),
                "input.participantCount",
            ),
            (
                with("speakers", json!([{ "name": " " }])),
                "input.speakers[0].name",
            ),
            (
                with(
                    "speakers",
                    json!([{ "name": "A", "organisation": "Organisation:9999" }]),
                ),
                "input.speakers[0].organisation",
            ),
            (
                with("themes", json!(["prison management", " "])),
                "input.themes[1]",
            ),
            (
                with("keyMessages", json!(["", "x"])),
                "input.keyMessages[0]",
            ),
            (
                with("venue", json!({ "city": "Atlantis", "country": "ATL" })),
                "input.venue.country",
            ),
            (
                with("documents", json!(["Document:9999"])),
                "input.documents[0]",
            ),
            (with("programmes", json!(["NOPE"])), "input.programmes[0]"),
            (
                with("engagements", json!(["Engagement:9999"])),
                "input.engagements[0]",
            ),
        ];
        for (input, field) in cases {
            let e = app
                .err(CREATE_EVENT, json!({ "i": input }), Some(&w.admin))
                .await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref()),
                ("BAD_USER_INPUT", Some(field)),
                "{}",
                e.message
            );
        }
        for table in [
            "events",
            "event_organisers",
            "event_speakers",
            "event_themes",
            "audit_log where entity_type = 'Event'",
        ] {
            assert_eq!(app.count(table).await, 0, "{table}");
        }

        // Themes are trimmed and repeats dropped, ignoring case.
        let id = id_of(&app, CREATE_EVENT, json!({ "i": with("themes", json!([" Prison management ", "prison MANAGEMENT", "Nelson Mandela Rules"])) }), &w.admin, "createEvent").await;
        let data = app
            .ok(
                "query($id: ID!) { event(id: $id) { themes } }",
                json!({ "id": id }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            data["event"]["themes"],
            json!(["Nelson Mandela Rules", "Prison management"])
        );

        let lesson = json!({ "title": "T", "statement": "S", "source": id });
        let with = |key: &str, value: Value| {
            let mut v = lesson.clone();
            v[key] = value;
            v
        };
        let cases = [
            (with("statement", Value::Null), "input.statement"),
            (with("title", json!("")), "input.title"),
            (with("source", json!("Programme:1")), "input.source"),
            (with("source", json!("Event:9999")), "input.source"),
            (with("source", json!("nonsense")), "input.source"),
            (with("areas", json!(["202", "999"])), "input.areas[1]"),
            (with("areas", json!(["35", "035"])), "input.areas"),
            (
                with("countries", json!(["IDN", "Narnia"])),
                "input.countries[1]",
            ),
            (
                with("documents", json!([w.mandela, "Document:9999"])),
                "input.documents[1]",
            ),
            (with("themes", json!([""])), "input.themes[0]"),
        ];
        for (input, field) in cases {
            let e = app
                .err(RECORD_LESSON, json!({ "i": input }), Some(&w.admin))
                .await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref()),
                ("BAD_USER_INPUT", Some(field)),
                "{}",
                e.message
            );
        }
        for table in [
            "lessons",
            "lesson_areas",
            "lesson_countries",
            "lesson_themes",
            "audit_log where entity_type = 'Lesson'",
        ] {
            assert_eq!(app.count(table).await, 0, "{table}");
        }
    }
);

on_both_engines!(
    updates_patch_what_is_given_and_stale_versions_conflict_without_writing,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let id = create_dialogue(&app, &w).await;
        let data = app
            .ok(UPDATE_EVENT, json!({ "id": id, "v": 1, "i": { "participantCount": 120, "title": "First High-Level Dialogue (updated)" } }), Some(&w.admin))
            .await;
        let e = &data["updateEvent"];
        assert_eq!(e["version"], 2);
        assert_eq!(e["title"], "First High-Level Dialogue (updated)");
        assert_eq!(
            e["coOrganisers"].as_array().unwrap().len(),
            5,
            "lists not given are kept"
        );
        assert_eq!(e["speakers"].as_array().unwrap().len(), 2);

        let e = app
            .err(
                UPDATE_EVENT,
                json!({ "id": id, "v": 1, "i": { "title": "Lost update", "speakers": [] } }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT");
        let data = app.ok("query($id: ID!) { event(id: $id) { title version participantCount speakers { name } } }", json!({ "id": id }), Some(&w.admin)).await;
        assert_eq!(
            data["event"]["title"],
            "First High-Level Dialogue (updated)"
        );
        assert_eq!(data["event"]["participantCount"], 120);
        assert_eq!(data["event"]["speakers"].as_array().unwrap().len(), 2);

        let (lesson, _) = record_kato_lessons(&app, &w, &id).await;
        let data = app
            .ok(
                UPDATE_LESSON,
                json!({ "id": lesson, "v": 1, "i": { "title": "Mandela Rules first" } }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateLesson"]["version"], 2);
        let e = app
            .err(
                UPDATE_LESSON,
                json!({ "id": lesson, "v": 1, "i": { "title": "Lost" } }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT");
        // The search index follows the change.
        let found = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "mandela rules first" } }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(found["lessons"]["totalCount"], 1);
        let gone = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "lost" } }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(gone["lessons"]["totalCount"], 0);

        let audit = app
            .count("audit_log where entity_type in ('Event', 'Lesson')")
            .await;
        assert_eq!(
            audit, 5,
            "create event, update event, two lessons, update lesson"
        );
        let e = app
            .err(
                UPDATE_EVENT,
                json!({ "id": "Event:9999", "v": 1, "i": {} }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "NOT_FOUND");

        // Archived records drop out of lists, searches included, unless asked for.
        let archive = "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { version } }";
        app.ok(archive, json!({ "id": id, "v": 2 }), Some(&w.admin))
            .await;
        app.ok(archive, json!({ "id": lesson, "v": 2 }), Some(&w.admin))
            .await;
        let lists = "query($s: String) { events(filter: {search: $s}) { totalCount } all: events(filter: {search: $s, includeArchived: true}) { totalCount } lessons(filter: {search: \"prison\"}) { totalCount } allLessons: lessons(filter: {search: \"prison\", includeArchived: true}) { totalCount } }";
        let data = app
            .ok(lists, json!({ "s": "dialogue" }), Some(&w.admin))
            .await;
        assert_eq!(
            (
                data["events"]["totalCount"].as_i64(),
                data["all"]["totalCount"].as_i64()
            ),
            (Some(0), Some(1))
        );
        assert_eq!(
            (
                data["lessons"]["totalCount"].as_i64(),
                data["allLessons"]["totalCount"].as_i64()
            ),
            (Some(1), Some(2))
        );
        // And they are no longer changed.
        let e = app
            .err(
                UPDATE_EVENT,
                json!({ "id": id, "v": 3, "i": {"title": "After"} }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        let e = app
            .err(
                UPDATE_LESSON,
                json!({ "id": lesson, "v": 3, "i": {"title": "After"} }),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        // Nor is a new lesson drawn from an archived event or engagement.
        app.ok(
            archive,
            json!({ "id": w.engagement, "v": 1 }),
            Some(&w.admin),
        )
        .await;
        let lessons = app.count("lessons").await;
        for source in [&id, &w.engagement] {
            let vars = json!({ "i": { "title": "From the archive", "statement": LESSON_2, "source": source } });
            let e = app.err(RECORD_LESSON, vars, Some(&w.admin)).await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{source}: {e:?}");
            assert_eq!(e.field.as_deref(), Some("input.source"));
            assert!(
                e.message.ends_with(&format!(
                    "{source} is archived; draw the lesson from a record in use"
                )),
                "{}",
                e.message
            );
        }
        assert_eq!(app.count("lessons").await, lessons, "nothing written");
    }
);

on_both_engines!(
    a_lesson_from_an_engagement_or_activity_applies_where_it_took_place_unless_told,
    |app: common::TestApp| async move {
        // A lesson from a training in Indonesia, recorded without countries, counted in no
        // country's lessons: a country filter and the summaries missed it.
        let w = world(&app).await;
        let activity = app
            .ok(
                "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                json!({ "i": {
                    "engagement": w.engagement, "kind": "TRAINING", "title": "[Test] Training",
                    "startDate": "2019-10-14", "endDate": "2019-10-18", "country": "IDN"
                }}),
                Some(&w.admin),
            )
            .await["logActivity"]["id"]
            .clone();
        let record = |input: Value| {
            let app = &app;
            let admin = w.admin.clone();
            async move {
                app.ok(
                    "mutation($i: LessonInput!) { recordLesson(input: $i) { id countries { iso3 } \
                     areas { code } } }",
                    json!({ "i": input }),
                    Some(&admin),
                )
                .await["recordLesson"]
                    .clone()
            }
        };
        let lesson = |title: &str, source: &Value| {
            json!({ "title": title, "statement": "Follow-up keeps training going.",
                    "source": source })
        };
        let from_activity = record(lesson("[Test] From the training", &activity)).await;
        assert_eq!(from_activity["countries"], json!([{ "iso3": "IDN" }]));
        let engagement = json!(w.engagement);
        let from_engagement = record(lesson("[Test] From the engagement", &engagement)).await;
        assert_eq!(from_engagement["countries"], json!([{ "iso3": "IDN" }]));
        // An engagement recorded for a region: the region.
        let regional = id_of(
            &app,
            CREATE_ENGAGEMENT,
            json!({ "i": {
                "programme": "GLOZ85", "title": "[Test] engagement in South-eastern Asia",
                "status": "2", "sectors": [{"code": "15130", "percentage": 100}],
                "plannedStart": "2019-01-01", "recipientRegion": "035"
            }}),
            &w.admin,
            "createEngagement",
        )
        .await;
        let from_region = record(lesson("[Test] From the region", &json!(regional))).await;
        assert_eq!(from_region["countries"], json!([]));
        assert_eq!(from_region["areas"], json!([{ "code": "035" }]));
        // What the input says wins: no country at all, or an area instead.
        let mut nowhere = lesson("[Test] Anywhere", &activity);
        nowhere["countries"] = json!([]);
        assert_eq!(record(nowhere).await["countries"], json!([]));
        let mut region = lesson("[Test] South-eastern Asia", &activity);
        region["areas"] = json!(["035"]);
        let region = record(region).await;
        assert_eq!(region["countries"], json!([]));
        assert_eq!(region["areas"], json!([{ "code": "035" }]));
        // Listed under the country.
        let listed = app
            .ok(
                "{ lessons(filter: {country: \"IDN\"}) { nodes { id } } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        let ids: Vec<&Value> = listed["lessons"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| &n["id"])
            .collect();
        assert!(ids.contains(&&from_activity["id"]), "{listed}");
        assert!(ids.contains(&&from_engagement["id"]), "{listed}");
    }
);
