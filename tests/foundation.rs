//! Foundation, end to end through the real router: geography, codelists, organisations,
//! credentials and errors, on SQLite and PostgreSQL.

mod common;

use serde_json::json;
use ta_tracker::domain::auth::Role;

on_both_engines!(
    every_member_state_is_listed_and_pages_cover_them_once,
    |app: common::TestApp| async move {
        let data = app
        .ok("{ countries(filter: {unMember: true}, first: 0) { totalCount } all: countries(first: 0) { totalCount } }", json!({}), None)
        .await;
        assert_eq!(data["countries"]["totalCount"], 193);
        assert_eq!(data["all"]["totalCount"], 249);

        // Walk every page of Member States: 193 distinct countries, in name order, none twice.
        let mut after: Option<String> = None;
        let mut seen: Vec<String> = Vec::new();
        loop {
            let data = app
            .ok(
                "query($after: String) { countries(filter: {unMember: true}, first: 50, after: $after) { nodes { iso3 name } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
                None,
            )
            .await;
            let c = &data["countries"];
            for n in c["nodes"].as_array().unwrap() {
                seen.push(n["name"].as_str().unwrap().to_string());
            }
            if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = c["pageInfo"]["endCursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen.len(), 193);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen, "pages are in name order with no repeats");
    }
);

on_both_engines!(
    south_eastern_asia_has_its_eleven_countries,
    |app: common::TestApp| async move {
        let data = app
        .ok(r#"{ countries(filter: {region: "035"}, first: 50) { totalCount nodes { iso3 subRegion { code name } } } region(code: "35") { name level countries(first: 0) { totalCount } parent { code } } }"#, json!({}), None)
        .await;
        assert_eq!(data["countries"]["totalCount"], 11);
        let iso3: Vec<&str> = data["countries"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["iso3"].as_str().unwrap())
            .collect();
        for c in ["IDN", "PHL", "THA", "VNM", "TLS", "SGP"] {
            assert!(iso3.contains(&c), "{c} in {iso3:?}");
        }
        assert_eq!(data["region"]["name"], "South-eastern Asia");
        assert_eq!(data["region"]["level"], "SUB_REGION");
        assert_eq!(data["region"]["countries"]["totalCount"], 11);
        assert_eq!(data["region"]["parent"]["code"], "142");
    }
);

on_both_engines!(
    norway_sits_under_northern_europe_and_europe_by_any_code,
    |app: common::TestApp| async move {
        for code in ["NOR", "no", "578"] {
            let data = app
            .ok("query($c: String!) { country(code: $c) { iso3 iso2 m49 name unMember region { code name } subRegion { code name } intermediateRegion { code } } }", json!({ "c": code }), None)
            .await;
            let c = &data["country"];
            assert_eq!(c["iso3"], "NOR");
            assert_eq!(c["m49"], "578");
            assert_eq!(c["unMember"], true);
            assert_eq!(c["subRegion"]["name"], "Northern Europe");
            assert_eq!(c["region"]["name"], "Europe");
            assert!(c["intermediateRegion"].is_null());
        }
        let data = app.ok(r#"{ europe: countries(filter: {region: "150"}, first: 100) { nodes { iso3 } } world: countries(filter: {region: "001"}, first: 0) { totalCount } }"#, json!({}), None).await;
        assert!(
            data["europe"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["iso3"] == "NOR")
        );
        assert_eq!(data["world"]["totalCount"], 249);
    }
);

on_both_engines!(
    non_members_are_listed_and_groupings_cut_across_m49,
    |app: common::TestApp| async move {
        let data = app
        .ok(r#"{ country(code: "PSE") { name unMember groupings { code } } grouping(code: "UNODC-MENA") { name countries(first: 50) { totalCount nodes { iso3 subRegion { code } } } } countries(filter: {region: "UNODC-MENA"}, first: 0) { totalCount } }"#, json!({}), None)
        .await;
        assert_eq!(data["country"]["unMember"], false);
        assert_eq!(data["country"]["groupings"][0]["code"], "UNODC-MENA");
        let members = data["grouping"]["countries"]["nodes"].as_array().unwrap();
        let sub_regions: std::collections::BTreeSet<&str> = members
            .iter()
            .map(|m| m["subRegion"]["code"].as_str().unwrap())
            .collect();
        assert!(
            sub_regions.len() >= 2,
            "spans M49 sub-regions: {sub_regions:?}"
        );
        assert_eq!(
            data["countries"]["totalCount"],
            data["grouping"]["countries"]["totalCount"]
        );
    }
);

on_both_engines!(
    an_unknown_region_code_is_a_named_input_error,
    |app: common::TestApp| async move {
        let e = app
            .err(
                r#"{ countries(filter: {region: "999"}) { totalCount } }"#,
                json!({}),
                None,
            )
            .await;
        assert_eq!(e.code, "BAD_USER_INPUT");
        assert_eq!(e.field.as_deref(), Some("filter.region"));
        let e = app
            .err("{ countries(first: 1000) { totalCount } }", json!({}), None)
            .await;
        assert_eq!(e.code, "BAD_USER_INPUT");
        assert_eq!(e.field.as_deref(), Some("first"));
    }
);

on_both_engines!(codelists_are_queryable, |app: common::TestApp| async move {
    let data = app.ok(r#"{ status: codelist(name: "ActivityStatus") { code name } targets: codelist(name: "UNSDG-Targets") { code } lists: codelists { name size } }"#, json!({}), None).await;
    assert_eq!(data["status"].as_array().unwrap().len(), 6);
    assert_eq!(data["status"][1]["name"], "Implementation");
    let targets: Vec<&str> = data["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&"16.3") && targets.contains(&"16.a"));
    for list in [
        "ActivityStatus",
        "OrganisationRole",
        "OrganisationType",
        "ResultType",
        "IndicatorMeasure",
        "Sector",
        "PolicyMarker",
        "PolicySignificance",
        "UNSDG-Goals",
        "UNSDG-Targets",
        "DocumentCategory",
        "Currency",
    ] {
        assert!(
            data["lists"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["name"] == list),
            "{list}"
        );
    }
    let e = app
        .err(r#"{ codelist(name: "Nope") { code } }"#, json!({}), None)
        .await;
    assert_eq!(e.code, "BAD_USER_INPUT");
});

on_both_engines!(
    anonymous_mutations_are_refused_and_write_nothing,
    |app: common::TestApp| async move {
        let create = r#"mutation { createOrganisation(input: {name: "Government of Norway", type: "10", iatiRef: "XM-DAC-8", country: "NOR"}) { id } }"#;
        let e = app.err(create, json!({}), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED");
        assert_eq!(app.count("organisations").await, 0);
        let reporter = app.token(Role::Reporter).create().await;
        let e = app.err(create, json!({}), Some(&reporter)).await;
        assert_eq!(e.code, "FORBIDDEN");
        assert_eq!(app.count("organisations").await, 0);
        assert_eq!(app.count("audit_log").await, 0);
    }
);

on_both_engines!(
    admins_create_and_update_organisations_with_versions_and_audit,
    |app: common::TestApp| async move {
        let admin = app.admin().await;
        let data = app.ok(r#"mutation { createOrganisation(input: {name: "Government of Norway", type: "10", iatiRef: "XM-DAC-8", country: "no"}) { id name type iatiRef version country { iso3 } } }"#, json!({}), Some(&admin)).await;
        let org = &data["createOrganisation"];
        assert_eq!(org["country"]["iso3"], "NOR");
        assert_eq!(org["version"], 1);
        let id = org["id"].as_str().unwrap().to_string();

        let update = "mutation($id: ID!, $v: Int!) { updateOrganisation(id: $id, version: $v, input: {name: \"Norway\", type: \"10\"}) { name version iatiRef } }";
        let data = app
            .ok(update, json!({"id": id, "v": 1}), Some(&admin))
            .await;
        assert_eq!(data["updateOrganisation"]["version"], 2);
        assert!(data["updateOrganisation"]["iatiRef"].is_null());
        let e = app
            .err(update, json!({"id": id, "v": 1}), Some(&admin))
            .await;
        assert_eq!(e.code, "CONFLICT");
        assert_eq!(
            app.count("audit_log").await,
            2,
            "one entry per change, none for the refused one"
        );

        let e = app
            .err(
                r#"mutation { createOrganisation(input: {name: "X", type: "999"}) { id } }"#,
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(e.code, "BAD_USER_INPUT");
        assert_eq!(e.field.as_deref(), Some("input.type"));
        let e = app
            .err(
                r#"mutation { createOrganisation(input: {name: "  ", type: "10"}) { id } }"#,
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.name"));
        assert_eq!(app.count("organisations").await, 1);

        let data = app
            .ok(
                r#"{ organisations(filter: {search: "norw"}) { totalCount nodes { name } } }"#,
                json!({}),
                None,
            )
            .await;
        assert_eq!(data["organisations"]["totalCount"], 1);
    }
);

on_both_engines!(
    bad_and_revoked_tokens_are_unauthenticated,
    |app: common::TestApp| async move {
        let (status, body) = app
            .post("{ me { role } }", json!({}), Some("tat_not-a-token"))
            .await;
        assert_eq!(status, 401);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        let donorless = ta_tracker::domain::tokens::create(
            &app.db,
            ta_tracker::domain::tokens::TokenRequest {
                role: Role::Donor,
                name: None,
                programmes: vec![],
                countries: vec![],
                organisation_id: None,
                expires: None,
            },
        )
        .await;
        assert!(
            donorless.is_err(),
            "a donor token must name its organisation"
        );
        let (id, secret) = ta_tracker::domain::tokens::create(
            &app.db,
            ta_tracker::domain::tokens::TokenRequest {
                role: Role::Reporter,
                name: Some("r".into()),
                programmes: vec![],
                countries: vec![],
                organisation_id: None,
                expires: None,
            },
        )
        .await
        .unwrap();
        let data = app
            .ok(
                "{ me { authenticated role name } }",
                json!({}),
                Some(&secret),
            )
            .await;
        assert_eq!(data["me"]["role"], "REPORTER");
        ta_tracker::domain::tokens::revoke(&app.db, id)
            .await
            .unwrap();
        let (status, _) = app.post("{ me { role } }", json!({}), Some(&secret)).await;
        assert_eq!(status, 401);
    }
);

on_both_engines!(
    a_demo_step_that_fails_leaves_the_database_as_it_was,
    |app: common::TestApp| async move {
        use ta_tracker::seeds::demo;
        let organisations = include_str!("../seeds/demo/10-organisations.json");
        let failing = r#"[{"query": "mutation { createProgramme(input: {code: \"\", title: \"t\"}) { id } }"}]"#;
        let before = (
            app.count("organisations").await,
            app.count("audit_log").await,
        );
        let e = demo::load_files(
            &app.db,
            &[
                ("10-organisations.json", organisations),
                ("99-failing.json", failing),
            ],
        )
        .await
        .unwrap_err();
        assert!(e.operator_message().contains("99-failing.json"), "{e:?}");
        assert_eq!(
            before,
            (
                app.count("organisations").await,
                app.count("audit_log").await
            ),
            "the organisations step before the failing one wrote nothing"
        );
        // The real demo then loads in full.
        demo::load(&app.db).await.unwrap();
        assert!(app.count("programmes").await > 0);
    }
);

/// Every page of a list of countries, `first` at a time: (iso3 codes, cursors, totalCount).
async fn walk(
    app: &common::TestApp,
    query: &str,
    code: &str,
    at: &[&str],
) -> (Vec<String>, Vec<String>, i64) {
    let (mut iso3, mut cursors, mut total) = (Vec::new(), Vec::new(), -1);
    let mut after = serde_json::Value::Null;
    loop {
        let data = app
            .ok(query, json!({"code": code, "after": after}), None)
            .await;
        let list = at.iter().fold(&data, |v, k| &v[k]);
        total = list["totalCount"].as_i64().unwrap_or(total);
        for edge in list["edges"].as_array().unwrap() {
            iso3.push(edge["node"]["iso3"].as_str().unwrap().to_string());
            cursors.push(edge["cursor"].as_str().unwrap().to_string());
        }
        if list["pageInfo"]["hasNextPage"] != true {
            return (iso3, cursors, total);
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
}

on_both_engines!(
    a_region_or_grouping_lists_and_pages_its_countries_as_the_countries_filter_does,
    |app: common::TestApp| async move {
        const PAGE: &str =
            "edges { cursor node { iso3 } } pageInfo { hasNextPage endCursor } totalCount";
        let filtered = format!(
            "query($code: String!, $after: String) {{ countries(filter: {{region: $code}}, first: 7, after: $after) {{ {PAGE} }} }}"
        );
        let of_region = format!(
            "query($code: String!, $after: String) {{ region(code: $code) {{ countries(first: 7, after: $after) {{ {PAGE} }} }} }}"
        );
        let of_grouping = format!(
            "query($code: String!, $after: String) {{ grouping(code: $code) {{ countries(first: 7, after: $after) {{ {PAGE} }} }} }}"
        );
        // The world, a region, a sub-region, an intermediate region and a grouping, walked page
        // by page: the same countries, order, cursors and totals either way.
        for (code, query, at) in [
            ("001", &of_region, ["region", "countries"]),
            ("002", &of_region, ["region", "countries"]),
            ("035", &of_region, ["region", "countries"]),
            ("014", &of_region, ["region", "countries"]),
            ("UNODC-MENA", &of_grouping, ["grouping", "countries"]),
        ] {
            let nested = walk(&app, query, code, &at).await;
            let listed = walk(&app, &filtered, code, &["countries"]).await;
            assert_eq!(nested, listed, "{code}");
            assert_eq!(nested.0.len() as i64, nested.2, "{code}: every page walked");
            assert!(nested.2 > 7, "{code}: more than a page");
        }
        // Every region of every level at once, against the filter one by one.
        let data = app
            .ok(
                "{ regions { code countries(first: 100) { totalCount nodes { iso3 } } } }",
                json!({}),
                None,
            )
            .await;
        let regions = data["regions"].as_array().unwrap();
        assert!(regions.len() > 25, "{}", regions.len());
        for region in regions {
            let code = region["code"].as_str().unwrap();
            let listed = app
                .ok(
                    "query($code: String!) { countries(filter: {region: $code}, first: 100) { totalCount nodes { iso3 } } }",
                    json!({"code": code}),
                    None,
                )
                .await;
            assert_eq!(region["countries"], listed["countries"], "{code}");
        }
    }
);

/// A managed PostgreSQL that requires TLS could not be used: the binary had none, and
/// `sslmode=require` was refused. It now connects encrypted when asked (and, as libpq does, when
/// the server offers it), and `sslmode=disable` still connects in the clear.
#[tokio::test]
async fn postgres_connects_over_tls_when_the_url_asks_for_it() {
    let Some(app) = common::TestApp::postgres().await else {
        return;
    };
    let encrypted = |mode: &'static str| {
        let url = format!("{}?sslmode={mode}", app.url);
        async move {
            let db = ta_tracker::storage::Db::connect(&url, 1)
                .await
                .unwrap_or_else(|e| panic!("sslmode={mode}: {e:?}"));
            let (ssl,): (bool,) =
                sqlx::query_as("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            db.close().await;
            ssl
        }
    };
    let offered: (String,) = sqlx::query_as("show ssl")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    if offered.0 != "on" {
        // Debian's default cluster, CI's, has ssl = on (with its snakeoil certificate).
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but this PostgreSQL server has ssl = off: the TLS test must run in CI"
        );
        eprintln!("skipped: this PostgreSQL server has ssl = off");
        return;
    }
    assert!(encrypted("require").await, "sslmode=require is encrypted");
    assert!(!encrypted("disable").await, "sslmode=disable is not");
}
