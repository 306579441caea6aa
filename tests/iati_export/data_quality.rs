//! What review found wrong with the data the export publishes, each refused by field or written
//! faithfully: identifiers IATI would reject or that repeat in a file, actual dates in the
//! future, organisation-level documents in an activity, and small values written as 0.

use serde_json::{Value, json};

use super::*;

on_both_engines!(
    small_and_precise_values_are_exported_as_they_were_given,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let (engagement, identifier) = api_engagement(
            &app,
            &admin,
            json!({"budgets": [{"periodStart": "2021-01-01", "periodEnd": "2021-12-31",
                                "amount": 1234.5678901, "currency": "USD"}]}),
        )
        .await;
        let (_, indicator) = api_indicator(&app, &admin, &engagement, json!({})).await;
        api_value(
            &app,
            &admin,
            "recordIndicatorActual",
            json!({"indicator": indicator, "value": 0.0000125}),
        )
        .await;
        api_value(
            &app,
            &admin,
            "setIndicatorTarget",
            json!({"indicator": indicator, "value": 1e-7}),
        )
        .await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = compact(activity(&xml, &identifier));
        assert!(
            a.contains("value-date=\"2021-01-01\">1234.5678901</value>"),
            "{a}"
        );
        assert!(a.contains("<target value=\"0.0000001\">"), "{a}");
        assert!(a.contains("<actual value=\"0.0000125\">"), "{a}");

        // A share is exported as given, so one with more places than the sum check counts
        // (which could add up to 100 there and not in the file) is refused by field.
        let e = app
            .err(
                "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
                json!({"i": {"programme": "GLOZ85", "title": "Shares", "status": "2",
                    "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2021-01-01",
                    "recipientCountries": [{"country": "KAZ", "percentage": 50.0000004},
                                           {"country": "UZB", "percentage": 50.0000004}]}}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            (
                "BAD_USER_INPUT",
                Some("input.recipientCountries[0].percentage")
            ),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("at most 6 decimal places"),
            "{}",
            e.message
        );
    }
);

const CREATE_ENGAGEMENT: &str =
    "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id version } }";
const UPDATE_ENGAGEMENT: &str = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { \
     updateEngagement(id: $id, version: $v, input: $i) { iatiIdentifier version } }";

/// A minimal GLOZ85 engagement input with `extra` merged in.
fn engagement_input(extra: Value) -> Value {
    let base = json!({"programme": "GLOZ85", "title": "Prison reform", "status": "2",
        "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2021-01-01",
        "recipientCountries": [{"country": "KAZ", "percentage": 100}]});
    json!({ "i": merged(base, extra) })
}

#[track_caller]
fn assert_refused(e: &common::GqlError, field: &str, says: &str) {
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("BAD_USER_INPUT", Some(field)),
        "{}",
        e.message
    );
    assert!(e.message.contains(says), "{}", e.message);
}

on_both_engines!(
    identifiers_holding_characters_iati_forbids_are_refused_by_field,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let before = (
            app.count("engagements").await,
            app.count("organisations").await,
        );
        for c in ["/", "&", "|", "?"] {
            let id = format!("XX-UNODC-DEMO-VEP{c}1");
            let e = app
                .err(
                    CREATE_ENGAGEMENT,
                    engagement_input(json!({ "iatiIdentifier": id })),
                    Some(&admin),
                )
                .await;
            assert_refused(&e, "input.iatiIdentifier", &format!("must not contain {c}"));
            let e = app
                .err(
                    "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
                    json!({"i": {"name": "Government of Norway", "type": "10",
                                 "iatiRef": format!("XM-DAC{c}8")}}),
                    Some(&admin),
                )
                .await;
            assert_refused(&e, "input.iatiRef", &format!("must not contain {c}"));
        }
        assert_eq!(
            before,
            (
                app.count("engagements").await,
                app.count("organisations").await
            ),
            "nothing written"
        );

        // Setting one later is checked the same way, and so is changing an organisation's.
        let (id, _) = api_engagement(&app, &admin, json!({})).await;
        let e = app
            .err(
                UPDATE_ENGAGEMENT,
                json!({"id": id, "v": 1, "i": {"iatiIdentifier": "XX-UNODC-DEMO-KZU?1"}}),
                Some(&admin),
            )
            .await;
        assert_refused(&e, "input.iatiIdentifier", "must not contain ?");
        let org = app
            .ok(
                "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
                json!({"i": {"name": "Government of Norway", "type": "10", "iatiRef": "XM-DAC-8"}}),
                Some(&admin),
            )
            .await["createOrganisation"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let e = app
            .err(
                "mutation($id: ID!, $i: OrganisationInput!) { \
                 updateOrganisation(id: $id, version: 1, input: $i) { id } }",
                json!({"id": org, "i": {"name": "Government of Norway", "type": "10",
                                        "iatiRef": "XM-DAC-8&9"}}),
                Some(&admin),
            )
            .await;
        assert_refused(&e, "input.iatiRef", "must not contain &");
    }
);

on_both_engines!(
    the_identifiers_the_export_gives_engagements_without_one_are_kept_for_them,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        // No identifier: exported as XX-UNODC-DEMO-ENG-{id}.
        let (first, first_fallback) = api_engagement(&app, &admin, json!({})).await;
        let (second, second_fallback) = api_engagement(&app, &admin, json!({})).await;
        let taken = |identifier: &str| engagement_input(json!({ "iatiIdentifier": identifier }));
        for identifier in [first_fallback.as_str(), "XX-UNODC-DEMO-ENG-999999"] {
            let e = app
                .err(CREATE_ENGAGEMENT, taken(identifier), Some(&admin))
                .await;
            assert_refused(&e, "input.iatiIdentifier", "which the IATI export gives");
        }
        // IATI rule 1.1.3: an activity's identifier is not its publisher's.
        let e = app
            .err(CREATE_ENGAGEMENT, taken("XX-UNODC-DEMO"), Some(&admin))
            .await;
        assert_refused(&e, "input.iatiIdentifier", "reporting organisation's own");
        // An organisation publishes identifiers that begin with its own and a hyphen.
        for other in ["XM-DAC-8-VEP-1", "XX-UNODC-DEMOX-1"] {
            let e = app.err(CREATE_ENGAGEMENT, taken(other), Some(&admin)).await;
            assert_refused(
                &e,
                "input.iatiIdentifier",
                "must begin with the reporting organisation's identifier and a hyphen, \
                 XX-UNODC-DEMO-",
            );
        }
        // Another engagement's fallback is refused on update; its own may be adopted.
        let e = app
            .err(
                UPDATE_ENGAGEMENT,
                json!({"id": second, "v": 1, "i": {"iatiIdentifier": first_fallback}}),
                Some(&admin),
            )
            .await;
        assert_refused(
            &e,
            "input.iatiIdentifier",
            &format!("this engagement may take {second_fallback}"),
        );
        let data = app
            .ok(
                UPDATE_ENGAGEMENT,
                json!({"id": second, "v": 1, "i": {"iatiIdentifier": second_fallback}}),
                Some(&admin),
            )
            .await;
        assert_eq!(data["updateEngagement"]["iatiIdentifier"], second_fallback);
        // Codes that only look alike are the user's to take.
        let alike = app
            .ok(
                CREATE_ENGAGEMENT,
                taken("XX-UNODC-DEMO-ENG-7b"),
                Some(&admin),
            )
            .await["createEngagement"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        assert_eq!(xml.matches("<iati-activity ").count(), 3);
        assert_eq!(identifiers(&xml).len(), 3, "every identifier once");
        assert!(xml.contains(&format!("<iati-identifier>{first_fallback}<")));

        // The reference comes from where the export takes it: here UNODC's organisation.
        app.ok(
            "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
            json!({"i": {"name": "UNODC", "type": "40", "iatiRef": "XX-TEST-UNODC"}}),
            Some(&admin),
        )
        .await;
        let e = app
            .err(
                CREATE_ENGAGEMENT,
                taken("XX-TEST-UNODC-ENG-1"),
                Some(&admin),
            )
            .await;
        assert_refused(&e, "input.iatiIdentifier", "XX-TEST-UNODC-ENG-{number}");
        let e = app
            .err(
                CREATE_ENGAGEMENT,
                taken("XX-UNODC-DEMO-VEP-9"),
                Some(&admin),
            )
            .await;
        assert_refused(&e, "input.iatiIdentifier", "XX-TEST-UNODC-,");
        app.ok(
            CREATE_ENGAGEMENT,
            taken("XX-TEST-UNODC-VEP-9"),
            Some(&admin),
        )
        .await;
        // The identifiers set under the placeholder are not published under the reference, but
        // may move under it.
        let (status, _, body) = export(&app, "", Some(&admin)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains(&second_fallback), "{body}");
        for (id, v, to) in [
            (&second, 2, "XX-TEST-UNODC-VEP-2"),
            (&alike, 1, "XX-TEST-UNODC-VEP-7b"),
        ] {
            app.ok(
                UPDATE_ENGAGEMENT,
                json!({"id": id, "v": v, "i": {"iatiIdentifier": to}}),
                Some(&admin),
            )
            .await;
        }
        let xml = exported(export(&app, "", Some(&admin)).await);
        assert!(xml.contains("<reporting-org ref=\"XX-TEST-UNODC\""));
        assert!(xml.contains(&format!(
            "<iati-identifier>XX-TEST-UNODC-ENG-{}<",
            number(&first)
        )));
    }
);

on_both_engines!(
    actual_dates_in_the_future_are_refused_by_field_and_planned_ones_are_free,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let today = chrono::Utc::now().date_naive();
        let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
        let before = app.count("engagements").await;
        for (dates, field) in [
            (json!({"actualStart": day(2)}), "input.actualStart"),
            (
                json!({"actualStart": "2020-01-01", "actualEnd": day(30)}),
                "input.actualEnd",
            ),
        ] {
            let e = app
                .err(CREATE_ENGAGEMENT, engagement_input(dates), Some(&admin))
                .await;
            assert_refused(&e, field, &format!("must not be after {}", day(1)));
        }
        assert_eq!(app.count("engagements").await, before, "nothing written");

        // Today and tomorrow (a user east of UTC) are accepted; planned dates may be far off.
        let (id, identifier) = api_engagement(
            &app,
            &admin,
            json!({"actualStart": day(0), "plannedStart": day(0), "plannedEnd": "2100-12-31"}),
        )
        .await;
        let e = app
            .err(
                UPDATE_ENGAGEMENT,
                json!({"id": id, "v": 1, "i": {"status": "3", "actualEnd": day(2)}}),
                Some(&admin),
            )
            .await;
        assert_refused(&e, "input.actualEnd", "is an actual date");
        app.ok(
            UPDATE_ENGAGEMENT,
            json!({"id": id, "v": 1, "i": {"status": "3", "actualEnd": day(1)}}),
            Some(&admin),
        )
        .await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = activity(&xml, &identifier);
        assert!(
            a.contains(&format!(
                "<activity-date type=\"2\" iso-date=\"{}\"/>",
                day(0)
            )),
            "{a}"
        );
        assert!(
            a.contains("<activity-date type=\"3\" iso-date=\"2100-12-31\"/>"),
            "{a}"
        );
    }
);

on_both_engines!(
    organisation_level_documents_stay_linked_but_out_of_the_activity_file,
    |app: TestApp| async move {
        let admin = api_programme(&app).await;
        let document = |title: &str, url: &str, category: &str| json!({"i": {"title": title, "url": url, "category": category, "date": "2021-06-30"}});
        let create = "mutation($i: DocumentInput!) { createDocument(input: $i) { id } }";
        let review = app
            .ok(
                create,
                document("Mid-term review", "https://www.unodc.org/review.pdf", "A07"),
                Some(&admin),
            )
            .await["createDocument"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let handbook = app
            .ok(
                create,
                document("Handbook", "https://www.unodc.org/handbook.pdf", "B12"),
                Some(&admin),
            )
            .await["createDocument"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (engagement, identifier) =
            api_engagement(&app, &admin, json!({"documents": [review, handbook]})).await;
        let data = app
            .ok(
                "query($id: ID!) { engagement(id: $id) { documents { category } } }",
                json!({ "id": engagement }),
                Some(&admin),
            )
            .await;
        assert_eq!(
            data["engagement"]["documents"],
            json!([{"category": "B12"}, {"category": "A07"}]),
            "the API shows both links"
        );
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        let a = compact(activity(&xml, &identifier));
        assert!(
            a.contains(
                "<document-link url=\"https://www.unodc.org/review.pdf\" format=\"application/pdf\">\
                 <title><narrative>Mid-term review</narrative></title><category code=\"A07\"/>"
            ),
            "{a}"
        );
        assert!(!a.contains("handbook.pdf") && !a.contains("B12"), "{a}");

        // Filed as organisation-level later, the review leaves the file too.
        app.ok(
            "mutation($id: ID!, $i: DocumentInput!) { updateDocument(id: $id, version: 1, input: $i) { id } }",
            json!({"id": review, "i": {"title": "Mid-term review", "url": "https://www.unodc.org/review.pdf",
                   "category": "B09"}}),
            Some(&admin),
        )
        .await;
        let xml = exported(export(&app, "", Some(&admin)).await);
        xmllint(&xml, true);
        assert!(!activity(&xml, &identifier).contains("<document-link"));
    }
);
