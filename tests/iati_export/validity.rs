//! Whether the file is good IATI: the demo data, with results and a document added, validates
//! against the IATI 2.03 schema, every code in it belongs to its codelist, and hostile text
//! cannot break the XML.

use std::collections::BTreeSet;

use super::*;

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
