//! Officers write inside their programmes and, when their token names countries, only there: on
//! every mutation, `archive` included.

use super::*;

const ARCHIVE: &str = "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { version } }";

/// An officer token of GLOZ85, for these countries (none: the whole programme).
async fn officer(app: &common::TestApp, countries: &[&str]) -> String {
    app.token(Role::Officer)
        .programmes(&["GLOZ85"])
        .countries(countries)
        .create()
        .await
}

/// GLOZ85's id and version, read by the admin.
async fn glo_programme(app: &common::TestApp, w: &World) -> Value {
    let data = app
        .ok(
            "{ programme(code: \"GLOZ85\") { id version } }",
            json!({}),
            Some(&w.admin),
        )
        .await;
    data["programme"].clone()
}

async fn archived_at(app: &common::TestApp, w: &World, id: &str) -> Value {
    let d = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Result { archivedAt } \
             ... on Indicator { archivedAt } ... on Lesson { archivedAt } \
             ... on Event { archivedAt } } }",
            json!({ "id": id }),
            Some(&w.admin),
        )
        .await;
    d["node"]["archivedAt"].clone()
}

on_both_engines!(
    an_officer_limited_to_countries_archives_results_and_indicators_only_there,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let idn_only = officer(&app, &["IDN"]).await;
        // The Kazakh and Uzbek engagement's result and indicator: not theirs to change, so not
        // theirs to archive either.
        for id in [&w.kaz_uzb.indicator, &w.kaz_uzb.result] {
            let v = version(&app, &w, id).await;
            let e = app
                .err(ARCHIVE, json!({"id": id, "v": v}), Some(&idn_only))
                .await;
            assert_eq!(e.code, "FORBIDDEN", "archive {id}: {e:?}");
            assert!(e.message.contains("KAZ"), "{e:?}");
            assert!(
                archived_at(&app, &w, id).await.is_null(),
                "{id} was archived"
            );
        }
        // Indonesia's are.
        for id in [&w.idn.indicator, &w.idn.result] {
            let v = version(&app, &w, id).await;
            let data = app
                .ok(ARCHIVE, json!({"id": id, "v": v}), Some(&idn_only))
                .await;
            assert_eq!(data["archive"]["version"], v + 1, "{id}");
        }
    }
);

on_both_engines!(
    an_officer_limited_to_countries_writes_lessons_and_events_of_engagements_only_there,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let idn_only = officer(&app, &["IDN"]).await;
        let kaz = &w.kaz_uzb;
        let written = || async {
            (
                app.count("lessons").await,
                app.count("events").await,
                app.count("audit_log").await,
            )
        };
        let before = written().await;
        let lesson = |source: &str| json!({"i": {"title": "Rotation", "statement": "Staff rotate", "source": source}});
        let event = |engagement: &str| {
            json!({"i": {"kind": "SIDE_EVENT", "title": "Side event",
            "startDate": "2021-05-01", "venue": {"city": "Vienna", "country": "AUT"},
            "engagements": [engagement]}})
        };
        let update_lesson = "mutation($id: ID!, $v: Int!) { updateLesson(id: $id, version: $v, input: {title: \"Renamed\"}) { version } }";
        let update_event = "mutation($id: ID!, $v: Int!) { updateEvent(id: $id, version: $v, input: {title: \"Renamed\"}) { version } }";
        let mut refused = vec![
            (
                "recordLesson",
                app.err(NEW_LESSON, lesson(&kaz.engagement), Some(&idn_only))
                    .await,
            ),
            (
                "createEvent",
                app.err(NEW_EVENT, event(&kaz.engagement), Some(&idn_only))
                    .await,
            ),
        ];
        for (what, q, id) in [
            ("updateLesson", update_lesson, &kaz.lesson),
            ("updateEvent", update_event, &kaz.event),
            ("archive lesson", ARCHIVE, &kaz.lesson),
            ("archive event", ARCHIVE, &kaz.event),
        ] {
            let v = version(&app, &w, id).await;
            refused.push((
                what,
                app.err(q, json!({"id": id, "v": v}), Some(&idn_only)).await,
            ));
        }
        // Moving an Indonesian event or lesson onto the Kazakh engagement.
        let v = version(&app, &w, &w.idn.event).await;
        refused.push(("event to KAZ", app.err(
            "mutation($id: ID!, $v: Int!, $e: ID!) { updateEvent(id: $id, version: $v, input: {engagements: [$e]}) { version } }",
            json!({"id": w.idn.event, "v": v, "e": kaz.engagement}), Some(&idn_only)).await));
        let v = version(&app, &w, &w.idn.lesson).await;
        refused.push(("lesson to KAZ", app.err(
            "mutation($id: ID!, $v: Int!, $s: ID!) { updateLesson(id: $id, version: $v, input: {source: $s}) { version } }",
            json!({"id": w.idn.lesson, "v": v, "s": kaz.engagement}), Some(&idn_only)).await));
        for (what, e) in &refused {
            assert_eq!(e.code, "FORBIDDEN", "{what}: {e:?}");
        }
        assert_eq!(written().await, before, "refused writes wrote nothing");
        for id in [&kaz.lesson, &kaz.event] {
            assert!(
                archived_at(&app, &w, id).await.is_null(),
                "{id} was archived"
            );
        }

        // Indonesia's engagement is theirs: lessons and events of it they may write.
        app.ok(NEW_LESSON, lesson(&w.idn.engagement), Some(&idn_only))
            .await;
        app.ok(NEW_EVENT, event(&w.idn.engagement), Some(&idn_only))
            .await;
        for (q, id) in [(update_lesson, &w.idn.lesson), (update_event, &w.idn.event)] {
            let v = version(&app, &w, id).await;
            app.ok(q, json!({"id": id, "v": v}), Some(&idn_only)).await;
        }
    }
);

on_both_engines!(
    only_an_admin_archives_a_programme,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let programme = glo_programme(&app, &w).await;
        let vars = json!({"id": programme["id"], "v": programme["version"]});
        // Its own officers, of every country or one, change records in it but do not archive it.
        let whole = officer(&app, &[]).await;
        let idn_only = officer(&app, &["IDN"]).await;
        for token in [&whole, &idn_only] {
            let e = app.err(ARCHIVE, vars.clone(), Some(token)).await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
            assert!(e.message.contains("archive programmes"), "{e:?}");
        }
        let listed = "{ programmes { nodes { code } } }";
        let codes = app.ok(listed, json!({}), Some(&w.admin)).await;
        assert!(
            codes.to_string().contains("GLOZ85"),
            "still listed: {codes}"
        );
        let data = app.ok(ARCHIVE, vars, Some(&w.admin)).await;
        assert_eq!(
            data["archive"]["version"],
            programme["version"].as_i64().unwrap() + 1
        );
    }
);

on_both_engines!(
    an_officer_limited_to_countries_writes_nothing_that_names_no_country,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let idn_only = officer(&app, &["IDN"]).await;
        let whole = officer(&app, &[]).await;
        let engagements = app.count("engagements").await;
        // An engagement for a region (South-eastern Asia, which holds Indonesia) reaches
        // beyond the token's country; so does renaming the whole programme.
        let regional = json!({"i": {"programme": "GLOZ85", "title": "Region-wide", "status": "2",
            "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2020-01-01",
            "recipientRegion": "035"}});
        let create = "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
        let programme = glo_programme(&app, &w).await;
        let rename = "mutation($id: ID!, $v: Int!) { updateProgramme(id: $id, version: $v, \
                      input: {title: \"Renamed\"}) { version } }";
        let renaming = json!({"id": programme["id"], "v": programme["version"]});
        for (query, vars) in [(create, &regional), (rename, &renaming)] {
            let e = app.err(query, vars.clone(), Some(&idn_only)).await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
            assert!(e.message.contains("names no country"), "{e:?}");
        }
        assert_eq!(
            app.count("engagements").await,
            engagements,
            "nothing written"
        );
        // An officer of the whole programme may do both.
        app.ok(create, regional, Some(&whole)).await;
        app.ok(rename, renaming, Some(&whole)).await;
    }
);
