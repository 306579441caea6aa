//! Placeholder: events land here.

use async_graphql::Object;

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// Placeholder until events land.
    async fn pending_events(&self) -> bool {
        false
    }
}

#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Placeholder until events land.
    async fn pending_events(&self) -> bool {
        false
    }
}
