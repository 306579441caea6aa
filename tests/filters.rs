//! List filters read their values one way everywhere: a blank value is refused naming its
//! field, in every list, the regional summary and the exports' query strings. On SQLite and
//! PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use common::TestApp;

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
    ("activities", "country", "filter.country"),
    ("activities", "region", "filter.region"),
    ("activities", "from", "filter.from"),
    ("activities", "to", "filter.to"),
    ("activities", "targetGroup", "filter.targetGroup"),
    ("activities", "search", "filter.search"),
    ("lessons", "search", "filter.search"),
    ("lessons", "theme", "filter.theme"),
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
        ] {
            let req = Request::get(path)
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .body(Body::empty())
                .unwrap();
            let (status, _, body) = app.send(req).await;
            let param = path.split(['?', '=']).nth(1).unwrap();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(
                body.contains(&format!("{param}: must not be blank")),
                "{path}: {body}"
            );
        }
    }
);
