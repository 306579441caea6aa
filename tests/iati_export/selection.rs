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
    region_and_country_codes_are_read_as_the_api_and_the_csv_read_them,
    |app: TestApp| async move {
        let app = app.with_demo().await;
        let admin = app.admin().await;
        let file = |q: &'static str| {
            let (app, admin) = (&app, &admin);
            async move { identifiers(&exported(export(app, q, Some(admin)).await)) }
        };
        // A grouping code in any case, an M49 code without its zeros, a country by M49 or ISO2.
        for (written, canonical) in [
            ("?region=unodc-mena", "?region=UNODC-MENA"),
            ("?region=35", "?region=035"),
            ("?country=788", "?country=TUN"),
            ("?country=tn", "?country=TUN"),
        ] {
            let want = file(canonical).await;
            assert!(!want.is_empty(), "{canonical}");
            assert_eq!(file(written).await, want, "{written}");
        }
        // The summaries and the CSV take the grouping the same way, and name it as registered.
        let data = app
            .ok(
                "{ regionalSummary(region: \"unodc-mena\") { area { code } } }",
                serde_json::json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(data["regionalSummary"]["area"]["code"], "UNODC-MENA");
        let csv = |q: &'static str| {
            let (app, admin) = (&app, &admin);
            async move {
                app.get_text(&format!("/export/activities.csv{q}"), admin)
                    .await
            }
        };
        assert_eq!(
            csv("?region=unodc-mena").await,
            csv("?region=UNODC-MENA").await
        );

        // Two groupings whose codes differ only by case are each found by their exact code,
        // and neither by a third spelling.
        let create = "mutation($c: String!, $n: String!) { createGrouping(input: {code: $c, name: $n, countries: [\"KAZ\"]}) { code } }";
        for (code, name) in [("Demo-Pair", "One"), ("DEMO-PAIR", "Two")] {
            app.ok(
                create,
                serde_json::json!({"c": code, "n": name}),
                Some(&admin),
            )
            .await;
        }
        let area = "query($r: String!) { regionalSummary(region: $r) { area { code name } } }";
        let data = app
            .ok(area, serde_json::json!({"r": "DEMO-PAIR"}), Some(&admin))
            .await;
        assert_eq!(data["regionalSummary"]["area"]["name"], "Two");
        let e = app
            .err(area, serde_json::json!({"r": "demo-pair"}), Some(&admin))
            .await;
        assert_eq!(e.field.as_deref(), Some("region"), "{}", e.message);
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
