//! Who may log, change and see activities: officers within their programmes and countries,
//! donors within what they fund, reporters, anonymous callers, and `node(id)` for each.

use serde_json::json;
use ta_tracker::domain::auth::Role;

use super::*;

on_both_engines!(
    officers_write_only_inside_their_programme_and_countries,
    |app: TestApp| async move {
        let w = world(&app).await;
        let input = training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05");
        let officer = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .create()
            .await;
        let a = log(&app, &officer, input.clone()).await;

        let before = written(&app).await;
        let other = app
            .token(Role::Officer)
            .programmes(&["OTHER1"])
            .create()
            .await;
        let uzbek = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .countries(&["UZB"])
            .create()
            .await;
        let reporter = app.token(Role::Reporter).create().await;
        let donor = app.token(Role::Donor).organisation(w.norway).create().await;
        for token in [&other, &uzbek, &reporter, &donor] {
            let e = app.err(LOG, json!({ "i": input }), Some(token)).await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        }
        // An officer limited to Uzbekistan may not move a Kazakh activity into Uzbekistan either.
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"country": "UZB"}}),
                Some(&uzbek),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        // Nor may a GLOZ85 officer move an activity into another programme's engagement.
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"engagement": w.tun, "country": "TUN"}}),
                Some(&officer),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        let e = app.err(LOG, json!({ "i": input }), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED", "{e:?}");
        let e = app.err(LIST, json!({}), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED", "{e:?}");
        assert_eq!(written(&app).await, before, "refused writes wrote nothing");

        // The Uzbekistan officer may log in Uzbekistan.
        let mut input = input.clone();
        input["country"] = json!("UZB");
        log(&app, &uzbek, input).await;
    }
);

on_both_engines!(
    donors_see_only_activities_of_engagements_they_fund,
    |app: TestApp| async move {
        let w = world(&app).await;
        let funded = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "UZB", "2021-03-01", "2021-03-05"),
        )
        .await;
        let unfunded = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-04-01", "2021-04-05"),
        )
        .await;
        let donor = app.token(Role::Donor).organisation(w.norway).create().await;
        let data = app.ok(LIST, json!({}), Some(&donor)).await;
        assert_eq!(data["activities"]["totalCount"], 1);
        assert_eq!(
            ids(&data["activities"]),
            vec![funded["id"].as_str().unwrap()]
        );
        let data = app
            .ok(GET, json!({"id": unfunded["id"]}), Some(&donor))
            .await;
        assert!(
            data["activity"].is_null(),
            "an unfunded activity reads as null"
        );
        let data = app.ok(GET, json!({"id": funded["id"]}), Some(&donor)).await;
        assert_eq!(data["activity"]["id"], funded["id"]);
        let e = app
            .err(
                UPDATE,
                json!({"id": unfunded["id"], "v": 1, "i": {"title": "x"}}),
                Some(&donor),
            )
            .await;
        // Donors never write, so the answer is the same whether or not the activity exists.
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        // Reporters read everything.
        let reporter = app.token(Role::Reporter).create().await;
        let data = app.ok(LIST, json!({}), Some(&reporter)).await;
        assert_eq!(data["activities"]["totalCount"], 2);
    }
);

on_both_engines!(
    any_record_is_found_by_its_global_id_within_what_the_caller_may_see,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-03-01", "2021-03-05"),
        )
        .await;
        let node = "query($id: ID!) { node(id: $id) { id __typename \
            ... on Engagement { title } ... on Activity { title } } }";
        let data = app.ok(node, json!({"id": w.idn}), Some(&w.admin)).await;
        assert_eq!(data["node"]["__typename"], "Engagement");
        assert_eq!(data["node"]["title"], "Indonesia");
        let data = app.ok(node, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert_eq!(data["node"]["title"], "Training in IDN from 2021-03-01");
        let data = app
            .ok(node, json!({"id": "Engagement:9999"}), Some(&w.admin))
            .await;
        assert!(data["node"].is_null());
        // Norway funds Central Asia only: Indonesia is not there for it.
        let donor = app.token(Role::Donor).organisation(w.norway).create().await;
        let data = app.ok(node, json!({"id": w.idn}), Some(&donor)).await;
        assert!(data["node"].is_null(), "{data}");
        let data = app.ok(node, json!({"id": w.kaz_uzb}), Some(&donor)).await;
        assert_eq!(data["node"]["title"], "Central Asia");
    }
);
