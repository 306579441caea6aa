//! Who may export what: a donor's file holds only what it funds, an archived engagement leaves
//! every file, and anonymous callers or unknown tokens are refused.

use std::collections::BTreeSet;

use axum::http::{StatusCode, header};
use ta_tracker::domain::auth::Role;

use super::*;

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
