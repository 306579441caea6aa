//! Placeholder: activities land here.

use async_graphql::Object;

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// Placeholder until activities land.
    async fn pending_activities(&self) -> bool {
        false
    }
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Placeholder until activities land.
    async fn pending_activities(&self) -> bool {
        false
    }
}
