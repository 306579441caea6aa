//! Placeholder: indicators land here.

use async_graphql::Object;

#[derive(Default)]
pub struct IndicatorQuery;

#[Object]
impl IndicatorQuery {
    /// Placeholder until indicators land.
    async fn pending_indicators(&self) -> bool {
        false
    }
}

#[derive(Default)]
pub struct IndicatorMutation;

#[Object]
impl IndicatorMutation {
    /// Placeholder until indicators land.
    async fn pending_indicators(&self) -> bool {
        false
    }
}
