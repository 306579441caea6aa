//! Programmes and engagements end to end: nested reads, validation that writes nothing,
//! versions, archiving, filters, and who may see and change what.

mod common;

use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

const CREATE_ORG: &str =
    "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }";
const CREATE_ENG: &str =
    "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id version } }";
const UPDATE_ENG: &str = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { updateEngagement(id: $id, version: $v, input: $i) { id version title iatiIdentifier activeTo } }";

struct World {
    admin: String,
    norway: String,
    belgium: String,
    unodc: String,
}

async fn world(app: &common::TestApp) -> World {
    let admin = app.admin().await;
    let org = |name: &str, kind: &str| json!({"i": {"name": name, "type": kind}});
    let norway = app
        .ok(CREATE_ORG, org("Government of Norway", "10"), Some(&admin))
        .await["createOrganisation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let belgium = app
        .ok(CREATE_ORG, org("Government of Belgium", "10"), Some(&admin))
        .await["createOrganisation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unodc =
        app.ok(CREATE_ORG, org("UNODC", "40"), Some(&admin)).await["createOrganisation"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    app.ok(r#"mutation { createProgramme(input: {code: "vep", title: "Violent extremist prisoners"}) { id } }"#, json!({}), Some(&admin)).await;
    app.ok(r#"mutation { createProgramme(input: {code: "OTHER", title: "Another programme"}) { id } }"#, json!({}), Some(&admin)).await;
    World {
        admin,
        norway,
        belgium,
        unodc,
    }
}

fn engagement(w: &World, title: &str, countries: Value, donor: &str) -> Value {
    json!({"i": {
        "programme": "VEP", "title": title, "status": "2",
        "plannedStart": "2020-01-01", "plannedEnd": "2022-12-31",
        "recipientCountries": countries,
        "participatingOrganisations": [{"organisation": donor, "role": "1"}, {"organisation": w.unodc, "role": "4"}],
        "sectors": [{"code": "15130", "percentage": 100}],
        "sdgTargets": ["16.3", "16.a"],
        "policyMarkers": [{"code": "1", "significance": "1"}],
        "budgets": [{"periodStart": "2020-01-01", "periodEnd": "2020-12-31", "amount": 100000, "currency": "usd"}]
    }})
}

async fn create(app: &common::TestApp, token: &str, input: Value) -> (String, i64) {
    let data = app.ok(CREATE_ENG, input, Some(token)).await;
    let e = &data["createEngagement"];
    (
        e["id"].as_str().unwrap().to_string(),
        e["version"].as_i64().unwrap(),
    )
}

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
        let e = app.err(CREATE_ENG, bad, Some(&w.admin)).await;
        assert_eq!(e.field.as_deref(), Some("input.budgets[0].amount"));
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

on_both_engines!(
    updates_need_the_current_version_and_keep_the_iati_identifier,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let mut input = engagement(
            &w,
            "Tunisia",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        input["i"]["iatiIdentifier"] = json!("XX-UNODC-DEMO-TUN-1");
        let (id, v) = create(&app, &w.admin, input).await;
        let data = app
            .ok(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"title": "Tunisia, phase 2", "plannedEnd": null}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateEngagement"]["title"], "Tunisia, phase 2");
        assert!(
            data["updateEngagement"]["activeTo"].is_null(),
            "no end date means ongoing"
        );
        assert_eq!(
            data["updateEngagement"]["iatiIdentifier"], "XX-UNODC-DEMO-TUN-1",
            "absent fields are kept"
        );
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v, "i": {"title": "Stale"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT");
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v + 1, "i": {"iatiIdentifier": "XX-UNODC-DEMO-TUN-2"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.iatiIdentifier"));
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v + 1, "i": {"sectors": []}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.sectors"));
        let data = app
            .ok(
                "query($id: ID!) { engagement(id: $id) { title version } }",
                json!({"id": id}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["engagement"]["title"], "Tunisia, phase 2");
        assert_eq!(data["engagement"]["version"], 2);
        let mut dup = engagement(
            &w,
            "Duplicate id",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        dup["i"]["iatiIdentifier"] = json!("XX-UNODC-DEMO-TUN-1");
        assert_eq!(
            app.err(CREATE_ENG, dup, Some(&w.admin)).await.code,
            "CONFLICT"
        );
    }
);

on_both_engines!(
    archived_engagements_drop_out_of_lists_unless_asked_for,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let (id, v) = create(
            &app,
            &w.admin,
            engagement(
                &w,
                "To archive",
                json!([{"country": "TUN", "percentage": 100}]),
                &w.norway,
            ),
        )
        .await;
        let archive =
            "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id version } }";
        assert_eq!(
            app.err(archive, json!({"id": id, "v": v + 5}), Some(&w.admin))
                .await
                .code,
            "CONFLICT"
        );
        let data = app
            .ok(archive, json!({"id": id, "v": v}), Some(&w.admin))
            .await;
        assert_eq!(data["archive"]["version"], v + 1);
        let data = app.ok("{ live: engagements { totalCount } all: engagements(filter: {includeArchived: true}) { totalCount nodes { archivedAt } } }", json!({}), Some(&w.admin)).await;
        assert_eq!(data["live"]["totalCount"], 0);
        assert_eq!(data["all"]["totalCount"], 1);
        assert!(data["all"]["nodes"][0]["archivedAt"].is_string());
        let e = app
            .err(
                UPDATE_ENG,
                json!({"id": id, "v": v + 1, "i": {"title": "After"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.code, "CONFLICT",
            "an archived engagement is not changed: {e:?}"
        );
        let log = app.ok("query($id: ID!) { auditLog(entityId: $id) { totalCount nodes { action actor before after } } }", json!({"id": id}), Some(&w.admin)).await;
        assert_eq!(log["auditLog"]["totalCount"], 2);
        assert_eq!(log["auditLog"]["nodes"][0]["action"], "archive");
        assert_eq!(log["auditLog"]["nodes"][1]["action"], "create");
        assert!(log["auditLog"]["nodes"][1]["before"].is_null());
    }
);

on_both_engines!(
    filters_find_engagements_by_place_time_status_and_donor,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Kazakhstan",
                json!([{"country": "KAZ", "percentage": 100}]),
                &w.norway,
            ),
        )
        .await;
        create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Indonesia",
                json!([{"country": "IDN", "percentage": 100}]),
                &w.belgium,
            ),
        )
        .await;
        let mut later = engagement(
            &w,
            "Tunisia later",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        later["i"]["plannedStart"] = json!("2024-01-01");
        later["i"]["plannedEnd"] = Value::Null;
        later["i"]["budgets"] = json!([]);
        create(&app, &w.admin, later).await;
        let titles = |data: &Value| -> Vec<String> {
            data["engagements"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_string())
                .collect()
        };
        let q = "query($f: EngagementFilterInput) { engagements(filter: $f, orderBy: TITLE) { totalCount nodes { title } } }";
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"region": "035"}}), Some(&w.admin))
                    .await
            ),
            vec!["Indonesia"]
        );
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"region": "143"}}), Some(&w.admin))
                    .await
            ),
            vec!["Kazakhstan"]
        );
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"country": "TN"}}), Some(&w.admin))
                    .await
            ),
            vec!["Tunisia later"]
        );
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"donor": w.belgium}}), Some(&w.admin))
                    .await
            ),
            vec!["Indonesia"]
        );
        // Overlap: an engagement with no end is ongoing.
        assert_eq!(
            titles(
                &app.ok(q, json!({"f": {"from": "2030-01-01"}}), Some(&w.admin))
                    .await
            ),
            vec!["Tunisia later"]
        );
        assert_eq!(
            titles(
                &app.ok(
                    q,
                    json!({"f": {"from": "2021-01-01", "to": "2021-12-31"}}),
                    Some(&w.admin)
                )
                .await
            ),
            vec!["Indonesia", "Kazakhstan"]
        );
        assert_eq!(
            app.ok(q, json!({"f": {"search": "indo"}}), Some(&w.admin))
                .await["engagements"]["totalCount"],
            1
        );
        // Pages of one in start order visit all three once.
        let mut after: Option<String> = None;
        let mut seen = 0;
        loop {
            let data = app.ok("query($a: String) { engagements(first: 1, after: $a) { pageInfo { hasNextPage endCursor } } }", json!({"a": after}), Some(&w.admin)).await;
            seen += 1;
            let info = &data["engagements"]["pageInfo"];
            if !info["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = info["endCursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen, 3);
    }
);

on_both_engines!(
    list_filters_refuse_what_cannot_mean_anything_and_cursors_keep_their_order,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        for (title, country) in [("Alpha", "KAZ"), ("Bravo", "IDN"), ("Charlie", "TUN")] {
            let mut e = engagement(
                &w,
                title,
                json!([{"country": country, "percentage": 100}]),
                &w.norway,
            );
            // Bravo starts first, then Charlie, then Alpha: start order is not title order.
            e["i"]["plannedStart"] = json!(match title {
                "Alpha" => "2021-06-01",
                "Bravo" => "2019-01-01",
                _ => "2020-03-01",
            });
            create(&app, &w.admin, e).await;
        }
        let eng = "query($f: EngagementFilterInput) { engagements(filter: $f) { totalCount } }";
        let act = "query($f: ActivityFilter) { activities(filter: $f) { totalCount } }";
        let refused = [
            (
                eng,
                json!({"from": "2021-12-31", "to": "2021-01-01"}),
                "filter.to",
                "must not be before the start date 2021-12-31",
            ),
            (
                act,
                json!({"from": "2021-12-31", "to": "2021-01-01"}),
                "filter.to",
                "must not be before the start date 2021-12-31",
            ),
            (
                eng,
                json!({"programme": "NOPE"}),
                "filter.programme",
                "NOPE is not a known programme code",
            ),
            (
                act,
                json!({"programme": "NOPE"}),
                "filter.programme",
                "NOPE is not a known programme code",
            ),
            (
                eng,
                json!({"status": "9"}),
                "filter.status",
                "9 is not in the IATI ActivityStatus codelist",
            ),
        ];
        for (q, f, field, message) in refused {
            let e = app.err(q, json!({"f": f}), Some(&w.admin)).await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{f}");
            assert_eq!(e.field.as_deref(), Some(field), "{f}");
            assert!(e.message.ends_with(message), "{f}: {}", e.message);
        }
        // What they are checked against still finds: any case of a programme code, a status.
        let total = |data: Value| data["engagements"]["totalCount"].as_i64().unwrap();
        for f in [
            json!({"programme": " vep "}),
            json!({"status": "2"}),
            json!({"from": "2021-07-01", "to": "2021-07-01"}),
        ] {
            assert_eq!(
                total(app.ok(eng, json!({"f": f}), Some(&w.admin)).await),
                3,
                "{f}"
            );
        }
        assert_eq!(
            total(
                app.ok(eng, json!({"f": {"programme": "OTHER"}}), Some(&w.admin))
                    .await
            ),
            0
        );
        // A donor is told of no programme it cannot see, and sees its own.
        let norway_id: i64 = w.norway.rsplit(':').next().unwrap().parse().unwrap();
        let donor = app
            .token(Role::Donor)
            .organisation(norway_id)
            .create()
            .await;
        let e = app
            .err(eng, json!({"f": {"programme": "OTHER"}}), Some(&donor))
            .await;
        assert_eq!(e.field.as_deref(), Some("filter.programme"));
        assert_eq!(
            total(
                app.ok(eng, json!({"f": {"programme": "VEP"}}), Some(&donor))
                    .await
            ),
            3
        );

        // A cursor continues the order it came from, and no other.
        let q = "query($o: EngagementOrderBy!, $a: String) { engagements(orderBy: $o, first: 1, after: $a) { nodes { title } pageInfo { endCursor } } }";
        let first = app.ok(q, json!({"o": "TITLE"}), Some(&w.admin)).await;
        assert_eq!(first["engagements"]["nodes"][0]["title"], "Alpha");
        let cursor = first["engagements"]["pageInfo"]["endCursor"].clone();
        let next = app
            .ok(q, json!({"o": "TITLE", "a": cursor}), Some(&w.admin))
            .await;
        assert_eq!(next["engagements"]["nodes"][0]["title"], "Bravo");
        for other in ["START_DATE_ASC", "START_DATE_DESC"] {
            let e = app
                .err(q, json!({"o": other, "a": cursor}), Some(&w.admin))
                .await;
            assert_eq!(e.field.as_deref(), Some("after"), "{other}");
            assert!(e.message.contains("another order"), "{}", e.message);
        }
    }
);

on_both_engines!(
    who_may_see_and_change_engagements,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let (funded, v) = create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Funded by Norway",
                json!([{"country": "KAZ", "percentage": 100}]),
                &w.norway,
            ),
        )
        .await;
        let (other, _) = create(
            &app,
            &w.admin,
            engagement(
                &w,
                "Funded by Belgium",
                json!([{"country": "IDN", "percentage": 100}]),
                &w.belgium,
            ),
        )
        .await;
        let norway_id: i64 = w.norway.rsplit(':').next().unwrap().parse().unwrap();
        let donor = app
            .token(Role::Donor)
            .organisation(norway_id)
            .create()
            .await;
        let reporter = app.token(Role::Reporter).create().await;
        let officer = app.token(Role::Officer).programmes(&["VEP"]).create().await;
        let officer_kaz = app
            .token(Role::Officer)
            .programmes(&["VEP"])
            .countries(&["KAZ"])
            .create()
            .await;
        let stranger = app
            .token(Role::Officer)
            .programmes(&["OTHER"])
            .create()
            .await;

        // Reads: donors see only what they fund, on every path.
        let q = "query($id: ID!) { engagements { totalCount nodes { id } } engagement(id: $id) { id } programme(code: \"VEP\") { engagements { id } } }";
        let d = app.ok(q, json!({"id": other}), Some(&donor)).await;
        assert_eq!(d["engagements"]["totalCount"], 1);
        assert_eq!(d["engagements"]["nodes"][0]["id"], funded.as_str());
        assert!(
            d["engagement"].is_null(),
            "an unfunded engagement reads as absent"
        );
        assert_eq!(d["programme"]["engagements"].as_array().unwrap().len(), 1);
        for token in [&reporter, &officer, &stranger] {
            assert_eq!(
                app.ok(q, json!({"id": other}), Some(token)).await["engagements"]["totalCount"],
                2
            );
        }
        assert_eq!(
            app.err(q, json!({"id": other}), None).await.code,
            "UNAUTHENTICATED"
        );

        // Writes: role x (in scope, out of scope).
        let rename = |id: &str, v: i64| json!({"id": id, "v": v, "i": {"title": "Renamed"}});
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), Some(&donor))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), Some(&reporter))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), Some(&stranger))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&other, 1), Some(&officer_kaz))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(UPDATE_ENG, rename(&funded, v), None).await.code,
            "UNAUTHENTICATED"
        );
        let data = app
            .ok(UPDATE_ENG, rename(&funded, v), Some(&officer_kaz))
            .await;
        assert_eq!(data["updateEngagement"]["version"], v + 1);
        let moved = json!({"id": funded, "v": v + 1, "i": {"recipientCountries": [{"country": "IDN", "percentage": 100}]}});
        assert_eq!(
            app.err(UPDATE_ENG, moved, Some(&officer_kaz)).await.code,
            "FORBIDDEN",
            "may not move it out of its countries"
        );
        let input = engagement(
            &w,
            "New by officer",
            json!([{"country": "TUN", "percentage": 100}]),
            &w.norway,
        );
        create(&app, &officer, input.clone()).await;
        assert_eq!(
            app.err(CREATE_ENG, input.clone(), Some(&stranger))
                .await
                .code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err(CREATE_ENG, input, Some(&officer_kaz)).await.code,
            "FORBIDDEN"
        );
        assert_eq!(
            app.err("{ auditLog { totalCount } }", json!({}), Some(&officer))
                .await
                .code,
            "FORBIDDEN"
        );
    }
);
