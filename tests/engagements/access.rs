//! Who may see and change engagements: donors see only what they fund, on every path;
//! officers write within their programmes and countries; reporters, strangers and anonymous
//! callers are refused.

use serde_json::json;
use ta_tracker::domain::auth::Role;

use super::*;

on_both_engines!(
    who_may_see_and_change_engagements,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let (funded, v) = create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Funded by Norway",
                json!([{"country": "KAZ", "percentage": 100}]),
                &w.norway,
            ),
        )
        .await;
        let (other, _) = create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Funded by Belgium",
                json!([{"country": "IDN", "percentage": 100}]),
                &w.belgium,
            ),
        )
        .await;
        let norway_id: i64 = w.norway.rsplit(':').next().unwrap().parse().unwrap();
        let donor = app
            .token(Role::Donor)
            .organisation(norway_id)
            .create()
            .await;
        let reporter = app.token(Role::Reporter).create().await;
        let officer = app.token(Role::Officer).programmes(&["VEP"]).create().await;
        let officer_kaz = app
            .token(Role::Officer)
            .programmes(&["VEP"])
            .countries(&["KAZ"])
            .create()
            .await;
        let stranger = app
            .token(Role::Officer)
            .programmes(&["OTHER"])
            .create()
            .await;

        // Reads: donors see only what they fund, on every path.
        let q = "query($id: ID!) { engagements { totalCount nodes { id } } engagement(id: $id) { id } programme(code: \"VEP\") { engagements { id } } }";
        let d = app.ok(q, json!({"id": other}), Some(&donor)).await;
        assert_eq!(d["engagements"]["totalCount"], 1);
        assert_eq!(d["engagements"]["nodes"][0]["id"], funded.as_str());
        assert!(
            d["engagement"].is_null(),
            "an unfunded engagement reads as absent"
        );
        assert_eq!(d["programme"]["engagements"].as_array().unwrap().len(), 1);
        for token in [&reporter, &officer, &stranger] {
            assert_eq!(
                app.ok(q, json!({"id": other}), Some(token)).await["engagements"]["totalCount"],
                2
            );
        }
        assert_eq!(
            app.err(q, json!({"id": other}), None).await.code,
            "UNAUTHENTICATED"
        );

        // Writes: role x (in scope, out of scope).
        let rename = |id: &str, v: i64| json!({"id": id, "v": v, "i": {"title": "Renamed"}});
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), Some(&donor))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), Some(&reporter))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), Some(&stranger))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&other, 1), Some(&officer_kaz))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), None).await.code,
            "UNAUTHENTICATED"
        );
        let data = app
            .ok(UPDATE_ENG, rename(&funded, v), Some(&officer_kaz))
            .await;
        assert_eq!(data["updateEngagement"]["version"], v + 1);
        let moved = json!({"id": funded, "v": v + 1, "i": {"recipientCountries": [{"country": "IDN", "percentage": 100}]}});
        assert_eq!(
            app.err(UPDATE_ENG, moved, Some(&officer_kaz)).await.code,
            "FORBIDDEN",
            "may not move it out of its countries"
        );
        let input = engagement(
            &w,
            "New by officer",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        create(&app, &officer, input.clone()).await;
        assert_eq!(
            app.err(CREATE_ENG, input.clone(), Some(&stranger))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(CREATE_ENG, input, Some(&officer_kaz)).await.code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err("{ auditLog { totalCount } }", json!({}), Some(&officer))
                .await
                .code,
            "FORBIDDEN"
        );
    }
);
