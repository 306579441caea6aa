//! Updating an engagement: patches need the current version, keep the fields they leave out
//! and the IATI identifier, and a duplicate identifier is a conflict.

use serde_json::json;

use super::*;

on_both_engines!(
    updates_need_the_current_version_and_keep_the_iati_identifier,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let mut input = engagement(
            &w,
            "Tunisia",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        input["i"]["iatiIdentifier"] = json!("XX-UNODC-DEMO-TUN-1");
        let (id, v) = create(&app, &w.admin, input).await;
        let data = app
            .ok(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"title": "Tunisia, phase 2", "plannedEnd": null}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateEngagement"]["title"], "Tunisia, phase 2");
        assert!(
            data["updateEngagement"]["activeTo"].is_null(),
            "no end date means ongoing"
        );
        assert_eq!(
            data["updateEngagement"]["iatiIdentifier"], "XX-UNODC-DEMO-TUN-1",
            "absent fields are kept"
        );
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"title": "Stale"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT");
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v + 1, "i": {"iatiIdentifier": "XX-UNODC-DEMO-TUN-2"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.iatiIdentifier"));
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v + 1, "i": {"sectors": []}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.sectors"));
        let data = app
            .ok(
                "query($id: ID!) { engagement(id: $id) { title version } }",
                json!({"id": id}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["engagement"]["title"], "Tunisia, phase 2");
        assert_eq!(data["engagement"]["version"], 2);
        let mut dup = engagement(
            &w,
            "Duplicate id",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        dup["i"]["iatiIdentifier"] = json!("XX-UNODC-DEMO-TUN-1");
        assert_eq!(
            app.err(CREATE_ENG, dup, Some(&w.admin)).await.code,
            "CONFLICT"
        );
    }
);
