//! The IATI 2.03 export as a publisher and a donor see it: the demo data validates against the
//! IATI schema, every code belongs to its codelist, hostile text cannot break the XML, and a
//! donor's file holds only what it funds.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

use common::TestApp;

const XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/iati-2.03-schema/iati-activities-schema.xsd"
);

async fn export(
    app: &TestApp,
    query: &str,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::get(format!("/export/iati.xml{query}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

#[track_caller]
fn exported(r: (StatusCode, HeaderMap, String)) -> String {
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    assert_eq!(
        r.1.get(header::CONTENT_TYPE).unwrap(),
        "application/xml; charset=utf-8"
    );
    r.2
}

/// Runs xmllint on `xml` (against the IATI schema when `schema`); `false` when xmllint or the
/// schema is missing outside CI, where that is a skip, not a failure.
fn xmllint(xml: &str, schema: bool) -> bool {
    let have_xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    let have_xsd = std::path::Path::new(XSD).exists();
    if !have_xmllint || (schema && !have_xsd) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must validate the IATI export: install xmllint (libxml2-utils) and the schema at {XSD}"
        );
        eprintln!("skipped: xmllint or the IATI schema is missing");
        return false;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("iati.xml");
    std::fs::write(&file, xml).unwrap();
    let mut cmd = Command::new("xmllint");
    cmd.args(["--nonet", "--noout"]);
    if schema {
        cmd.args(["--schema", XSD]);
    }
    let out = cmd.arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "xmllint refused the export:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// Every start tag as (element name, attributes), by plain scanning: the writer puts each
/// attribute value in double quotes and escapes quotes inside it.
fn tags(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for piece in xml.split('<').skip(1) {
        if piece.starts_with(['/', '?', '!']) {
            continue;
        }
        let tag = &piece[..piece.find('>').expect("tag closes")];
        let tag = tag.trim_end_matches('/');
        let (name, mut rest) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attrs = Vec::new();
        while let Some((k, v)) = rest.split_once("=\"") {
            let (value, tail) = v.split_once('"').expect("attribute value closes");
            attrs.push((k.trim().to_string(), value.to_string()));
            rest = tail;
        }
        out.push((name.to_string(), attrs));
    }
    out
}

fn attr<'a>(tag: &'a (String, Vec<(String, String)>), name: &str) -> Option<&'a str> {
    tag.1
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn identifiers(xml: &str) -> BTreeSet<String> {
    xml.split("<iati-identifier>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_string())
        .collect()
}

/// Gives the first demo engagement a result with a quantitative indicator (baseline, targets
/// and actuals by country and sex) and a qualitative one, and an activity-level document (the
/// demo's own are organisation-level), written straight to the tables.
async fn add_results(app: &TestApp) {
    let pool = app.db.pool();
    let (engagement,): (i64,) =
        sqlx::query_as("select id from engagements where archived_at is null order by id limit 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let now = "2024-01-01T00:00:00.000000Z";
    let (document,): (i64,) = sqlx::query_as(
        "insert into documents (title, url, category_code, language, document_date, created_at, \
         updated_at) values ('Mid-term review', 'https://www.unodc.org/review.pdf', 'A07', 'en', \
         '2021-06-30', $1, $1) returning id",
    )
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("insert into engagement_documents (engagement_id, document_id) values ($1, $2)")
        .bind(engagement)
        .bind(document)
        .execute(pool)
        .await
        .unwrap();
    let (result,): (i64,) = sqlx::query_as(
        "insert into results (engagement_id, result_type, title, description, created_at, updated_at) \
         values ($1, '2', 'Prison staff manage violent extremist prisoners in line with the Nelson Mandela Rules', \
         'Outcome <1> & \"more\"', $2, $2) returning id",
    )
    .bind(engagement)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let indicator = |code: &'static str, measure: &'static str, aggregation: &'static str| {
        sqlx::query_as::<_, (i64,)>(
            "insert into indicators (result_id, code, title, measure, aggregation, baseline_year, \
             baseline_date, baseline_value, baseline_comment, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, 2019, '2019-01-01', 0, 'Before the programme', $6, $6) returning id",
        )
        .bind(result)
        .bind(code)
        .bind(format!("Indicator {code}"))
        .bind(measure)
        .bind(aggregation)
        .bind(now)
        .fetch_one(pool)
    };
    let (trained,) = indicator("T-1", "1", "sum").await.unwrap();
    let (policy,) = indicator("T-2", "5", "latest").await.unwrap();
    let value = |ind: i64,
                 kind: &'static str,
                 v: Option<f64>,
                 country: Option<&'static str>,
                 sex: &'static str,
                 comment: &'static str| {
        sqlx::query(
            "insert into indicator_values (indicator_id, kind, period_start, period_end, value, \
             country_iso3, dimension_name, dimension_value, comment, created_at, updated_at) \
             values ($1, $2, '2020-01-01', '2020-12-31', $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(ind)
        .bind(kind)
        .bind(v)
        .bind(country)
        .bind(if sex.is_empty() { "" } else { "sex" })
        .bind(sex)
        .bind(comment)
        .bind(now)
        .execute(pool)
    };
    value(trained, "actual", Some(12.0), Some("TUN"), "female", "")
        .await
        .unwrap();
    value(trained, "target", Some(40.0), None, "", "")
        .await
        .unwrap();
    value(
        trained,
        "actual",
        Some(30.5),
        Some("TUN"),
        "male",
        "counted at <graduation>",
    )
    .await
    .unwrap();
    value(
        policy,
        "target",
        None,
        None,
        "",
        "A classification policy is adopted",
    )
    .await
    .unwrap();
    value(
        policy,
        "actual",
        Some(1.0),
        None,
        "",
        "Draft policy & procedures submitted",
    )
    .await
    .unwrap();
}

on_both_engines!(
    the_demo_export_validates_against_the_iati_schema,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        add_results(&app).await;
        let admin = app.admin().await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        let (n,): (i64,) =
            sqlx::query_as("select count(*) from engagements where archived_at is null")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert!(n > 0);
        assert_eq!(xml.matches("<iati-activity ").count() as i64, n);
        assert!(xml.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\""
        ));
        assert!(xml.contains("<reporting-org ref=\"XX-UNODC-DEMO\" type=\"40\">"));
        // IATI: an activity's identifier begins with its reporting organisation's and a hyphen.
        for identifier in identifiers(&xml) {
            assert!(identifier.starts_with("XX-UNODC-DEMO-"), "{identifier}");
        }
        // Targets come before actuals in a period; qualitative values carry no number.
        let periods: Vec<&str> = xml
            .split("<period>")
            .skip(1)
            .map(|p| &p[..p.find("</period>").unwrap()])
            .collect();
        assert!(!periods.is_empty(), "results have periods");
        let with_both: Vec<&&str> = periods
            .iter()
            .filter(|p| p.contains("<target") && p.contains("<actual"))
            .collect();
        assert!(
            !with_both.is_empty(),
            "some period has a target and an actual"
        );
        for p in with_both {
            assert!(
                p.rfind("<target").unwrap() < p.find("<actual").unwrap(),
                "targets come first: {p}"
            );
        }
        assert!(xml.contains("<dimension name=\"sex\" value=\"female\"/>"));
        // A value for one country says so as a dimension, beside its sex.
        assert!(compact(&xml).contains(
            "<dimension name=\"country\" value=\"TUN\"/><dimension name=\"sex\" value=\"male\"/>"
        ));
        assert!(xml.contains("<narrative>counted at &lt;graduation&gt;</narrative>"));
        assert!(xml.contains("<narrative>Draft policy &amp; procedures submitted</narrative>"));
        assert!(!xml.contains("measure=\"5\" ascending=\"1\" aggregation-status=\"1\""));
        // The review is the one activity-level document; the handbooks (B12) are not written.
        assert_eq!(xml.matches("<document-link ").count(), 1);
        assert!(xml.contains("<category code=\"A07\"/>"));
        xmllint(&xml, true);
    }
);

on_both_engines!(
    every_code_in_the_export_belongs_to_its_codelist,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        add_results(&app).await;
        let admin = app.admin().await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        let checks: &[(&str, &str, &str)] = &[
            ("activity-status", "code", "ActivityStatus"),
            ("activity-date", "type", "ActivityDateType"),
            ("description", "type", "DescriptionType"),
            ("participating-org", "role", "OrganisationRole"),
            ("participating-org", "type", "OrganisationType"),
            ("reporting-org", "type", "OrganisationType"),
            ("sector", "code", "Sector"),
            ("tag", "code", "UNSDG-Targets"),
            ("policy-marker", "code", "PolicyMarker"),
            ("policy-marker", "significance", "PolicySignificance"),
            ("budget", "type", "BudgetType"),
            ("budget", "status", "BudgetStatus"),
            ("value", "currency", "Currency"),
            ("iati-activity", "default-currency", "Currency"),
            ("category", "code", "DocumentCategory"),
            ("language", "code", "Language"),
            ("result", "type", "ResultType"),
            ("indicator", "measure", "IndicatorMeasure"),
            ("reference", "vocabulary", "IndicatorVocabulary"),
        ];
        let tags = tags(&xml);
        for (element, attribute, list) in checks {
            let codes: BTreeSet<String> = tags
                .iter()
                .filter(|t| t.0 == *element)
                .filter_map(|t| attr(t, attribute).map(str::to_string))
                .collect();
            assert!(
                !codes.is_empty(),
                "the demo export has no {element}/@{attribute}"
            );
            for code in codes {
                let (n,): (i64,) = sqlx::query_as(
                    "select count(*) from codelist_items where list = $1 and code = $2",
                )
                .bind(*list)
                .bind(&code)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
                assert_eq!(
                    n, 1,
                    "{element}/@{attribute}={code} is not in codelist {list}"
                );
            }
        }
        for t in tags.iter().filter(|t| t.0 == "tag") {
            assert_eq!(
                attr(t, "vocabulary"),
                Some("3"),
                "SDG targets use TagVocabulary 3"
            );
        }
        for t in tags.iter().filter(|t| t.0 == "recipient-country") {
            let (n,): (i64,) = sqlx::query_as("select count(*) from countries where iso2 = $1")
                .bind(attr(t, "code").unwrap())
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            assert_eq!(n, 1, "recipient-country codes are ISO 3166-1 alpha-2");
        }
    }
);

on_both_engines!(
    hostile_text_cannot_break_the_document,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let hostile = "<script>alert('x')</script> & \"quoted\" ]]> <!-- -->";
        sqlx::query("update engagements set title = $1, objectives = $1")
            .bind(hostile)
            .execute(app.db.pool())
            .await
            .unwrap();
        sqlx::query("update organisations set name = $1 where iati_ref is not null")
            .bind(format!("{hostile} \u{1}"))
            .execute(app.db.pool())
            .await
            .unwrap();
        let admin = app.admin().await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        assert!(!xml.contains("<script"));
        assert!(!xml.contains('\u{1}'));
        assert!(xml.contains(
            "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;quoted&quot; ]]&gt; &lt;!-- --&gt;"
        ));
        // Every start tag scans cleanly, and xmllint agrees the file is well-formed and valid.
        assert!(tags(&xml).iter().all(|t| !t.0.is_empty()));
        xmllint(&xml, false);
        xmllint(&xml, true);
    }
);

on_both_engines!(
    a_donor_exports_only_what_it_funds_and_anonymous_callers_are_refused,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let pool = app.db.pool();
        let (status, headers, _) = export(&app, "", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
        assert_eq!(
            export(&app, "", Some("tat_nope")).await.0,
            StatusCode::UNAUTHORIZED
        );

        // Archive one funded engagement: it leaves every export.
        let (archived,): (i64,) = sqlx::query_as(
            "select min(engagement_id) from engagement_organisations where role_code = '1'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        sqlx::query(
            "update engagements set archived_at = '2024-01-01T00:00:00.000000Z' where id = $1",
        )
        .bind(archived)
        .execute(pool)
        .await
        .unwrap();

        let donors: Vec<(i64,)> = sqlx::query_as(
            "select distinct organisation_id from engagement_organisations where role_code = '1' \
             order by organisation_id",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(!donors.is_empty());
        let admin = app.admin().await;
        let everything = identifiers(&exported(export(&app, "", Some(&admin)).await));
        for (org,) in donors {
            let funded: Vec<(Option<String>,)> = sqlx::query_as(
                "select e.iati_identifier from engagements e where e.archived_at is null and e.id in \
                 (select engagement_id from engagement_organisations where role_code = '1' and organisation_id = $1)",
            )
            .bind(org)
            .fetch_all(pool)
            .await
            .unwrap();
            let expected: BTreeSet<String> = funded
                .into_iter()
                .map(|(i,)| i.expect("demo identifiers"))
                .collect();
            let token = app.token(Role::Donor).organisation(org).create().await;
            let xml = exported(export(&app, "", Some(&token)).await);
            assert_eq!(identifiers(&xml), expected, "donor {org}");
            assert!(expected.len() < everything.len());
            xmllint(&xml, true);
        }
        let (archived_identifier,): (Option<String>,) =
            sqlx::query_as("select iati_identifier from engagements where id = $1")
                .bind(archived)
                .fetch_one(pool)
                .await
                .unwrap();
        assert!(!everything.contains(&archived_identifier.unwrap()));
    }
);

on_both_engines!(
    filters_narrow_the_export_and_unknown_codes_are_refused,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let pool = app.db.pool();
        let admin = app.admin().await;
        let all = identifiers(&exported(export(&app, "", Some(&admin)).await));
        let programme = identifiers(&exported(
            export(&app, "?programme=DEMO-VEP", Some(&admin)).await,
        ));
        assert_eq!(programme, all);

        let in_country = |iso3: &'static str| async move {
            let rows: Vec<(String,)> = sqlx::query_as(
                "select e.iati_identifier from engagements e join engagement_countries c \
                 on c.engagement_id = e.id where c.country_iso3 = $1 and e.archived_at is null",
            )
            .bind(iso3)
            .fetch_all(pool)
            .await
            .unwrap();
            rows.into_iter().map(|(i,)| i).collect::<BTreeSet<String>>()
        };
        let tunisia = identifiers(&exported(export(&app, "?country=TUN", Some(&admin)).await));
        assert_eq!(tunisia, in_country("TUN").await);
        assert!(!tunisia.is_empty() && tunisia.len() < all.len());
        // 145 is Western Asia, 143 Central Asia: M49 sub-regions.
        let central_asia = identifiers(&exported(export(&app, "?region=143", Some(&admin)).await));
        let mut expected = in_country("KAZ").await;
        expected.extend(in_country("UZB").await);
        expected.extend(in_country("KGZ").await);
        expected.extend(in_country("TJK").await);
        expected.extend(in_country("TKM").await);
        assert_eq!(central_asia, expected);
        assert_eq!(
            identifiers(&exported(export(&app, "?region=001", Some(&admin)).await)),
            all
        );

        for (query, field) in [
            ("?programme=NOPE", "programme"),
            ("?country=XYZ", "country"),
            ("?region=999", "region"),
        ] {
            let (status, _, body) = export(&app, query, Some(&admin)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert!(
                body.starts_with("BAD_USER_INPUT") && body.contains(field),
                "{body}"
            );
        }
    }
);

on_both_engines!(
    paging_through_the_engagements_neither_skips_nor_repeats_one,
    |app: TestApp| async move {
        use futures_util::StreamExt;
        use ta_tracker::export::iati::{self, ReportingOrg};
        use ta_tracker::storage::engagements::EngagementFilter;
        use ta_tracker::storage::scope::Scope;

        let app = app.with_demo().await;
        let org = ReportingOrg::resolve(&app.db, None).await.unwrap();
        let mut whole = Vec::new();
        for page in [1, 2, 200] {
            let chunks: Vec<String> = iati::stream_paged(
                app.db.clone(),
                Scope::All,
                EngagementFilter::default(),
                org.clone(),
                page,
            )
            .map(|c| c.unwrap())
            .collect()
            .await;
            // Header and footer around one chunk per activity.
            let body = chunks[1..].concat();
            assert_eq!(chunks.len() - 2, body.matches("<iati-activity ").count());
            whole.push(body);
        }
        assert_eq!(whole[0], whole[1]);
        assert_eq!(whole[1], whole[2]);
    }
);

/// `xml` with the indentation and line breaks between elements taken out, so a test can state
/// an element and its children on one line.
fn compact(xml: &str) -> String {
    xml.lines().map(str::trim).collect()
}

/// The `iati-activity` element whose identifier is `identifier`.
#[track_caller]
fn activity<'a>(xml: &'a str, identifier: &str) -> &'a str {
    let wanted = format!("<iati-identifier>{identifier}</iati-identifier>");
    xml.split("<iati-activity ")
        .skip(1)
        .find(|a| a.contains(&wanted))
        .map(|a| &a[..a.find("</iati-activity>").expect("activity closes")])
        .unwrap_or_else(|| panic!("no activity {identifier} in\n{xml}"))
}

fn last_updated(activity: &str) -> String {
    let start = activity
        .find("last-updated-datetime=\"")
        .expect("activity has last-updated-datetime")
        + "last-updated-datetime=\"".len();
    activity[start..start + activity[start..].find('"').unwrap()].to_string()
}

/// An admin token, and programme GLOZ85 made through the API as a user would.
async fn api_programme(app: &TestApp) -> String {
    let admin = app.admin().await;
    app.ok(
        "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }",
        json!({"i": {"code": "GLOZ85", "title": "Prison reform"}}),
        Some(&admin),
    )
    .await;
    admin
}

/// The number in a global id such as `Engagement:7`.
fn number(id: &str) -> i64 {
    id.split_once(':').unwrap().1.parse().unwrap()
}

/// `base` with the fields of `extra` set over it.
fn merged(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// A described GLOZ85 engagement made through the API, in Kazakhstan (60%) and Uzbekistan
/// (40%), with `input` merged into its creation input; returns its id and its activity's
/// identifier.
async fn api_engagement(app: &TestApp, admin: &str, input: Value) -> (String, String) {
    let base = json!({"programme": "GLOZ85", "title": "Prison reform in Central Asia",
        "description": "Prison management in line with the Nelson Mandela Rules",
        "status": "2", "plannedStart": "2021-01-01", "plannedEnd": "2024-12-31",
        "recipientCountries": [{"country": "KAZ", "percentage": 60},
                               {"country": "UZB", "percentage": 40}]});
    let data = app
        .ok(
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({ "i": merged(base, input) }),
            Some(admin),
        )
        .await;
    let id = data["createEngagement"]["id"].as_str().unwrap().to_string();
    let identifier = format!("XX-UNODC-DEMO-ENG-{}", number(&id));
    (id, identifier)
}

/// An outcome of `engagement` with one indicator ("officers trained", summed, by sex) with
/// `input` merged in; returns the result's and the indicator's ids.
async fn api_indicator(
    app: &TestApp,
    admin: &str,
    engagement: &str,
    input: Value,
) -> (String, String) {
    let data = app
        .ok(
            "mutation($i: CreateResultInput!) { createResult(input: $i) { id } }",
            json!({"i": {"engagement": engagement, "type": "2", "title": "Safer prisons"}}),
            Some(admin),
        )
        .await;
    let result = data["createResult"]["id"].as_str().unwrap().to_string();
    let base = json!({"result": result, "code": "GLOZ85-KZU-1",
        "title": "Number of prison officers trained", "measure": "UNIT", "aggregation": "SUM",
        "dimensions": [{"name": "sex", "values": ["female", "male"]}]});
    let data = app
        .ok(
            "mutation($i: CreateIndicatorInput!) { createIndicator(input: $i) { id } }",
            json!({ "i": merged(base, input) }),
            Some(admin),
        )
        .await;
    (
        result,
        data["createIndicator"]["id"].as_str().unwrap().to_string(),
    )
}

/// Records (`recordIndicatorActual`) or sets (`setIndicatorTarget`) a 2021 value.
async fn api_value(app: &TestApp, admin: &str, mutation: &str, input: Value) {
    let base = json!({"periodStart": "2021-01-01", "periodEnd": "2021-12-31"});
    app.ok(
        &format!("mutation($i: IndicatorValueInput!) {{ {mutation}(input: $i) {{ id }} }}"),
        json!({ "i": merged(base, input) }),
        Some(admin),
    )
    .await;
}

on_both_engines!(
    an_engagement_without_a_description_is_described_by_its_title,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let (_, identifier) = api_engagement(
            &app,
            &admin,
            json!({"title": "Prisons & \"probation\" <reform>", "description": null}),
        )
        .await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = compact(activity(&xml, &identifier));
        assert_eq!(a.matches("<description").count(), 1, "{a}");
        assert!(
            a.contains(
                "<description type=\"1\"><narrative>Prisons &amp; &quot;probation&quot; \
                 &lt;reform&gt;</narrative></description>"
            ),
            "{a}"
        );

        // Objectives alone are a description of their own; the title does not stand in then.
        let (_, with_objectives) = api_engagement(
            &app,
            &admin,
            json!({"description": null, "objectives": "Fewer people held"}),
        )
        .await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = compact(activity(&xml, &with_objectives));
        assert_eq!(a.matches("<description").count(), 1, "{a}");
        assert!(
            a.contains("<description type=\"2\"><narrative>Fewer people held</narrative>"),
            "{a}"
        );
    }
);

on_both_engines!(
    values_by_country_carry_the_country_as_a_dimension,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let (engagement, identifier) = api_engagement(&app, &admin, json!({})).await;
        let (_, indicator) = api_indicator(&app, &admin, &engagement, json!({})).await;
        let value =
            |v: f64, extra: Value| merged(json!({"indicator": indicator, "value": v}), extra);
        let target = "setIndicatorTarget";
        let actual = "recordIndicatorActual";
        api_value(&app, &admin, target, value(60.0, json!({}))).await;
        api_value(&app, &admin, actual, value(50.0, json!({}))).await;
        api_value(&app, &admin, actual, value(20.0, json!({"country": "UZB"}))).await;
        api_value(&app, &admin, actual, value(30.0, json!({"country": "KAZ"}))).await;
        let female = json!({"country": "KAZ", "dimension": {"name": "sex", "value": "female"}});
        api_value(&app, &admin, actual, value(12.0, female)).await;
        let male = json!({"dimension": {"name": "sex", "value": "male"}});
        api_value(&app, &admin, actual, value(35.0, male)).await;

        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = compact(activity(&xml, &identifier));
        let period = &a[a.find("<period>").unwrap()..a.find("</period>").unwrap()];
        // One period; the whole engagement's figures carry no country, each country's its own.
        assert_eq!(a.matches("<period>").count(), 1, "{a}");
        assert_eq!(
            period,
            "<period><period-start iso-date=\"2021-01-01\"/><period-end iso-date=\"2021-12-31\"/>\
             <target value=\"60\"></target>\
             <actual value=\"50\"></actual>\
             <actual value=\"35\"><dimension name=\"sex\" value=\"male\"/></actual>\
             <actual value=\"30\"><dimension name=\"country\" value=\"KAZ\"/></actual>\
             <actual value=\"12\"><dimension name=\"country\" value=\"KAZ\"/>\
             <dimension name=\"sex\" value=\"female\"/></actual>\
             <actual value=\"20\"><dimension name=\"country\" value=\"UZB\"/></actual>"
        );
    }
);

on_both_engines!(
    a_change_to_results_moves_the_activity_last_updated_datetime,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let (engagement, identifier) = api_engagement(&app, &admin, json!({})).await;
        let (result, indicator) = api_indicator(&app, &admin, &engagement, json!({})).await;
        let stamp = || async {
            let xml = exported(export(&app, "", Some(&admin)).await);
            xmllint(&xml, true);
            last_updated(activity(&xml, &identifier))
        };
        // Timestamps carry microseconds, so any write after an export is later than it shows.
        let mut before = stamp().await;
        let (engagement_updated,): (String,) =
            sqlx::query_as("select updated_at from engagements where id = $1")
                .bind(number(&engagement))
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert!(
            before > engagement_updated,
            "the result made after the engagement counts"
        );

        api_value(
            &app,
            &admin,
            "recordIndicatorActual",
            json!({"indicator": indicator, "value": 5}),
        )
        .await;
        let after = stamp().await;
        assert!(after > before, "recording an actual: {before} then {after}");
        before = after;

        app.ok(
            "mutation($id: ID!, $i: UpdateResultInput!) { \
             updateResult(id: $id, version: 1, input: $i) { id } }",
            json!({"id": result, "i": {"title": "Safer, better run prisons"}}),
            Some(&admin),
        )
        .await;
        let after = stamp().await;
        assert!(after > before, "updating the result: {before} then {after}");
        before = after;

        // Archiving the indicator takes it (and so the result) out of the file: a change too.
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { version } }",
            json!({ "id": indicator }),
            Some(&admin),
        )
        .await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        let a = activity(&xml, &identifier);
        assert!(!a.contains("<result "), "{a}");
        let after = last_updated(a);
        assert!(
            after > before,
            "archiving the indicator: {before} then {after}"
        );
    }
);

on_both_engines!(
    an_indicator_names_its_sdg_indicator_as_a_reference,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let (engagement, identifier) = api_engagement(&app, &admin, json!({})).await;
        api_indicator(
            &app,
            &admin,
            &engagement,
            json!({"sdgIndicator": "16.3.2", "description": "Trained for a week or more",
                   "baseline": {"year": 2020, "value": 0}}),
        )
        .await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = compact(activity(&xml, &identifier));
        // IndicatorVocabulary 9: UN SDG indicators; the schema puts it before the baseline.
        assert!(
            a.contains(
                "<narrative>Trained for a week or more</narrative></description>\
                 <reference vocabulary=\"9\" code=\"16.3.2\"/><baseline year=\"2020\""
            ),
            "{a}"
        );
    }
);

// `#[path]` because a test crate's root looks for modules beside it.
#[path = "iati_export/data_quality.rs"]
mod data_quality;
