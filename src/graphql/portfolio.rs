//! `donorPortfolio`: the engagements an organisation funds with their results, activities,
//! participants and budgets, and totals across them. The rules are in `domain::portfolio`.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::context::Ctx;
use super::ids::parse;
use super::loaders::OrganisationById;
use crate::domain::activities::{ActivityKind, Participants};
use crate::domain::auth::Role;
use crate::domain::engagements::Engagement;
use crate::domain::organisations::Organisation;
use crate::domain::portfolio::{
    self, ActivityCounts, BudgetShare, Portfolio, PortfolioEngagement, PortfolioTotals,
};
use crate::domain::results::ResultRecord;
use crate::error::AppError;

/// The engagements an organisation funds (IATI role 1, archived ones left out) with their
/// figures, and totals across them.
#[Object(name = "DonorPortfolio")]
impl Portfolio {
    /// The funding organisation.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(ctx
            .loader()
            .load_one(OrganisationById(self.organisation_id))
            .await?)
    }
    /// Its engagements, earliest start first.
    async fn engagements(&self) -> &[PortfolioEngagement] {
        &self.engagements
    }
    /// Figures across every engagement of the portfolio.
    async fn totals(&self) -> &PortfolioTotals {
        &self.totals
    }
}

/// One engagement of a donor's portfolio with its results, activities and budgets.
#[Object]
impl PortfolioEngagement {
    /// The engagement.
    async fn engagement(&self) -> &Engagement {
        &self.engagement
    }
    /// How many organisations fund it (IATI role 1); its budget is split equally among them.
    async fn funders(&self) -> i64 {
        self.funders
    }
    /// Its live results (outputs, outcomes, impacts), each with its indicators and their derived
    /// `progress`.
    async fn results(&self, ctx: &Context<'_>) -> Result<Vec<ResultRecord>> {
        super::results::results_of_engagement(ctx, self.engagement.id).await
    }
    /// Its live activities, in total and by kind.
    async fn activities(&self) -> &ActivityCounts {
        &self.activities
    }
    /// Participants of its live activities by sex.
    async fn participants(&self) -> Participants {
        self.participants
    }
    /// Its budgets added up per currency, with this organisation's share.
    async fn budgets(&self) -> &[BudgetShare] {
        &self.budgets
    }
}

/// Activities counted in total and by kind.
#[Object(name = "PortfolioActivities")]
impl ActivityCounts {
    /// How many.
    async fn total(&self) -> i64 {
        self.total
    }
    /// How many of each kind (kinds with none are left out).
    async fn by_kind(&self) -> Vec<PortfolioKindCount> {
        self.by_kind
            .iter()
            .map(|(kind, count)| PortfolioKindCount {
                kind: ActivityKind::parse(kind),
                count: *count,
            })
            .collect()
    }
}

/// Activities of one kind in a portfolio or one of its engagements.
#[derive(SimpleObject)]
pub struct PortfolioKindCount {
    /// The kind.
    pub kind: ActivityKind,
    /// How many activities.
    pub count: i64,
}

/// An engagement's budgets in one currency and the organisation's share of them.
#[Object(name = "PortfolioBudget")]
impl BudgetShare {
    /// ISO 4217 currency code, e.g. USD.
    async fn currency(&self) -> &str {
        &self.currency
    }
    /// The engagement's budgets in this currency, added up over their periods.
    async fn amount(&self) -> f64 {
        self.amount
    }
    /// This organisation's part: `amount` split equally among the engagement's funders.
    async fn share(&self) -> f64 {
        self.share
    }
}

/// An amount in one currency across a portfolio.
#[derive(SimpleObject)]
pub struct PortfolioAmount {
    /// ISO 4217 currency code.
    pub currency: String,
    /// The organisation's shares added up: never the whole budget of an engagement it funds
    /// with others, so no budget counts twice across donors.
    pub amount: f64,
}

/// Figures across a donor's portfolio.
#[Object]
impl PortfolioTotals {
    /// How many engagements it funds.
    async fn engagements(&self) -> i64 {
        self.engagements
    }
    /// Their live activities, in total and by kind.
    async fn activities(&self) -> &ActivityCounts {
        &self.activities
    }
    /// Participants of those activities by sex.
    async fn participants(&self) -> Participants {
        self.participants
    }
    /// Its share of the budgets per currency (see `PortfolioBudget.share`).
    async fn budgets(&self) -> Vec<PortfolioAmount> {
        self.budgets
            .iter()
            .map(|(currency, amount)| PortfolioAmount {
                currency: currency.clone(),
                amount: *amount,
            })
            .collect()
    }
}

#[derive(Default)]
pub struct PortfolioQuery;

#[Object]
impl PortfolioQuery {
    /// The engagements an organisation funds, with their results and indicator progress,
    /// activity counts, participants and budgets, and totals. A donor token may ask only for
    /// its own organisation (another gives FORBIDDEN), and need not name it; admins, officers
    /// and reporters for any. Null when the organisation does not exist.
    async fn donor_portfolio(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The funding organisation, e.g. Organisation:3; left out, a donor token's own."
        )]
        organisation: Option<ID>,
    ) -> Result<Option<Portfolio>> {
        let viewer = ctx.viewer();
        viewer.record_scope()?;
        let id = match (&organisation, viewer.organisation_id) {
            (Some(given), _) => parse("organisation", "Organisation", given)?,
            (None, Some(own)) if viewer.role == Some(Role::Donor) => own,
            (None, _) => {
                return Err(AppError::bad_input(
                    "organisation",
                    "is required: only a donor token's portfolio is its own organisation's",
                )
                .into());
            }
        };
        Ok(portfolio::portfolio(ctx.db(), viewer, id).await?)
    }
}
