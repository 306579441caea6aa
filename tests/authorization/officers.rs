//! Officers write inside their programmes and, when their token names countries, only there: on
//! every mutation, `archive` included.

use super::*;

const ARCHIVE: &str = "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { version } }";

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
        let idn_only = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .countries(&["IDN"])
            .create()
            .await;
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
