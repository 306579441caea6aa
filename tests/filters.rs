//! List filters read their values one way everywhere: a blank value is refused naming its
//! field, in every list, the regional summary and the exports' query strings. On SQLite and
//! PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use common::TestApp;

/// An export as the caller with `token` gets it: its status and body.
async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, String) {
    let req = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.send(req).await;
    (status, body)
}

/// Every text (and id) filter of every list, each given blank, with the field it is refused as.
const BLANK_FILTERS: &[(&str, &str, &str)] = &[
    ("engagements", "programme", "filter.programme"),
    ("engagements", "country", "filter.country"),
    ("engagements", "region", "filter.region"),
    ("engagements", "status", "filter.status"),
    ("engagements", "donor", "filter.donor"),
    ("engagements", "from", "filter.from"),
    ("engagements", "to", "filter.to"),
    ("engagements", "search", "filter.search"),
    ("activities", "engagement", "filter.engagement"),
    ("activities", "programme", "filter.programme"),
    ("activities", "donor", "filter.donor"),
    ("activities", "country", "filter.country"),
    ("activities", "region", "filter.region"),
    ("activities", "from", "filter.from"),
    ("activities", "to", "filter.to"),
    ("activities", "targetGroup", "filter.targetGroup"),
    ("activities", "search", "filter.search"),
    ("lessons", "search", "filter.search"),
    ("lessons", "theme", "filter.theme"),
    ("lessons", "programme", "filter.programme"),
    ("lessons", "country", "filter.country"),
    ("lessons", "region", "filter.region"),
    ("lessons", "sourceEngagement", "filter.sourceEngagement"),
    ("lessons", "from", "filter.from"),
    ("lessons", "to", "filter.to"),
    ("events", "search", "filter.search"),
    ("events", "theme", "filter.theme"),
    ("events", "country", "filter.country"),
    ("events", "region", "filter.region"),
    ("events", "from", "filter.from"),
    ("events", "to", "filter.to"),
    ("events", "programme", "filter.programme"),
    ("events", "engagement", "filter.engagement"),
    ("indicators", "programme", "filter.programme"),
    ("indicators", "sdgIndicator", "filter.sdgIndicator"),
    ("indicators", "country", "filter.country"),
    ("indicators", "result", "filter.result"),
    ("results", "programme", "filter.programme"),
    ("results", "type", "filter.type"),
    ("programmes", "search", "filter.search"),
    ("programmes", "thematicArea", "filter.thematicArea"),
    ("documents", "search", "filter.search"),
    ("documents", "category", "filter.category"),
    ("organisations", "search", "filter.search"),
    ("organisations", "type", "filter.type"),
    ("organisations", "country", "filter.country"),
    ("countries", "region", "filter.region"),
    ("countries", "search", "filter.search"),
];

on_both_engines!(
    a_blank_filter_is_refused_naming_its_field_in_every_list,
    |app: TestApp| async move {
        let admin = app.admin().await;
        for (list, name, field) in BLANK_FILTERS {
            for blank in ["", "  \t"] {
                let q = format!(
                    "query($v: String!) {{ {list}(filter: {{{name}: $v}}) {{ totalCount }} }}"
                );
                // Id filters are typed ID!; the same blank text goes in.
                let q = if ["donor", "engagement", "sourceEngagement", "result"].contains(name) {
                    q.replace("String!", "ID!")
                } else {
                    q
                };
                let e = app.err(&q, json!({ "v": blank }), Some(&admin)).await;
                assert_eq!(
                    (e.code.as_str(), e.field.as_deref(), e.message.as_str()),
                    (
                        "BAD_USER_INPUT",
                        Some(*field),
                        format!("{field}: must not be blank").as_str()
                    ),
                    "{list}(filter: {{{name}: {blank:?}}})"
                );
            }
        }
        // The regional summary's region and programme.
        let q = "query($r: String!, $p: String) { regionalSummary(region: $r, programme: $p) { events } }";
        for (vars, field) in [
            (json!({ "r": " " }), "region"),
            (json!({ "r": "001", "p": "" }), "programme"),
        ] {
            let e = app.err(q, vars.clone(), Some(&admin)).await;
            assert_eq!(
                (e.field.as_deref(), e.message),
                (Some(field), format!("{field}: must not be blank")),
                "{vars}"
            );
        }
    }
);

on_both_engines!(
    a_blank_export_parameter_is_refused_by_name,
    |app: TestApp| async move {
        let admin = app.admin().await;
        for path in [
            "/export/iati.xml?region=",
            "/export/iati.xml?programme=%20",
            "/export/iati.xml?country=",
            "/export/activities.csv?region=",
            "/export/activities.csv?country=%20%20",
            "/export/indicators.csv?programme=",
            "/export/indicators.csv?from=",
            "/export/activities.csv?to=&region=143",
            "/export/activities.csv?bom=",
            "/export/budgets.csv?programme=",
            "/export/budgets.csv?country=%20",
            "/export/budgets.csv?region=",
            "/export/budgets.csv?from=&to=2021-12-31",
            "/export/budgets.csv?to=",
            "/export/budgets.csv?bom=",
        ] {
            let (status, body) = download(&app, &admin, path).await;
            let param = path.split(['?', '=']).nth(1).unwrap();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(
                body.contains(&format!("{param}: must not be blank")),
                "{path}: {body}"
            );
        }
    }
);

on_both_engines!(
    a_nul_in_an_export_parameter_is_refused_by_name,
    |app: TestApp| async move {
        // PostgreSQL cannot compare text holding a NUL: these were 500 INTERNAL there.
        let admin = app.admin().await;
        for path in [
            "/export/iati.xml?region=UNODC-MENA%00",
            "/export/iati.xml?programme=DEMO-VEP%00",
            "/export/activities.csv?country=KZ%00",
            "/export/activities.csv?region=%00",
            "/export/indicators.csv?programme=%00DEMO-VEP",
            "/export/indicators.csv?from=2021-01-01%00",
            "/export/budgets.csv?region=143%00",
            "/export/budgets.csv?bom=true%00",
        ] {
            let (status, body) = download(&app, &admin, path).await;
            let param = path.split(['?', '=']).nth(1).unwrap();
            assert_eq!(
                (status, body),
                (
                    StatusCode::BAD_REQUEST,
                    format!(
                        "BAD_USER_INPUT: {param}: must not contain the NUL character (U+0000)\n"
                    )
                ),
                "{path}"
            );
        }
        // In a parameter's name it is refused without being echoed back.
        let (status, body) = download(&app, &admin, "/export/budgets.csv?reg%00ion=143").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            "BAD_USER_INPUT: parameter: must not contain the NUL character (U+0000)\n"
        );
    }
);

on_both_engines!(
    a_grouping_code_that_could_be_several_is_refused_naming_them,
    |app: TestApp| async move {
        let admin = app.admin().await;
        for code in ["CASE-G", "case-g"] {
            let q = format!(
                "mutation {{ createGrouping(input: {{code: \"{code}\", name: \"{code}\", countries: [\"EGY\"]}}) {{ code }} }}"
            );
            app.ok(&q, json!({}), Some(&admin)).await;
        }
        // Written exactly, each is found; in a third case, it was "neither an M49 region code
        // nor a grouping code", which sent the user looking for a grouping that is there.
        let q = "query($r: String!) { regionalSummary(region: $r) { area { name } } }";
        let s = app.ok(q, json!({ "r": "case-g" }), Some(&admin)).await;
        assert_eq!(s["regionalSummary"]["area"]["name"], "case-g");
        let several = "Case-G could be any of the groupings CASE-G, case-g, whose codes differ only in case; write the code exactly";
        let e = app.err(q, json!({ "r": "Case-G" }), Some(&admin)).await;
        assert_eq!(
            (e.code.as_str(), e.field.as_deref(), e.message),
            (
                "BAD_USER_INPUT",
                Some("region"),
                format!("region: {several}")
            )
        );
        let q = "{ engagements(filter: {region: \"Case-G\"}) { totalCount } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(e.message, format!("filter.region: {several}"));
        let (status, body) = download(&app, &admin, "/export/activities.csv?region=Case-G").await;
        assert_eq!(
            (status, body),
            (
                StatusCode::BAD_REQUEST,
                format!("BAD_USER_INPUT: region: {several}\n")
            )
        );
        // A code no grouping has in any case is still just unknown.
        let e = app
            .err(
                "{ regionalSummary(region: \"CASE-H\") { events } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            e.message,
            "region: CASE-H is neither an M49 region code nor a grouping code"
        );
    }
);

on_both_engines!(
    a_country_given_as_a_region_is_told_to_be_a_country,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let kaz = "398 is a country (Kazakhstan), not a region or grouping";
        let instead = "filter by country instead";
        for list in ["engagements", "activities", "lessons", "events"] {
            let q = format!("{{ {list}(filter: {{region: \"398\"}}) {{ totalCount }} }}");
            let e = app.err(&q, json!({}), Some(&admin)).await;
            assert_eq!(
                (e.field.as_deref(), e.message),
                (
                    Some("filter.region"),
                    format!("filter.region: {kaz}; {instead}")
                ),
                "{list}"
            );
        }
        // Any of a country's codes, in any case; an unknown code is still just unknown.
        let q = "query($r: String!) { engagements(filter: {region: $r}) { totalCount } }";
        for code in ["kaz", "KZ"] {
            let e = app.err(q, json!({ "r": code }), Some(&admin)).await;
            let expected = format!(
                "filter.region: {code} is a country (Kazakhstan), not a region or grouping; {instead}"
            );
            assert_eq!(e.message, expected);
        }
        let e = app.err(q, json!({ "r": "999" }), Some(&admin)).await;
        assert_eq!(
            e.message,
            "filter.region: 999 is neither an M49 region code nor a grouping code"
        );
        // Where there is no country filter, the hint says what to do instead.
        let q = "{ countries(filter: {region: \"398\"}) { totalCount } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(
            e.message,
            format!("filter.region: {kaz}; read it with country(code: \"KAZ\")")
        );
        let q = "{ regionalSummary(region: \"398\") { events } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(
            (e.field.as_deref(), e.message),
            (
                Some("region"),
                format!("region: {kaz}; ask for its region, 143, and read its row in byCountry")
            )
        );
        let q = "mutation { recordLesson(input: {title: \"t\", statement: \"s\", areas: [\"143\", \"KAZ\"]}) { id } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(
            e.message,
            "input.areas[1]: KAZ is a country (Kazakhstan), not a region or grouping; list it among the countries instead"
        );
        for path in [
            "/export/iati.xml?region=398",
            "/export/activities.csv?region=398",
            "/export/indicators.csv?region=398",
            "/export/budgets.csv?region=398",
        ] {
            let (status, body) = download(&app, &admin, path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(
                body.contains(&format!("region: {kaz}; {instead}")),
                "{path}: {body}"
            );
        }
    }
);

on_both_engines!(
    an_unknown_programme_reads_the_same_in_lists_summaries_exports_and_inputs,
    |app: TestApp| async move {
        let admin = app.admin().await;
        // It read "OTHER is not a known programme code" in lists and "no programme has code
        // OTHER" in the exports, beside "there is no programme OTHER" in summaries.
        let unknown = "there is no programme OTHER";
        for list in [
            "engagements",
            "activities",
            "events",
            "results",
            "indicators",
            "lessons",
        ] {
            let q = format!("{{ {list}(filter: {{programme: \"OTHER\"}}) {{ totalCount }} }}");
            let e = app.err(&q, json!({}), Some(&admin)).await;
            assert_eq!(e.message, format!("filter.programme: {unknown}"), "{list}");
        }
        let q = "{ regionalSummary(region: \"001\", programme: \"OTHER\") { events } }";
        let e = app.err(q, json!({}), Some(&admin)).await;
        assert_eq!(e.message, format!("programme: {unknown}"));
        let q = "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }";
        let input = json!({ "programme": "OTHER", "title": "t", "status": "2",
            "plannedStart": "2021-01-01", "plannedEnd": "2021-12-31",
            "recipientCountries": [{ "country": "KAZ", "percentage": 100 }],
            "sectors": [{ "code": "15130", "percentage": 100 }] });
        let e = app.err(q, json!({ "i": input }), Some(&admin)).await;
        assert_eq!(e.message, format!("input.programme: {unknown}"));
        for export in [
            "iati.xml",
            "activities.csv",
            "indicators.csv",
            "budgets.csv",
        ] {
            let path = format!("/export/{export}?programme=OTHER");
            let (status, body) = download(&app, &admin, &path).await;
            assert_eq!(
                (status, body),
                (
                    StatusCode::BAD_REQUEST,
                    format!("BAD_USER_INPUT: programme: {unknown}\n")
                ),
                "{path}"
            );
        }
    }
);
