//! The loaders behind activity fields: one statement per batch of keys.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};

use crate::domain::activities::Activity;
use crate::graphql::context::Ctx;
use crate::graphql::error::LoadError;
use crate::graphql::loaders::AppLoader;
use crate::storage::activities as store;

/// The first activities of an engagement, for `Engagement.activities(first:)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivitiesOfEngagement {
    pub engagement: i64,
    pub first: i64,
}

impl Loader<ActivitiesOfEngagement> for AppLoader {
    /// Shared, not copied, on its way to the resolver: a page holds up to a hundred rows.
    type Value = Arc<[Activity]>;
    type Error = LoadError;

    /// One statement per page size asked for (normally one), whatever the number of engagements.
    async fn load(
        &self,
        keys: &[ActivitiesOfEngagement],
    ) -> Result<HashMap<ActivitiesOfEngagement, Arc<[Activity]>>, LoadError> {
        let scope = self.viewer.record_scope()?;
        let mut by_size: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for k in keys {
            by_size.entry(k.first).or_default().push(k.engagement);
        }
        let mut out: HashMap<ActivitiesOfEngagement, Vec<Activity>> = HashMap::new();
        for (first, ids) in by_size {
            for r in store::first_of_engagements(&self.db, &scope, &ids, first).await? {
                out.entry(ActivitiesOfEngagement {
                    engagement: r.engagement_id,
                    first,
                })
                .or_default()
                .push(r);
            }
        }
        Ok(out.into_iter().map(|(k, v)| (k, v.into())).collect())
    }
}

/// The first `first` live activities of an engagement, by start date, within the caller's scope.
pub async fn activities_of_engagement(
    ctx: &Context<'_>,
    engagement_id: i64,
    first: i64,
) -> Result<Arc<[Activity]>> {
    Ok(ctx
        .loader()
        .load_one(ActivitiesOfEngagement {
            engagement: engagement_id,
            first,
        })
        .await?
        .unwrap_or_default())
}

/// How many live activities an engagement has, for `Engagement.activityCount`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivityCountOf(pub i64);

impl Loader<ActivityCountOf> for AppLoader {
    type Value = i64;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ActivityCountOf],
    ) -> Result<HashMap<ActivityCountOf, i64>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::counts_of_engagements(self.db.pool(), &ids).await?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (ActivityCountOf(id), n))
            .collect())
    }
}

/// How many live activities an engagement has.
pub async fn activity_count_of(ctx: &Context<'_>, engagement_id: i64) -> Result<i64> {
    Ok(ctx
        .loader()
        .load_one(ActivityCountOf(engagement_id))
        .await?
        .unwrap_or(0))
}

/// An activity by id within the caller's scope (archived ones included), e.g. for `node(id)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivityById(pub i64);

impl Loader<ActivityById> for AppLoader {
    type Value = Activity;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ActivityById],
    ) -> Result<HashMap<ActivityById, Activity>, LoadError> {
        let scope = self.viewer.record_scope()?;
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::by_ids(self.db.pool(), &scope, &ids).await?;
        Ok(rows.into_iter().map(|r| (ActivityById(r.id), r)).collect())
    }
}

/// The live results an activity contributes to that the caller may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResultIdsOfActivity(pub i64);

impl Loader<ResultIdsOfActivity> for AppLoader {
    type Value = Vec<i64>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ResultIdsOfActivity],
    ) -> Result<HashMap<ResultIdsOfActivity, Vec<i64>>, LoadError> {
        let scope = self.viewer.record_scope()?;
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::visible_results(self.db.pool(), &scope, &ids).await?;
        let mut out: HashMap<ResultIdsOfActivity, Vec<i64>> = HashMap::new();
        for (activity, result) in rows {
            out.entry(ResultIdsOfActivity(activity))
                .or_default()
                .push(result);
        }
        Ok(out)
    }
}
