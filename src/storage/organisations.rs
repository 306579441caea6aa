//! Organisations: governments, UN entities, donors, NGOs.

use sqlx::{Any, Executor, FromRow};

use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct OrganisationRow {
    pub id: i64,
    pub name: String,
    pub org_type: String,
    pub iati_ref: Option<String>,
    pub country_iso3: Option<String>,
    pub version: i64,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str =
    "id, name, org_type, iati_ref, country_iso3, version, archived_at, created_at, updated_at";

/// The fields an organisation is written with.
pub struct OrganisationFields<'a> {
    pub name: &'a str,
    pub org_type: &'a str,
    pub iati_ref: Option<&'a str>,
    pub country_iso3: Option<&'a str>,
}

#[derive(Clone, Debug, Default)]
pub struct OrganisationFilter {
    pub search: Option<String>,
    pub org_type: Option<String>,
    pub country_iso3: Option<String>,
    pub include_archived: bool,
}

impl OrganisationFilter {
    fn where_clause(&self) -> Sql {
        let mut sql = Sql::new(" where 1 = 1");
        if !self.include_archived {
            sql.push(" and archived_at is null");
        }
        if let Some(search) = &self.search {
            sql.push(" and (")
                .contains_text(&["name"], search)
                .push(" or lower(coalesce(iati_ref, '')) = ")
                .bind(search.to_lowercase())
                .push(")");
        }
        if let Some(t) = &self.org_type {
            sql.push(" and org_type = ").bind(t);
        }
        if let Some(c) = &self.country_iso3 {
            sql.push(" and country_iso3 = ").bind(c);
        }
        sql
    }
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    filter: &OrganisationFilter,
    after: Option<(String, i64)>,
    limit: i64,
) -> AppResult<Vec<OrganisationRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from organisations"));
    sql.append(&filter.where_clause());
    if let Some((name, id)) = after {
        sql.push(" and (name > ")
            .bind(&name)
            .push(" or (name = ")
            .bind(name)
            .push(" and id > ")
            .bind(id)
            .push("))");
    }
    sql.push(" order by name, id limit ").bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    filter: &OrganisationFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from organisations");
    sql.append(&filter.where_clause());
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

pub async fn by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
) -> AppResult<Vec<OrganisationRow>> {
    let mut sql = Sql::new(&format!("select {COLUMNS} from organisations where id in "));
    sql.bind_list(ids);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn find<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> AppResult<Option<OrganisationRow>> {
    let sql = format!("select {COLUMNS} from organisations where id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(ex).await?)
}

pub async fn find_by_iati_ref<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    iati_ref: &str,
) -> AppResult<Option<OrganisationRow>> {
    let sql = format!("select {COLUMNS} from organisations where iati_ref = $1");
    Ok(sqlx::query_as(&sql)
        .bind(iati_ref)
        .fetch_optional(ex)
        .await?)
}

/// The live organisation named like UNODC (`name`, `iati_ref`), one with an IATI reference first:
/// the reporting organisation when none is configured.
pub async fn named_like_unodc<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> AppResult<Option<(String, Option<String>)>> {
    Ok(sqlx::query_as(
        "select name, iati_ref from organisations where archived_at is null \
         and upper(name) like '%UNODC%' order by iati_ref is null, id limit 1",
    )
    .fetch_optional(ex)
    .await?)
}

pub async fn insert(tx: &mut super::Tx, f: &OrganisationFields<'_>) -> AppResult<i64> {
    let now = super::now();
    let (id,): (i64,) = sqlx::query_as(
        "insert into organisations (name, org_type, iati_ref, country_iso3, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(f.name)
    .bind(f.org_type)
    .bind(f.iati_ref)
    .bind(f.country_iso3)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Updates when `version` is current; returns whether it was.
pub async fn update(
    tx: &mut super::Tx,
    id: i64,
    version: i64,
    f: &OrganisationFields<'_>,
) -> AppResult<bool> {
    let done = sqlx::query(
        "update organisations set name = $1, org_type = $2, iati_ref = $3, country_iso3 = $4, \
         version = version + 1, updated_at = $5 where id = $6 and version = $7",
    )
    .bind(f.name)
    .bind(f.org_type)
    .bind(f.iati_ref)
    .bind(f.country_iso3)
    .bind(super::now())
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
