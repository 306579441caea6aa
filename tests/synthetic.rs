//! The synthetic load behind the benchmarks: deterministic, within every constraint, and
//! readable through the API like any other records.

mod common;

use serde_json::json;
use ta_tracker::seeds::synthetic::{self, Options};
use ta_tracker::storage::Db;

fn small() -> Options {
    Options {
        programmes: 3,
        engagements: 40,
        activities: 500,
        indicators: 30,
        periods: 4,
        seed: 7,
    }
}

/// Counts and sums that differ if any generated row differs.
async fn fingerprint(db: &Db) -> (i64, i64, i64, i64, i64, f64) {
    let (activities, participants, female): (i64, i64, i64) = sqlx::query_as(
        "select count(*), cast(coalesce(sum(participants_total), 0) as bigint), \
         cast(coalesce(sum(participants_female), 0) as bigint) from activities",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    let (shares,): (i64,) = sqlx::query_as("select count(*) from engagement_countries")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let (values,): (i64,) = sqlx::query_as("select count(*) from indicator_values")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let (budget,): (f64,) =
        sqlx::query_as("select cast(coalesce(sum(amount), 0) as double precision) from budgets")
            .fetch_one(db.pool())
            .await
            .unwrap();
    (activities, participants, female, shares, values, budget)
}

on_both_engines!(
    the_same_seed_loads_the_same_data,
    |app: common::TestApp| async move {
        let report = synthetic::load(&app.db, &small()).await.unwrap();
        assert_eq!(report.programmes, 3);
        assert_eq!(report.engagements, 40);
        assert_eq!(report.activities, 500);
        assert_eq!(report.indicators, 30);
        let first = fingerprint(&app.db).await;
        assert_eq!(first.0, 500);

        let again = common::TestApp::sqlite().await;
        let report_again = synthetic::load(&again.db, &small()).await.unwrap();
        assert_eq!(report_again, report);
        assert_eq!(fingerprint(&again.db).await, first);
    }
);

on_both_engines!(
    synthetic_rows_keep_the_rules_users_data_keeps,
    |app: common::TestApp| async move {
        synthetic::load(&app.db, &small()).await.unwrap();
        let (bad_shares,): (i64,) = sqlx::query_as(
            "select count(*) from (select engagement_id from engagement_countries \
             group by engagement_id having sum(percentage) <> 100) t",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(bad_shares, 0, "country percentages sum to 100");
        let (multi,): (i64,) = sqlx::query_as(
            "select count(*) from (select engagement_id from engagement_countries \
             group by engagement_id having count(*) > 1) t",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert!(multi > 0, "some engagements span several countries");
        let (bad_people,): (i64,) = sqlx::query_as(
            "select count(*) from activities \
             where participants_female + participants_male > participants_total",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(bad_people, 0);
        let (outside,): (i64,) = sqlx::query_as(
            "select count(*) from activities a join engagements e on e.id = a.engagement_id \
             where a.start_date < e.active_from or a.end_date > coalesce(e.active_to, '2026-12-31') \
             or a.country_iso3 not in \
               (select country_iso3 from engagement_countries where engagement_id = e.id)",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(outside, 0, "activities fall inside their engagement");
        let (ahead,): (i64,) = sqlx::query_as(
            "select count(*) from activities a join engagements e on e.id = a.engagement_id \
             where a.start_date > '2026-01-01' or e.status_code = '1'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            ahead, 0,
            "activities are logged once their engagement has begun"
        );
        let (unsectored,): (i64,) = sqlx::query_as(
            "select count(*) from engagements e where 100 <> \
             (select coalesce(sum(percentage), 0) from engagement_sectors s \
              where s.engagement_id = e.id)",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(unsectored, 0, "every engagement has sectors summing to 100");
        assert_eq!(app.count("audit_log").await, 0, "bulk data is not audited");
    }
);

on_both_engines!(
    a_second_load_is_refused_and_writes_nothing,
    |app: common::TestApp| async move {
        synthetic::load(&app.db, &small()).await.unwrap();
        let before = app.count("activities").await;
        let e = synthetic::load(&app.db, &small()).await.unwrap_err();
        assert_eq!(e.code(), "BAD_USER_INPUT");
        assert_eq!(app.count("activities").await, before);
    }
);

on_both_engines!(
    the_api_lists_synthetic_records,
    |app: common::TestApp| async move {
        synthetic::load(&app.db, &small()).await.unwrap();
        let admin = app.admin().await;
        let data = app
            .ok(
                "query { engagements(first: 5) { totalCount nodes { title \
                 activities { title country { name } } recipientCountries { country { iso3 } } } } }",
                json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(data["engagements"]["totalCount"], 40);
        let first = &data["engagements"]["nodes"][0];
        assert!(first["title"].as_str().unwrap().starts_with("[Synthetic]"));
        assert!(!first["recipientCountries"].as_array().unwrap().is_empty());
        // Ids were written explicitly: a record added afterwards must still get a fresh one
        // (on PostgreSQL the identity sequence has to have moved past them).
        sqlx::query(
            "insert into programmes (code, title, created_at, updated_at) \
             values ('AFTER', 'After the load', 'x', 'x')",
        )
        .execute(app.db.pool())
        .await
        .unwrap();
        assert_eq!(app.count("programmes").await, 4);
    }
);
