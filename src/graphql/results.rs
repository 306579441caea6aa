//! Results (IATI 2.03 `result`): outputs, outcomes and impacts of an engagement or a programme.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result};

use super::context::Ctx;
use super::error::LoadError;
use super::ids::{global_id, parse};
use super::indicators::IndicatorsOfResult;
use super::loaders::{AppLoader, ProgrammeById};
use super::pagination::{Page, PageRequest, TotalCount, page};
use super::patch::{Write, clearable};
use crate::domain::engagements::Engagement;
use crate::domain::indicators::Indicator;
use crate::domain::programmes::Programme;
use crate::domain::records::named_in_filter;
use crate::domain::results::{self as svc, NewResult, ResultPatch, ResultRecord};
use crate::storage::ownership::Kind;
use crate::storage::results::{self as store, Level, ResultFilter, Under};

/// Where a result hangs.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ResultLevel {
    /// Under one engagement.
    Engagement,
    /// Under a whole programme, across its engagements. Donors do not see these.
    Programme,
}

/// A result an engagement or a programme works toward (IATI 2.03 `result`): an output, outcome
/// or impact, measured by indicators.
#[Object(name = "Result")]
impl ResultRecord {
    /// Global id, e.g. Result:3.
    pub async fn id(&self) -> ID {
        global_id("Result", self.id)
    }
    /// IATI ResultType code: 1 output, 2 outcome, 3 impact, 9 other.
    #[graphql(name = "type")]
    async fn result_type(&self) -> &str {
        &self.result_type
    }
    /// The English name of the type, e.g. Outcome.
    async fn type_name(&self) -> &str {
        svc::type_name(&self.result_type)
    }
    /// Whether it hangs under an engagement or a whole programme.
    async fn level(&self) -> ResultLevel {
        if self.engagement_id.is_some() {
            ResultLevel::Engagement
        } else {
            ResultLevel::Programme
        }
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.title
    }
    /// What the result is and how it is reached.
    async fn description(&self) -> &str {
        &self.description
    }
    /// The engagement it hangs under (none for programme-level results).
    async fn engagement(&self, ctx: &Context<'_>) -> Result<Option<Engagement>> {
        match self.engagement_id {
            Some(id) => super::engagements::load_engagement(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The programme it belongs to: directly, or through its engagement.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<Programme>> {
        Ok(ctx
            .loader()
            .load_one(ProgrammeById(self.owner_programme_id))
            .await?)
    }
    /// The code of the programme it belongs to, e.g. GLOZ85.
    async fn programme_code(&self) -> &str {
        &self.programme_code
    }
    /// The result it contributes to, under the same engagement or programme.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<ResultRecord>> {
        match self.parent_result_id {
            Some(id) => Ok(ctx.loader().load_one(ResultById(id)).await?),
            None => Ok(None),
        }
    }
    /// The live results that contribute to this one, oldest first.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<ResultRecord>> {
        Ok(ctx
            .loader()
            .load_one(ResultChildren(self.id))
            .await?
            .unwrap_or_default())
    }
    /// The live indicators that measure it, by code.
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        Ok(ctx
            .loader()
            .load_one(IndicatorsOfResult(self.id))
            .await?
            .unwrap_or_default())
    }
    /// Optimistic-concurrency version: pass it back when updating or archiving.
    async fn version(&self) -> i64 {
        self.version
    }
    /// When it was archived, if it was.
    async fn archived_at(&self) -> Option<&str> {
        self.archived_at.as_deref()
    }
}

/// A result by id, within the caller's scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResultById(pub i64);

impl Loader<ResultById> for AppLoader {
    type Value = ResultRecord;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ResultById],
    ) -> Result<HashMap<ResultById, ResultRecord>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = store::by_ids(self.db.pool(), &scope, &ids).await?;
        Ok(rows.into_iter().map(|r| (ResultById(r.id), r)).collect())
    }
}

/// The live results of an engagement, for `Engagement.results`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResultsOfEngagement(pub i64);

/// The live programme-level results of a programme, for `Programme.results`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResultsOfProgramme(pub i64);

/// The live results that contribute to a result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResultChildren(pub i64);

/// One statement for every owner of a batch, grouped by owner.
async fn load_under(
    loader: &AppLoader,
    under: Under,
    owners: Vec<i64>,
) -> Result<HashMap<i64, Vec<ResultRecord>>, LoadError> {
    let scope = loader.viewer.record_scope()?;
    let mut out: HashMap<i64, Vec<ResultRecord>> = HashMap::new();
    for r in store::under(loader.db.pool(), &scope, under, &owners).await? {
        if let Some(owner) = under.owner_of(&r) {
            out.entry(owner).or_default().push(r);
        }
    }
    Ok(out)
}

macro_rules! results_under_loader {
    ($key:ident, $under:expr) => {
        impl Loader<$key> for AppLoader {
            type Value = Vec<ResultRecord>;
            type Error = LoadError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> Result<HashMap<$key, Vec<ResultRecord>>, LoadError> {
                let owners = keys.iter().map(|k| k.0).collect();
                let rows = load_under(self, $under, owners).await?;
                Ok(rows.into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

results_under_loader!(ResultsOfEngagement, Under::Engagement);
results_under_loader!(ResultsOfProgramme, Under::Programme);
results_under_loader!(ResultChildren, Under::Parent);

/// The live results of an engagement, oldest first, batched across engagements (for
/// `Engagement.results`). Out of the caller's scope, the list is empty.
pub async fn results_of_engagement(
    ctx: &Context<'_>,
    engagement_id: i64,
) -> Result<Vec<ResultRecord>> {
    Ok(ctx
        .loader()
        .load_one(ResultsOfEngagement(engagement_id))
        .await?
        .unwrap_or_default())
}

/// The live programme-level results of a programme, oldest first (for `Programme.results`).
/// Donors see none: programme-level results are not under an engagement they fund.
pub async fn results_of_programme(
    ctx: &Context<'_>,
    programme_id: i64,
) -> Result<Vec<ResultRecord>> {
    Ok(ctx
        .loader()
        .load_one(ResultsOfProgramme(programme_id))
        .await?
        .unwrap_or_default())
}

/// Narrows a result list.
/// A value given blank is refused naming its field; leave a filter out not to filter by it.
#[derive(InputObject, Default)]
pub struct ResultFilterInput {
    /// Results of this engagement; one the caller cannot read is refused as unknown.
    pub engagement: Option<ID>,
    /// Results of this programme (code, e.g. GLOZ85, or id), at both levels unless `level` says.
    pub programme: Option<String>,
    /// Only results at this level.
    pub level: Option<ResultLevel>,
    /// IATI ResultType code: 1 output, 2 outcome, 3 impact, 9 other.
    #[graphql(name = "type")]
    pub result_type: Option<String>,
    /// Include archived results, and the results of archived engagements.
    #[graphql(default)]
    pub include_archived: bool,
}

#[derive(Default)]
pub struct ResultQuery;

#[Object]
impl ResultQuery {
    /// Results, oldest first. Donors see only results of engagements their organisation funds.
    async fn results(
        &self,
        ctx: &Context<'_>,
        filter: Option<ResultFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<ResultRecord>> {
        let scope = ctx.viewer().record_scope()?;
        let f = filter.unwrap_or_default();
        use crate::domain::validate::filter_text;
        let programme = match filter_text("filter.programme", f.programme.as_deref())? {
            Some(p) => Some(
                svc::resolve_programme(ctx.db(), &scope, "filter.programme", &p)
                    .await?
                    .id,
            ),
            None => None,
        };
        let engagement = f
            .engagement
            .map(|e| parse("filter.engagement", "Engagement", &e))
            .transpose()?;
        let filter = ResultFilter {
            engagement: named_in_filter(
                ctx.db(),
                &scope,
                "filter.engagement",
                Kind::Engagement,
                engagement,
            )
            .await?,
            programme,
            level: f.level.map(|l| match l {
                ResultLevel::Engagement => Level::Engagement,
                ResultLevel::Programme => Level::Programme,
            }),
            result_type: filter_text("filter.type", f.result_type.as_deref())?,
            include_archived: f.include_archived,
        };
        let req = PageRequest::new(ctx.page_limits(), first, after)?;
        let db = ctx.db().clone();
        let rows = store::list(db.pool(), &scope, &filter, req.after()?, req.fetch()).await?;
        let total = TotalCount::new(move || {
            let (db, scope, filter) = (db.clone(), scope.clone(), filter.clone());
            async move { store::count(db.pool(), &scope, &filter).await }
        });
        Ok(page(&req, rows, |r| r.id, |r| r, total))
    }

    /// One result by id; null when it does not exist or the caller may not see it.
    async fn result(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ResultRecord>> {
        let scope = ctx.viewer().record_scope()?;
        let id = parse("id", "Result", &id)?;
        Ok(store::find(ctx.db().pool(), &scope, id).await?)
    }
}

/// A new result, under exactly one of an engagement or a programme.
#[derive(InputObject)]
pub struct CreateResultInput {
    /// The engagement it hangs under.
    pub engagement: Option<ID>,
    /// The programme it hangs under (code, e.g. GLOZ85, or id), for programme-level results.
    pub programme: Option<String>,
    /// IATI ResultType code: 1 output, 2 outcome, 3 impact, 9 other.
    #[graphql(name = "type")]
    pub result_type: String,
    /// Title, e.g. "Prison staff manage prisons in line with the Nelson Mandela Rules".
    pub title: String,
    /// What the result is and how it is reached.
    pub description: Option<String>,
    /// The result it contributes to, under the same engagement or programme.
    pub parent: Option<ID>,
}

/// Changes to a result: fields left out keep their value; `null` empties the fields that say so
/// and is refused, naming the field, on the others.
#[derive(InputObject)]
pub struct UpdateResultInput {
    /// IATI ResultType code.
    #[graphql(name = "type")]
    pub result_type: MaybeUndefined<String>,
    /// Title.
    pub title: MaybeUndefined<String>,
    /// Description; null empties it.
    pub description: MaybeUndefined<String>,
    /// The result it contributes to; null makes it a top-level result.
    pub parent: MaybeUndefined<ID>,
}

#[derive(Default)]
pub struct ResultMutation;

#[Object]
impl ResultMutation {
    /// Adds a result to an engagement or a programme (admins, and officers of its programme and
    /// countries).
    async fn create_result(
        &self,
        ctx: &Context<'_>,
        input: CreateResultInput,
    ) -> Result<Option<ResultRecord>> {
        let new = NewResult {
            engagement: input
                .engagement
                .map(|e| parse("input.engagement", "Engagement", &e))
                .transpose()?,
            programme: input.programme,
            result_type: input.result_type,
            title: input.title,
            description: input.description,
            parent: input
                .parent
                .map(|p| parse("input.parent", "Result", &p))
                .transpose()?,
        };
        Ok(Some(svc::create(ctx.db(), ctx.viewer(), new).await?))
    }

    /// Changes a result; `version` must be the current one.
    async fn update_result(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i64,
        input: UpdateResultInput,
    ) -> Result<Option<ResultRecord>> {
        let id = parse("id", "Result", &id)?;
        let parent = match input.parent {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(p) => Some(Some(parse("input.parent", "Result", &p)?)),
        };
        let w = Write::Update;
        let patch = ResultPatch {
            result_type: w.kept("input.type", input.result_type)?,
            title: w.kept("input.title", input.title)?,
            description: clearable(input.description),
            parent,
        };
        Ok(Some(
            svc::update(ctx.db(), ctx.viewer(), id, version, patch).await?,
        ))
    }
}
