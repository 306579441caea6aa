//! Who may write and see results and indicators: officers within their programmes and
//! countries, donors within what they fund.

use serde_json::json;
use ta_tracker::domain::auth::Role;

use super::*;

on_both_engines!(
    officers_write_only_inside_their_programme_and_countries,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.kaz_uzb, "Outcome")).await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "CA-1")).await;
        let outsider = app
            .token(Role::Officer)
            .programmes(&["OTHER1"])
            .create()
            .await;
        let kaz_only = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .countries(&["KAZ"])
            .create()
            .await;
        let reporter = app.token(Role::Reporter).create().await;

        let before = written(&app).await;
        for token in [&outsider, &reporter] {
            let e = app
                .err(
                    CREATE_RESULT,
                    json!({"i": outcome(&w.kaz_uzb, "Not mine")}),
                    Some(token),
                )
                .await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
            let e = app
                .err(
                    "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
                    json!({"i": officers_trained(&r, "X-1")}),
                    Some(token),
                )
                .await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
            let e = app
                .err(
                    &set_target_q(),
                    json!({"i": year(&i, 2021, Some(1.0))}),
                    Some(token),
                )
                .await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        }
        let e = app
            .err(
                CREATE_RESULT,
                json!({"i": {"programme": "GLOZ85", "type": "2", "title": "x"}}),
                Some(&outsider),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        // Limited to Kazakhstan: not a result of the whole KAZ/UZB engagement, nor its totals or
        // Uzbek values.
        let e = app
            .err(
                CREATE_RESULT,
                json!({"i": outcome(&w.kaz_uzb, "Both countries")}),
                Some(&kaz_only),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        let e = app
            .err(
                &record_actual_q(),
                json!({"i": year(&i, 2021, Some(1.0))}),
                Some(&kaz_only),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        let mut uzb = year(&i, 2021, Some(1.0));
        uzb["country"] = json!("UZB");
        let e = app
            .err(&record_actual_q(), json!({"i": uzb}), Some(&kaz_only))
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        let e = app.err("{ results { totalCount } }", json!({}), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED", "{e:?}");
        assert_eq!(written(&app).await, before, "refused writes wrote nothing");

        let mut kaz = year(&i, 2021, Some(12.0));
        kaz["country"] = json!("KAZ");
        assert_eq!(actual(&app, &kaz_only, kaz).await["value"], 12.0);
        let officer = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .create()
            .await;
        let own = result(&app, &officer, outcome(&w.kaz_uzb, "Mine")).await;
        indicator(&app, &officer, officers_trained(&own, "CA-2")).await;
        let data = app
            .ok("{ indicators { totalCount } }", json!({}), Some(&reporter))
            .await;
        assert_eq!(
            data["indicators"]["totalCount"], 2,
            "reporters read everything"
        );
    }
);

on_both_engines!(
    donors_see_only_results_and_indicators_of_engagements_they_fund,
    |app: TestApp| async move {
        let w = world(&app).await;
        let mut made = Vec::new();
        for (eng, code) in [(&w.idn, "IDN-1"), (&w.kaz_uzb, "CA-1"), (&w.tun, "TUN-1")] {
            let r = result(&app, &w.admin, outcome(eng, "Outcome")).await;
            let mut input = officers_trained(&r, code);
            input["sdgIndicator"] = json!("16.3.2");
            let i = indicator(&app, &w.admin, input).await;
            target(&app, &w.admin, year(&i, 2022, Some(10.0))).await;
            made.push((r, i));
        }
        let p = result(
            &app,
            &w.admin,
            json!({"programme": "GLOZ85", "type": "3", "title": "Programme-wide"}),
        )
        .await;
        indicator(&app, &w.admin, officers_trained(&p, "GLOZ85-1")).await;

        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let list = "{ indicators { totalCount nodes { code targets { value } } } \
                    results { totalCount nodes { id } } \
                    gloz: indicators(filter: {programme: \"GLOZ85\"}) { totalCount } \
                    sdg: indicators(filter: {sdgIndicator: \"16.3\"}) { totalCount } }";
        let data = app.ok(list, json!({}), Some(&norway)).await;
        assert_eq!(data["indicators"]["totalCount"], 1);
        assert_eq!(data["indicators"]["nodes"][0]["code"], "IDN-1");
        assert_eq!(data["indicators"]["nodes"][0]["targets"][0]["value"], 10.0);
        assert_eq!(
            ids(&data["results"]["nodes"]),
            vec![made[0].0["id"].as_str().unwrap().to_string()]
        );
        assert_eq!(data["gloz"]["totalCount"], 1);
        assert_eq!(data["sdg"]["totalCount"], 1);
        let by_id = "query($i: ID!, $r: ID!, $p: ID!) { indicator(id: $i) { id } result(id: $r) { id } prog: result(id: $p) { id } }";
        let data = app
            .ok(
                by_id,
                json!({"i": made[1].1["id"], "r": made[1].0["id"], "p": p["id"]}),
                Some(&norway),
            )
            .await;
        assert_eq!(
            data,
            json!({"indicator": null, "result": null, "prog": null})
        );
        let data = app
            .ok(
                by_id,
                json!({"i": made[0].1["id"], "r": made[0].0["id"], "p": made[0].0["id"]}),
                Some(&norway),
            )
            .await;
        assert_eq!(data["indicator"]["id"], made[0].1["id"]);

        let belgium = app
            .token(Role::Donor)
            .organisation(w.belgium)
            .create()
            .await;
        let data = app
            .ok(
                "{ indicators { nodes { code } } }",
                json!({}),
                Some(&belgium),
            )
            .await;
        assert_eq!(data["indicators"]["nodes"], json!([{"code": "CA-1"}]));
        let e = app
            .err(
                &set_target_q(),
                json!({"i": year(&made[1].1, 2023, Some(1.0))}),
                Some(&belgium),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "donors write nothing: {e:?}");

        // Everyone else sees all four, and the filters narrow them.
        let q = "{ all: indicators { totalCount } \
                 tun: indicators(filter: {country: \"TUN\"}) { nodes { code } } \
                 other: indicators(filter: {programme: \"OTHER1\"}) { nodes { code } } \
                 goal: indicators(filter: {sdgIndicator: \"16\"}) { totalCount } \
                 programmeLevel: results(filter: {level: PROGRAMME}) { nodes { title } } \
                 impacts: results(filter: {type: \"3\"}) { totalCount } }";
        let data = app.ok(q, json!({}), Some(&w.admin)).await;
        assert_eq!(data["all"]["totalCount"], 4);
        assert_eq!(data["tun"]["nodes"], json!([{"code": "TUN-1"}]));
        assert_eq!(data["other"]["nodes"], json!([{"code": "TUN-1"}]));
        assert_eq!(data["goal"]["totalCount"], 3);
        assert_eq!(
            data["programmeLevel"]["nodes"],
            json!([{"title": "Programme-wide"}])
        );
        assert_eq!(data["impacts"]["totalCount"], 1);
        let e = app
            .err(
                "{ indicators(filter: {country: \"XX\"}) { totalCount } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("filter.country"), "{e:?}");
    }
);

on_both_engines!(
    a_value_is_archived_by_whoever_may_record_it_at_its_version_and_audited_under_its_indicator,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.kaz_uzb, "Outcome")).await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "CA-1")).await;
        let whole = actual(&app, &w.admin, year(&i, 2021, Some(5.0))).await;
        let mut v = year(&i, 2021, Some(3.0));
        v["country"] = json!("KAZ");
        let kaz = actual(&app, &w.admin, v).await;
        let mut v = year(&i, 2021, Some(2.0));
        v["country"] = json!("UZB");
        let uzb = actual(&app, &w.admin, v.clone()).await;
        let outsider = app
            .token(Role::Officer)
            .programmes(&["OTHER1"])
            .create()
            .await;
        let kaz_only = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .countries(&["KAZ"])
            .create()
            .await;
        let reporter = app.token(Role::Reporter).create().await;
        let belgium = app
            .token(Role::Donor)
            .organisation(w.belgium)
            .create()
            .await;
        let archive =
            "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id version } }";
        let refused = |value: &Value, version: i64, token: &str| {
            let (app, vars, token) = (
                &app,
                json!({"id": value["id"], "v": version}),
                token.to_string(),
            );
            async move { app.err(archive, vars, Some(&token)).await }
        };

        // As for recording: the programme's officers, for the countries of their token.
        let before = written(&app).await;
        for token in [&outsider, &reporter, &belgium] {
            let e = refused(&kaz, 1, token).await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        }
        let e = app
            .err(&record_actual_q(), json!({"i": v}), Some(&kaz_only))
            .await;
        assert_eq!(
            e.code, "FORBIDDEN",
            "a KAZ officer records no UZB value: {e:?}"
        );
        for value in [&uzb, &whole] {
            let e = refused(value, 1, &kaz_only).await;
            assert_eq!(
                e.code, "FORBIDDEN",
                "nor archives one, nor the whole's: {e:?}"
            );
        }
        // The current version only, and once.
        let e = refused(&whole, 2, &w.admin).await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert!(e.message.contains("is at version 1, not 2"), "{e:?}");
        let e = app
            .err(
                archive,
                json!({"id": "IndicatorValue:999", "v": 1}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "NOT_FOUND", "{e:?}");
        assert_eq!(written(&app).await, before, "refusals wrote nothing");

        let data = app
            .ok(archive, json!({"id": kaz["id"], "v": 1}), Some(&kaz_only))
            .await;
        assert_eq!(data["archive"], json!({"id": kaz["id"], "version": 2}));
        let e = refused(&kaz, 2, &w.admin).await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert!(e.message.ends_with("is archived already"), "{e:?}");
        let q = "query($id: ID!) { indicator(id: $id) { actuals { value country { iso3 } } } \
                 auditLog(entityId: $id) { nodes { action before after } } }";
        let data = app.ok(q, json!({"id": i["id"]}), Some(&w.admin)).await;
        assert_eq!(
            data["indicator"]["actuals"],
            json!([{"value": 5.0, "country": null}, {"value": 2.0, "country": {"iso3": "UZB"}}])
        );
        let entry = &data["auditLog"]["nodes"][0];
        assert_eq!(entry["action"], "archive_actual");
        assert_eq!(entry["before"]["value"], 3.0);
        assert_eq!(entry["before"]["archived_at"], Value::Null);
        assert!(entry["after"]["archived_at"].is_string(), "{entry}");
        assert_eq!(entry["after"]["version"], 2);

        // An archived indicator's values are kept as they were.
        app.ok(archive, json!({"id": i["id"], "v": 1}), Some(&w.admin))
            .await;
        let e = refused(&uzb, 1, &w.admin).await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
    }
);
