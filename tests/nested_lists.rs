//! Nested lists that grow with the records (an engagement's activities, a programme's
//! engagements) return a bounded first page, with a count beside them for the rest.

mod common;

use common::TestApp;
use serde_json::{Value, json};

async fn post(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    app.ok(query, variables, Some(token)).await
}

/// A programme with three engagements; the first has six activities, logged out of date order.
async fn populate(app: &TestApp, admin: &str) -> (String, Vec<(String, i64)>) {
    post(
        app,
        admin,
        "mutation { createProgramme(input: {code: \"NL\", title: \"Nested lists\"}) { id } }",
        json!({}),
    )
    .await;
    let mut engagements = Vec::new();
    for (i, start) in ["2019-01-01", "2021-01-01", "2020-01-01"]
        .iter()
        .enumerate()
    {
        let created = post(
            app,
            admin,
            "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({"i": {"programme": "NL", "title": format!("E{i}"), "status": "2",
                "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": start, "recipientCountries": [{"country": "KEN", "percentage": 100}]}}),
        )
        .await;
        engagements.push(
            created["createEngagement"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut activities = Vec::new();
    for day in [5, 2, 6, 1, 4, 3] {
        let logged = post(
            app,
            admin,
            "mutation($i: LogActivityInput!) { logActivity(input: $i) { id version } }",
            json!({"i": {"engagement": engagements[0], "kind": "TRAINING", "title": format!("Day {day}"),
                "startDate": format!("2021-03-0{day}"), "endDate": format!("2021-03-0{day}"),
                "country": "KEN", "participants": {"total": 10, "female": 5, "male": 5}}}),
        )
        .await;
        let a = &logged["logActivity"];
        activities.push((
            a["id"].as_str().unwrap().to_string(),
            a["version"].as_i64().unwrap(),
        ));
    }
    (engagements[0].clone(), activities)
}

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

on_both_engines!(
    an_engagement_lists_its_first_activities_by_date_and_counts_them_all,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let (engagement, activities) = populate(&app, &admin).await;
        let q = "query($id: ID!) { engagement(id: $id) {
            activityCount few: activities(first: 2) { title } all: activities { title } } }";
        let data = post(&app, &admin, q, json!({"id": engagement})).await;
        let e = &data["engagement"];
        assert_eq!(e["activityCount"], 6);
        assert_eq!(titles(&e["few"]), ["Day 1", "Day 2"]);
        assert_eq!(
            titles(&e["all"]),
            ["Day 1", "Day 2", "Day 3", "Day 4", "Day 5", "Day 6"]
        );

        // Archived activities leave the list and the count.
        let (day5, version) = &activities[0];
        post(
            &app,
            &admin,
            "mutation($id: ID!, $v: Int!) { archive(id: $id, version: $v) { id } }",
            json!({"id": day5, "v": version}),
        )
        .await;
        let data = post(&app, &admin, q, json!({"id": engagement})).await;
        assert_eq!(data["engagement"]["activityCount"], 5);
        assert_eq!(
            titles(&data["engagement"]["all"]),
            ["Day 1", "Day 2", "Day 3", "Day 4", "Day 6"]
        );
    }
);

on_both_engines!(
    each_engagement_of_a_page_gets_its_own_first_activities_by_date,
    |app: TestApp| async move {
        let admin = app.admin().await;
        populate(&app, &admin).await;
        let list =
            "{ programmes { nodes { engagements { id title activities(first: 3) { title } } } } }";
        let data = post(&app, &admin, list, json!({})).await;
        let ids: Vec<(String, String)> = data["programmes"]["nodes"][0]["engagements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["title"].as_str().unwrap().to_string(),
                    e["id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // The two other engagements get activities logged alternately and out of date order,
        // so that their rows interleave in the table.
        for (title, day) in [
            ("E1", 9),
            ("E2", 8),
            ("E1", 7),
            ("E2", 2),
            ("E1", 1),
            ("E2", 5),
        ] {
            let engagement = &ids.iter().find(|(t, _)| t == title).unwrap().1;
            post(
                &app,
                &admin,
                "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                json!({"i": {"engagement": engagement, "kind": "TRAINING", "title": format!("{title} day {day}"),
                    "startDate": format!("2021-04-0{day}"), "endDate": format!("2021-04-0{day}"),
                    "country": "KEN", "participants": {"total": 1}}}),
            )
            .await;
        }
        let data = post(&app, &admin, list, json!({})).await;
        let page: Vec<(&str, Vec<&str>)> = data["programmes"]["nodes"][0]["engagements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["title"].as_str().unwrap(), titles(&e["activities"])))
            .collect();
        assert_eq!(
            page,
            [
                ("E1", vec!["E1 day 1", "E1 day 7", "E1 day 9"]),
                ("E2", vec!["E2 day 2", "E2 day 5", "E2 day 8"]),
                ("E0", vec!["Day 1", "Day 2", "Day 3"]),
            ]
        );
    }
);

on_both_engines!(
    a_programme_lists_its_most_recent_engagements_first_and_counts_them_all,
    |app: TestApp| async move {
        let admin = app.admin().await;
        populate(&app, &admin).await;
        let data = post(
            &app,
            &admin,
            "{ programmes { nodes { engagementCount engagements(first: 2) { title } } } }",
            json!({}),
        )
        .await;
        let p = &data["programmes"]["nodes"][0];
        assert_eq!(p["engagementCount"], 3);
        assert_eq!(titles(&p["engagements"]), ["E1", "E2"]);
    }
);

on_both_engines!(
    a_nested_page_size_beyond_the_maximum_is_refused_by_field,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let (engagement, _) = populate(&app, &admin).await;
        for first in [101, -1] {
            let e = app
                .err(
                    "query($id: ID!, $n: Int) { engagement(id: $id) { activities(first: $n) { title } } }",
                    json!({"id": engagement, "n": first}),
                    Some(&admin),
                )
                .await;
            assert_eq!(e.code, "BAD_USER_INPUT");
            assert_eq!(e.field.as_deref(), Some("first"));
        }
        let e = app
            .err(
                "{ programmes { nodes { engagements(first: 1000) { title } } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("BAD_USER_INPUT", Some("first"))
        );
    }
);
