//! Placeholder: engagements land here.

use async_graphql::Object;

#[derive(Default)]
pub struct EngagementQuery;

#[Object]
impl EngagementQuery {
    /// Placeholder until engagements land.
    async fn pending_engagements(&self) -> bool {
        false
    }
}

#[derive(Default)]
pub struct EngagementMutation;

#[Object]
impl EngagementMutation {
    /// Placeholder until engagements land.
    async fn pending_engagements(&self) -> bool {
        false
    }
}
