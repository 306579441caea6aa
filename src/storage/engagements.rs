//! Engagements: technical assistance by a programme in one or more countries, with IATI-style
//! participating organisations, sectors, SDG targets, policy markers and budgets.

use sqlx::{Any, Executor, FromRow};

use super::scope::Scope;
use super::sql::Sql;
use crate::error::AppResult;

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
    let countries: Vec<(String,)> = sqlx::query_as(
        "select country_iso3 from engagement_countries where engagement_id = $1 order by country_iso3",
    )
    .bind(id)
    .fetch_all(ex)
    .await?;
    Ok(Some(EngagementContext {
        id: row.id,
        programme_id: row.programme_id,
        programme_code: row.code,
        countries: countries.into_iter().map(|(c,)| c).collect(),
        archived: row.archived_at.is_some(),
    }))
}
