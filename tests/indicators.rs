//! Results and outcome indicators, end to end through the real router on SQLite and PostgreSQL:
//! results under engagements and programmes, indicators with baselines, dimensions, targets and
//! actuals read back nested; values refused with the field named when they break a rule (and
//! then nothing is written); replaced slot by slot; stale versions refused; officers kept to
//! their programmes and donors to what they fund.

mod common;

use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

use common::TestApp;

const CREATE_RESULT: &str = "mutation($i: CreateResultInput!) { createResult(input: $i) { \
    id type typeName level title programmeCode version parent { id } engagement { id } } }";

const UPDATE_RESULT: &str = "mutation($id: ID!, $v: Int!, $i: UpdateResultInput!) { \
    updateResult(id: $id, version: $v, input: $i) { id version title parent { id } } }";

const INDICATOR_FIELDS: &str = "id code title measure measureCode ascending aggregation \
    sdgIndicator version progress dimensions { name values } \
    baseline { year date value comment } result { id }";

const VALUE_FIELDS: &str = "id kind periodStart periodEnd value comment version \
    country { iso3 } dimension { name value } document { title }";

/// Two programmes and their engagements, and the donors funding them, made as an admin would.
struct World {
    admin: String,
    /// Norway funds `idn` only.
    norway: i64,
    /// Belgium funds `kaz_uzb` only.
    belgium: i64,
    /// GLOZ85 in Indonesia.
    idn: String,
    /// GLOZ85 in Kazakhstan (60%) and Uzbekistan (40%).
    kaz_uzb: String,
    /// OTHER1 in Tunisia.
    tun: String,
    /// A document to cite as evidence.
    checklist: String,
}

fn number(id: &Value) -> i64 {
    id.as_str()
        .and_then(|s| s.split_once(':'))
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("not an id: {id}"))
}

async fn organisation(app: &TestApp, admin: &str, name: &str, country: &str) -> i64 {
    let data = app
        .ok(
            "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
            json!({"i": {"name": name, "type": "10", "country": country}}),
            Some(admin),
        )
        .await;
    number(&data["createOrganisation"]["id"])
}

async fn engagement(
    app: &TestApp,
    admin: &str,
    programme: &str,
    countries: Value,
    funder: i64,
) -> String {
    let input = json!({"programme": programme, "title": format!("Engagement in {countries}"),
        "status": "2", "plannedStart": "2019-01-01", "plannedEnd": "2024-12-31",
        "recipientCountries": countries,
        "participatingOrganisations": [{"organisation": format!("Organisation:{funder}"), "role": "1"}]});
    let data = app
        .ok(
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({ "i": input }),
            Some(admin),
        )
        .await;
    data["createEngagement"]["id"].as_str().unwrap().to_string()
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let norway = organisation(app, &admin, "Government of Norway", "NOR").await;
    let belgium = organisation(app, &admin, "Government of Belgium", "BEL").await;
    let tunisia = organisation(app, &admin, "Government of Tunisia", "TUN").await;
    for code in ["GLOZ85", "OTHER1"] {
        app.ok(
            "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }",
            json!({"i": {"code": code, "title": format!("Programme {code}")}}),
            Some(&admin),
        )
        .await;
    }
    let idn = engagement(
        app,
        &admin,
        "GLOZ85",
        json!([{"country": "IDN", "percentage": 100}]),
        norway,
    )
    .await;
    let kaz_uzb = engagement(
        app,
        &admin,
        "GLOZ85",
        json!([{"country": "KAZ", "percentage": 60}, {"country": "UZB", "percentage": 40}]),
        belgium,
    )
    .await;
    let tun = engagement(
        app,
        &admin,
        "OTHER1",
        json!([{"country": "TUN", "percentage": 100}]),
        tunisia,
    )
    .await;
    let doc = app
        .ok(
            "mutation($i: DocumentInput!) { createDocument(input: $i) { id } }",
            json!({"i": {"title": "Assessing Compliance with the Nelson Mandela Rules", "category": "B12",
                         "url": "https://www.unodc.org/unodc/en/justice-and-prison-reform/"}}),
            Some(&admin),
        )
        .await;
    World {
        admin,
        norway,
        belgium,
        idn,
        kaz_uzb,
        tun,
        checklist: doc["createDocument"]["id"].as_str().unwrap().to_string(),
    }
}

async fn result(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(CREATE_RESULT, json!({ "i": input }), Some(token))
        .await["createResult"]
        .clone()
}

fn outcome(engagement: &str, title: &str) -> Value {
    json!({"engagement": engagement, "type": "2", "title": title})
}

async fn indicator(app: &TestApp, token: &str, input: Value) -> Value {
    let q = format!(
        "mutation($i: CreateIndicatorInput!) {{ createIndicator(input: $i) {{ {INDICATOR_FIELDS} }} }}"
    );
    app.ok(&q, json!({ "i": input }), Some(token)).await["createIndicator"].clone()
}

/// "Number of prison officers trained": units, summed, disaggregated by sex.
fn officers_trained(result: &Value, code: &str) -> Value {
    json!({"result": result["id"], "code": code, "title": "Number of prison officers trained",
           "measure": "UNIT", "aggregation": "SUM",
           "dimensions": [{"name": "sex", "values": ["female", "male"]}],
           "baseline": {"year": 2019, "value": 0, "comment": "No training before the engagement"}})
}

fn set_target_q() -> String {
    format!(
        "mutation($i: IndicatorValueInput!) {{ setIndicatorTarget(input: $i) {{ {VALUE_FIELDS} }} }}"
    )
}

fn record_actual_q() -> String {
    format!(
        "mutation($i: IndicatorValueInput!) {{ recordIndicatorActual(input: $i) {{ {VALUE_FIELDS} }} }}"
    )
}

fn year(indicator: &Value, y: i32, value: Option<f64>) -> Value {
    json!({"indicator": indicator["id"], "periodStart": format!("{y}-01-01"),
           "periodEnd": format!("{y}-12-31"), "value": value})
}

async fn target(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(&set_target_q(), json!({ "i": input }), Some(token))
        .await["setIndicatorTarget"]
        .clone()
}

async fn actual(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(&record_actual_q(), json!({ "i": input }), Some(token))
        .await["recordIndicatorActual"]
        .clone()
}

/// Row counts a refused mutation must leave alone.
async fn written(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("results").await,
        app.count("indicators").await,
        app.count("indicator_values").await,
        app.count("audit_log").await,
    )
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

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
    indicator_pages_follow_their_codes,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        for code in ["C", "A", "E", "B", "D"] {
            indicator(&app, &w.admin, officers_trained(&r, code)).await;
        }
        let q = "query($after: String) { indicators(first: 2, after: $after) { totalCount \
                 nodes { code } pageInfo { hasNextPage endCursor } } }";
        let mut after: Option<String> = None;
        let mut seen = Vec::new();
        loop {
            let data = app.ok(q, json!({"after": after}), Some(&w.admin)).await;
            let page = &data["indicators"];
            assert_eq!(page["totalCount"], 5);
            for n in page["nodes"].as_array().unwrap() {
                seen.push(n["code"].as_str().unwrap().to_string());
            }
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen, vec!["A", "B", "C", "D", "E"]);
    }
);

on_both_engines!(
    archived_indicators_and_results_drop_out_of_lists_and_take_no_values,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = result(&app, &w.admin, outcome(&w.idn, "Outcome")).await;
        let kept = indicator(&app, &w.admin, officers_trained(&r, "KEEP")).await;
        let gone = indicator(&app, &w.admin, officers_trained(&r, "GONE")).await;
        let archive = "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { version } }";
        app.ok(archive, json!({"id": gone["id"], "v": 1}), Some(&w.admin))
            .await;
        let q = "query($r: ID!) { live: indicators { nodes { code } } \
                 all: indicators(filter: {includeArchived: true}) { nodes { code archivedAt } } \
                 result(id: $r) { indicators { code } } }";
        let data = app.ok(q, json!({"r": r["id"]}), Some(&w.admin)).await;
        assert_eq!(data["live"]["nodes"], json!([{"code": "KEEP"}]));
        assert_eq!(data["all"]["nodes"].as_array().unwrap().len(), 2);
        assert_eq!(data["result"]["indicators"], json!([{"code": "KEEP"}]));
        let before = written(&app).await;
        let e = app
            .err(
                &set_target_q(),
                json!({"i": year(&gone, 2021, Some(1.0))}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert_eq!(written(&app).await, before);

        app.ok(archive, json!({"id": r["id"], "v": 1}), Some(&w.admin))
            .await;
        let data = app
            .ok("{ indicators { totalCount } results { totalCount } archived: results(filter: {includeArchived: true}) { totalCount } }", json!({}), Some(&w.admin))
            .await;
        assert_eq!(
            data["indicators"]["totalCount"], 0,
            "an archived result takes its indicators along"
        );
        assert_eq!(data["results"]["totalCount"], 0);
        assert_eq!(data["archived"]["totalCount"], 1);
        let e = app
            .err(
                "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
                json!({"i": officers_trained(&r, "LATE")}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.result"), "{e:?}");
        let data = app
            .ok(
                "query($id: ID!) { indicator(id: $id) { code } }",
                json!({"id": kept["id"]}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["indicator"]["code"], "KEEP", "still readable by id");
    }
);

on_both_engines!(
    the_demo_results_show_progress_across_engagements_and_the_programme,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let q = "{ indicators(first: 50) { totalCount nodes { code title progress sdgIndicator \
                 result { level title } actuals { value country { iso3 } dimension { value } } } } \
                 programmeLevel: results(filter: {level: PROGRAMME}) { nodes { title indicators { code } } } }";
        let data = app.ok(q, json!({}), Some(&admin)).await;
        let nodes = data["indicators"]["nodes"].as_array().unwrap();
        let progress = |code: &str| {
            let n = nodes
                .iter()
                .find(|n| n["code"] == code)
                .unwrap_or_else(|| panic!("{code}"));
            (
                n["progress"]
                    .as_f64()
                    .map(|p| (p * 1000.0).round() / 1000.0),
                n,
            )
        };
        assert_eq!(progress("DEMO-VEP-IDN-OP1.1").0, Some(0.7));
        assert_eq!(progress("DEMO-VEP-CA-OC1.1").0, Some(0.313));
        let (p, tun) = progress("DEMO-VEP-TUN-OC1.1");
        assert_eq!(p, Some(0.583), "descending: fewer unsentenced detainees");
        assert_eq!(tun["sdgIndicator"], "16.3.2");
        assert_eq!(progress("DEMO-VEP-TUN-OC1.2").0, None, "qualitative");
        let (_, bfa) = progress("DEMO-VEP-BFA-OC1.1");
        assert!(
            bfa["actuals"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["dimension"]["value"] == "female")
        );
        for n in nodes {
            assert!(
                n["title"].as_str().unwrap().starts_with("[Illustrative]"),
                "{n}"
            );
        }
        assert_eq!(
            data["programmeLevel"]["nodes"][0]["indicators"][0]["code"],
            "DEMO-VEP-PO1"
        );
    }
);
