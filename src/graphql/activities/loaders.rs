//! The loaders behind activity fields: one statement per batch of keys.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};

use crate::domain::activities::Activity;
use crate::graphql::context::Ctx;
use crate::graphql::error::LoadError;
use crate::graphql::loaders::AppLoader;
use crate::storage::activities as store;

/// The activities of an engagement, for `Engagement.activities`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivitiesOfEngagement(pub i64);

impl Loader<ActivitiesOfEngagement> for AppLoader {
    type Value = Vec<Activity>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ActivitiesOfEngagement],
    ) -> Result<HashMap<ActivitiesOfEngagement, Vec<Activity>>, LoadError> {
        let scope = self.viewer.record_scope()?;
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::of_engagements(self.db.pool(), &scope, &ids).await?;
        let mut out: HashMap<ActivitiesOfEngagement, Vec<Activity>> = HashMap::new();
        for r in rows {
            out.entry(ActivitiesOfEngagement(r.engagement_id))
                .or_default()
                .push(r);
        }
        Ok(out)
    }
}

/// The live activities of an engagement, by start date, within the caller's scope.
pub async fn activities_of_engagement(
    ctx: &Context<'_>,
    engagement_id: i64,
) -> Result<Vec<Activity>> {
    Ok(ctx
        .loader()
        .load_one(ActivitiesOfEngagement(engagement_id))
        .await?
        .unwrap_or_default())
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
