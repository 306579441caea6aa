//! Lessons by when they were recorded: the list takes the days a regional summary counts
//! `lessonsRecorded` over, so a report can name the lessons behind the figure.

use super::*;

on_both_engines!(
    lessons_recorded_in_a_period_list_what_the_regional_summary_counts,
    |app: common::TestApp| async move {
        let app = app.with_demo().await;
        // The demo's four lessons, recorded on days around the edges of the periods asked.
        for (id, at) in [
            (1, "2019-06-28T10:00:00.000000Z"),
            (2, "2019-06-30T23:59:59.999999Z"),
            (3, "2021-01-01T00:00:00.000000Z"),
            (4, "2021-12-31T23:59:59.000000Z"),
        ] {
            sqlx::query("update lessons set recorded_at = $1 where id = $2")
                .bind(at)
                .bind(id as i64)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        let admin = app.admin().await;
        let q = "query($f: LessonFilterInput, $r: String!, $p: PeriodInput) { lessons(filter: $f, first: 50) { totalCount nodes { id } } regionalSummary(region: $r, period: $p) { lessonsRecorded } }";
        let cases = [
            ("001", "2019-06-30", "2019-06-30", vec!["Lesson:2"]),
            ("001", "2019-01-01", "2019-06-29", vec!["Lesson:1"]),
            (
                "001",
                "2021-01-01",
                "2021-12-31",
                vec!["Lesson:4", "Lesson:3"],
            ),
            (
                "035",
                "2019-01-01",
                "2021-01-01",
                vec!["Lesson:3", "Lesson:2", "Lesson:1"],
            ),
            ("015", "2021-01-01", "2021-12-31", vec!["Lesson:4"]),
            ("143", "2020-01-01", "2021-12-31", vec![]),
        ];
        for (region, from, to, want) in cases {
            let data = app
                .ok(
                    q,
                    json!({
                        "f": {"region": region, "from": from, "to": to},
                        "r": region,
                        "p": {"from": from, "to": to},
                    }),
                    Some(&admin),
                )
                .await;
            let ids: Vec<&str> = data["lessons"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, want, "{region} {from}..{to}");
            assert_eq!(
                data["regionalSummary"]["lessonsRecorded"], data["lessons"]["totalCount"],
                "{region} {from}..{to}"
            );
        }
        // One end alone is open on the other side.
        let list = "query($f: LessonFilterInput) { lessons(filter: $f) { totalCount } }";
        for (f, n) in [
            (json!({"from": "2021-01-01"}), 2),
            (json!({"to": "2019-06-30"}), 2),
        ] {
            let data = app.ok(list, json!({"f": f}), Some(&admin)).await;
            assert_eq!(data["lessons"]["totalCount"], n, "{f}");
        }
        // Days that cannot be, or in the wrong order, are refused by name.
        for (f, field) in [
            (
                json!({"from": "2021-12-31", "to": "2021-01-01"}),
                "filter.to",
            ),
            (json!({"from": "2021-02-30"}), "filter.from"),
            (json!({"to": "2021-1-5"}), "filter.to"),
        ] {
            let e = app.err(list, json!({"f": f}), Some(&admin)).await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{f}");
            assert_eq!(e.field.as_deref(), Some(field), "{f}");
        }
    }
);
