//! Activities logged under an engagement (trainings, assessments, advisory missions, ...), with
//! the results they contribute to and their documents.

use sqlx::{Any, Column, ColumnIndex, Decode, Executor, FromRow, Row, Type};

use super::activity_totals as totals;
use super::geography::Area;
use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, serde::Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub engagement_id: i64,
    pub kind: String,
    pub title: String,
    pub start_date: String,
    pub end_date: String,
    pub country_iso3: String,
    pub place: String,
    pub participants_total: i64,
    pub participants_female: i64,
    pub participants_male: i64,
    pub target_group: String,
    pub description: String,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &[&str] = &[
    "id",
    "engagement_id",
    "kind",
    "title",
    "start_date",
    "end_date",
    "country_iso3",
    "place",
    "participants_total",
    "participants_female",
    "participants_male",
    "target_group",
    "description",
    "version",
    "archived_at",
    "created_at",
    "updated_at",
];

/// Read by position, in the order of `COLUMNS`, which every statement here selects
/// (`columns()`): finding each column by its name hashed the name for every column of every row,
/// 3% of a nested list's time. Debug builds check the names.
impl<'r, R: Row> FromRow<'r, R> for ActivityRow
where
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        debug_assert!(
            row.columns()
                .iter()
                .map(|c| c.name())
                .eq(COLUMNS.iter().copied()),
            "activity columns out of order"
        );
        Ok(ActivityRow {
            id: row.try_get(0)?,
            engagement_id: row.try_get(1)?,
            kind: row.try_get(2)?,
            title: row.try_get(3)?,
            start_date: row.try_get(4)?,
            end_date: row.try_get(5)?,
            country_iso3: row.try_get(6)?,
            place: row.try_get(7)?,
            participants_total: row.try_get(8)?,
            participants_female: row.try_get(9)?,
            participants_male: row.try_get(10)?,
            target_group: row.try_get(11)?,
            description: row.try_get(12)?,
            version: row.try_get(13)?,
            archived_at: row.try_get(14)?,
            created_at: row.try_get(15)?,
            updated_at: row.try_get(16)?,
        })
    }
}

/// `a.id, a.engagement_id, ...`: every query reads activities under the alias `a`.
fn columns() -> &'static str {
    static LIST: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        COLUMNS
            .iter()
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    });
    &LIST
}

/// The stored fields of an activity, validated by the domain layer.
pub struct ActivityFields<'a> {
    pub engagement_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub country_iso3: &'a str,
    pub place: &'a str,
    pub participants_total: i64,
    pub participants_female: i64,
    pub participants_male: i64,
    pub target_group: &'a str,
    pub description: &'a str,
}

/// What an activity list may be narrowed by; codes are resolved already.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    pub engagement_id: Option<i64>,
    pub programme_code: Option<String>,
    /// Activities of engagements this organisation funds (IATI role 1).
    pub donor_id: Option<i64>,
    pub country_iso3: Option<String>,
    pub area: Option<Area>,
    pub kind: Option<String>,
    /// Activities ending on or after this date.
    pub from: Option<String>,
    /// Activities starting on or before this date.
    pub to: Option<String>,
    pub target_group: Option<String>,
    pub search: Option<String>,
    pub include_archived: bool,
}

fn where_clause(scope: &Scope, f: &ActivityFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    sql.append(&scope.engagements("a.engagement_id"));
    if !f.include_archived {
        sql.push(" and a.archived_at is null");
    }
    match f.engagement_id {
        Some(e) => {
            sql.push(" and a.engagement_id = ").bind(e);
        }
        // Across engagements, an archived engagement's activities go with it, as they do from
        // summaries and exports.
        None if !f.include_archived => {
            sql.push(
                " and a.engagement_id in (select id from engagements where archived_at is null)",
            );
        }
        None => {}
    }
    if let Some(code) = &f.programme_code {
        sql.push(
            " and a.engagement_id in (select e.id from engagements e \
             join programmes p on p.id = e.programme_id where p.code = ",
        )
        .bind(code)
        .push(")");
    }
    if let Some(d) = f.donor_id {
        sql.push(
            " and a.engagement_id in (select engagement_id from engagement_organisations \
             where role_code = '1' and organisation_id = ",
        )
        .bind(d)
        .push(")");
    }
    if let Some(c) = &f.country_iso3 {
        sql.push(" and a.country_iso3 = ").bind(c);
    }
    if let Some(area) = &f.area {
        sql.push(" and ").append(&area.contains("a.country_iso3"));
    }
    if let Some(k) = &f.kind {
        sql.push(" and a.kind = ").bind(k);
    }
    // Overlap of [from, to] with [start_date, end_date]; ISO dates compare as text.
    if let Some(from) = &f.from {
        sql.push(" and a.end_date >= ").bind(from);
    }
    if let Some(to) = &f.to {
        sql.push(" and a.start_date <= ").bind(to);
    }
    if let Some(t) = &f.target_group {
        sql.push(" and ").contains_text(&["a.target_group"], t);
    }
    if let Some(s) = &f.search {
        sql.push(" and ")
            .contains_text(&["a.title", "a.description"], s);
    }
    sql
}

/// A page in `start_date desc, id desc` order after the keyset `(start_date, id)`.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &ActivityFilter,
    after: Option<(String, i64)>,
    limit: i64,
) -> AppResult<Vec<ActivityRow>> {
    let mut sql = Sql::new(&format!("select {} from activities a", columns()));
    sql.append(&where_clause(scope, f));
    if let Some((start, id)) = after {
        sql.push(" and (a.start_date < ")
            .bind(&start)
            .push(" or (a.start_date = ")
            .bind(start)
            .push(" and a.id < ")
            .bind(id)
            .push("))");
    }
    sql.push(" order by a.start_date desc, a.id desc limit ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &ActivityFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from activities a");
    sql.append(&where_clause(scope, f));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

/// Activities by id within the scope, archived ones included (a direct lookup still finds them).
pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    ids: &[i64],
) -> AppResult<Vec<ActivityRow>> {
    let mut sql = Sql::new(&format!(
        "select {} from activities a where a.id in ",
        columns()
    ));
    sql.bind_list(ids)
        .append(&scope.engagements("a.engagement_id"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<ActivityRow>> {
    Ok(by_ids(ex, scope, &[id]).await?.pop())
}

/// The first `limit` live activities of each given engagement, by start date: one statement,
/// each engagement's rows read through its index, whatever the number of activities behind it.
/// Ordered as the engagements were given, then by start date and id.
pub async fn first_of_engagements(
    db: &super::Db,
    scope: &Scope,
    engagement_ids: &[i64],
    limit: i64,
) -> AppResult<Vec<ActivityRow>> {
    if engagement_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = Sql::first_per_parent(db.backend(), engagement_ids, |parent| {
        let mut one = Sql::new(&format!(
            "select {} from activities a where a.archived_at is null and a.engagement_id = ",
            columns()
        ));
        one.append(&parent)
            .append(&scope.engagements("a.engagement_id"))
            .push(" order by a.start_date, a.id limit ")
            .bind(limit);
        one
    });
    let mut rows: Vec<ActivityRow> = db.read_all(&sql).await?;
    // Sorted by where each engagement stands in the list given: both engines return the rows in
    // that order already, and a sort that finds one run moves nothing (sorting by engagement id
    // moved every row several times, each a few hundred bytes: 4% of a nested list's time).
    let place: std::collections::HashMap<i64, usize> = engagement_ids
        .iter()
        .enumerate()
        .map(|(n, id)| (*id, n))
        .collect();
    let at = |id: i64| place.get(&id).copied().unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        (at(a.engagement_id), &a.start_date, a.id).cmp(&(at(b.engagement_id), &b.start_date, b.id))
    });
    Ok(rows)
}

/// How many live activities each given engagement has (from the pre-computed totals).
pub async fn counts_of_engagements<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    engagement_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    let mut sql = Sql::new(
        "select engagement_id, cast(sum(activities) as bigint) from activity_totals \
         where engagement_id in ",
    );
    sql.bind_list(engagement_ids)
        .push(" group by engagement_id");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// `(activity, result)` pairs for the given activities.
pub async fn result_links<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    activity_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    super::scope::links(
        ex,
        "activity_results",
        "activity_id",
        "result_id",
        activity_ids,
    )
    .await
}

/// `(activity, result)` pairs for the given activities, naming only live results the caller may
/// read (a donor does not see programme-level results).
pub async fn visible_results<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    activity_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    let mut sql = Sql::new(
        "select l.activity_id, l.result_id from activity_results l \
         join results r on r.id = l.result_id where r.archived_at is null and l.activity_id in ",
    );
    sql.bind_list(activity_ids)
        .append(&scope.results("r.id"))
        .push(" order by l.activity_id, l.result_id");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// `(activity, document)` pairs for the given activities.
pub async fn document_links<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    activity_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    super::scope::links(
        ex,
        "activity_documents",
        "activity_id",
        "document_id",
        activity_ids,
    )
    .await
}

/// Which of `ids` are live results of the engagement or of its programme. Read directly here
/// rather than through the results module, so activities do not depend on its API.
pub async fn results_within<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
    engagement_id: i64,
    programme_id: i64,
) -> AppResult<Vec<i64>> {
    let mut sql = Sql::new("select id from results where archived_at is null and id in ");
    sql.bind_list(ids)
        .push(" and (engagement_id = ")
        .bind(engagement_id)
        .push(" or programme_id = ")
        .bind(programme_id)
        .push(")");
    let rows: Vec<(i64,)> = sql.query_as().fetch_all(ex).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The M49 region an engagement names as its recipient, if any.
pub async fn engagement_region<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    engagement_id: i64,
) -> AppResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("select recipient_region_code from engagements where id = $1")
            .bind(engagement_id)
            .fetch_optional(ex)
            .await?;
    Ok(row.and_then(|(r,)| r))
}

/// Whether a country lies inside an area.
pub async fn area_contains<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    area: &Area,
    iso3: &str,
) -> AppResult<bool> {
    let mut sql = Sql::new("select count(*) from countries c where c.iso3 = ");
    sql.bind(iso3)
        .push(" and ")
        .append(&area.contains("c.iso3"));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n > 0)
}

pub async fn insert(tx: &mut super::Tx, f: &ActivityFields<'_>) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into activities (engagement_id, kind, title, start_date, end_date, country_iso3, \
         place, participants_total, participants_female, participants_male, target_group, \
         description, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) returning id",
    )
    .bind(f.engagement_id)
    .bind(f.kind)
    .bind(f.title)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(f.country_iso3)
    .bind(f.place)
    .bind(f.participants_total)
    .bind(f.participants_female)
    .bind(f.participants_male)
    .bind(f.target_group)
    .bind(f.description)
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    super::engagements::lock(tx, &[f.engagement_id]).await?;
    let entering = totals::contribution(tx, id).await?;
    totals::shift(tx, None, entering.as_ref()).await?;
    Ok(id)
}

/// The engagement an activity is logged under, if the activity exists.
pub async fn engagement_of(tx: &mut super::Tx, id: i64) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("select engagement_id from activities where id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(e,)| e))
}

/// Replaces an activity's fields at `version`; false when the version is stale.
pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &ActivityFields<'_>,
) -> AppResult<bool> {
    let mut engagements = vec![f.engagement_id];
    engagements.extend(engagement_of(tx, id).await?);
    super::engagements::lock(tx, &engagements).await?;
    let leaving = totals::contribution(tx, id).await?;
    let done = sqlx::query(
        "update activities set engagement_id = $1, kind = $2, title = $3, start_date = $4, \
         end_date = $5, country_iso3 = $6, place = $7, participants_total = $8, \
         participants_female = $9, participants_male = $10, target_group = $11, \
         description = $12, version = version + 1, updated_at = $13 \
         where id = $14 and version = $15",
    )
    .bind(f.engagement_id)
    .bind(f.kind)
    .bind(f.title)
    .bind(f.start_date)
    .bind(f.end_date)
    .bind(f.country_iso3)
    .bind(f.place)
    .bind(f.participants_total)
    .bind(f.participants_female)
    .bind(f.participants_male)
    .bind(f.target_group)
    .bind(f.description)
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let entering = totals::contribution(tx, id).await?;
    totals::shift(tx, leaving.as_ref(), entering.as_ref()).await?;
    Ok(true)
}
