//! Countries, M49 regions and groupings.

use sqlx::{Any, Executor, FromRow};

use super::Flag;
use super::sql::Sql;
use crate::error::AppResult;

#[derive(Clone, Debug, FromRow)]
pub struct CountryRow {
    pub iso3: String,
    pub iso2: String,
    pub m49: String,
    pub name: String,
    pub un_member: Flag,
    pub region_code: Option<String>,
    pub sub_region_code: Option<String>,
    pub intermediate_region_code: Option<String>,
}

#[derive(Clone, Debug, FromRow)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
}

#[derive(Clone, Debug, FromRow)]
pub struct GroupingRow {
    pub code: String,
    pub name: String,
    pub description: String,
}

const COUNTRY_COLUMNS: &str = "iso3, iso2, m49, name, un_member, region_code, sub_region_code, \
                               intermediate_region_code";

/// A set of countries named by a code: the world, an M49 region at any level, or a grouping.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Area {
    World,
    Region(String),
    Grouping(String),
}

impl Area {
    /// `column in (...)`: the countries of this area, for any table with a country column.
    pub fn contains(&self, column: &str) -> Sql {
        let mut sql = Sql::new(column);
        match self {
            // Every country column references `countries`: any country is in the world.
            Area::World => sql.push(" is not null"),
            Area::Region(code) => sql
                .push(" in (select iso3 from countries where region_code = ")
                .bind(code)
                .push(" or sub_region_code = ")
                .bind(code)
                .push(" or intermediate_region_code = ")
                .bind(code)
                .push(")"),
            Area::Grouping(code) => sql
                .push(" in (select country_iso3 from grouping_countries where grouping_code = ")
                .bind(code)
                .push(")"),
        };
        sql
    }

    /// `column in (...)`: the region or grouping codes inside this area, for a column that
    /// records an area rather than a country (an engagement's recipient region, a lesson's
    /// area): the area itself and, for an M49 region, every region below it. The world holds
    /// every code.
    pub fn codes_within(&self, column: &str) -> Sql {
        let mut sql = Sql::new(column);
        match self {
            Area::World => sql.push(" is not null"),
            Area::Region(code) => sql
                .push(" in (select code from regions where code = ")
                .bind(code)
                .push(" or parent_code = ")
                .bind(code)
                .push(" or parent_code in (select code from regions where parent_code = ")
                .bind(code)
                .push("))"),
            Area::Grouping(code) => sql.push(" = ").bind(code),
        };
        sql
    }
}

/// Resolves an area code: "001" is the world, then M49 region codes, then grouping codes.
pub async fn find_area(pool: &sqlx::AnyPool, code: &str) -> AppResult<Option<Area>> {
    if code == "001" {
        return Ok(Some(Area::World));
    }
    let row: Option<(String, String)> = sqlx::query_as(
        "select 'region', code from regions where code = $1
         union all
         select 'grouping', code from groupings where code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await?;
    if let Some((kind, code)) = row {
        return Ok(Some(if kind == "region" {
            Area::Region(code)
        } else {
            Area::Grouping(code)
        }));
    }
    // A grouping code in another case (unodc-mena), as country and programme codes are taken,
    // when it names one grouping only: codes are registered as written, so two may differ by case.
    let rows: Vec<(String,)> =
        sqlx::query_as("select code from groupings where upper(code) = upper($1) limit 2")
            .bind(code)
            .fetch_all(pool)
            .await?;
    Ok(match rows.as_slice() {
        [(code,)] => Some(Area::Grouping(code.clone())),
        _ => None,
    })
}

/// The groupings whose codes are `code` in some case, when [`find_area`] found none because
/// there are several: for the refusal to name them.
pub async fn groupings_alike(pool: &sqlx::AnyPool, code: &str) -> AppResult<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("select code from groupings where upper(code) = upper($1) order by code")
            .bind(code)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

pub async fn find_country<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    code: &str,
) -> AppResult<Option<CountryRow>> {
    let sql =
        format!("select {COUNTRY_COLUMNS} from countries where iso3 = $1 or iso2 = $1 or m49 = $1");
    Ok(sqlx::query_as(&sql).bind(code).fetch_optional(ex).await?)
}

pub async fn countries_by_iso3<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    codes: &[String],
) -> AppResult<Vec<CountryRow>> {
    let mut sql = Sql::new(&format!(
        "select {COUNTRY_COLUMNS} from countries where iso3 in "
    ));
    sql.bind_list(codes);
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// The countries of the given M49 regions, at any depth below each, in one statement for the
/// `countries` of many regions: each country once, whichever of its regions were asked for.
pub async fn countries_of_regions<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    codes: &[String],
) -> AppResult<Vec<CountryRow>> {
    let mut sql = Sql::new(&format!(
        "select {COUNTRY_COLUMNS} from countries where region_code in "
    ));
    sql.bind_list(codes)
        .push(" or sub_region_code in ")
        .bind_list(codes)
        .push(" or intermediate_region_code in ")
        .bind_list(codes);
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// A member of a grouping.
#[derive(FromRow)]
pub struct MemberRow {
    pub grouping_code: String,
    #[sqlx(flatten)]
    pub country: CountryRow,
}

/// The countries of the given groupings, in one statement for the `countries` of many groupings.
pub async fn countries_of_groupings<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    codes: &[String],
) -> AppResult<Vec<MemberRow>> {
    // The two tables share no column name, so the country columns need no table name.
    let mut sql = Sql::new(&format!(
        "select grouping_code, {COUNTRY_COLUMNS} from grouping_countries \
         join countries on iso3 = country_iso3 where grouping_code in "
    ));
    sql.bind_list(codes);
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// Every country, for the API's in-memory gazetteer.
pub async fn all_countries<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> AppResult<Vec<CountryRow>> {
    let sql = format!("select {COUNTRY_COLUMNS} from countries");
    Ok(sqlx::query_as(&sql).fetch_all(ex).await?)
}

/// What a country list may be narrowed by.
#[derive(Clone, Debug, Default)]
pub struct CountryFilter {
    pub un_member: Option<bool>,
    pub area: Option<Area>,
    pub search: Option<String>,
}

impl CountryFilter {
    fn where_clause(&self) -> Sql {
        let mut sql = Sql::new(" where 1 = 1");
        if let Some(member) = self.un_member {
            sql.push(" and un_member = ").bind(member);
        }
        if let Some(area) = &self.area {
            sql.push(" and ").append(&area.contains("iso3"));
        }
        if let Some(search) = &self.search {
            sql.push(" and (")
                .contains_text(&["name"], search)
                .push(" or lower(iso3) = ")
                .bind(search.to_lowercase())
                .push(")");
        }
        sql
    }
}

/// A page of countries in name order after the keyset `(name, iso3)`.
pub async fn list_countries<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    filter: &CountryFilter,
    after: Option<(String, String)>,
    limit: i64,
) -> AppResult<Vec<CountryRow>> {
    let mut sql = Sql::new(&format!("select {COUNTRY_COLUMNS} from countries"));
    sql.append(&filter.where_clause());
    if let Some((name, iso3)) = after {
        sql.push(" and (name > ")
            .bind(&name)
            .push(" or (name = ")
            .bind(name)
            .push(" and iso3 > ")
            .bind(iso3)
            .push("))");
    }
    sql.push(" order by name, iso3 limit ").bind(limit);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn count_countries<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    filter: &CountryFilter,
) -> AppResult<i64> {
    let mut sql = Sql::new("select count(*) from countries");
    sql.append(&filter.where_clause());
    let (n,): (i64,) = sql.query_as().fetch_one(ex).await?;
    Ok(n)
}

const REGION_COLUMNS: &str = "code, name, level, parent_code";

pub async fn find_region<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    code: &str,
) -> AppResult<Option<RegionRow>> {
    let sql = format!("select {REGION_COLUMNS} from regions where code = $1");
    Ok(sqlx::query_as(&sql).bind(code).fetch_optional(ex).await?)
}

pub async fn regions_by_code<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    codes: &[String],
) -> AppResult<Vec<RegionRow>> {
    let mut sql = Sql::new(&format!(
        "select {REGION_COLUMNS} from regions where code in "
    ));
    sql.bind_list(codes);
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn list_regions<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    level: Option<&str>,
) -> AppResult<Vec<RegionRow>> {
    let mut sql = Sql::new(&format!("select {REGION_COLUMNS} from regions"));
    if let Some(level) = level {
        sql.push(" where level = ").bind(level);
    }
    sql.push(" order by code");
    Ok(sql.query_as().fetch_all(ex).await?)
}

/// The children of each of the given regions, in code order.
pub async fn region_children<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    parents: &[String],
) -> AppResult<Vec<RegionRow>> {
    let mut sql = Sql::new(&format!(
        "select {REGION_COLUMNS} from regions where parent_code in "
    ));
    sql.bind_list(parents).push(" order by name");
    Ok(sql.query_as().fetch_all(ex).await?)
}

const GROUPING_COLUMNS: &str = "code, name, description";

pub async fn list_groupings<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> AppResult<Vec<GroupingRow>> {
    let sql = format!("select {GROUPING_COLUMNS} from groupings order by code");
    Ok(sqlx::query_as(&sql).fetch_all(ex).await?)
}

pub async fn find_grouping<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    code: &str,
) -> AppResult<Option<GroupingRow>> {
    let sql = format!("select {GROUPING_COLUMNS} from groupings where code = $1");
    Ok(sqlx::query_as(&sql).bind(code).fetch_optional(ex).await?)
}

/// `(country iso3, grouping)` pairs for the given countries.
pub async fn groupings_of_countries<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    countries: &[String],
) -> AppResult<Vec<(String, String, String, String)>> {
    let mut sql = Sql::new(
        "select gc.country_iso3, g.code, g.name, g.description from grouping_countries gc \
         join groupings g on g.code = gc.grouping_code where gc.country_iso3 in ",
    );
    sql.bind_list(countries).push(" order by g.code");
    Ok(sql.query_as().fetch_all(ex).await?)
}

pub async fn insert_grouping(
    tx: &mut super::Tx,
    code: &str,
    name: &str,
    description: &str,
    countries: &[String],
) -> AppResult<()> {
    sqlx::query(
        "insert into groupings (code, name, description, created_at) values ($1, $2, $3, $4)",
    )
    .bind(code)
    .bind(name)
    .bind(description)
    .bind(super::now())
    .execute(&mut **tx)
    .await?;
    for iso3 in countries {
        sqlx::query("insert into grouping_countries (grouping_code, country_iso3) values ($1, $2)")
            .bind(code)
            .bind(iso3)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn insert_region(tx: &mut super::Tx, row: &RegionRow) -> AppResult<()> {
    sqlx::query("insert into regions (code, name, level, parent_code) values ($1, $2, $3, $4)")
        .bind(&row.code)
        .bind(&row.name)
        .bind(&row.level)
        .bind(row.parent_code.as_deref())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_country(tx: &mut super::Tx, row: &CountryRow) -> AppResult<()> {
    sqlx::query(
        "insert into countries (iso3, iso2, m49, name, un_member, region_code, sub_region_code, \
         intermediate_region_code) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.iso3)
    .bind(&row.iso2)
    .bind(&row.m49)
    .bind(&row.name)
    .bind(row.un_member.0)
    .bind(row.region_code.as_deref())
    .bind(row.sub_region_code.as_deref())
    .bind(row.intermediate_region_code.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn country_count<'e, E: Executor<'e, Database = Any>>(ex: E) -> AppResult<i64> {
    let (n,): (i64,) = sqlx::query_as("select count(*) from countries")
        .fetch_one(ex)
        .await?;
    Ok(n)
}
