//! A real reporting organisation reference configured after engagements were given identifiers
//! under another one: the IATI export refuses to publish them outside the reference, and an
//! identifier set under the placeholder moves under the real reference, once.
//!
//! The reference is read from the environment, which is the whole process's: this test binary
//! sets it, and holds only tests that want it set to the same value.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use common::TestApp;

const REFERENCE: &str = "XM-REAL-1";

const CHANGE: &str = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { \
    updateEngagement(id: $id, version: $v, input: $i) { version iatiIdentifier } }";

async fn export(app: &TestApp, token: &str) -> (StatusCode, String) {
    let req = Request::get("/export/iati.xml")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.send(req).await;
    (status, body)
}

async fn engagement(app: &TestApp, admin: &str, title: &str) -> (String, i64) {
    let input = json!({"programme": "P", "title": title, "status": "2",
        "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2020-01-01",
        "recipientCountries": [{"country": "KAZ", "percentage": 100}]});
    let data = app
        .ok(
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({ "i": input }),
            Some(admin),
        )
        .await;
    let id = data["createEngagement"]["id"].as_str().unwrap().to_string();
    let n = id.split_once(':').unwrap().1.parse().unwrap();
    (id, n)
}

/// Gives an engagement an identifier behind the API's back, as one set under an earlier
/// reference would be.
async fn stored_identifier(app: &TestApp, n: i64, identifier: &str) {
    sqlx::query("update engagements set iati_identifier = $1 where id = $2")
        .bind(identifier)
        .bind(n)
        .execute(app.db.pool())
        .await
        .unwrap();
}

on_both_engines!(
    identifiers_set_under_another_reference_are_not_published_and_placeholder_ones_move,
    |app: TestApp| async move {
        // SAFETY: every test of this binary sets the same value; none reads another.
        unsafe { std::env::set_var("TA_TRACKER_IATI_REPORTING_ORG_REF", REFERENCE) };
        let admin = app.admin().await;
        app.ok(
            r#"mutation { createProgramme(input: {code: "P", title: "P"}) { id } }"#,
            json!({}),
            Some(&admin),
        )
        .await;
        engagement(&app, &admin, "No identifier of its own").await;
        let (placeholder, p) = engagement(&app, &admin, "Set under the placeholder").await;
        stored_identifier(&app, p, "XX-UNODC-DEMO-P-1").await;
        let (foreign, f) = engagement(&app, &admin, "Set under another reference").await;
        stored_identifier(&app, f, "XM-OTHER-9-P-3").await;

        let (status, body) = export(&app, &admin).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        for named in [
            format!("Engagement:{p} has the IATI identifier XX-UNODC-DEMO-P-1"),
            format!("does not begin with {REFERENCE}-"),
            format!("Engagement:{f} XM-OTHER-9-P-3"),
        ] {
            assert!(body.contains(&named), "{named}: {body}");
        }

        // The placeholder's identifier was never a real one: it moves under the reference, once.
        let moved = app
            .ok(
                CHANGE,
                json!({"id": placeholder, "v": 1, "i": {"iatiIdentifier": "XM-REAL-1-P-1"}}),
                Some(&admin),
            )
            .await;
        assert_eq!(moved["updateEngagement"]["iatiIdentifier"], "XM-REAL-1-P-1");
        let v: Value = moved["updateEngagement"]["version"].clone();
        for (id, v, to) in [
            (&placeholder, v, "XM-REAL-1-P-9"),
            (&foreign, json!(1), "XM-REAL-1-P-3"),
        ] {
            let e = app
                .err(
                    CHANGE,
                    json!({"id": id, "v": v, "i": {"iatiIdentifier": to}}),
                    Some(&admin),
                )
                .await;
            assert_eq!(e.field.as_deref(), Some("input.iatiIdentifier"), "{e:?}");
            assert!(e.message.contains("cannot change once set"), "{e:?}");
        }
        // Under the placeholder it must still take the reference's prefix.
        let (other, o) = engagement(&app, &admin, "Another under the placeholder").await;
        stored_identifier(&app, o, "XX-UNODC-DEMO-P-2").await;
        let e = app
            .err(
                CHANGE,
                json!({"id": other, "v": 1, "i": {"iatiIdentifier": "XX-UNODC-DEMO-P-3"}}),
                Some(&admin),
            )
            .await;
        assert!(e.message.contains("must begin with"), "{e:?}");

        // Once only engagements under the reference are live, the file is published.
        for (id, version) in [(&foreign, 1), (&other, 1)] {
            app.ok(
                "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id } }",
                json!({"id": id, "v": version}),
                Some(&admin),
            )
            .await;
        }
        let (status, xml) = export(&app, &admin).await;
        assert_eq!(status, StatusCode::OK, "{xml}");
        assert!(
            xml.contains("<iati-identifier>XM-REAL-1-P-1</iati-identifier>"),
            "{xml}"
        );
        assert!(!xml.contains("XX-UNODC-DEMO"), "{xml}");
    }
);
