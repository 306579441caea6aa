//! Finding events and lessons: text search, ranking, filters, hostile search text, demo data.

use serde_json::json;
use ta_tracker::domain::auth::Role;

use super::*;

on_both_engines!(
    the_dialogue_is_found_by_text_search_with_its_date_venue_organisers_and_speakers,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let id = create_dialogue(&app, &w).await;
        let reporter = app.token(Role::Reporter).create().await;
        let data = app
            .ok(
                SEARCH_EVENTS,
                json!({ "f": { "search": "radicalization prisons" } }),
                Some(&reporter),
            )
            .await;
        assert_eq!(data["events"]["totalCount"], 1);
        let e = &data["events"]["nodes"][0];
        assert_eq!(e["id"], id.as_str());
        assert_eq!(e["kind"], "HIGH_LEVEL_DIALOGUE");
        assert_eq!(
            (e["startDate"].as_str(), e["endDate"].as_str()),
            (Some("2019-06-28"), Some("2019-06-28"))
        );
        assert_eq!(e["venue"]["city"], "New York");
        assert_eq!(e["venue"]["country"]["iso3"], "USA");
        let organisers: Vec<&str> = e["coOrganisers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        assert_eq!(organisers.len(), 5);
        assert_eq!(
            organisers[0],
            "United Nations Office on Drugs and Crime (UNODC)"
        );
        assert!(organisers.contains(&"Government of Burkina Faso"));
        assert_eq!(e["speakers"][0]["name"], "Jøran Kallmyr");
        assert_eq!(
            e["speakers"][0]["organisation"]["name"],
            "Government of Norway"
        );
        assert_eq!(e["speakers"][1]["name"], "Miwa Kato");
        assert_eq!(
            e["speakers"][1]["organisationName"],
            "United Nations Office on Drugs and Crime (UNODC)"
        );
        assert_eq!(e["keyMessages"][1], KEY_MESSAGE_2);
        assert_eq!(e["themes"].as_array().unwrap().len(), 4);
        assert_eq!(e["documents"].as_array().unwrap().len(), 2);
        assert_eq!(e["programmes"], json!([{ "code": "GLOZ85" }]));

        // Found by other words people remember it by, and by the filters that fit it.
        for f in [
            json!({ "search": "KALLMYR" }),
            json!({ "search": "overcrowding, under-staffing" }),
            json!({ "search": "new york" }),
            json!({ "search": "mandela rules" }),
            json!({ "kind": "HIGH_LEVEL_DIALOGUE", "country": "US", "region": "021" }),
            json!({ "theme": "Prison Management", "from": "2019-06-28", "to": "2019-06-28" }),
            json!({ "programme": "gloz85" }),
        ] {
            let data = app
                .ok(SEARCH_EVENTS, json!({ "f": f }), Some(&reporter))
                .await;
            assert_eq!(data["events"]["totalCount"], 1, "{f}");
        }
        for f in [
            json!({ "search": "radicalization workshop" }),
            json!({ "kind": "WORKSHOP" }),
            json!({ "region": "150" }),
            json!({ "from": "2019-06-29" }),
            json!({ "programme": "OTHER" }),
            json!({ "search": "under_staffing" }),
        ] {
            let data = app
                .ok(SEARCH_EVENTS, json!({ "f": f }), Some(&reporter))
                .await;
            assert_eq!(data["events"]["totalCount"], 0, "{f}");
        }
        let one = app
            .ok(
                "query($id: ID!) { event(id: $id) { title participantCount } }",
                json!({ "id": id }),
                Some(&reporter),
            )
            .await;
        assert!(
            one["event"]["title"]
                .as_str()
                .unwrap()
                .starts_with("First High-Level Dialogue")
        );
        let e = app
            .err(
                SEARCH_EVENTS,
                json!({ "f": { "region": "XYZ" } }),
                Some(&reporter),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("BAD_USER_INPUT", Some("filter.region"))
        );
    }
);

on_both_engines!(
    kato_lessons_are_found_by_their_words_best_match_first_and_with_filters,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let event = create_dialogue(&app, &w).await;
        let (first, second) = record_kato_lessons(&app, &w, &event).await;
        let officer = app
            .token(Role::Officer)
            .programmes(&["OTHER"])
            .create()
            .await;

        let found = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "stand-alone interventions isolation" } }),
                Some(&officer),
            )
            .await;
        assert_eq!(found["lessons"]["totalCount"], 1);
        assert_eq!(found["lessons"]["nodes"][0]["id"], second.as_str());
        assert_eq!(
            found["lessons"]["nodes"][0]["sourceEventId"],
            event.as_str()
        );
        assert!(found["lessons"]["nodes"][0]["relevance"].as_f64().unwrap() > 0.0);

        let found = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "barrier violent extremism" } }),
                Some(&officer),
            )
            .await;
        assert_eq!(found["lessons"]["totalCount"], 1);
        let l = &found["lessons"]["nodes"][0];
        assert_eq!(l["id"], first.as_str());
        assert_eq!(l["recordedBy"], "test Admin");
        assert!(
            l["sourceEvent"]["title"]
                .as_str()
                .unwrap()
                .contains("High-Level Dialogue")
        );
        assert_eq!(l["areas"][0]["code"], "034");
        assert_eq!(l["areas"][0]["name"], "Southern Asia");
        assert_eq!(l["areas"][4]["code"], "UNODC-MENA");
        assert_eq!(l["areas"][4]["grouping"], true);

        // Both mention interventions; the one whose title and statement are about them comes
        // first, with the higher relevance.
        let ranked = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "interventions" } }),
                Some(&officer),
            )
            .await;
        let nodes = ranked["lessons"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0]["id"], second.as_str());
        assert!(nodes[0]["relevance"].as_f64() > nodes[1]["relevance"].as_f64());

        // Search pages go on where the last one stopped.
        let page1 = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "interventions" }, "first": 1 }),
                Some(&officer),
            )
            .await;
        assert_eq!(page1["lessons"]["nodes"][0]["id"], second.as_str());
        assert_eq!(page1["lessons"]["pageInfo"]["hasNextPage"], true);
        let cursor = page1["lessons"]["pageInfo"]["endCursor"].clone();
        let page2 = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "interventions" }, "first": 1, "after": cursor }),
                Some(&officer),
            )
            .await;
        assert_eq!(page2["lessons"]["nodes"][0]["id"], first.as_str());
        assert_eq!(page2["lessons"]["pageInfo"]["hasNextPage"], false);

        // Search combines with filters: theme, region (named, below a named one, or a grouping)
        // and country (inside a named region).
        let cases = [
            (
                json!({ "search": "interventions", "theme": "Nelson Mandela Rules" }),
                1,
            ),
            (json!({ "search": "interventions", "region": "035" }), 2),
            (json!({ "search": "interventions", "region": "142" }), 2),
            (
                json!({ "search": "interventions", "region": "UNODC-MENA" }),
                2,
            ),
            (json!({ "search": "interventions", "country": "IDN" }), 2),
            (json!({ "search": "interventions", "country": "TUN" }), 2),
            (json!({ "search": "interventions", "country": "NOR" }), 0),
            (json!({ "search": "interventions", "region": "150" }), 0),
            (json!({ "theme": "violent extremist prisoners" }), 1),
            (json!({ "sourceEvent": event }), 2),
        ];
        for (f, n) in cases {
            let data = app
                .ok(SEARCH_LESSONS, json!({ "f": f }), Some(&officer))
                .await;
            assert_eq!(data["lessons"]["totalCount"], n, "{f}");
            assert_eq!(
                data["lessons"]["nodes"].as_array().unwrap().len(),
                n as usize,
                "{f}"
            );
        }
        // Without a search: latest first, and no relevance.
        let all = app.ok(SEARCH_LESSONS, json!({}), Some(&officer)).await;
        assert_eq!(all["lessons"]["nodes"][0]["id"], second.as_str());
        assert!(all["lessons"]["nodes"][0]["relevance"].is_null());
    }
);

on_both_engines!(
    hostile_search_text_gives_results_or_bad_input_never_an_internal_error,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let event = create_dialogue(&app, &w).await;
        record_kato_lessons(&app, &w, &event).await;
        let hostile = [
            "\"foo\" OR ( NEAR* -",
            "\"",
            "'",
            "*",
            "NOT",
            "AND OR NEAR",
            "prison NEAR/2 violence",
            "title: prison",
            "-prison",
            "^prison",
            "a\"b'c",
            "\\",
            "%_%",
            "ŽĆ тюрьма 监狱 🚀 سجن",
            "\u{0}",
            "the",
            "');drop table lessons;--",
            &"prison ".repeat(500),
        ];
        let reporter = app.token(Role::Reporter).create().await;
        for text in hostile {
            for query in [SEARCH_LESSONS, SEARCH_EVENTS] {
                let (status, body) = app
                    .post(query, json!({ "f": { "search": text } }), Some(&reporter))
                    .await;
                if status == 400 {
                    // Refused at the door (a NUL character): a client error, never INTERNAL.
                    assert_eq!(
                        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                        "{text}: {body}"
                    );
                    continue;
                }
                assert_eq!(status, 200, "{text}: {body}");
                if let Some(errors) = body.get("errors") {
                    assert_eq!(
                        errors[0]["extensions"]["code"], "BAD_USER_INPUT",
                        "{text}: {body}"
                    );
                    assert_eq!(
                        errors[0]["extensions"]["field"], "filter.search",
                        "{text}: {body}"
                    );
                }
            }
        }
        // Text without a word is refused alike in both searches, not read as no search.
        for query in [SEARCH_LESSONS, SEARCH_EVENTS] {
            let e = app
                .err(
                    query,
                    json!({ "f": { "search": "\" ( * -" } }),
                    Some(&reporter),
                )
                .await;
            assert_eq!(
                (e.code.as_str(), e.message.as_str()),
                (
                    "BAD_USER_INPUT",
                    "filter.search: must contain at least one word (letters or digits)"
                )
            );
        }
        // Were OR an operator, this would find both lessons; as a word (or a stop word) it
        // leaves every other word required.
        let data = app
            .ok(
                SEARCH_LESSONS,
                json!({ "f": { "search": "\"prisons\" OR zebra" } }),
                Some(&reporter),
            )
            .await;
        assert_eq!(
            data["lessons"]["totalCount"], 0,
            "OR is a word, not an operator"
        );
        assert_eq!(app.count("lessons").await, 2);
    }
);

on_both_engines!(
    the_demo_data_holds_the_dialogue_and_ms_katos_lessons,
    |app: common::TestApp| async move {
        let app = app.with_demo().await;
        let reporter = app.token(Role::Reporter).create().await;
        let data = app
            .ok(SEARCH_EVENTS, json!({ "f": { "search": "radicalization prisons", "kind": "HIGH_LEVEL_DIALOGUE" } }), Some(&reporter))
            .await;
        assert_eq!(data["events"]["totalCount"], 1);
        let e = &data["events"]["nodes"][0];
        assert_eq!(e["startDate"], "2019-06-28");
        assert_eq!(e["venue"]["city"], "New York");
        assert_eq!(e["venue"]["country"]["iso3"], "USA");
        assert_eq!(e["coOrganisers"].as_array().unwrap().len(), 5);
        assert_eq!(e["speakers"][1]["name"], "Miwa Kato");
        assert_eq!(e["documents"].as_array().unwrap().len(), 5);

        for (words, title) in [
            (
                "stand-alone interventions isolation",
                "Stand-alone interventions",
            ),
            ("barrier violent extremism", "Prisons managed in compliance"),
            ("cart before the horse", "Stand-alone interventions"),
        ] {
            let found = app
                .ok(
                    SEARCH_LESSONS,
                    json!({ "f": { "search": words, "region": "202" } }),
                    Some(&reporter),
                )
                .await;
            let first = found["lessons"]["nodes"][0]["title"]
                .as_str()
                .unwrap_or_default();
            assert!(first.starts_with(title), "{words}: {first}");
        }

        // Norway funds the Indonesian and Tunisian engagements: its donors see the lessons and
        // the illustrative meeting drawn from them, and not the dialogue.
        let norway: (i64,) =
            sqlx::query_as("select id from organisations where name = 'Government of Norway'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let donor = app.token(Role::Donor).organisation(norway.0).create().await;
        let data = app
            .ok(
                "{ events { nodes { title } } lessons { nodes { title } } }",
                json!({}),
                Some(&donor),
            )
            .await;
        let events = data["events"]["nodes"].as_array().unwrap();
        assert_eq!(events.len(), 1);
        assert!(
            events[0]["title"]
                .as_str()
                .unwrap()
                .starts_with("[Illustrative]")
        );
        let lessons = data["lessons"]["nodes"].as_array().unwrap();
        assert_eq!(lessons.len(), 2);
        assert!(
            lessons
                .iter()
                .all(|l| l["title"].as_str().unwrap().starts_with("[Illustrative]"))
        );
    }
);
