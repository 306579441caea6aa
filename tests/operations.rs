//! What an operator of the running service relies on: the readiness probe's deadline and its
//! migration check, through the real router.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};

use common::TestApp;

/// GETs /readyz; returns the status, the body and how long the answer took.
async fn readyz(app: &TestApp) -> (StatusCode, String, Duration) {
    let started = Instant::now();
    let (status, _, body) = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    (status, body, started.elapsed())
}

// A database too busy (or too slow) to hand the probe a connection reads as not ready after two
// seconds, not after the pool's ten, so that a load balancer's probe gets its answer in time.
on_both_engines!(
    readiness_answers_within_two_seconds_when_the_database_does_not,
    |app: TestApp| async move {
        let (status, body, _) = readyz(&app).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));

        let mut held = Vec::new();
        while held.len() < 8 {
            held.push(app.db.pool().acquire().await.expect("a connection"));
        }
        let (status, body, took) = readyz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(
            body,
            "not ready: the database did not answer within 2 seconds"
        );
        assert!(
            took >= Duration::from_millis(1900) && took < Duration::from_secs(4),
            "answered after {took:?}"
        );

        drop(held);
        let (status, body, _) = readyz(&app).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));
    }
);

// A server whose database a newer binary has migrated, or that lacks one of this binary's
// migrations, is not ready: its queries would meet tables it does not know or miss ones it uses.
on_both_engines!(
    readiness_requires_the_migrations_this_binary_expects,
    |app: TestApp| async move {
        sqlx::query(
            "insert into _sqlx_migrations (version, description, success, checksum, \
             execution_time) values (9999, 'from a newer binary', $1, $2, 0)",
        )
        .bind(true)
        .bind(vec![0u8; 4])
        .execute(app.db.pool())
        .await
        .expect("record a newer migration");
        let (status, body, _) = readyz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(
            body,
            "not ready: the database has migration 9999, which this binary does not have \
             (a newer version migrated it)"
        );

        sqlx::query("delete from _sqlx_migrations where version = 9999")
            .execute(app.db.pool())
            .await
            .expect("forget it");
        let (status, body, _) = readyz(&app).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));

        let (last,): (i64,) = sqlx::query_as("select max(version) from _sqlx_migrations")
            .fetch_one(app.db.pool())
            .await
            .expect("the last migration");
        sqlx::query("delete from _sqlx_migrations where version = $1")
            .bind(last)
            .execute(app.db.pool())
            .await
            .expect("forget the last migration");
        let (status, body, _) = readyz(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(
            body,
            format!(
                "not ready: the database lacks this binary's migration {last} \
                 (ta-tracker migrate applies it)"
            )
        );
    }
);
