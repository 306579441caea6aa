//! What one page of IATI activities needs from the database: a fixed number of statements per
//! page of engagements, never one per engagement.

use std::collections::HashMap;

use sqlx::{AnyPool, FromRow};

use crate::error::AppResult;
use crate::storage::engagements::{self, Children, EngagementRow};
use crate::storage::scope::Scope;
use crate::storage::sql::Sql;
use crate::storage::{Flag, documents::DocumentRow};

#[derive(Clone, Debug, FromRow)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub org_type: String,
    pub iati_ref: Option<String>,
}

#[derive(Clone, Debug, FromRow)]
pub struct ResultRow {
    pub id: i64,
    pub engagement_id: i64,
    pub result_type: String,
    pub title: String,
    pub description: String,
}

#[derive(Clone, Debug, FromRow)]
pub struct IndicatorRow {
    pub id: i64,
    pub result_id: i64,
    pub title: String,
    pub description: String,
    pub measure: String,
    pub ascending: Flag,
    pub aggregation: String,
    /// The UN SDG indicator it reports against, e.g. "16.3.2".
    pub sdg_indicator: Option<String>,
    pub baseline_year: Option<i64>,
    pub baseline_date: Option<String>,
    pub baseline_value: Option<f64>,
    pub baseline_comment: String,
}

#[derive(Clone, Debug, FromRow)]
pub struct ValueRow {
    pub indicator_id: i64,
    pub kind: String,
    pub period_start: String,
    pub period_end: String,
    pub value: Option<f64>,
    pub country_iso3: Option<String>,
    pub dimension_name: String,
    pub dimension_value: String,
    pub comment: String,
}

/// Everything the activities of one page refer to, keyed for lookup while writing.
#[derive(Default)]
pub struct Details {
    pub children: HashMap<i64, Children>,
    pub organisations: HashMap<i64, Organisation>,
    /// ISO 3166-1 alpha-3 → alpha-2, which IATI uses.
    pub iso2: HashMap<String, String>,
    pub documents: HashMap<i64, Vec<DocumentRow>>,
    pub results: HashMap<i64, Vec<ResultRow>>,
    pub indicators: HashMap<i64, Vec<IndicatorRow>>,
    pub values: HashMap<i64, Vec<ValueRow>>,
    /// Per engagement, the latest write to anything its activity shows besides the
    /// engagement's own row; absent when there is none.
    pub changed_at: HashMap<i64, String>,
}

/// A page of live engagements the caller may read, in start order after the keyset `after`
/// (`active_from`, id): the same keyset the API's engagement list uses.
pub async fn page(
    pool: &AnyPool,
    scope: &Scope,
    filter: &engagements::EngagementFilter,
    after: Option<(String, i64)>,
    limit: i64,
) -> AppResult<Vec<EngagementRow>> {
    engagements::list(
        pool,
        scope,
        filter,
        engagements::EngagementOrder::StartAsc,
        after,
        limit,
    )
    .await
}

/// Loads what the given engagements refer to: their lists, organisations, countries,
/// documents, and live results with their live indicators and values.
pub async fn details(pool: &AnyPool, scope: &Scope, ids: &[i64]) -> AppResult<Details> {
    let mut d = Details {
        children: engagements::children(pool, ids).await?,
        ..Details::default()
    };

    let org_ids: Vec<i64> = d
        .children
        .values()
        .flat_map(|c| c.participants.iter().map(|p| p.organisation_id))
        .collect();
    let mut sql = Sql::new("select id, name, org_type, iati_ref from organisations where id in ");
    sql.bind_list(&org_ids);
    for o in sql.query_as::<Organisation>().fetch_all(pool).await? {
        d.organisations.insert(o.id, o);
    }

    let iso3: Vec<String> = d
        .children
        .values()
        .flat_map(|c| c.countries.iter().map(|s| s.country_iso3.clone()))
        .collect();
    let mut sql = Sql::new("select iso3, iso2 from countries where iso3 in ");
    sql.bind_list(&iso3);
    d.iso2 = sql
        .query_as::<(String, String)>()
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();

    for (owner, doc) in
        crate::storage::documents::linked(pool, "engagement_documents", "engagement_id", ids)
            .await?
    {
        d.documents.entry(owner).or_default().push(doc);
    }

    let mut sql = Sql::new(
        "select r.id, r.engagement_id, r.result_type, r.title, r.description from results r \
         where r.archived_at is null and r.engagement_id in ",
    );
    sql.bind_list(ids)
        .append(&scope.results("r.id"))
        .push(" order by r.engagement_id, r.id");
    let results = sql.query_as::<ResultRow>().fetch_all(pool).await?;
    let result_ids: Vec<i64> = results.iter().map(|r| r.id).collect();
    for r in results {
        d.results.entry(r.engagement_id).or_default().push(r);
    }

    let mut sql = Sql::new(
        "select i.id, i.result_id, i.title, i.description, i.measure, i.ascending, \
         i.aggregation, i.sdg_indicator, i.baseline_year, i.baseline_date, i.baseline_value, \
         i.baseline_comment from indicators i where i.archived_at is null and i.result_id in ",
    );
    sql.bind_list(&result_ids)
        .append(&scope.indicators("i.id"))
        .push(" order by i.result_id, i.id");
    let indicators = sql.query_as::<IndicatorRow>().fetch_all(pool).await?;
    let indicator_ids: Vec<i64> = indicators.iter().map(|i| i.id).collect();
    for i in indicators {
        d.indicators.entry(i.result_id).or_default().push(i);
    }

    // IATI wants every target of a period before its actuals, so `kind` sorts after the period.
    let mut sql = Sql::new(
        "select indicator_id, kind, period_start, period_end, value, country_iso3, \
         dimension_name, dimension_value, comment from indicator_values \
         where archived_at is null and indicator_id in ",
    );
    sql.bind_list(&indicator_ids).push(
        " order by indicator_id, period_start, period_end, kind desc, \
         coalesce(country_iso3, ''), dimension_name, dimension_value, id",
    );
    for v in sql.query_as::<ValueRow>().fetch_all(pool).await? {
        d.values.entry(v.indicator_id).or_default().push(v);
    }
    d.changed_at = changed_at(pool, ids).await?;
    Ok(d)
}

/// Per engagement, the latest `updated_at` of its results, their indicators and values, its
/// documents and its organisations, in one statement.
///
/// Archived results, indicators and documents count too: archiving writes `updated_at`, and a
/// record leaving the activity is a change its readers must see as much as one arriving. The
/// engagement row itself is left out, as the caller has it. No scope is applied: the page holds
/// only engagements the caller may read, and all of this belongs to them. Timestamps are stored
/// as RFC 3339 text in UTC with microseconds on both engines (`storage::timestamp`), so the
/// greatest text is the latest time.
async fn changed_at(pool: &AnyPool, ids: &[i64]) -> AppResult<HashMap<i64, String>> {
    let mut sql = Sql::new(
        "select engagement_id, max(changed_at) from (\
         select r.engagement_id, r.updated_at as changed_at from results r \
         where r.engagement_id in ",
    );
    sql.bind_list(ids).push(
        " union all select r.engagement_id, i.updated_at from indicators i \
         join results r on r.id = i.result_id where r.engagement_id in ",
    );
    sql.bind_list(ids).push(
        " union all select r.engagement_id, v.updated_at from indicator_values v \
         join indicators i on i.id = v.indicator_id join results r on r.id = i.result_id \
         where r.engagement_id in ",
    );
    sql.bind_list(ids).push(
        " union all select l.engagement_id, d.updated_at from engagement_documents l \
         join documents d on d.id = l.document_id where l.engagement_id in ",
    );
    sql.bind_list(ids).push(
        " union all select l.engagement_id, o.updated_at from engagement_organisations l \
         join organisations o on o.id = l.organisation_id where l.engagement_id in ",
    );
    sql.bind_list(ids).push(") t group by engagement_id");
    Ok(sql
        .query_as::<(i64, String)>()
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect())
}
