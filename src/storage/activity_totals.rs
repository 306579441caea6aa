//! `activity_totals`: live activities of live engagements summed per engagement, country, kind,
//! start year and end year; `activity_totals_world`: the same without the engagement. Every write
//! to an activity moves the rows of its key by what it took away and added (`shift`), and
//! archiving an engagement rewrites that engagement's rows and moves the world rows by the
//! difference (`refresh`), in the same transaction, so the totals always add up to the records.
//! Regional summaries read them instead of scanning a million activities (see
//! `storage::reports`).

use super::Tx;
use super::engagements::lock;
use super::sql::Sql;
use crate::error::AppResult;

/// Rewrites the totals of these engagements from their live activities. On PostgreSQL the
/// engagements are locked first (in id order), so concurrent writes under one engagement take
/// turns here instead of both rewriting its rows; SQLite writers take turns anyway.
pub async fn refresh(tx: &mut Tx, engagement_ids: &[i64]) -> AppResult<()> {
    for id in lock(tx, engagement_ids).await? {
        // The world rows move by new minus old, in key order (so concurrent writers lock rows
        // in the same order).
        sqlx::query(&format!(
            "insert into activity_totals_world (country_iso3, kind, start_year, end_year, \
             activities, participants_total, participants_female, participants_male) \
             select country_iso3, kind, start_year, end_year, sum(activities), \
             sum(participants_total), sum(participants_female), sum(participants_male) from (\
             select country_iso3, kind, start_year, end_year, -activities as activities, \
             -participants_total as participants_total, -participants_female as participants_female, \
             -participants_male as participants_male from activity_totals where engagement_id = $1 \
             union all {}) d where true \
             group by country_iso3, kind, start_year, end_year \
             order by country_iso3, kind, start_year, end_year \
             on conflict (country_iso3, kind, start_year, end_year) do update set \
             activities = activity_totals_world.activities + excluded.activities, \
             participants_total = activity_totals_world.participants_total + excluded.participants_total, \
             participants_female = activity_totals_world.participants_female + excluded.participants_female, \
             participants_male = activity_totals_world.participants_male + excluded.participants_male",
            new_rows(false)
        ))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        sqlx::query("delete from activity_totals where engagement_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(&format!("{INSERT} {}", new_rows(true)))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// What one live activity of a live engagement adds to the totals: its key and its figures.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contribution {
    engagement_id: i64,
    country_iso3: String,
    kind: String,
    start_year: i64,
    end_year: i64,
    participants_total: i64,
    participants_female: i64,
    participants_male: i64,
}

/// What activity `id` adds to the totals now: nothing when it, or its engagement, is archived.
pub async fn contribution(tx: &mut Tx, id: i64) -> AppResult<Option<Contribution>> {
    Ok(sqlx::query_as(
        "select a.engagement_id, a.country_iso3, a.kind, \
         cast(substr(a.start_date, 1, 4) as bigint) as start_year, \
         cast(substr(a.end_date, 1, 4) as bigint) as end_year, \
         a.participants_total, a.participants_female, a.participants_male \
         from activities a join engagements e on e.id = a.engagement_id \
         where a.id = $1 and a.archived_at is null and e.archived_at is null",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Moves the totals by one activity: its contribution before the write leaves, its contribution
/// after enters (either may be none). Two one-row upserts a table whatever the size of the
/// engagement; the caller holds the engagements' locks (`lock`).
pub async fn shift(
    tx: &mut Tx,
    before: Option<&Contribution>,
    after: Option<&Contribution>,
) -> AppResult<()> {
    let moves = [(before, -1_i64), (after, 1)];
    for (c, sign) in moves.iter().filter_map(|(c, sign)| c.map(|c| (c, *sign))) {
        // The engagement's row, then the world's: the same key without the engagement.
        for (table, engagement) in [
            ("activity_totals", Some(c.engagement_id)),
            ("activity_totals_world", None),
        ] {
            let mut sql = Sql::new(&format!("insert into {table} ("));
            let key = "country_iso3, kind, start_year, end_year";
            let key = match engagement {
                Some(_) => format!("engagement_id, {key}"),
                None => key.to_string(),
            };
            sql.push(&key).push(
                ", activities, participants_total, participants_female, participants_male) values (",
            );
            if let Some(id) = engagement {
                sql.bind(id).push(", ");
            }
            sql.bind(c.country_iso3.as_str())
                .push(", ")
                .bind(c.kind.as_str())
                .push(", ")
                .bind(c.start_year)
                .push(", ")
                .bind(c.end_year);
            for figure in [
                1,
                c.participants_total,
                c.participants_female,
                c.participants_male,
            ] {
                sql.push(", ").bind(sign * figure);
            }
            sql.push(&format!(
                ") on conflict ({key}) do update set \
                 activities = {table}.activities + excluded.activities, \
                 participants_total = {table}.participants_total + excluded.participants_total, \
                 participants_female = {table}.participants_female + excluded.participants_female, \
                 participants_male = {table}.participants_male + excluded.participants_male"
            ));
            sql.query().execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// Rewrites every engagement's totals and the world's (after a bulk load).
pub async fn rebuild(tx: &mut Tx) -> AppResult<()> {
    for statement in [
        "delete from activity_totals_world",
        "delete from activity_totals",
        &format!(
            "{INSERT} select engagement_id, country_iso3, kind, {YEARS}, count(*), \
             sum(participants_total), sum(participants_female), sum(participants_male) \
             from activities where archived_at is null \
             and engagement_id in (select id from engagements where archived_at is null) \
             group by engagement_id, country_iso3, kind, {YEARS}"
        ),
        "insert into activity_totals_world (country_iso3, kind, start_year, end_year, \
         activities, participants_total, participants_female, participants_male) \
         select country_iso3, kind, start_year, end_year, sum(activities), \
         sum(participants_total), sum(participants_female), sum(participants_male) \
         from activity_totals group by country_iso3, kind, start_year, end_year",
    ] {
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    Ok(())
}

const INSERT: &str = "insert into activity_totals (engagement_id, country_iso3, kind, start_year, \
     end_year, activities, participants_total, participants_female, participants_male)";

const YEARS: &str =
    "cast(substr(start_date, 1, 4) as integer), cast(substr(end_date, 1, 4) as integer)";

/// The rows engagement `$1` should have (nothing when it is archived), with its id as the first
/// column or without it.
fn new_rows(with_engagement: bool) -> String {
    let id = if with_engagement {
        "engagement_id, "
    } else {
        ""
    };
    format!(
        "select {id}country_iso3, kind, \
         cast(substr(start_date, 1, 4) as integer) as start_year, \
         cast(substr(end_date, 1, 4) as integer) as end_year, count(*) as activities, \
         sum(participants_total) as participants_total, \
         sum(participants_female) as participants_female, \
         sum(participants_male) as participants_male \
         from activities where archived_at is null and engagement_id = $1 \
         and engagement_id in (select id from engagements where archived_at is null) \
         group by {id}country_iso3, kind, cast(substr(start_date, 1, 4) as integer), \
         cast(substr(end_date, 1, 4) as integer)"
    )
}

/// How a period splits between the yearly totals and the activities themselves. An activity
/// overlaps `[from, to]` when it starts inside it, or starts before and ends on or after `from`.
/// Totals rows answer for whole years; only activities whose years the period cuts through are
/// read one by one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanPlan {
    /// Start years wholly inside the period: every activity starting then overlaps.
    pub covered: Option<(i64, i64)>,
    /// Activities starting before `from`'s year overlap for sure when they end after it
    /// (`end_year > crossing_year`), or in it when `from` is 1 January (`end_year >= ...`).
    pub crossing_year: i64,
    pub crossing_inclusive: bool,
    /// Start-date ranges (inclusive) to read from `activities` for the parts of the period in
    /// partly covered years.
    pub starts: Vec<(String, String)>,
    /// Activities starting before `from` in its year, or before its year and ending in it on or
    /// after `from`, read one by one; None when `from` is 1 January.
    pub crossing: Option<Crossing>,
}

/// The activities crossing into the period that the yearly totals cannot decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crossing {
    /// `from`.
    pub from: String,
    /// 1 January of `from`'s year.
    pub year_start: String,
    /// 31 December of `from`'s year.
    pub year_end: String,
}

/// Splits `[from, to]` (YYYY-MM-DD, from <= to).
pub fn plan(from: &str, to: &str) -> SpanPlan {
    let year = |d: &str| d[..4].parse::<i64>().unwrap_or(0);
    let (yf, yt) = (year(from), year(to));
    let from_jan1 = &from[4..] == "-01-01";
    let to_dec31 = &to[4..] == "-12-31";
    let first = if from_jan1 { yf } else { yf + 1 };
    let last = if to_dec31 { yt } else { yt - 1 };
    let covered = (first <= last).then_some((first, last));
    let mut starts = Vec::new();
    if !from_jan1 || (yf == yt && !to_dec31) {
        let end = if yf == yt {
            to.to_string()
        } else {
            format!("{yf:04}-12-31")
        };
        starts.push((from.to_string(), end));
    }
    if yt != yf && !to_dec31 {
        starts.push((format!("{yt:04}-01-01"), to.to_string()));
    }
    let crossing = (!from_jan1).then(|| Crossing {
        from: from.to_string(),
        year_start: format!("{yf:04}-01-01"),
        year_end: format!("{yf:04}-12-31"),
    });
    SpanPlan {
        covered,
        crossing_year: yf,
        crossing_inclusive: from_jan1,
        starts,
        crossing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Overlap decided by the plan, from an activity's dates alone, the way the summary
    /// statements decide it (totals by years, the rest by dates).
    fn decided(p: &SpanPlan, start: &str, end: &str) -> bool {
        let sy: i64 = start[..4].parse().unwrap();
        let ey: i64 = end[..4].parse().unwrap();
        let from_totals = p.covered.is_some_and(|(a, b)| sy >= a && sy <= b)
            || (sy < p.crossing_year
                && (ey > p.crossing_year || (p.crossing_inclusive && ey == p.crossing_year)));
        let from_starts = p
            .starts
            .iter()
            .any(|(a, b)| start >= a.as_str() && start <= b.as_str());
        let from_crossing = p.crossing.as_ref().is_some_and(|c| {
            (start >= c.year_start.as_str() && start < c.from.as_str() && end >= c.from.as_str())
                || (start < c.year_start.as_str()
                    && end >= c.from.as_str()
                    && end <= c.year_end.as_str())
        });
        // Each activity must be counted by exactly one part.
        let parts = [from_totals, from_starts, from_crossing];
        assert!(
            parts.iter().filter(|b| **b).count() <= 1,
            "{start}..{end} counted twice by {p:?}"
        );
        parts.iter().any(|b| *b)
    }

    #[test]
    fn every_activity_is_counted_once_exactly_when_it_overlaps() {
        let days = [
            "2017-06-30",
            "2018-01-01",
            "2018-02-14",
            "2018-03-31",
            "2018-04-01",
            "2018-12-31",
            "2019-01-01",
            "2019-07-04",
            "2019-12-31",
            "2020-01-01",
            "2020-05-05",
            "2020-12-31",
            "2021-03-01",
        ];
        for from in days {
            for to in days.iter().filter(|t| **t >= from) {
                let p = plan(from, to);
                for start in days {
                    for end in days.iter().filter(|e| **e >= start) {
                        let overlaps = start <= *to && *end >= from;
                        assert_eq!(
                            decided(&p, start, end),
                            overlaps,
                            "period {from}..{to}, activity {start}..{end}, {p:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn whole_years_need_no_activity_reads() {
        let p = plan("2019-01-01", "2020-12-31");
        assert_eq!(p.covered, Some((2019, 2020)));
        assert!(p.starts.is_empty() && p.crossing.is_none());
        let q = plan("2019-04-01", "2019-06-30");
        assert_eq!(q.covered, None);
        assert_eq!(q.starts, vec![("2019-04-01".into(), "2019-06-30".into())]);
    }
}
