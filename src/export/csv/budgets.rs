//! `budgets.csv`: one row per budget line of a live engagement, with the engagement's
//! identifiers, status and recipients, and the budget's IATI type and status as the IATI export
//! writes them. A page is a run of engagements in id order (three statements, whatever their
//! number of budgets), so an engagement's lines stay together, by period.

use std::collections::HashMap;

use sqlx::{AnyPool, FromRow};

use super::{Filter, csv_error, number, text};
use crate::error::AppResult;
use crate::export::iati::{BUDGET_STATUS, BUDGET_TYPE};
use crate::storage::scope::Scope;
use crate::storage::sql::Sql;

pub const HEADER: &[&str] = &[
    "engagement_id",
    "iati_identifier",
    "engagement_title",
    "programme_code",
    "status",
    "status_name",
    "budget_type",
    "budget_type_name",
    "budget_status",
    "budget_status_name",
    "period_start",
    "period_end",
    "value",
    "currency",
    "value_date",
    "recipient_countries",
    "recipient_region",
    "recipient_region_name",
];

/// An engagement with a budget line the filter selects, with its labels.
#[derive(Clone, Debug, FromRow)]
struct EngagementRow {
    id: i64,
    iati_identifier: Option<String>,
    title: String,
    programme_code: String,
    status_code: String,
    status_name: Option<String>,
    recipient_region_code: Option<String>,
    recipient_region_name: Option<String>,
}

#[derive(Clone, Debug, FromRow)]
struct BudgetRow {
    engagement_id: i64,
    period_start: String,
    period_end: String,
    amount: f64,
    currency: String,
    value_date: String,
    type_name: Option<String>,
    status_name: Option<String>,
}

/// `and <budget column> ...`: the budget period overlapping [from, to]; ISO dates compare as text.
fn overlapping(sql: &mut Sql, f: &Filter, start: &str, end: &str) {
    if let Some(from) = &f.from {
        sql.push(&format!(" and {end} >= ")).bind(from);
    }
    if let Some(to) = &f.to {
        sql.push(&format!(" and {start} <= ")).bind(to);
    }
}

/// Live engagements after id `after` with a budget line in the period, in id order. Country and
/// region select engagements as the engagements list does: a recipient country there, or (for a
/// region) a recipient region inside it.
async fn engagements(
    pool: &AnyPool,
    scope: &Scope,
    f: &Filter,
    after: i64,
    limit: i64,
) -> AppResult<Vec<EngagementRow>> {
    let mut sql = Sql::new(
        "select e.id, e.iati_identifier, e.title, p.code as programme_code, e.status_code, \
         s.name as status_name, e.recipient_region_code, rg.name as recipient_region_name \
         from engagements e join programmes p on p.id = e.programme_id \
         left join codelist_items s on s.list = 'ActivityStatus' and s.code = e.status_code \
         left join regions rg on rg.code = e.recipient_region_code \
         where e.archived_at is null and e.id > ",
    );
    sql.bind(after).append(&scope.engagements("e.id"));
    if let Some(code) = &f.programme_code {
        sql.push(" and p.code = ").bind(code);
    }
    crate::storage::engagements::in_place(&mut sql, f.country_iso3.as_deref(), f.area.as_ref());
    sql.push(" and e.id in (select b.engagement_id from budgets b where 1 = 1");
    overlapping(&mut sql, f, "b.period_start", "b.period_end");
    sql.push(") order by e.id limit ").bind(limit);
    Ok(sql.query_as().fetch_all(pool).await?)
}

/// The budget lines of these engagements in the period, by engagement and period.
async fn budgets(pool: &AnyPool, f: &Filter, engagements: &[i64]) -> AppResult<Vec<BudgetRow>> {
    let mut sql = Sql::new(
        "select b.engagement_id, b.period_start, b.period_end, \
         cast(b.amount as double precision) as amount, b.currency, b.value_date, \
         t.name as type_name, s.name as status_name from budgets b \
         left join codelist_items t on t.list = 'BudgetType' and t.code = ",
    );
    sql.bind(BUDGET_TYPE)
        .push(" left join codelist_items s on s.list = 'BudgetStatus' and s.code = ")
        .bind(BUDGET_STATUS)
        .push(" where b.engagement_id in ")
        .bind_list(engagements);
    overlapping(&mut sql, f, "b.period_start", "b.period_end");
    sql.push(" order by b.engagement_id, b.period_start, b.period_end, b.id");
    Ok(sql.query_as().fetch_all(pool).await?)
}

/// `KAZ:60;UZB:40` for each engagement: its recipient countries (ISO3 order) with percentages.
async fn recipients(pool: &AnyPool, engagements: &[i64]) -> AppResult<HashMap<i64, String>> {
    let mut sql = Sql::new(
        "select engagement_id, country_iso3, cast(percentage as double precision) \
         from engagement_countries where engagement_id in ",
    );
    sql.bind_list(engagements)
        .push(" order by engagement_id, country_iso3");
    let rows: Vec<(i64, String, f64)> = sql.query_as().fetch_all(pool).await?;
    let mut out: HashMap<i64, String> = HashMap::new();
    for (e, iso3, share) in rows {
        let cell = out.entry(e).or_default();
        if !cell.is_empty() {
            cell.push(';');
        }
        cell.push_str(&format!("{iso3}:{}", number(Some(share))));
    }
    Ok(out)
}

/// One page of rows, the last engagement read and how many were read.
pub(super) async fn page(
    pool: &AnyPool,
    scope: &Scope,
    f: &Filter,
    w: &mut csv::Writer<Vec<u8>>,
    after: i64,
    limit: i64,
) -> AppResult<(Option<i64>, i64)> {
    let rows = engagements(pool, scope, f, after, limit).await?;
    if rows.is_empty() {
        return Ok((None, 0));
    }
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let lines = budgets(pool, f, &ids).await?;
    let countries = recipients(pool, &ids).await?;
    let by_id: HashMap<i64, &EngagementRow> = rows.iter().map(|e| (e.id, e)).collect();
    for b in &lines {
        let Some(e) = by_id.get(&b.engagement_id) else {
            continue;
        };
        w.write_record([
            e.id.to_string().as_str(),
            // Checked on entry, but free text for all a spreadsheet knows.
            &text(e.iati_identifier.as_deref().unwrap_or("")),
            &text(&e.title),
            &e.programme_code,
            &e.status_code,
            &text(e.status_name.as_deref().unwrap_or("")),
            BUDGET_TYPE,
            &text(b.type_name.as_deref().unwrap_or("")),
            BUDGET_STATUS,
            &text(b.status_name.as_deref().unwrap_or("")),
            &b.period_start,
            &b.period_end,
            &number(Some(b.amount)),
            &b.currency,
            &b.value_date,
            countries.get(&e.id).map(String::as_str).unwrap_or(""),
            e.recipient_region_code.as_deref().unwrap_or(""),
            &text(e.recipient_region_name.as_deref().unwrap_or("")),
        ])
        .map_err(csv_error)?;
    }
    Ok((ids.last().copied(), ids.len() as i64))
}
