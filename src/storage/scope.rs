//! Which programme records a caller may read, as SQL. Every storage read of programme records
//! takes a `Scope` (not an `Option`), so no query can leave it out.

use super::ownership::Kind;
use super::sql::Sql;

/// The records a caller may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every record.
    All,
    /// Only engagements this organisation funds (IATI OrganisationRole 1), and what hangs under
    /// them.
    FundedBy(i64),
}

impl Scope {
    /// ` and {column} in (engagements the caller may read)`, or nothing when it may read all.
    /// `column` holds an engagement id.
    pub fn engagements(&self, column: &str) -> Sql {
        match self {
            Scope::All => Sql::default(),
            Scope::FundedBy(org) => {
                let mut sql = Sql::new(" and ");
                sql.push(column)
                    .push(
                        " in (select engagement_id from engagement_organisations \
                         where role_code = '1' and organisation_id = ",
                    )
                    .bind(*org)
                    .push(")");
                sql
            }
        }
    }

    /// ` and {column} in (programmes with an engagement the caller may read)`.
    pub fn programmes(&self, column: &str) -> Sql {
        match self {
            Scope::All => Sql::default(),
            Scope::FundedBy(_) => {
                let mut sql = Sql::new(" and ");
                sql.push(column)
                    .push(" in (select programme_id from engagements where 1 = 1")
                    .append(&self.engagements("id"))
                    .push(")");
                sql
            }
        }
    }

    /// ` and {column} in (events linked to an engagement the caller may read)`.
    pub fn events(&self, column: &str) -> Sql {
        match self {
            Scope::All => Sql::default(),
            Scope::FundedBy(_) => {
                let mut sql = Sql::new(" and ");
                sql.push(column)
                    .push(" in (select event_id from event_engagements where 1 = 1")
                    .append(&self.engagements("engagement_id"))
                    .push(")");
                sql
            }
        }
    }

    /// ` and {column} in (activities under an engagement the caller may read)`.
    pub fn activities(&self, column: &str) -> Sql {
        match self {
            Scope::All => Sql::default(),
            Scope::FundedBy(_) => {
                let mut sql = Sql::new(" and ");
                sql.push(column)
                    .push(" in (select id from activities where 1 = 1")
                    .append(&self.engagements("engagement_id"))
                    .push(")");
                sql
            }
        }
    }

    /// ` and {column} in (results under an engagement the caller may read)`. Programme-level
    /// results are not under any one engagement, so a donor does not see them.
    pub fn results(&self, column: &str) -> Sql {
        match self {
            Scope::All => Sql::default(),
            Scope::FundedBy(_) => {
                let mut sql = Sql::new(" and ");
                sql.push(column)
                    .push(" in (select id from results where engagement_id is not null")
                    .append(&self.engagements("engagement_id"))
                    .push(")");
                sql
            }
        }
    }

    /// ` and {column} in (indicators of a result the caller may read)`.
    pub fn indicators(&self, column: &str) -> Sql {
        match self {
            Scope::All => Sql::default(),
            Scope::FundedBy(_) => {
                let mut sql = Sql::new(" and ");
                sql.push(column)
                    .push(" in (select id from indicators where 1 = 1")
                    .append(&self.results("result_id"))
                    .push(")");
                sql
            }
        }
    }

    /// ` and {column} in (lessons drawn from something the caller may read)`.
    pub fn lessons(&self, column: &str) -> Sql {
        match self {
            Scope::All => Sql::default(),
            Scope::FundedBy(_) => {
                let mut sql = Sql::new(" and ");
                sql.push(column)
                    .push(" in (select id from lessons where (1 = 0 or (1 = 1")
                    .append(&self.engagements("source_engagement_id"))
                    .push(") or (1 = 1")
                    .append(&self.activities("source_activity_id"))
                    .push(") or (1 = 1")
                    .append(&self.events("source_event_id"))
                    .push(")))");
                sql
            }
        }
    }
}

/// Whether record `id` of `kind` exists and the caller may read it, archived or not: one look-up
/// by primary key. Organisations and documents are read by every caller.
pub async fn readable<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    scope: &Scope,
    kind: Kind,
    id: i64,
) -> crate::error::AppResult<bool> {
    let mut sql = Sql::new(&format!("select id from {} where id = ", kind.table()));
    sql.bind(id).append(&match kind {
        Kind::Organisation | Kind::Document => Sql::default(),
        Kind::Programme => scope.programmes("id"),
        Kind::Engagement => scope.engagements("id"),
        Kind::Activity => scope.activities("id"),
        Kind::Event => scope.events("id"),
        Kind::Lesson => scope.lessons("id"),
        Kind::Result => scope.results("id"),
        Kind::Indicator => scope.indicators("id"),
        Kind::IndicatorValue => scope.indicators("indicator_id"),
    });
    let found: Option<(i64,)> = sql.query_as().fetch_optional(ex).await?;
    Ok(found.is_some())
}

/// Replaces the rows of a link table for one owner: `delete` then `insert` each target.
pub async fn set_links(
    tx: &mut super::Tx,
    table: &str,
    owner_column: &str,
    target_column: &str,
    owner: i64,
    targets: &[i64],
) -> crate::error::AppResult<()> {
    sqlx::query(&format!("delete from {table} where {owner_column} = $1"))
        .bind(owner)
        .execute(&mut **tx)
        .await?;
    let insert = format!("insert into {table} ({owner_column}, {target_column}) values ($1, $2)");
    for t in targets {
        sqlx::query(&insert)
            .bind(owner)
            .bind(*t)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// `(owner, target)` pairs of a link table for the given owners, in insertion order.
pub async fn links<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    table: &str,
    owner_column: &str,
    target_column: &str,
    owners: &[i64],
) -> crate::error::AppResult<Vec<(i64, i64)>> {
    let mut sql = Sql::new(&format!(
        "select {owner_column}, {target_column} from {table} where {owner_column} in "
    ));
    sql.bind_list(owners)
        .push(&format!(" order by {owner_column}, {target_column}"));
    Ok(sql.query_as().fetch_all(ex).await?)
}
