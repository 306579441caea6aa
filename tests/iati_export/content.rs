//! What an engagement made through the API becomes in its activity: a description from its
//! title when it has none, values by country as a dimension, an SDG indicator as a reference,
//! a last-updated datetime that moves with changes to its results, and document links with the
//! media type of their files.

use serde_json::{Value, json};

use super::*;

fn last_updated(activity: &str) -> String {
    let start = activity
        .find("last-updated-datetime=\"")
        .expect("activity has last-updated-datetime")
        + "last-updated-datetime=\"".len();
    activity[start..start + activity[start..].find('"').unwrap()].to_string()
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

on_both_engines!(
    a_document_link_declares_the_media_type_of_the_file_it_leads_to,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let create = "mutation($i: DocumentInput!) { createDocument(input: $i) { id } }";
        let mut documents = Vec::new();
        for (title, url) in [
            ("Evaluation", "https://www.unodc.org/evaluation.docx"),
            ("Review", "https://www.unodc.org/review.pdf?download=1"),
            ("Project page", "https://www.unodc.org/en/prisons"),
        ] {
            let data = app
                .ok(
                    create,
                    json!({"i": {"title": title, "url": url, "category": "A07"}}),
                    Some(&admin),
                )
                .await;
            documents.push(data["createDocument"]["id"].as_str().unwrap().to_string());
        }
        let (_, identifier) = api_engagement(&app, &admin, json!({ "documents": documents })).await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = activity(&xml, &identifier);
        // IATI document-link/@format: the IANA media type of the document (FileFormat codelist);
        // a Word file is not a web page, and a query string does not make a PDF one.
        for (url, format) in [
            (
                "https://www.unodc.org/evaluation.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (
                "https://www.unodc.org/review.pdf?download=1",
                "application/pdf",
            ),
            ("https://www.unodc.org/en/prisons", "text/html"),
        ] {
            assert!(
                a.contains(&format!(
                    "<document-link url=\"{url}\" format=\"{format}\">"
                )),
                "{url} as {format}:\n{a}"
            );
        }
    }
);
