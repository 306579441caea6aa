//! What one page of a CSV export needs from the database: a fixed number of statements per page,
//! never one per row. Every statement takes the caller's scope.

use sqlx::{AnyPool, FromRow};

use super::Filter;
use crate::error::AppResult;
use crate::storage::geography::Area;
use crate::storage::scope::Scope;
use crate::storage::sql::Sql;

/// An indicator with the labels of its result, engagement and programme.
#[derive(Clone, Debug, FromRow)]
pub struct IndicatorRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub measure: String,
    pub baseline_value: Option<f64>,
    pub result_id: i64,
    pub result_title: String,
    pub result_type: String,
    pub engagement_id: Option<i64>,
    pub engagement_title: Option<String>,
    pub programme_code: String,
}

/// One slot (indicator, period, country, disaggregation) with its target and actual side by side.
#[derive(Clone, Debug, FromRow)]
pub struct SlotRow {
    pub indicator_id: i64,
    pub period_start: String,
    pub period_end: String,
    pub country_iso3: Option<String>,
    pub country_name: Option<String>,
    pub dimension_name: String,
    pub dimension_value: String,
    pub target_value: Option<f64>,
    pub actual_value: Option<f64>,
    pub target_comment: Option<String>,
    pub actual_comment: Option<String>,
}

/// An activity with the labels of its engagement, programme, country and sub-region.
#[derive(Clone, Debug, FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub engagement_id: i64,
    pub engagement_title: String,
    pub programme_code: String,
    pub kind: String,
    pub title: String,
    pub start_date: String,
    pub end_date: String,
    pub country_iso3: String,
    pub country_name: String,
    pub sub_region: String,
    pub place: String,
    pub participants_total: i64,
    pub participants_female: i64,
    pub participants_male: i64,
    pub target_group: String,
}

/// Live indicators (of live results, of live engagements) after id `after`, in id order.
pub async fn indicators(
    pool: &AnyPool,
    scope: &Scope,
    f: &Filter,
    after: i64,
    limit: i64,
) -> AppResult<Vec<IndicatorRow>> {
    let mut sql = Sql::new(
        "select i.id, i.code, i.title, i.measure, i.baseline_value, r.id as result_id, \
         r.title as result_title, r.result_type, r.engagement_id, e.title as engagement_title, \
         p.code as programme_code from indicators i join results r on r.id = i.result_id \
         left join engagements e on e.id = r.engagement_id \
         join programmes p on p.id = coalesce(r.programme_id, e.programme_id) \
         where i.archived_at is null and r.archived_at is null \
         and (r.engagement_id is null or e.archived_at is null) and i.id > ",
    );
    sql.bind(after).append(&scope.indicators("i.id"));
    if let Some(code) = &f.programme_code {
        sql.push(" and p.code = ").bind(code);
    }
    sql.push(" order by i.id limit ").bind(limit);
    Ok(sql.query_as().fetch_all(pool).await?)
}

/// `(... or (no country and the engagement lies in the place))`: a value without a country is
/// the whole of its engagement, which lies where its recipient countries are or, for an
/// engagement recorded for a region, where that region is (`regions`: the region codes the
/// place holds, if any).
fn in_place(sql: &mut Sql, countries: impl Fn(&str) -> Sql, regions: Option<Sql>) {
    sql.push(" and (")
        .append(&countries("v.country_iso3"))
        .push(
            " or (v.country_iso3 is null and (r.engagement_id in \
             (select engagement_id from engagement_countries where ",
        )
        .append(&countries("country_iso3"))
        .push(")");
    if let Some(regions) = regions {
        sql.push(" or r.engagement_id in (select id from engagements where ")
            .append(&regions)
            .push(")");
    }
    sql.push(")))");
}

/// The slots of the given indicators matching the filter, targets and actuals paired.
pub async fn slots(
    pool: &AnyPool,
    scope: &Scope,
    f: &Filter,
    indicators: &[i64],
) -> AppResult<Vec<SlotRow>> {
    let mut sql = Sql::new(
        "select v.indicator_id, v.period_start, v.period_end, v.country_iso3, \
         c.name as country_name, v.dimension_name, v.dimension_value, \
         cast(max(case when v.kind = 'target' then v.value end) as double precision) as target_value, \
         cast(max(case when v.kind = 'actual' then v.value end) as double precision) as actual_value, \
         max(case when v.kind = 'target' then v.comment end) as target_comment, \
         max(case when v.kind = 'actual' then v.comment end) as actual_comment \
         from indicator_values v join indicators i on i.id = v.indicator_id \
         join results r on r.id = i.result_id \
         left join countries c on c.iso3 = v.country_iso3 \
         where v.archived_at is null and v.indicator_id in ",
    );
    sql.bind_list(indicators)
        .append(&scope.indicators("v.indicator_id"));
    if let Some(iso3) = &f.country_iso3 {
        in_place(
            &mut sql,
            |col| {
                let mut s = Sql::new(col);
                s.push(" = ").bind(iso3);
                s
            },
            None,
        );
    }
    // The world holds every value, country or not.
    if let Some(area) = f.area.as_ref().filter(|a| **a != Area::World) {
        let regions = area.codes_within("recipient_region_code");
        in_place(&mut sql, |col| area.contains(col), Some(regions));
    }
    if let Some(from) = &f.from {
        sql.push(" and v.period_end >= ").bind(from);
    }
    if let Some(to) = &f.to {
        sql.push(" and v.period_start <= ").bind(to);
    }
    sql.push(
        " group by v.indicator_id, v.period_start, v.period_end, v.country_iso3, c.name, \
         v.dimension_name, v.dimension_value \
         order by v.indicator_id, v.period_start, v.period_end, coalesce(v.country_iso3, ''), \
         v.dimension_name, v.dimension_value",
    );
    Ok(sql.query_as().fetch_all(pool).await?)
}

/// Live activities of live engagements matching the filter after id `after`, in id order.
pub async fn activities(
    pool: &AnyPool,
    scope: &Scope,
    f: &Filter,
    after: i64,
    limit: i64,
) -> AppResult<Vec<ActivityRow>> {
    let mut sql = Sql::new(
        "select a.id, a.engagement_id, e.title as engagement_title, p.code as programme_code, \
         a.kind, a.title, a.start_date, a.end_date, a.country_iso3, c.name as country_name, \
         coalesce(sr.name, '') as sub_region, a.place, a.participants_total, \
         a.participants_female, a.participants_male, a.target_group \
         from activities a join engagements e on e.id = a.engagement_id \
         join programmes p on p.id = e.programme_id \
         join countries c on c.iso3 = a.country_iso3 \
         left join regions sr on sr.code = c.sub_region_code \
         where a.archived_at is null and e.archived_at is null and a.id > ",
    );
    sql.bind(after)
        .append(&scope.engagements("a.engagement_id"));
    if let Some(code) = &f.programme_code {
        sql.push(" and p.code = ").bind(code);
    }
    if let Some(iso3) = &f.country_iso3 {
        sql.push(" and a.country_iso3 = ").bind(iso3);
    }
    if let Some(area) = &f.area {
        sql.push(" and ").append(&area.contains("a.country_iso3"));
    }
    // Overlap of [from, to] with the activity's dates; ISO dates compare as text.
    if let Some(from) = &f.from {
        sql.push(" and a.end_date >= ").bind(from);
    }
    if let Some(to) = &f.to {
        sql.push(" and a.start_date <= ").bind(to);
    }
    sql.push(" order by a.id limit ").bind(limit);
    Ok(sql.query_as().fetch_all(pool).await?)
}
