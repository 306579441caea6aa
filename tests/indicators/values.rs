//! Results, indicators and their values: baselines, dimensions, targets and actuals read back
//! nested, a value for the same slot replacing the last; qualitative indicators take narratives
//! and quantitative ones numbers.

use serde_json::{Value, json};

use super::*;

on_both_engines!(
    an_indicator_with_baseline_targets_and_disaggregated_actuals_reads_back_nested,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(
            &app,
            &w.admin,
            outcome(&w.idn, "Prison staff apply the Nelson Mandela Rules"),
        )
        .await;
        assert_eq!(r["type"], "2");
        assert_eq!(r["typeName"], "Outcome");
        assert_eq!(r["level"], "ENGAGEMENT");
        assert_eq!(r["programmeCode"], "GLOZ85");
        assert_eq!(r["engagement"]["id"], w.idn.as_str());
        let i = indicator(&app, &w.admin, officers_trained(&r, "IDN-OC1.1")).await;
        assert_eq!(i["measure"], "UNIT");
        assert_eq!(i["measureCode"], "1");
        assert_eq!(i["ascending"], true);
        assert_eq!(i["aggregation"], "SUM");
        assert_eq!(
            i["dimensions"],
            json!([{"name": "sex", "values": ["female", "male"]}])
        );
        assert_eq!(i["baseline"]["year"], 2019);
        assert_eq!(i["baseline"]["value"], 0.0);
        assert_eq!(i["progress"], Value::Null, "no target or actual yet");

        for (y, t) in [(2020, 100.0), (2021, 200.0), (2022, 300.0)] {
            target(&app, &w.admin, year(&i, y, Some(t))).await;
        }
        // Recorded out of order on purpose: they read back by period, whole before parts.
        for (y, total, female, male) in [(2021, 90.0, 40.0, 50.0), (2020, 60.0, 25.0, 35.0)] {
            let mut f = year(&i, y, Some(female));
            f["dimension"] = json!({"name": "sex", "value": "female"});
            actual(&app, &w.admin, f).await;
            let mut m = year(&i, y, Some(male));
            m["dimension"] = json!({"name": "sex", "value": "male"});
            m["document"] = json!(w.checklist);
            actual(&app, &w.admin, m).await;
            let mut t = year(&i, y, Some(total));
            t["comment"] = json!("Training attendance sheets");
            actual(&app, &w.admin, t).await;
        }

        let q = format!(
            "query($id: ID!) {{ result(id: $id) {{ title indicators {{ {INDICATOR_FIELDS} \
             targets {{ {VALUE_FIELDS} }} actuals {{ {VALUE_FIELDS} }} }} }} }}"
        );
        let data = app.ok(&q, json!({"id": r["id"]}), Some(&w.admin)).await;
        let got = &data["result"]["indicators"][0];
        assert_eq!(got["code"], "IDN-OC1.1");
        let targets: Vec<f64> = got["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["value"].as_f64().unwrap())
            .collect();
        assert_eq!(targets, vec![100.0, 200.0, 300.0]);
        assert_eq!(got["targets"][0]["kind"], "TARGET");
        let actuals: Vec<(String, Value, f64)> = got["actuals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["periodStart"].as_str().unwrap().to_string(),
                    a["dimension"]["value"].clone(),
                    a["value"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            actuals,
            vec![
                ("2020-01-01".into(), Value::Null, 60.0),
                ("2020-01-01".into(), json!("female"), 25.0),
                ("2020-01-01".into(), json!("male"), 35.0),
                ("2021-01-01".into(), Value::Null, 90.0),
                ("2021-01-01".into(), json!("female"), 40.0),
                ("2021-01-01".into(), json!("male"), 50.0),
            ]
        );
        assert_eq!(got["actuals"][0]["kind"], "ACTUAL");
        assert_eq!(got["actuals"][0]["comment"], "Training attendance sheets");
        assert_eq!(
            got["actuals"][2]["document"]["title"],
            "Assessing Compliance with the Nelson Mandela Rules"
        );
        assert_eq!(got["actuals"][0]["document"], Value::Null);
        // Sum of whole actuals (150) from baseline 0 toward the latest target (300).
        assert_eq!(got["progress"], 0.5);

        // The same slot again replaces the value; the audit log keeps what it replaced.
        let before = written(&app).await;
        let mut again = year(&i, 2021, Some(120.0));
        again["comment"] = json!("Corrected after the final report");
        let v = actual(&app, &w.admin, again).await;
        assert_eq!(v["version"], 2);
        assert_eq!(v["value"], 120.0);
        let after = written(&app).await;
        assert_eq!(after.2, before.2, "replaced, not added");
        assert_eq!(after.3, before.3 + 1, "audited");
        let (before_json, after_json): (Option<String>, Option<String>) = sqlx::query_as(
            "select before_json, after_json from audit_log where action = 'record_actual' order by id desc limit 1",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert!(
            before_json.unwrap().contains("90"),
            "before holds the old value"
        );
        assert!(
            after_json.unwrap().contains("Corrected"),
            "after holds the new one"
        );

        // The nested list from the top: results -> indicators -> actuals.
        let q = "query($e: ID!) { results(filter: {engagement: $e}) { totalCount nodes { id \
                 indicators { code progress actuals { value dimension { value } } targets { value } } } } }";
        let data = app.ok(q, json!({"e": w.idn}), Some(&w.admin)).await;
        assert_eq!(data["results"]["totalCount"], 1);
        let ind = &data["results"]["nodes"][0]["indicators"][0];
        assert_eq!(ind["actuals"].as_array().unwrap().len(), 6);
        assert_eq!(ind["actuals"][3]["value"], 120.0);
        assert_eq!(ind["progress"], 0.6);

        // Reading by id and through the value's own links.
        let q = format!("query($id: ID!) {{ indicator(id: $id) {{ {INDICATOR_FIELDS} }} }}");
        let data = app.ok(&q, json!({"id": i["id"]}), Some(&w.admin)).await;
        assert_eq!(data["indicator"]["result"]["id"], r["id"]);
    }
);

on_both_engines!(
    qualitative_indicators_take_narratives_and_quantitative_ones_numbers,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(
            &app,
            &w.admin,
            outcome(&w.idn, "Risk assessment procedures"),
        )
        .await;
        let q = indicator(
            &app,
            &w.admin,
            json!({"result": r["id"], "code": "IDN-Q1", "title": "Status of the risk and needs assessment procedure",
                   "measure": "QUALITATIVE", "aggregation": "LATEST",
                   "baseline": {"year": 2019, "comment": "No procedure in place"}}),
        )
        .await;
        assert_eq!(q["measureCode"], "5");
        assert_eq!(q["baseline"]["value"], Value::Null);
        let share = indicator(
            &app,
            &w.admin,
            json!({"result": r["id"], "code": "IDN-P1", "title": "Share of prison staff trained",
                   "measure": "PERCENTAGE", "aggregation": "MEAN", "baseline": {"year": 2019, "value": 10}}),
        )
        .await;

        let before = written(&app).await;
        let e = app
            .err(
                &set_target_q(),
                json!({"i": year(&q, 2021, Some(1.0))}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("BAD_USER_INPUT", Some("input.value")),
            "{e:?}"
        );
        let e = app
            .err(
                &record_actual_q(),
                json!({"i": year(&q, 2021, None)}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.comment"), "{e:?}");
        assert!(e.message.contains("qualitative"), "{e:?}");
        let e = app
            .err(
                &record_actual_q(),
                json!({"i": year(&share, 2021, None)}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.value"), "{e:?}");
        assert!(e.message.contains("required"), "{e:?}");
        let e = app
            .err(
                &record_actual_q(),
                json!({"i": year(&share, 2021, Some(100.5))}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.value"), "{e:?}");
        let create = "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }";
        let e = app
            .err(
                create,
                json!({"i": {"result": r["id"], "code": "IDN-P2", "title": "Share", "measure": "PERCENTAGE",
                              "aggregation": "MEAN", "baseline": {"year": 2019, "value": 120}}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.baseline.value"), "{e:?}");
        let e = app
            .err(
                create,
                json!({"i": {"result": r["id"], "code": "IDN-Q2", "title": "Narrative", "measure": "QUALITATIVE",
                              "aggregation": "LATEST", "baseline": {"year": 2019, "value": 3}}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.baseline.value"), "{e:?}");
        let e = app
            .err(
                create,
                json!({"i": {"result": r["id"], "code": "IDN-P1", "title": "Same code", "measure": "UNIT", "aggregation": "SUM"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert_eq!(
            written(&app).await,
            before,
            "refused mutations wrote nothing"
        );

        let mut narrative = year(&q, 2021, None);
        narrative["comment"] = json!("Procedure adopted in two pilot prisons");
        let v = actual(&app, &w.admin, narrative).await;
        assert_eq!(v["value"], Value::Null);
        assert_eq!(v["comment"], "Procedure adopted in two pilot prisons");
        let data = app
            .ok(
                "query($id: ID!) { indicator(id: $id) { progress actuals { comment } } }",
                json!({"id": q["id"]}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            data["indicator"]["progress"],
            Value::Null,
            "qualitative progress is not a number"
        );
    }
);

on_both_engines!(
    an_actual_is_recorded_once_its_period_has_begun_and_a_target_may_lie_ahead,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Officers trained")).await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "IDN-OP1")).await;
        let this_year = chrono::Utc::now()
            .date_naive()
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap();

        // A year typed wrongly (2052 for 2025) must not become the latest actual.
        let before = written(&app).await;
        let e = app
            .err(
                &record_actual_q(),
                json!({"i": year(&i, this_year + 1, Some(9.0))}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("BAD_USER_INPUT", Some("input.periodStart")),
            "{e:?}"
        );
        assert!(e.message.contains("as a target"), "{e:?}");
        assert_eq!(written(&app).await, before, "nothing written");

        // The year under way takes an actual (progress so far), and a year ahead a target.
        actual(&app, &w.admin, year(&i, this_year, Some(5.0))).await;
        target(&app, &w.admin, year(&i, this_year + 1, Some(50.0))).await;
    }
);

on_both_engines!(
    a_value_and_an_activity_outside_the_engagements_countries_are_refused_alike,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Prison staff trained")).await;
        let i = indicator(&app, &w.admin, officers_trained(&r, "IDN-C1")).await;
        let mut input = year(&i, 2021, Some(10.0));
        input["country"] = json!("KAZ");
        let value = app
            .err(&record_actual_q(), json!({ "i": input }), Some(&w.admin))
            .await;
        let activity = app
            .err(
                "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                json!({ "i": { "engagement": w.idn, "kind": "TRAINING", "title": "t",
                    "startDate": "2021-03-01", "endDate": "2021-03-02", "country": "KAZ" } }),
                Some(&w.admin),
            )
            .await;
        let expected = "input.country: KAZ is not one of the engagement's recipient countries \
                        (allowed: IDN)";
        assert_eq!(
            (value.field.as_deref(), value.message.as_str()),
            (Some("input.country"), expected)
        );
        assert_eq!(
            (activity.field.as_deref(), activity.message.as_str()),
            (Some("input.country"), expected)
        );
    }
);
