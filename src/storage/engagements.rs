//! Engagements: technical assistance by a programme in one or more countries, with IATI-style
//! participating organisations, sectors, SDG targets, policy markers and budgets.

use sqlx::{Any, Executor, FromRow};

use super::scope::Scope;
use super::sql::Sql;
use super::{Backend, Tx};
use crate::error::AppResult;

mod children;

pub use children::{
    Budget, ChildList, Children, CountryShare, Participant, PolicyMarker, SectorShare, children,
    children_of, replace_children,
};

/// What records under an engagement need to know of it: its programme and countries.
#[derive(Clone, Debug)]
pub struct EngagementContext {
    pub id: i64,
    pub programme_id: i64,
    pub programme_code: String,
    pub countries: Vec<String>,
    pub archived: bool,
}

/// The context of an engagement the caller may read, if it exists.
pub async fn context<'e, E>(ex: E, scope: &Scope, id: i64) -> AppResult<Option<EngagementContext>>
where
    E: Executor<'e, Database = Any> + Copy,
{
    #[derive(FromRow)]
    struct Row {
        id: i64,
        programme_id: i64,
        code: String,
        archived_at: Option<String>,
    }
    let mut sql = Sql::new(
        "select e.id, e.programme_id, p.code, e.archived_at from engagements e \
         join programmes p on p.id = e.programme_id where e.id = ",
    );
    sql.bind(id).append(&scope.engagements("e.id"));
    let Some(row) = sql.query_as::<Row>().fetch_optional(ex).await? else {
        return Ok(None);
    };
    Ok(Some(EngagementContext {
        id: row.id,
        programme_id: row.programme_id,
        programme_code: row.code,
        countries: recipient_countries(ex, id).await?,
        archived: row.archived_at.is_some(),
    }))
}

/// An engagement's recipient countries (ISO3), in code order.
async fn recipient_countries<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> AppResult<Vec<String>> {
    let countries: Vec<(String,)> = sqlx::query_as(
        "select country_iso3 from engagement_countries where engagement_id = $1 order by country_iso3",
    )
    .bind(id)
    .fetch_all(ex)
    .await?;
    Ok(countries.into_iter().map(|(c,)| c).collect())
}

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct EngagementRow {
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    pub description: String,
    pub objectives: String,
    pub iati_identifier: Option<String>,
    pub status_code: String,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub active_from: String,
    pub active_to: Option<String>,
    pub recipient_region_code: Option<String>,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "e.id, e.programme_id, e.title, e.description, e.objectives, \
    e.iati_identifier, e.status_code, e.planned_start, e.planned_end, e.actual_start, \
    e.actual_end, e.active_from, e.active_to, e.recipient_region_code, e.version, e.archived_at, \
    e.created_at, e.updated_at";

/// The main fields of an engagement as written.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EngagementFields {
    pub programme_id: i64,
    pub title: String,
    pub description: String,
    pub objectives: String,
    pub iati_identifier: Option<String>,
    pub status_code: String,
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub active_from: String,
    pub active_to: Option<String>,
    pub recipient_region_code: Option<String>,
}

/// What an engagement list may be narrowed by.
#[derive(Clone, Debug, Default)]
pub struct EngagementFilter {
    pub programme_id: Option<i64>,
    pub country_iso3: Option<String>,
    pub area: Option<super::geography::Area>,
    pub status_code: Option<String>,
    pub donor_id: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub search: Option<String>,
    pub include_archived: bool,
}

/// The orders an engagement list comes in; each is a keyset `(key, id)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngagementOrder {
    StartDesc,
    StartAsc,
    Title,
}

impl EngagementOrder {
    fn key(self) -> &'static str {
        match self {
            EngagementOrder::StartDesc | EngagementOrder::StartAsc => "e.active_from",
            EngagementOrder::Title => "e.title",
        }
    }
    fn descending(self) -> bool {
        self == EngagementOrder::StartDesc
    }
}

/// `and ...`: engagements `e` with `country` among their recipients, and with a recipient
/// country in `area` or a recipient region inside it (the membership summaries count by), as
/// the engagements list and the exports select them.
pub(crate) fn in_place(
    sql: &mut Sql,
    country: Option<&str>,
    area: Option<&super::geography::Area>,
) {
    if let Some(c) = country {
        sql.push(
            " and e.id in (select engagement_id from engagement_countries where country_iso3 = ",
        )
        .bind(c)
        .push(")");
    }
    if let Some(area) = area {
        sql.push(" and (e.id in (select engagement_id from engagement_countries where ")
            .append(&area.contains("country_iso3"))
            .push(") or ")
            .append(&area.codes_within("e.recipient_region_code"))
            .push(")");
    }
}

fn where_clause(scope: &Scope, f: &EngagementFilter) -> Sql {
    let mut sql = Sql::new(" where 1 = 1");
    sql.append(&scope.engagements("e.id"));
    if !f.include_archived {
        sql.push(" and e.archived_at is null");
    }
    if let Some(p) = f.programme_id {
        sql.push(" and e.programme_id = ").bind(p);
    }
    in_place(&mut sql, f.country_iso3.as_deref(), f.area.as_ref());
    if let Some(s) = &f.status_code {
        sql.push(" and e.status_code = ").bind(s);
    }
    if let Some(d) = f.donor_id {
        sql.push(
            " and e.id in (select engagement_id from engagement_organisations \
             where role_code = '1' and organisation_id = ",
        )
        .bind(d)
        .push(")");
    }
    // Overlap with [from, to]: active_to null means ongoing.
    if let Some(from) = &f.from {
        sql.push(" and (e.active_to is null or e.active_to >= ")
            .bind(from)
            .push(")");
    }
    if let Some(to) = &f.to {
        sql.push(" and e.active_from <= ").bind(to);
    }
    if let Some(s) = &f.search {
        let columns = [
            "e.title",
            "e.description",
            "e.objectives",
            "coalesce(e.iati_identifier, '')",
        ];
        sql.push(" and ").contains_text(&columns, s);
    }
    sql
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &EngagementFilter,
    order: EngagementOrder,
    after: Option<(String, i64)>,
    limit: i64,
) -> AppResult<Vec<EngagementRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from engagements e"));
    sql.append(&where_clause(scope, f));
    let (key, cmp, dir) = if order.descending() {
        (order.key(), "<", "desc")
    } else {
        (order.key(), ">", "asc")
    };
    if let Some((k, id)) = after {
        sql.push(&format!(" and ({key} {cmp} "))
            .bind(&k)
            .push(&format!(" or ({key} = "))
            .bind(k)
            .push(&format!(" and e.id {cmp} "))
            .bind(id)
            .push("))");
    }
    sql.push(&format!(" order by {key} {dir}, e.id {dir} limit "))
        .bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &EngagementFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from engagements e");
    sql.append(&where_clause(scope, f));
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

/// Up to `limit` engagements among those `f` selects whose own IATI identifier does not begin
/// with `prefix`, as (id, identifier), by id.
pub async fn identifiers_outside<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    f: &EngagementFilter,
    prefix: &str,
    limit: i64,
) -> AppResult<Vec<(i64, String)>> {
    let mut sql = Sql::new("select e.id, e.iati_identifier from engagements e");
    sql.append(&where_clause(scope, f))
        .push(" and e.iati_identifier is not null and substr(e.iati_identifier, 1, cast(")
        .bind(prefix.chars().count() as i64)
        .push(" as integer)) <> ")
        .bind(prefix.to_string())
        .push(" order by e.id limit ")
        .bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    ids: &[i64],
) -> AppResult<Vec<EngagementRow>> {
    let mut sql = Sql::new(&format!(
        "select {COLUMNS} from engagements e where e.id in "
    ));
    sql.bind_list(ids).append(&scope.engagements("e.id"));
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: i64,
) -> AppResult<Option<EngagementRow>> {
    Ok(by_ids(ex, scope, &[id]).await?.pop())
}

/// The first `limit` live engagements of each given programme, most recent start first: one
/// statement, each programme's rows read through its index. Ordered by programme, then most
/// recent start first.
pub async fn first_of_programmes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    backend: Backend,
    scope: &Scope,
    programme_ids: &[i64],
    limit: i64,
) -> AppResult<Vec<EngagementRow>> {
    if programme_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = Sql::first_per_parent(backend, programme_ids, |parent| {
        let mut one = Sql::new(&format!(
            "select {COLUMNS} from engagements e where e.archived_at is null \
             and e.programme_id = "
        ));
        one.append(&parent)
            .append(&scope.engagements("e.id"))
            .push(" order by e.active_from desc, e.id desc limit ")
            .bind(limit);
        one
    });
    let mut rows: Vec<EngagementRow> = sql.query_as().fetch_all(ex).await?;
    rows.sort_by(|a, b| {
        a.programme_id
            .cmp(&b.programme_id)
            .then_with(|| (&b.active_from, b.id).cmp(&(&a.active_from, a.id)))
    });
    Ok(rows)
}

/// How many live engagements the caller may see in each given programme.
pub async fn counts_of_programmes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    programme_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    let mut sql = Sql::new(
        "select e.programme_id, count(*) from engagements e \
         where e.archived_at is null and e.programme_id in ",
    );
    sql.bind_list(programme_ids)
        .append(&scope.engagements("e.id"))
        .push(" group by e.programme_id");
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn insert(tx: &mut super::Tx, f: &EngagementFields) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into engagements (programme_id, title, description, objectives, iati_identifier, \
         status_code, planned_start, planned_end, actual_start, actual_end, active_from, active_to, \
         recipient_region_code, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) returning id",
    )
    .bind(f.programme_id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.objectives)
    .bind(f.iati_identifier.as_deref())
    .bind(&f.status_code)
    .bind(f.planned_start.as_deref())
    .bind(f.planned_end.as_deref())
    .bind(f.actual_start.as_deref())
    .bind(f.actual_end.as_deref())
    .bind(&f.active_from)
    .bind(f.active_to.as_deref())
    .bind(f.recipient_region_code.as_deref())
    .bind(super::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &EngagementFields,
) -> AppResult<bool> {
    let done = sqlx::query(
        "update engagements set programme_id = $1, title = $2, description = $3, objectives = $4, \
         iati_identifier = $5, status_code = $6, planned_start = $7, planned_end = $8, \
         actual_start = $9, actual_end = $10, active_from = $11, active_to = $12, \
         recipient_region_code = $13, updated_at = $14, version = version + 1 \
         where id = $15 and version = $16",
    )
    .bind(f.programme_id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.objectives)
    .bind(f.iati_identifier.as_deref())
    .bind(&f.status_code)
    .bind(f.planned_start.as_deref())
    .bind(f.planned_end.as_deref())
    .bind(f.actual_start.as_deref())
    .bind(f.actual_end.as_deref())
    .bind(&f.active_from)
    .bind(f.active_to.as_deref())
    .bind(f.recipient_region_code.as_deref())
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The countries where the engagement's live activities, or the per-country values of its live
/// indicators, lie outside `countries` and the region `region`: what a change of its recipients
/// would strand.
pub async fn places_in_use_outside<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    countries: &[String],
    region: Option<&str>,
) -> AppResult<Vec<String>> {
    let outside = |column: &str| {
        let mut sql = Sql::new("");
        if !countries.is_empty() {
            sql.push(" and ").push(column).push(" not in ");
            sql.bind_list(countries);
        }
        if let Some(code) = region {
            sql.push(" and not (")
                .append(&super::geography::Area::Region(code.to_string()).contains(column))
                .push(")");
        }
        sql
    };
    let mut sql = Sql::new(
        "select a.country_iso3 from activities a where a.archived_at is null \
         and a.engagement_id = ",
    );
    sql.bind(id)
        .append(&outside("a.country_iso3"))
        .push(
            " union select v.country_iso3 from indicator_values v \
             join indicators i on i.id = v.indicator_id join results r on r.id = i.result_id \
             where v.country_iso3 is not null and v.archived_at is null \
             and i.archived_at is null and r.archived_at is null and r.engagement_id = ",
        )
        .bind(id)
        .append(&outside("v.country_iso3"))
        .push(" order by 1");
    let rows: Vec<(String,)> = sql.query_as().fetch_all(ex).await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// Locks these engagements for the rest of `tx` against other writers of their activity totals,
/// recipients, values and archiving (PostgreSQL; in id order, so writers under two engagements
/// cannot deadlock). SQLite writers take turns anyway. Returns the ids in that order, once each.
pub async fn lock(tx: &mut Tx, engagement_ids: &[i64]) -> AppResult<Vec<i64>> {
    let mut ids = engagement_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if tx.backend_name() == "PostgreSQL" && !ids.is_empty() {
        let mut lock = Sql::new("select id from engagements where id in ");
        lock.bind_list(&ids).push(" order by id for no key update");
        lock.query().fetch_all(&mut **tx).await?;
    }
    Ok(ids)
}

/// Where an engagement's activities may take place, as it stands inside `tx`: its recipient
/// countries, its recipient region, and whether it is archived. `None` when it does not exist.
/// Where and when an engagement's activities may take place, read inside a write.
pub struct Placement {
    pub countries: Vec<String>,
    pub region: Option<String>,
    pub archived: bool,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
}

pub async fn recipients(tx: &mut super::Tx, engagement_id: i64) -> AppResult<Option<Placement>> {
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "select recipient_region_code, archived_at, actual_start, actual_end \
         from engagements where id = $1",
    )
    .bind(engagement_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((region, archived_at, actual_start, actual_end)) = row else {
        return Ok(None);
    };
    Ok(Some(Placement {
        countries: recipient_countries(&mut **tx, engagement_id).await?,
        region,
        archived: archived_at.is_some(),
        actual_start,
        actual_end,
    }))
}

/// The live activity of an engagement that begins first before `start`, and the one that ends
/// last after `end`, as (id, date): what a new actual start or end would leave outside it.
pub async fn activities_outside(
    tx: &mut Tx,
    id: i64,
    start: Option<&str>,
    end: Option<&str>,
) -> AppResult<(Option<(i64, String)>, Option<(i64, String)>)> {
    let before = match start {
        Some(day) => {
            sqlx::query_as(
                "select id, start_date from activities where archived_at is null \
                 and engagement_id = $1 and start_date < $2 order by start_date, id limit 1",
            )
            .bind(id)
            .bind(day)
            .fetch_optional(&mut **tx)
            .await?
        }
        None => None,
    };
    let after = match end {
        Some(day) => {
            sqlx::query_as(
                "select id, end_date from activities where archived_at is null \
                 and engagement_id = $1 and end_date > $2 order by end_date desc, id limit 1",
            )
            .bind(id)
            .bind(day)
            .fetch_optional(&mut **tx)
            .await?
        }
        None => None,
    };
    Ok((before, after))
}
