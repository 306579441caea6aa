//! Refusals and changes: values that must fit the indicator, the engagement and the calendar
//! (else nothing is written); patches to results and indicators that keep recorded values valid,
//! and stale versions refused.

use serde_json::{Value, json};

use super::*;

on_both_engines!(
    values_must_fit_the_indicator_the_engagement_and_the_calendar,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(
            &app,
            &w.admin,
            outcome(&w.kaz_uzb, "Staff trained in Central Asia"),
        )
        .await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "CA-1")).await;
        let before = written(&app).await;
        let refused = |input: Value| {
            let app = &app;
            let admin = w.admin.clone();
            async move {
                app.err(&record_actual_q(), json!({ "i": input }), Some(&admin))
                    .await
            }
        };

        let mut v = year(&i, 2021, Some(5.0));
        v["dimension"] = json!({"name": "sex", "value": "unknown"});
        let e = refused(v).await;
        assert_eq!(e.field.as_deref(), Some("input.dimension.value"), "{e:?}");
        assert!(e.message.contains("female, male"), "{e:?}");
        let mut v = year(&i, 2021, Some(5.0));
        v["dimension"] = json!({"name": "age", "value": "adult"});
        let e = refused(v).await;
        assert_eq!(e.field.as_deref(), Some("input.dimension.name"), "{e:?}");
        let mut v = year(&i, 2021, Some(5.0));
        v["country"] = json!("IDN");
        let e = refused(v).await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        assert!(e.message.contains("KAZ, UZB"), "{e:?}");
        let mut v = year(&i, 2021, Some(5.0));
        v["country"] = json!("XXX");
        let e = refused(v).await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        let mut v = year(&i, 2021, Some(5.0));
        v["periodEnd"] = json!("2020-12-31");
        let e = refused(v).await;
        assert_eq!(e.field.as_deref(), Some("input.periodEnd"), "{e:?}");
        let mut v = year(&i, 2021, Some(5.0));
        v["periodStart"] = json!("2021-13-01");
        let e = refused(v).await;
        assert_eq!(e.field.as_deref(), Some("input.periodStart"), "{e:?}");
        let mut v = year(&i, 2021, Some(5.0));
        v["document"] = json!("Document:999");
        let e = refused(v).await;
        assert_eq!(e.field.as_deref(), Some("input.document"), "{e:?}");
        let e = refused(json!({"indicator": "Indicator:999", "periodStart": "2021-01-01", "periodEnd": "2021-12-31", "value": 1})).await;
        assert_eq!(e.field.as_deref(), Some("input.indicator"), "{e:?}");
        let e = refused(year(&i, 2021, Some(-5e12))).await;
        assert_eq!(
            e.message,
            "input.value: must not be negative for a unit indicator (it counts something)",
            "a unit value far below zero is negative, not out of a range that holds negatives"
        );
        let e = refused(year(&i, 2021, Some(2e12))).await;
        assert_eq!(e.message, "input.value: must be at most 1000000000000");
        assert_eq!(written(&app).await, before, "refused values wrote nothing");

        // Countries of the engagement are fine, each its own slot; so is any country (given as
        // ISO2 here) for a programme-level result.
        let mut kaz = year(&i, 2021, Some(30.0));
        kaz["country"] = json!("KAZ");
        let mut uzb = year(&i, 2021, Some(20.0));
        uzb["country"] = json!("UZB");
        assert_eq!(actual(&app, &w.admin, kaz).await["country"]["iso3"], "KAZ");
        assert_eq!(actual(&app, &w.admin, uzb).await["country"]["iso3"], "UZB");
        let p = result(
            &app,
            &w.admin,
            json!({"programme": "GLOZ85", "type": "3", "title": "Safer prisons"}),
        )
        .await;
        assert_eq!(p["level"], "PROGRAMME");
        assert_eq!(p["engagement"], Value::Null);
        let pi = indicator(&app, &w.admin, officers_trained(&p, "GLOZ85-IM1")).await;
        let mut tn = year(&pi, 2022, Some(7.0));
        tn["country"] = json!("tn");
        assert_eq!(actual(&app, &w.admin, tn).await["country"]["iso3"], "TUN");
        assert_eq!(app.count("indicator_values").await, before.2 + 3);
    }
);

on_both_engines!(
    changes_patch_fields_keep_recorded_values_valid_and_stale_versions_conflict,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "IDN-1")).await;
        let mut m = year(&i, 2021, Some(5.0));
        m["dimension"] = json!({"name": "sex", "value": "male"});
        actual(&app, &w.admin, m).await;

        let update = format!(
            "mutation($id: ID!, $v: Int!, $i: UpdateIndicatorInput!) {{ updateIndicator(id: $id, version: $v, input: $i) {{ {INDICATOR_FIELDS} }} }}"
        );
        let data = app
            .ok(&update, json!({"id": i["id"], "v": 1, "i": {"title": "Prison officers trained", "sdgIndicator": "16.3.2"}}), Some(&w.admin))
            .await;
        let u = &data["updateIndicator"];
        assert_eq!(u["version"], 2);
        assert_eq!(u["title"], "Prison officers trained");
        assert_eq!(u["sdgIndicator"], "16.3.2");
        assert_eq!(u["measure"], "UNIT", "left-out fields keep their value");
        assert_eq!(u["baseline"]["year"], 2019);
        assert_eq!(u["dimensions"][0]["values"], json!(["female", "male"]));

        let before = written(&app).await;
        let e = app
            .err(
                &update,
                json!({"id": i["id"], "v": 1, "i": {"title": "Lost update"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        let e = app
            .err(
                &update,
                json!({"id": i["id"], "v": 2, "i": {"measure": "QUALITATIVE", "baseline": null}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.measure"), "{e:?}");
        let e = app
            .err(
                &update,
                json!({"id": i["id"], "v": 2, "i": {"measure": "QUALITATIVE"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.measure"),
            "the kept baseline no longer fits: {e:?}"
        );
        let e = app
            .err(&update, json!({"id": i["id"], "v": 2, "i": {"dimensions": [{"name": "sex", "values": ["female"]}]}}), Some(&w.admin))
            .await;
        assert_eq!(e.field.as_deref(), Some("input.dimensions"), "{e:?}");
        for bad in ["16.3", "16.99.1", "sixteen"] {
            let e = app
                .err(
                    &update,
                    json!({"id": i["id"], "v": 2, "i": {"sdgIndicator": bad}}),
                    Some(&w.admin),
                )
                .await;
            assert_eq!(
                e.field.as_deref(),
                Some("input.sdgIndicator"),
                "{bad}: {e:?}"
            );
        }
        let e = app
            .err(
                &update,
                json!({"id": "Indicator:999", "v": 1, "i": {"title": "x"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "NOT_FOUND", "{e:?}");
        assert_eq!(written(&app).await, before, "refused changes wrote nothing");

        let data = app
            .ok(&update, json!({"id": i["id"], "v": 2, "i": {"sdgIndicator": null, "ascending": false, "aggregation": "LATEST"}}), Some(&w.admin))
            .await;
        assert_eq!(data["updateIndicator"]["sdgIndicator"], Value::Null);
        assert_eq!(data["updateIndicator"]["ascending"], false);

        // Results: patch, stale version, parents under the same engagement and never a cycle.
        let child = result(
            &app,
            &w.admin,
            json!({"engagement": w.idn, "type": "1", "title": "Output", "parent": r["id"]}),
        )
        .await;
        assert_eq!(child["parent"]["id"], r["id"]);
        let data = app
            .ok(
                UPDATE_RESULT,
                json!({"id": r["id"], "v": 1, "i": {"title": "Renamed outcome"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateResult"]["version"], 2);
        let before = written(&app).await;
        let e = app
            .err(
                UPDATE_RESULT,
                json!({"id": r["id"], "v": 1, "i": {"title": "Lost"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        let e = app
            .err(
                UPDATE_RESULT,
                json!({"id": r["id"], "v": 2, "i": {"parent": child["id"]}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.parent"), "a cycle: {e:?}");
        let other = result(&app, &w.admin, outcome(&w.kaz_uzb, "Elsewhere")).await;
        let after_other = written(&app).await;
        let e = app
            .err(CREATE_RESULT, json!({"i": {"engagement": w.idn, "type": "1", "title": "Out", "parent": other["id"]}}), Some(&w.admin))
            .await;
        assert_eq!(e.field.as_deref(), Some("input.parent"), "{e:?}");
        let e = app
            .err(
                CREATE_RESULT,
                json!({"i": {"engagement": w.idn, "type": "7", "title": "Bad type"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.type"), "{e:?}");
        let e = app
            .err(CREATE_RESULT, json!({"i": {"engagement": w.idn, "programme": "GLOZ85", "type": "2", "title": "Both"}}), Some(&w.admin))
            .await;
        assert_eq!(e.field.as_deref(), Some("input.programme"), "{e:?}");
        let e = app
            .err(
                CREATE_RESULT,
                json!({"i": {"type": "2", "title": "Neither"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.engagement"), "{e:?}");
        assert_eq!(
            written(&app).await,
            (after_other.0, after_other.1, after_other.2, after_other.3)
        );
        assert_eq!(after_other.0, before.0 + 1);
        let data = app
            .ok(
                "query($id: ID!) { result(id: $id) { title children { id } } }",
                json!({"id": r["id"]}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["result"]["title"], "Renamed outcome");
        assert_eq!(
            ids(&data["result"]["children"]),
            vec![child["id"].as_str().unwrap().to_string()]
        );
    }
);

on_both_engines!(
    a_dimension_named_country_or_named_twice_in_another_case_is_refused,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        let before = written(&app).await;
        let create = format!(
            "mutation($i: CreateIndicatorInput!) {{ createIndicator(input: $i) {{ {INDICATOR_FIELDS} }} }}"
        );
        // The IATI export writes a value for one country as a `country` dimension, which a
        // dimension of the indicator's own by that name would meet in the same value.
        for dims in [
            json!([{"name": "country", "values": ["IDN"]}]),
            json!([{"name": "sex", "values": ["female"]}, {"name": "Country", "values": ["a"]}]),
            json!([{"name": "sex", "values": ["female"]}, {"name": "SEX", "values": ["male"]}]),
        ] {
            let mut input = officers_trained(&r, "IDN-C");
            input["dimensions"] = dims.clone();
            let e = app
                .err(&create, json!({ "i": input }), Some(&w.admin))
                .await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{dims}: {e:?}");
            let last = dims.as_array().unwrap().len() - 1;
            assert_eq!(
                e.field.as_deref(),
                Some(format!("input.dimensions[{last}].name").as_str()),
                "{dims}: {e:?}"
            );
        }
        assert_eq!(written(&app).await, before, "nothing is written");

        let i = indicator(&app, &w.admin, officers_trained(&r, "IDN-1")).await;
        let update = format!(
            "mutation($id: ID!, $v: Int!, $i: UpdateIndicatorInput!) {{ updateIndicator(id: $id, version: $v, input: $i) {{ {INDICATOR_FIELDS} }} }}"
        );
        let e = app
            .err(
                &update,
                json!({"id": i["id"], "v": 1, "i": {"dimensions": [{"name": "sex", "values": ["female", "male"]}, {"name": "COUNTRY", "values": ["IDN"]}]}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.dimensions[1].name"),
            "{e:?}"
        );
        assert!(e.message.contains("input.country"), "{e:?}");
    }
);

on_both_engines!(
    a_code_another_indicator_has_is_a_conflict_on_input_code,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        indicator(&app, &w.admin, officers_trained(&r, "IDN-1")).await;
        let other = indicator(&app, &w.admin, officers_trained(&r, "IDN-2")).await;
        let before = written(&app).await;

        let e = app
            .err(
                "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
                json!({"i": officers_trained(&r, "IDN-1")}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert_eq!(e.field.as_deref(), Some("input.code"), "{e:?}");
        assert_eq!(e.message, "an indicator with code IDN-1 already exists");
        let e = app
            .err(
                "mutation($id: ID!, $v: Int!, $i: UpdateIndicatorInput!) { updateIndicator(id: $id, version: $v, input: $i) { id } }",
                json!({"id": other["id"], "v": 1, "i": {"code": "IDN-1"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert_eq!(e.field.as_deref(), Some("input.code"), "{e:?}");
        assert_eq!(written(&app).await, before, "nothing is written");
    }
);

on_both_engines!(
    codes_begin_with_a_letter_or_a_digit,
    |app: TestApp| async move {
        // A code is written into the CSV files as it is, and a spreadsheet read -A1 in a cell as
        // a formula (the negated cell A1).
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        let before = written(&app).await;
        let refused = "input.code: must begin with a letter or a digit";
        let e = app
            .err(
                "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
                json!({"i": officers_trained(&r, "-A1")}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.message, refused);
        let e = app
            .err(
                "mutation { createProgramme(input: {code: \"-P1\", title: \"P\"}) { id } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.message, refused);
        let e = app
            .err(
                "mutation { createGrouping(input: {code: \"_G\", name: \"G\", \
                 countries: [\"EGY\"]}) { code } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.message, refused);
        assert_eq!(written(&app).await, before, "nothing is written");
        // Inside a code the separators stay allowed.
        indicator(&app, &w.admin, officers_trained(&r, "1-A.2")).await;
    }
);
