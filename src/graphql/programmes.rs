//! Placeholder: programmes land here.

use async_graphql::Object;

#[derive(Default)]
pub struct ProgrammeQuery;

#[Object]
impl ProgrammeQuery {
    /// Placeholder until programmes land.
    async fn pending_programmes(&self) -> bool {
        false
    }
}

#[derive(Default)]
pub struct ProgrammeMutation;

#[Object]
impl ProgrammeMutation {
    /// Placeholder until programmes land.
    async fn pending_programmes(&self) -> bool {
        false
    }
}
