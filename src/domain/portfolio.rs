//! A donor's portfolio: the live engagements an organisation funds (IATI role 1) with their
//! activity counts, participants and budgets, and totals across them.
//!
//! Budgets: an engagement funded by several organisations has its budget split equally among
//! them, and the portfolio totals add up only this organisation's share, so adding the
//! portfolios of all an engagement's funders never counts its budget twice.

use std::collections::{BTreeMap, HashMap};

use super::activities::Participants;
use super::auth::{Role, Viewer};
use super::engagements::Engagement;
use crate::error::{AppError, AppResult};
use crate::storage::engagements::{self, EngagementFilter, EngagementOrder};
use crate::storage::portfolio as store;
use crate::storage::scope::Scope;
use crate::storage::{Db, organisations};

/// Engagements read per statement while collecting a portfolio.
const PAGE: i64 = 500;

/// Activities counted, in total and by kind (stored kind value, kinds with none left out).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityCounts {
    pub total: i64,
    pub by_kind: BTreeMap<String, i64>,
}

impl ActivityCounts {
    fn add(&mut self, kind: &str, n: i64) {
        self.total += n;
        *self.by_kind.entry(kind.to_string()).or_default() += n;
    }
}

/// An engagement's budget in one currency, and the organisation's equal share of it.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetShare {
    pub currency: String,
    pub amount: f64,
    pub share: f64,
}

/// One engagement of a portfolio with its figures.
#[derive(Clone, Debug)]
pub struct PortfolioEngagement {
    pub engagement: Engagement,
    pub funders: i64,
    pub activities: ActivityCounts,
    pub participants: Participants,
    pub budgets: Vec<BudgetShare>,
}

/// Figures across a portfolio.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PortfolioTotals {
    pub engagements: i64,
    pub activities: ActivityCounts,
    pub participants: Participants,
    /// The organisation's share per currency, by currency code.
    pub budgets: BTreeMap<String, f64>,
}

/// A donor's portfolio.
#[derive(Clone, Debug)]
pub struct Portfolio {
    pub organisation_id: i64,
    pub engagements: Vec<PortfolioEngagement>,
    pub totals: PortfolioTotals,
}

/// The scope to read `organisation`'s portfolio in: a donor only its own organisation's
/// (FORBIDDEN otherwise); admins, reporters and officers any. Anonymous: UNAUTHENTICATED.
pub fn access(viewer: &Viewer, organisation: i64) -> AppResult<Scope> {
    let scope = viewer.record_scope()?;
    if viewer.role == Some(Role::Donor) && viewer.organisation_id != Some(organisation) {
        return Err(AppError::forbidden(
            "a donor token may read only its own organisation's portfolio",
        ));
    }
    Ok(scope)
}

/// One funder's equal part of an amount shared by `funders` organisations.
pub fn share(amount: f64, funders: i64) -> f64 {
    amount / funders.max(1) as f64
}

/// Adds up the engagements' figures; budgets by the organisation's share only.
pub fn totals(engagements: &[PortfolioEngagement]) -> PortfolioTotals {
    let mut t = PortfolioTotals {
        engagements: engagements.len() as i64,
        ..PortfolioTotals::default()
    };
    for e in engagements {
        for (kind, n) in &e.activities.by_kind {
            t.activities.add(kind, *n);
        }
        t.participants.total += e.participants.total;
        t.participants.female += e.participants.female;
        t.participants.male += e.participants.male;
        for b in &e.budgets {
            *t.budgets.entry(b.currency.clone()).or_default() += b.share;
        }
    }
    t
}

/// `organisation`'s portfolio as `viewer` may read it; None when no such organisation exists.
/// A fixed number of statements whatever the portfolio's size: the engagements (in pages), then
/// one grouped statement each for activities, budgets and funders.
pub async fn portfolio(
    db: &Db,
    viewer: &Viewer,
    organisation: i64,
) -> AppResult<Option<Portfolio>> {
    let scope = access(viewer, organisation)?;
    if organisations::find(db.pool(), organisation)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let filter = EngagementFilter {
        donor_id: Some(organisation),
        ..EngagementFilter::default()
    };
    let mut rows: Vec<Engagement> = Vec::new();
    loop {
        let after = rows.last().map(|e| (e.active_from.clone(), e.id));
        let page = engagements::list(
            db.pool(),
            &scope,
            &filter,
            EngagementOrder::StartAsc,
            after,
            PAGE,
        )
        .await?;
        let full = page.len() as i64 == PAGE;
        rows.extend(page);
        if !full {
            break;
        }
    }
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let mut activities: HashMap<i64, (ActivityCounts, Participants)> = HashMap::new();
    for g in store::activities(db.pool(), &scope, &ids).await? {
        let (counts, people) = activities.entry(g.engagement_id).or_default();
        counts.add(&g.kind, g.count);
        people.total += g.total;
        people.female += g.female;
        people.male += g.male;
    }
    let funders: HashMap<i64, i64> = store::funders(db.pool(), &scope, &ids)
        .await?
        .into_iter()
        .collect();
    let mut budgets: HashMap<i64, Vec<BudgetShare>> = HashMap::new();
    for b in store::budgets(db.pool(), &scope, &ids).await? {
        let n = funders.get(&b.engagement_id).copied().unwrap_or(1);
        budgets
            .entry(b.engagement_id)
            .or_default()
            .push(BudgetShare {
                share: share(b.amount, n),
                currency: b.currency,
                amount: b.amount,
            });
    }
    let engagements: Vec<PortfolioEngagement> = rows
        .into_iter()
        .map(|e| {
            let (activities, participants) = activities.remove(&e.id).unwrap_or_default();
            PortfolioEngagement {
                funders: funders.get(&e.id).copied().unwrap_or(1),
                budgets: budgets.remove(&e.id).unwrap_or_default(),
                activities,
                participants,
                engagement: e,
            }
        })
        .collect();
    Ok(Some(Portfolio {
        organisation_id: organisation,
        totals: totals(&engagements),
        engagements,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_shared_by_funders_is_split_equally() {
        assert_eq!(share(900.0, 3), 300.0);
        assert_eq!(share(900.0, 1), 900.0);
        // An engagement always has its funder; a missing count never divides by zero.
        assert_eq!(share(900.0, 0), 900.0);
    }

    #[test]
    fn donors_read_only_their_own_portfolio() {
        let mut donor = Viewer::system("donor");
        donor.role = Some(Role::Donor);
        donor.organisation_id = Some(3);
        assert!(access(&donor, 3).is_ok());
        assert_eq!(access(&donor, 4).unwrap_err().code(), "FORBIDDEN");
        let mut reporter = Viewer::system("reporter");
        reporter.role = Some(Role::Reporter);
        assert_eq!(access(&reporter, 4).unwrap(), Scope::All);
        assert_eq!(
            access(&Viewer::anonymous(), 3).unwrap_err().code(),
            "UNAUTHENTICATED"
        );
    }
}
