//! Recording an engagement: read back nested with its countries, organisations, sectors, SDG
//! targets, policy markers and budgets; bad input refused by field (and then nothing is
//! written); and an IATI status that must agree with the actual dates, judged on what a write
//! changes.

use serde_json::{Value, json};

use super::*;

on_both_engines!(
    an_engagement_is_recorded_with_its_lists_and_read_back_nested,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let (id, _) = create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Prisons in Central Asia",
                json!([{"country": "KAZ", "percentage": 60}, {"country": "uz", "percentage": 40}]),
                &w.norway,
            ),
        )
        .await;
        let data = app.ok("query($id: ID!) { engagement(id: $id) { title status activeFrom activeTo programme { code engagements { id } }
        recipientCountries { country { iso3 subRegion { name } } percentage }
        participatingOrganisations { organisation { name } role } sectors { code percentage } sdgTargets
        policyMarkers { code significance } budgets { amount currency valueDate } } }", json!({"id": id}), Some(&w.admin)).await;
        let e = &data["engagement"];
        assert_eq!(e["programme"]["code"], "VEP");
        assert_eq!(e["programme"]["engagements"][0]["id"], id.as_str());
        assert_eq!(e["activeFrom"], "2020-01-01");
        assert_eq!(e["activeTo"], "2022-12-31");
        assert_eq!(e["recipientCountries"][0]["country"]["iso3"], "KAZ");
        assert_eq!(e["recipientCountries"][1]["country"]["iso3"], "UZB");
        assert_eq!(
            e["recipientCountries"][1]["country"]["subRegion"]["name"],
            "Central Asia"
        );
        assert_eq!(
            e["participatingOrganisations"][0]["organisation"]["name"],
            "Government of Norway"
        );
        assert_eq!(e["sdgTargets"], json!(["16.3", "16.a"]));
        assert_eq!(e["budgets"][0]["currency"], "USD");
        assert_eq!(e["budgets"][0]["valueDate"], "2020-01-01");
        assert_eq!(
            app.count("audit_log").await,
            6,
            "five setup records and the engagement"
        );
    }
);

on_both_engines!(
    bad_engagements_are_refused_by_field_and_write_nothing,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let before = (
            app.count("engagements").await,
            app.count("engagement_countries").await,
            app.count("audit_log").await,
        );
        let cases: Vec<(Value, &str)> = vec![
            (
                json!([{"country": "KAZ", "percentage": 60}, {"country": "UZB", "percentage": 30}]),
                "input.recipientCountries",
            ),
            (
                json!([{"country": "XXX", "percentage": 100}]),
                "input.recipientCountries[0]",
            ),
            (
                json!([{"country": "KAZ", "percentage": 0}]),
                "input.recipientCountries[0].percentage",
            ),
            (json!([]), "input.recipientCountries"),
        ];
        for (countries, field) in cases {
            let e = app
                .err(
                    CREATE_ENG,
                    engagement(&w, "Bad", countries, &w.norway),
                    Some(&w.admin),
                )
                .await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref()),
                ("BAD_USER_INPUT", Some(field)),
                "{}",
                e.message
            );
        }
        let mut bad = engagement(
            &w,
            "Bad dates",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        bad["i"]["plannedEnd"] = json!("2019-12-31");
        let e = app.err(CREATE_ENG, bad, Some(&w.admin)).await;
        assert_eq!(e.field.as_deref(), Some("input.plannedEnd"));
        // A country's code as the recipient region says where it belongs instead.
        for (code, message) in [
            (
                "398",
                "input.recipientRegion: 398 is a country (Kazakhstan), not a region; give it as a \
                 recipient country (recipientCountries: [{country: \"KAZ\", percentage: 100}])",
            ),
            (
                "999",
                "input.recipientRegion: 999 is not an M49 region code",
            ),
        ] {
            let mut bad = engagement(&w, "Region", json!([]), &w.norway);
            bad["i"]["recipientRegion"] = json!(code);
            let e = app.err(CREATE_ENG, bad, Some(&w.admin)).await;
            assert_eq!(e.message, message);
        }
        let mut bad = engagement(
            &w,
            "Long budget",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        bad["i"]["budgets"][0]["periodEnd"] = json!("2021-06-30");
        let e = app.err(CREATE_ENG, bad, Some(&w.admin)).await;
        assert_eq!(e.field.as_deref(), Some("input.budgets[0].periodEnd"));
        let mut bad = engagement(
            &w,
            "Huge budget",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        bad["i"]["budgets"][0]["amount"] = json!(1e308);
        let e = app.err(CREATE_ENG, bad.clone(), Some(&w.admin)).await;
        assert_eq!(e.field.as_deref(), Some("input.budgets[0].amount"));
        assert_eq!(
            e.message, "input.budgets[0].amount: must be at most 1000000000000",
            "a budget cannot be negative, so the message names the upper bound only"
        );
        for negative in [-0.5, -5e12] {
            bad["i"]["budgets"][0]["amount"] = json!(negative);
            let e = app.err(CREATE_ENG, bad.clone(), Some(&w.admin)).await;
            assert_eq!(e.field.as_deref(), Some("input.budgets[0].amount"));
            assert_eq!(
                e.message, "input.budgets[0].amount: must not be negative",
                "{negative}"
            );
        }
        // IATI needs shares of exactly 100: three thirds written to three places are 99.999.
        let thirds = json!([{"country": "KAZ", "percentage": 33.333},
            {"country": "UZB", "percentage": 33.333}, {"country": "TJK", "percentage": 33.333}]);
        let e = app
            .err(
                CREATE_ENG,
                engagement(&w, "Thirds", thirds, &w.norway),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.recipientCountries"));
        assert!(e.message.contains("not 99.999"), "{}", e.message);
        let mut bad = engagement(
            &w,
            "Unknown code",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        bad["i"]["sdgTargets"] = json!(["16.3", "99.9"]);
        let e = app.err(CREATE_ENG, bad, Some(&w.admin)).await;
        assert_eq!(e.field.as_deref(), Some("input.sdgTargets[1]"));
        let mut bad = engagement(
            &w,
            "Bad role",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        bad["i"]["participatingOrganisations"][0]["role"] = json!("9");
        let e = app.err(CREATE_ENG, bad, Some(&w.admin)).await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.participatingOrganisations[0].role")
        );
        // IATI asks every activity for a sector.
        for sectors in [json!(null), json!([])] {
            let mut bad = engagement(
                &w,
                "No sector",
                json!([{"country": "TUN", "percentage": 100}]),
                &w.norway,
            );
            bad["i"]["sectors"] = sectors;
            let e = app.err(CREATE_ENG, bad, Some(&w.admin)).await;
            assert_eq!(e.field.as_deref(), Some("input.sectors"), "{}", e.message);
            assert!(
                e.message.contains("at least one OECD DAC sector"),
                "{}",
                e.message
            );
        }
        let after = (
            app.count("engagements").await,
            app.count("engagement_countries").await,
            app.count("audit_log").await,
        );
        assert_eq!(before, after, "refused mutations wrote nothing");
    }
);

on_both_engines!(
    the_status_agrees_with_the_actual_dates_and_a_record_from_before_can_still_be_corrected,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let input = |status: &str, dates: Value| {
            let mut i = engagement(
                &w,
                "Lifecycle",
                json!([{"country": "TUN", "percentage": 100}]),
                &w.norway,
            );
            i["i"]["status"] = json!(status);
            for (k, v) in dates.as_object().unwrap() {
                i["i"][k] = v.clone();
            }
            i
        };
        let before = (app.count("engagements").await, app.count("audit_log").await);
        for (status, dates, field, says) in [
            (
                "1",
                json!({"actualStart": "2020-02-01"}),
                "input.actualStart",
                "while the status is 1 (Pipeline/identification)",
            ),
            (
                "2",
                json!({"actualStart": "2020-02-01", "actualEnd": "2022-06-30"}),
                "input.actualEnd",
                "while the status is 2 (Implementation)",
            ),
            (
                "4",
                json!({"actualStart": "2020-02-01"}),
                "input.actualEnd",
                "is required when the status is 4 (Closed)",
            ),
            (
                "3",
                json!({}),
                "input.actualEnd",
                "is required when the status is 3 (Finalisation)",
            ),
            (
                "5",
                json!({"actualStart": "2020-02-01"}),
                "input.actualEnd",
                "status is 5 (Cancelled) and an actual start is given",
            ),
        ] {
            let e = app
                .err(CREATE_ENG, input(status, dates), Some(&w.admin))
                .await;
            assert_eq!(
                (e.code.as_str(), e.field.as_deref()),
                ("BAD_USER_INPUT", Some(field)),
                "{status}: {}",
                e.message
            );
            assert!(e.message.contains(says), "{status}: {}", e.message);
        }
        assert_eq!(
            (app.count("engagements").await, app.count("audit_log").await),
            before,
            "nothing written"
        );

        // Implementation may start on its planned date; closing it needs the day it ended,
        // which then ends it in the reports instead of its planned end.
        let (id, v) = create(&app, &w.admin, input("2", json!({}))).await;
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"status": "4"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.actualEnd"), "{}", e.message);
        let data = app
            .ok(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"status": "4", "actualStart": "2020-02-01",
                    "actualEnd": "2022-06-30"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateEngagement"]["activeTo"], "2022-06-30");
        let v = data["updateEngagement"]["version"].as_i64().unwrap();

        // A record kept from before these rules (closed with no end, an actual start still to
        // come) takes other corrections; the rules judge its dates and status when they change.
        let n: i64 = id.split_once(':').unwrap().1.parse().unwrap();
        let future = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
        sqlx::query(&format!(
            "update engagements set actual_start = '{future}', actual_end = null where id = {n}"
        ))
        .execute(app.db.pool())
        .await
        .unwrap();
        let data = app
            .ok(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"title": "Lifecycle, corrected"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateEngagement"]["title"], "Lifecycle, corrected");
        let v = v + 1;
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"actualStart": "2020-03-01"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.actualEnd"), "{}", e.message);
        let data = app
            .ok(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"actualStart": "2020-03-01",
                    "actualEnd": "2022-06-30"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateEngagement"]["activeTo"], "2022-06-30");
    }
);
