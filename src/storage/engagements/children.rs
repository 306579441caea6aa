//! An engagement's lists (recipient countries, participating organisations, sectors, SDG
//! targets, policy markers, budgets, documents): read for many engagements at once, one statement
//! per list, and replaced whole when a write changes one.

use sqlx::{Any, Executor, FromRow};

use crate::error::AppResult;
use crate::storage::Tx;
use crate::storage::scope::set_links;
use crate::storage::sql::Sql;

#[derive(Clone, Debug, PartialEq, FromRow, serde::Serialize)]
pub struct CountryShare {
    pub engagement_id: i64,
    pub country_iso3: String,
    pub percentage: f64,
}

#[derive(Clone, Debug, PartialEq, FromRow, serde::Serialize)]
pub struct Participant {
    pub engagement_id: i64,
    pub organisation_id: i64,
    pub role_code: String,
}

#[derive(Clone, Debug, PartialEq, FromRow, serde::Serialize)]
pub struct SectorShare {
    pub engagement_id: i64,
    pub sector_code: String,
    pub percentage: f64,
}

#[derive(Clone, Debug, PartialEq, FromRow, serde::Serialize)]
pub struct PolicyMarker {
    pub engagement_id: i64,
    pub marker_code: String,
    pub significance_code: String,
}

#[derive(Clone, Debug, PartialEq, FromRow, serde::Serialize)]
pub struct Budget {
    pub engagement_id: i64,
    pub period_start: String,
    pub period_end: String,
    pub amount: f64,
    pub currency: String,
    pub value_date: String,
}

/// Everything an engagement lists, replaced as a whole when a list is changed.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Children {
    pub countries: Vec<CountryShare>,
    pub participants: Vec<Participant>,
    pub sectors: Vec<SectorShare>,
    pub sdg_targets: Vec<String>,
    pub policy_markers: Vec<PolicyMarker>,
    pub budgets: Vec<Budget>,
    pub documents: Vec<i64>,
}

/// One of an engagement's lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChildList {
    Countries,
    Participants,
    Sectors,
    SdgTargets,
    PolicyMarkers,
    Budgets,
    Documents,
}

impl ChildList {
    pub const ALL: &'static [ChildList] = &[
        ChildList::Countries,
        ChildList::Participants,
        ChildList::Sectors,
        ChildList::SdgTargets,
        ChildList::PolicyMarkers,
        ChildList::Budgets,
        ChildList::Documents,
    ];
}

/// Every list of the given engagements: one statement per list, whatever the number of ids.
pub async fn children<'e, E>(
    ex: E,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, Children>>
where
    E: Executor<'e, Database = Any> + Copy,
{
    children_of(ex, ids, ChildList::ALL).await
}

/// The named lists of the given engagements (the others left empty): one statement per list.
pub async fn children_of<'e, E>(
    ex: E,
    ids: &[i64],
    lists: &[ChildList],
) -> AppResult<std::collections::HashMap<i64, Children>>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let mut out: std::collections::HashMap<i64, Children> =
        ids.iter().map(|id| (*id, Children::default())).collect();
    let select = |cols: &str, table: &str, order: &str| {
        let mut sql = Sql::new(&format!(
            "select {cols} from {table} where engagement_id in "
        ));
        sql.bind_list(ids)
            .push(&format!(" order by engagement_id, {order}"));
        sql
    };
    if lists.contains(&ChildList::Countries) {
        let q = select(
            "engagement_id, country_iso3, percentage",
            "engagement_countries",
            "percentage desc, country_iso3",
        );
        for r in q.query_as::<CountryShare>().fetch_all(ex).await? {
            out.entry(r.engagement_id).or_default().countries.push(r);
        }
    }
    if lists.contains(&ChildList::Participants) {
        let q = select(
            "engagement_id, organisation_id, role_code",
            "engagement_organisations",
            "role_code, organisation_id",
        );
        for r in q.query_as::<Participant>().fetch_all(ex).await? {
            out.entry(r.engagement_id).or_default().participants.push(r);
        }
    }
    if lists.contains(&ChildList::Sectors) {
        let q = select(
            "engagement_id, sector_code, percentage",
            "engagement_sectors",
            "percentage desc, sector_code",
        );
        for r in q.query_as::<SectorShare>().fetch_all(ex).await? {
            out.entry(r.engagement_id).or_default().sectors.push(r);
        }
    }
    if lists.contains(&ChildList::SdgTargets) {
        let q = select(
            "engagement_id, target_code",
            "engagement_sdg_targets",
            "target_code",
        );
        for (e, t) in q.query_as::<(i64, String)>().fetch_all(ex).await? {
            out.entry(e).or_default().sdg_targets.push(t);
        }
    }
    if lists.contains(&ChildList::PolicyMarkers) {
        let q = select(
            "engagement_id, marker_code, significance_code",
            "engagement_policy_markers",
            "marker_code",
        );
        for r in q.query_as::<PolicyMarker>().fetch_all(ex).await? {
            out.entry(r.engagement_id)
                .or_default()
                .policy_markers
                .push(r);
        }
    }
    if lists.contains(&ChildList::Budgets) {
        let q = select(
            "engagement_id, period_start, period_end, amount, currency, value_date",
            "budgets",
            "period_start, id",
        );
        for r in q.query_as::<Budget>().fetch_all(ex).await? {
            out.entry(r.engagement_id).or_default().budgets.push(r);
        }
    }
    if lists.contains(&ChildList::Documents) {
        let q = select(
            "engagement_id, document_id",
            "engagement_documents",
            "document_id",
        );
        for (e, d) in q.query_as::<(i64, i64)>().fetch_all(ex).await? {
            out.entry(e).or_default().documents.push(d);
        }
    }
    Ok(out)
}

/// Replaces every list of an engagement.
pub async fn replace_children(tx: &mut Tx, id: i64, c: &Children) -> AppResult<()> {
    for table in [
        "engagement_countries",
        "engagement_organisations",
        "engagement_sectors",
        "engagement_sdg_targets",
        "engagement_policy_markers",
        "budgets",
    ] {
        sqlx::query(&format!("delete from {table} where engagement_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    for r in &c.countries {
        sqlx::query("insert into engagement_countries (engagement_id, country_iso3, percentage) values ($1, $2, $3)")
            .bind(id).bind(&r.country_iso3).bind(r.percentage).execute(&mut **tx).await?;
    }
    for r in &c.participants {
        sqlx::query("insert into engagement_organisations (engagement_id, organisation_id, role_code) values ($1, $2, $3)")
            .bind(id).bind(r.organisation_id).bind(&r.role_code).execute(&mut **tx).await?;
    }
    for r in &c.sectors {
        sqlx::query("insert into engagement_sectors (engagement_id, sector_code, percentage) values ($1, $2, $3)")
            .bind(id).bind(&r.sector_code).bind(r.percentage).execute(&mut **tx).await?;
    }
    for t in &c.sdg_targets {
        sqlx::query(
            "insert into engagement_sdg_targets (engagement_id, target_code) values ($1, $2)",
        )
        .bind(id)
        .bind(t)
        .execute(&mut **tx)
        .await?;
    }
    for r in &c.policy_markers {
        sqlx::query("insert into engagement_policy_markers (engagement_id, marker_code, significance_code) values ($1, $2, $3)")
            .bind(id).bind(&r.marker_code).bind(&r.significance_code).execute(&mut **tx).await?;
    }
    for b in &c.budgets {
        sqlx::query("insert into budgets (engagement_id, period_start, period_end, amount, currency, value_date) values ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(&b.period_start).bind(&b.period_end).bind(b.amount).bind(&b.currency).bind(&b.value_date)
            .execute(&mut **tx).await?;
    }
    set_links(
        tx,
        "engagement_documents",
        "engagement_id",
        "document_id",
        id,
        &c.documents,
    )
    .await
}
