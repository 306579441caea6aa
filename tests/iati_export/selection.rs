//! Which engagements a file holds: filters by programme, country and region narrow it and
//! unknown codes or parameters are refused by name, a filter that selects nothing is not a
//! file, and reading engagements page by page neither skips nor
//! repeats one.

use std::collections::BTreeSet;

use axum::http::StatusCode;

use super::*;

on_both_engines!(
    filters_narrow_the_export_and_unknown_codes_are_refused,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let pool = app.db.pool();
        let admin = app.admin().await;
        let all = identifiers(&exported(export(&app, "", Some(&admin)).await));
        let programme = identifiers(&exported(
            export(&app, "?programme=DEMO-VEP", Some(&admin)).await,
        ));
        assert_eq!(programme, all);
        // As the API and the CSV take it, a programme code in any case.
        let lower = identifiers(&exported(
            export(&app, "?programme=demo-vep", Some(&admin)).await,
        ));
        assert_eq!(lower, all);

        let in_country = |iso3: &'static str| async move {
            let rows: Vec<(String,)> = sqlx::query_as(
                "select e.iati_identifier from engagements e join engagement_countries c \
                 on c.engagement_id = e.id where c.country_iso3 = $1 and e.archived_at is null",
            )
            .bind(iso3)
            .fetch_all(pool)
            .await
            .unwrap();
            rows.into_iter().map(|(i,)| i).collect::<BTreeSet<String>>()
        };
        let tunisia = identifiers(&exported(export(&app, "?country=TUN", Some(&admin)).await));
        assert_eq!(tunisia, in_country("TUN").await);
        assert!(!tunisia.is_empty() && tunisia.len() < all.len());
        // 145 is Western Asia, 143 Central Asia: M49 sub-regions.
        let central_asia = identifiers(&exported(export(&app, "?region=143", Some(&admin)).await));
        let mut expected = in_country("KAZ").await;
        expected.extend(in_country("UZB").await);
        expected.extend(in_country("KGZ").await);
        expected.extend(in_country("TJK").await);
        expected.extend(in_country("TKM").await);
        assert_eq!(central_asia, expected);
        assert_eq!(
            identifiers(&exported(export(&app, "?region=001", Some(&admin)).await)),
            all
        );

        for (query, field) in [
            ("?programme=NOPE", "programme"),
            ("?country=XYZ", "country"),
            ("?region=999", "region"),
            // A misspelt filter, or the CSV's period filter, would otherwise give the whole file.
            ("?regoin=143", "regoin: is not a filter of this export"),
            ("?from=2021-01-01", "from: is not a filter of this export"),
            (
                "?country=KAZ&country=TUN",
                "country: is given more than once",
            ),
        ] {
            let (status, _, body) = export(&app, query, Some(&admin)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert!(
                body.starts_with("BAD_USER_INPUT") && body.contains(field),
                "{body}"
            );
        }

        // IATI wants at least one activity in a file: a filter that selects none is answered
        // as such, not with a file the schema refuses.
        let (status, _, body) = export(&app, "?country=NOR", Some(&admin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(
            body.trim_end(),
            "NOT_FOUND: no engagement to export matches these filters (an IATI file holds at \
             least one activity)"
        );
    }
);

on_both_engines!(
    paging_through_the_engagements_neither_skips_nor_repeats_one,
    |app: TestApp| async move {
        use futures_util::StreamExt;
        use ta_tracker::export::iati::{self, ReportingOrg};
        use ta_tracker::storage::engagements::EngagementFilter;
        use ta_tracker::storage::scope::Scope;

        let app = app.with_demo().await;
        let org = ReportingOrg::resolve(&app.db, None).await.unwrap();
        let mut whole = Vec::new();
        for page in [1, 2, 200] {
            let chunks: Vec<String> = iati::stream_paged(
                app.db.clone(),
                Scope::All,
                EngagementFilter::default(),
                org.clone(),
                page,
            )
            .map(|c| c.unwrap())
            .collect()
            .await;
            // Header and footer around one chunk per activity.
            let body = chunks[1..].concat();
            assert_eq!(chunks.len() - 2, body.matches("<iati-activity ").count());
            whole.push(body);
        }
        assert_eq!(whole[0], whole[1]);
        assert_eq!(whole[1], whole[2]);
    }
);
