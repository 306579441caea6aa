//! Activities, end to end through the real router on SQLite and PostgreSQL: logged under an
//! engagement, read back with participants by sex, refused with the field named when they break a
//! rule (and then nothing is written), changed with optimistic versions, filtered, archived, and
//! seen or refused according to who is asking.

mod common;

use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

use common::TestApp;

const LOG: &str = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id version kind title \
    startDate endDate place targetGroup description engagementId resultIds \
    participants { total female male unreported } country { iso3 name } documents { title } } }";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $i: UpdateActivityInput!) { \
    updateActivity(id: $id, version: $v, input: $i) { id version title place country { iso3 } \
    participants { total female male unreported } } }";

const GET: &str = "query($id: ID!) { activity(id: $id) { id title version archivedAt kind \
    participants { total female male unreported } country { iso3 } } }";

const LIST: &str = "query($f: ActivityFilter, $first: Int, $after: String) { \
    activities(filter: $f, first: $first, after: $after) { totalCount \
    nodes { id title startDate } pageInfo { hasNextPage endCursor } } }";

/// Two programmes and their engagements, a donor that funds one of them, made as an admin would.
struct World {
    admin: String,
    /// Norway, which funds `kaz_uzb` only.
    norway: i64,
    /// GLOZ85 in Kazakhstan (60%) and Uzbekistan (40%).
    kaz_uzb: String,
    /// GLOZ85 in Indonesia.
    idn: String,
    /// GLOZ85 in Western Africa (a region, no countries).
    west_africa: String,
    /// OTHER1 in Tunisia.
    tun: String,
}

fn number(id: &Value) -> i64 {
    id.as_str()
        .and_then(|s| s.split_once(':'))
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("not an id: {id}"))
}

async fn engagement(app: &TestApp, admin: &str, input: Value) -> String {
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
    let org = app
        .ok(
            "mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }",
            json!({"i": {"name": "Government of Norway", "type": "10", "country": "NOR"}}),
            Some(&admin),
        )
        .await;
    let norway = number(&org["createOrganisation"]["id"]);
    for code in ["GLOZ85", "OTHER1"] {
        app.ok(
            "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { id } }",
            json!({"i": {"code": code, "title": format!("Programme {code}")}}),
            Some(&admin),
        )
        .await;
    }
    let base = |programme: &str, title: &str| {
        json!({"programme": programme, "title": title, "status": "2",
               "plannedStart": "2019-01-01", "plannedEnd": "2024-12-31"})
    };
    let mut input = base("GLOZ85", "Central Asia");
    input["recipientCountries"] =
        json!([{"country": "KAZ", "percentage": 60.0}, {"country": "UZB", "percentage": 40.0}]);
    input["participatingOrganisations"] =
        json!([{"organisation": format!("Organisation:{norway}"), "role": "1"}]);
    let kaz_uzb = engagement(app, &admin, input).await;
    let mut input = base("GLOZ85", "Indonesia");
    input["recipientCountries"] = json!([{"country": "IDN", "percentage": 100.0}]);
    let idn = engagement(app, &admin, input).await;
    let mut input = base("GLOZ85", "Western Africa");
    input["recipientRegion"] = json!("011");
    let west_africa = engagement(app, &admin, input).await;
    let mut input = base("OTHER1", "Tunisia");
    input["recipientCountries"] = json!([{"country": "TUN", "percentage": 100.0}]);
    let tun = engagement(app, &admin, input).await;
    World {
        admin,
        norway,
        kaz_uzb,
        idn,
        west_africa,
        tun,
    }
}

fn training(engagement: &str, country: &str, start: &str, end: &str) -> Value {
    json!({"engagement": engagement, "kind": "TRAINING",
           "title": format!("Training in {country} from {start}"),
           "startDate": start, "endDate": end, "country": country,
           "participants": {"total": 30, "female": 12, "male": 15},
           "targetGroup": "Prison staff"})
}

async fn log(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(LOG, json!({ "i": input }), Some(token)).await["logActivity"].clone()
}

/// Row counts that a refused mutation must leave alone.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("activities").await,
        app.count("audit_log").await,
        app.count("activity_results").await,
    )
}

fn ids(list: &Value) -> Vec<String> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

on_both_engines!(
    an_activity_is_logged_and_read_back_with_unreported_participants_derived,
    |app: TestApp| async move {
        let w = world(&app).await;
        let doc = app
            .ok(
                "mutation { createDocument(input: {title: \"Nelson Mandela Rules\", \
                 url: \"https://www.unodc.org/mandela.pdf\", category: \"A12\"}) { id } }",
                json!({}),
                Some(&w.admin),
            )
            .await["createDocument"]["id"]
            .clone();
        // A result of the engagement, written directly: results have their own module.
        let (result_id,): (i64,) = sqlx::query_as(
            "insert into results (engagement_id, result_type, title, created_at, updated_at) \
             values ($1, '2', 'Staff trained', '2020-01-01', '2020-01-01') returning id",
        )
        .bind(number(&json!(w.kaz_uzb)))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let audits = app.count("audit_log").await;

        let mut input = training(&w.kaz_uzb, "kz", "2021-03-01", "2021-03-05");
        input["place"] = json!("Astana");
        input["description"] = json!("Five days on the Nelson Mandela Rules.");
        input["results"] = json!([format!("Result:{result_id}")]);
        input["documents"] = json!([doc]);
        let a = log(&app, &w.admin, input).await;
        assert_eq!(a["kind"], "TRAINING");
        assert_eq!(a["version"], 1);
        assert_eq!(a["country"]["iso3"], "KAZ", "ISO2 codes are accepted");
        assert_eq!(a["country"]["name"], "Kazakhstan");
        assert_eq!(
            a["participants"],
            json!({"total": 30, "female": 12, "male": 15, "unreported": 3})
        );
        assert_eq!(a["engagementId"], json!(w.kaz_uzb));
        assert_eq!(a["resultIds"], json!([format!("Result:{result_id}")]));
        assert_eq!(a["documents"][0]["title"], "Nelson Mandela Rules");
        assert_eq!(a["place"], "Astana");
        assert_eq!(app.count("audit_log").await, audits + 1, "one audit entry");

        let got = app.ok(GET, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert_eq!(got["activity"]["title"], "Training in kz from 2021-03-01");
        assert_eq!(got["activity"]["participants"]["unreported"], 3);
        assert!(got["activity"]["archivedAt"].is_null());

        // An engagement that names only a region takes any country inside it.
        let mut input = training(&w.west_africa, "BFA", "2022-01-10", "2022-01-12");
        input["kind"] = json!("EQUIPMENT_DELIVERY");
        input["participants"] = json!({"total": 0});
        let a = log(&app, &w.admin, input).await;
        assert_eq!(a["country"]["iso3"], "BFA");
        assert_eq!(a["participants"]["unreported"], 0);
    }
);

on_both_engines!(
    bad_activities_are_refused_by_field_and_nothing_is_written,
    |app: TestApp| async move {
        let w = world(&app).await;
        let other_result: (i64,) = sqlx::query_as(
            "insert into results (engagement_id, result_type, title, created_at, updated_at) \
             values ($1, '2', 'Elsewhere', '2020-01-01', '2020-01-01') returning id",
        )
        .bind(number(&json!(w.tun)))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let before = written(&app).await;
        let ok = training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05");
        let cases: Vec<(Value, &str, &str)> = vec![
            (
                json!({"participants": {"total": 20, "female": 12, "male": 10}}),
                "input.participants.female",
                "exceed the total",
            ),
            (
                json!({"participants": {"total": -1}}),
                "input.participants.total",
                "negative",
            ),
            (
                json!({"participants": {"total": 9_223_372_036_854_775_807_i64, "female": 0}}),
                "input.participants.total",
                "at most 1000000",
            ),
            (
                json!({"participants": {"total": 30, "male": 3_000_000_000_i64}}),
                "input.participants.male",
                "at most 1000000",
            ),
            (
                json!({"endDate": "2021-02-28"}),
                "input.endDate",
                "before the start date",
            ),
            (
                json!({"startDate": "2021-13-01"}),
                "input.startDate",
                "YYYY-MM-DD",
            ),
            (json!({"country": "TUN"}), "input.country", "KAZ, UZB"),
            (
                json!({"country": "XXX"}),
                "input.country",
                "not a known country",
            ),
            (json!({"title": "  "}), "input.title", "empty"),
            (
                json!({"results": [format!("Result:{}", other_result.0)]}),
                "input.results[0]",
                "not a live result",
            ),
            (
                json!({"documents": ["Document:999"]}),
                "input.documents[0]",
                "no document",
            ),
            (
                json!({"engagement": "Engagement:999"}),
                "input.engagement",
                "no engagement",
            ),
        ];
        for (change, field, words) in cases {
            let mut input = ok.clone();
            for (k, v) in change.as_object().unwrap() {
                input[k] = v.clone();
            }
            let e = app.err(LOG, json!({ "i": input }), Some(&w.admin)).await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{change}: {e:?}");
            assert_eq!(e.field.as_deref(), Some(field), "{change}: {e:?}");
            assert!(e.message.contains(words), "{change}: {e:?}");
        }
        // A country outside the recipient region of a region-only engagement.
        let e = app
            .err(
                LOG,
                json!({"i": training(&w.west_africa, "KEN", "2021-03-01", "2021-03-05")}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        // Unknown kinds fail on the enum.
        let mut input = ok.clone();
        input["kind"] = json!("PICNIC");
        let e = app.err(LOG, json!({ "i": input }), Some(&w.admin)).await;
        assert_eq!(e.code, "BAD_USER_INPUT", "{e:?}");
        assert_eq!(
            written(&app).await,
            before,
            "refused mutations wrote nothing"
        );
    }
);

on_both_engines!(
    updates_patch_fields_and_a_stale_version_changes_nothing,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05"),
        )
        .await;
        let data = app
            .ok(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"title": "Renamed", "country": "UZB",
                       "participants": {"total": 40, "female": 20, "male": 20}}}),
                Some(&w.admin),
            )
            .await;
        let u = &data["updateActivity"];
        assert_eq!(u["version"], 2);
        assert_eq!(u["title"], "Renamed");
        assert_eq!(u["country"]["iso3"], "UZB");
        assert_eq!(u["participants"]["unreported"], 0);

        let before = written(&app).await;
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"title": "Lost update"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"country": "IDN"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"endDate": "2021-01-01"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.endDate"), "{e:?}");
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"participants": {"total": 10, "female": 11}}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.participants.female"),
            "{e:?}"
        );
        assert_eq!(written(&app).await, before);
        let got = app.ok(GET, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert_eq!(got["activity"]["title"], "Renamed");
        assert_eq!(got["activity"]["version"], 2);

        // Moving it to an engagement where its country is not a recipient is refused too.
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"engagement": w.idn}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.country"), "{e:?}");
        let e = app
            .err(
                UPDATE,
                json!({"id": "Activity:999", "v": 1, "i": {"title": "x"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "NOT_FOUND", "{e:?}");
    }
);

on_both_engines!(
    officers_write_only_inside_their_programme_and_countries,
    |app: TestApp| async move {
        let w = world(&app).await;
        let input = training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05");
        let officer = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .create()
            .await;
        let a = log(&app, &officer, input.clone()).await;

        let before = written(&app).await;
        let other = app
            .token(Role::Officer)
            .programmes(&["OTHER1"])
            .create()
            .await;
        let uzbek = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .countries(&["UZB"])
            .create()
            .await;
        let reporter = app.token(Role::Reporter).create().await;
        let donor = app.token(Role::Donor).organisation(w.norway).create().await;
        for token in [&other, &uzbek, &reporter, &donor] {
            let e = app.err(LOG, json!({ "i": input }), Some(token)).await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        }
        // An officer limited to Uzbekistan may not move a Kazakh activity into Uzbekistan either.
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"country": "UZB"}}),
                Some(&uzbek),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        // Nor may a GLOZ85 officer move an activity into another programme's engagement.
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 1, "i": {"engagement": w.tun, "country": "TUN"}}),
                Some(&officer),
            )
            .await;
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        let e = app.err(LOG, json!({ "i": input }), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED", "{e:?}");
        let e = app.err(LIST, json!({}), None).await;
        assert_eq!(e.code, "UNAUTHENTICATED", "{e:?}");
        assert_eq!(written(&app).await, before, "refused writes wrote nothing");

        // The Uzbekistan officer may log in Uzbekistan.
        let mut input = input.clone();
        input["country"] = json!("UZB");
        log(&app, &uzbek, input).await;
    }
);

on_both_engines!(
    donors_see_only_activities_of_engagements_they_fund,
    |app: TestApp| async move {
        let w = world(&app).await;
        let funded = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "UZB", "2021-03-01", "2021-03-05"),
        )
        .await;
        let unfunded = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-04-01", "2021-04-05"),
        )
        .await;
        let donor = app.token(Role::Donor).organisation(w.norway).create().await;
        let data = app.ok(LIST, json!({}), Some(&donor)).await;
        assert_eq!(data["activities"]["totalCount"], 1);
        assert_eq!(
            ids(&data["activities"]),
            vec![funded["id"].as_str().unwrap()]
        );
        let data = app
            .ok(GET, json!({"id": unfunded["id"]}), Some(&donor))
            .await;
        assert!(
            data["activity"].is_null(),
            "an unfunded activity reads as null"
        );
        let data = app.ok(GET, json!({"id": funded["id"]}), Some(&donor)).await;
        assert_eq!(data["activity"]["id"], funded["id"]);
        let e = app
            .err(
                UPDATE,
                json!({"id": unfunded["id"], "v": 1, "i": {"title": "x"}}),
                Some(&donor),
            )
            .await;
        // Donors never write, so the answer is the same whether or not the activity exists.
        assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        // Reporters read everything.
        let reporter = app.token(Role::Reporter).create().await;
        let data = app.ok(LIST, json!({}), Some(&reporter)).await;
        assert_eq!(data["activities"]["totalCount"], 2);
    }
);

on_both_engines!(
    filters_narrow_the_list_and_pages_run_newest_first,
    |app: TestApp| async move {
        let w = world(&app).await;
        let kaz = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2019-05-01", "2019-05-03"),
        )
        .await;
        let mut input = training(&w.kaz_uzb, "UZB", "2020-06-01", "2020-06-20");
        input["kind"] = json!("ASSESSMENT");
        input["title"] = json!("Assessment of classification and risk assessment");
        input["targetGroup"] = json!("Policymakers");
        let uzb = log(&app, &w.admin, input).await;
        let mut input = training(&w.idn, "IDN", "2021-09-01", "2021-09-02");
        input["kind"] = json!("ADVISORY_MISSION");
        input["description"] = json!("Advice on the Nelson Mandela Rules");
        let idn = log(&app, &w.admin, input).await;
        let tun = log(
            &app,
            &w.admin,
            training(&w.tun, "TUN", "2022-02-01", "2022-02-03"),
        )
        .await;
        let id = |v: &Value| v["id"].as_str().unwrap().to_string();

        let cases = vec![
            (json!({}), vec![id(&tun), id(&idn), id(&uzb), id(&kaz)]),
            (json!({"kind": "TRAINING"}), vec![id(&tun), id(&kaz)]),
            (json!({"country": "UZ"}), vec![id(&uzb)]),
            (json!({"region": "035"}), vec![id(&idn)]),
            (json!({"region": "143"}), vec![id(&uzb), id(&kaz)]),
            (json!({"region": "002"}), vec![id(&tun)]),
            (json!({"engagement": w.kaz_uzb}), vec![id(&uzb), id(&kaz)]),
            (json!({"programme": "other1"}), vec![id(&tun)]),
            // Overlap: the Uzbek assessment runs 1-20 June 2020.
            (
                json!({"from": "2020-06-15", "to": "2021-12-31"}),
                vec![id(&idn), id(&uzb)],
            ),
            (json!({"to": "2019-05-01"}), vec![id(&kaz)]),
            (json!({"from": "2022-02-03"}), vec![id(&tun)]),
            (json!({"targetGroup": "policy"}), vec![id(&uzb)]),
            (json!({"search": "MANDELA"}), vec![id(&idn)]),
        ];
        for (filter, expected) in cases {
            let data = app
                .ok(LIST, json!({"f": filter, "first": 10}), Some(&w.admin))
                .await;
            assert_eq!(ids(&data["activities"]), expected, "{filter}");
            assert_eq!(data["activities"]["totalCount"], expected.len(), "{filter}");
        }
        let e = app
            .err(LIST, json!({"f": {"region": "999"}}), Some(&w.admin))
            .await;
        assert_eq!(e.field.as_deref(), Some("filter.region"), "{e:?}");

        // Two pages of two cover the four activities once, newest first.
        let first = app.ok(LIST, json!({"first": 2}), Some(&w.admin)).await;
        assert_eq!(ids(&first["activities"]), vec![id(&tun), id(&idn)]);
        assert_eq!(first["activities"]["pageInfo"]["hasNextPage"], true);
        let after = first["activities"]["pageInfo"]["endCursor"].clone();
        let second = app
            .ok(LIST, json!({"first": 2, "after": after}), Some(&w.admin))
            .await;
        assert_eq!(ids(&second["activities"]), vec![id(&uzb), id(&kaz)]);
        assert_eq!(second["activities"]["pageInfo"]["hasNextPage"], false);
    }
);

on_both_engines!(
    archived_activities_drop_out_of_lists_unless_asked_for,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05"),
        )
        .await;
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { id version } }",
            json!({"id": a["id"]}),
            Some(&w.admin),
        )
        .await;
        let data = app.ok(LIST, json!({}), Some(&w.admin)).await;
        assert_eq!(data["activities"]["totalCount"], 0);
        let data = app
            .ok(
                LIST,
                json!({"f": {"includeArchived": true}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(ids(&data["activities"]), vec![a["id"].as_str().unwrap()]);
        let data = app.ok(GET, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert!(data["activity"]["archivedAt"].is_string());
        let e = app
            .err(
                UPDATE,
                json!({"id": a["id"], "v": 2, "i": {"title": "x"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
    }
);

on_both_engines!(
    an_archived_engagement_takes_its_activities_out_of_lists_and_exports,
    |app: TestApp| async move {
        let w = world(&app).await;
        let kaz = log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "KAZ", "2021-03-01", "2021-03-05"),
        )
        .await;
        let idn = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-04-01", "2021-04-02"),
        )
        .await;
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 1) { id } }",
            json!({"id": w.kaz_uzb}),
            Some(&w.admin),
        )
        .await;
        let data = app.ok(LIST, json!({}), Some(&w.admin)).await;
        assert_eq!(ids(&data["activities"]), vec![idn["id"].as_str().unwrap()]);
        let summary = app
            .ok(
                "{ regionalSummary(region: \"001\") { activities { total } } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(summary["regionalSummary"]["activities"]["total"], 1);
        let csv = app.get_text("/export/activities.csv", &w.admin).await;
        assert_eq!(
            csv.lines().count(),
            2,
            "a header and Indonesia's row: {csv}"
        );
        assert!(csv.contains("Training in IDN"), "{csv}");
        // Still there when asked for, and under the engagement itself.
        let data = app
            .ok(
                LIST,
                json!({"f": {"includeArchived": true}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["activities"]["totalCount"], 2);
        let data = app
            .ok(
                LIST,
                json!({"f": {"engagement": w.kaz_uzb}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(ids(&data["activities"]), vec![kaz["id"].as_str().unwrap()]);
    }
);

on_both_engines!(
    recipients_cannot_change_away_from_where_activities_were_recorded,
    |app: TestApp| async move {
        let w = world(&app).await;
        log(
            &app,
            &w.admin,
            training(&w.kaz_uzb, "UZB", "2021-03-01", "2021-03-05"),
        )
        .await;
        let update = "mutation($id: ID!, $v: Int!, $i: UpdateEngagementInput!) { \
            updateEngagement(id: $id, version: $v, input: $i) { version } }";
        let before = written(&app).await;
        let e = app
            .err(
                update,
                json!({"id": w.kaz_uzb, "v": 1,
                       "i": {"recipientCountries": [{"country": "KAZ", "percentage": 100}]}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(
            e.field.as_deref(),
            Some("input.recipientCountries"),
            "{e:?}"
        );
        assert!(e.message.contains("UZB"), "{e:?}");
        // Nor to a region that does not hold Uzbekistan.
        let e = app
            .err(
                update,
                json!({"id": w.kaz_uzb, "v": 1,
                       "i": {"recipientCountries": [], "recipientRegion": "011"}}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(e.field.as_deref(), Some("input.recipientRegion"), "{e:?}");
        assert_eq!(written(&app).await, before, "refused updates wrote nothing");
        // A region that holds it, or countries that keep it, are fine.
        app.ok(
            update,
            json!({"id": w.kaz_uzb, "v": 1,
                   "i": {"recipientCountries": [], "recipientRegion": "143"}}),
            Some(&w.admin),
        )
        .await;
        app.ok(
            update,
            json!({"id": w.kaz_uzb, "v": 2,
                   "i": {"recipientCountries": [{"country": "UZB", "percentage": 100}],
                         "recipientRegion": null}}),
            Some(&w.admin),
        )
        .await;
    }
);

on_both_engines!(
    any_record_is_found_by_its_global_id_within_what_the_caller_may_see,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-03-01", "2021-03-05"),
        )
        .await;
        let node = "query($id: ID!) { node(id: $id) { id __typename \
            ... on Engagement { title } ... on Activity { title } } }";
        let data = app.ok(node, json!({"id": w.idn}), Some(&w.admin)).await;
        assert_eq!(data["node"]["__typename"], "Engagement");
        assert_eq!(data["node"]["title"], "Indonesia");
        let data = app.ok(node, json!({"id": a["id"]}), Some(&w.admin)).await;
        assert_eq!(data["node"]["title"], "Training in IDN from 2021-03-01");
        let data = app
            .ok(node, json!({"id": "Engagement:9999"}), Some(&w.admin))
            .await;
        assert!(data["node"].is_null());
        // Norway funds Central Asia only: Indonesia is not there for it.
        let donor = app.token(Role::Donor).organisation(w.norway).create().await;
        let data = app.ok(node, json!({"id": w.idn}), Some(&donor)).await;
        assert!(data["node"].is_null(), "{data}");
        let data = app.ok(node, json!({"id": w.kaz_uzb}), Some(&donor)).await;
        assert_eq!(data["node"]["title"], "Central Asia");
    }
);

on_both_engines!(
    null_empties_a_text_that_may_be_empty_and_absence_keeps_it,
    |app: TestApp| async move {
        let w = world(&app).await;
        let a = log(
            &app,
            &w.admin,
            training(&w.idn, "IDN", "2021-03-01", "2021-03-05"),
        )
        .await;
        let data = app
            .ok(
                "mutation($id: ID!) { updateActivity(id: $id, version: 1, \
                 input: {targetGroup: null, title: \"Renamed\"}) { title targetGroup } }",
                json!({"id": a["id"]}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["updateActivity"]["targetGroup"], "");
        assert_eq!(data["updateActivity"]["title"], "Renamed");
        let data = app
            .ok(
                "mutation($id: ID!) { u: updateEngagement(id: $id, version: 1, \
                 input: {description: \"Said\"}) { version } }",
                json!({"id": w.idn}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["u"]["version"], 2);
        let data = app
            .ok(
                "mutation($id: ID!) { u: updateEngagement(id: $id, version: 2, \
                 input: {description: null}) { title description } }",
                json!({"id": w.idn}),
                Some(&w.admin),
            )
            .await;
        assert_eq!(data["u"]["description"], "");
        assert_eq!(data["u"]["title"], "Indonesia");
    }
);

on_both_engines!(
    a_search_for_a_percent_sign_or_underscore_finds_that_character,
    |app: TestApp| async move {
        let w = world(&app).await;
        let mut input = json!({"programme": "GLOZ85", "title": "Reach 100% of prisons",
            "status": "2", "plannedStart": "2019-01-01",
            "recipientCountries": [{"country": "TUN", "percentage": 100.0}]});
        let hundred = engagement(&app, &w.admin, input.clone()).await;
        input["title"] = json!("Prison_staff training");
        let underscore = engagement(&app, &w.admin, input).await;
        let search = "query($s: String!) { engagements(filter: {search: $s}) { nodes { id } } \
            countries(filter: {search: $s}) { totalCount } }";
        for (text, expected) in [
            ("%", vec![&hundred]),
            ("100%", vec![&hundred]),
            ("_", vec![&underscore]),
            ("h_1", vec![]),
        ] {
            let data = app.ok(search, json!({"s": text}), Some(&w.admin)).await;
            let found: Vec<&str> = data["engagements"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap())
                .collect();
            let expected: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
            assert_eq!(found, expected, "{text}");
            assert_eq!(data["countries"]["totalCount"], 0, "{text}");
        }
    }
);

on_both_engines!(
    lists_by_region_hold_the_engagements_the_summary_counts,
    |app: TestApp| async move {
        let w = world(&app).await;
        // Western Africa (011) is recorded as a region: it lies in Sub-Saharan Africa (202),
        // Africa (002, with Tunisia) and the world, as it does in the summary.
        for (region, expected) in [("011", 1), ("202", 1), ("002", 2), ("001", 4), ("143", 1)] {
            let data = app
                .ok(
                    "query($r: String!) { engagements(filter: {region: $r}) { totalCount } \
                     regionalSummary(region: $r) { engagements { total } } }",
                    json!({"r": region}),
                    Some(&w.admin),
                )
                .await;
            assert_eq!(data["engagements"]["totalCount"], expected, "{region}");
            assert_eq!(
                data["regionalSummary"]["engagements"]["total"], expected,
                "{region}"
            );
        }
        let data = app
            .ok(
                "{ engagements(filter: {region: \"002\"}) { nodes { id } } }",
                json!({}),
                Some(&w.admin),
            )
            .await;
        let nodes = data["engagements"]["nodes"].as_array().unwrap();
        assert!(
            nodes.iter().any(|n| n["id"] == w.west_africa.as_str()),
            "{nodes:?}"
        );
    }
);
