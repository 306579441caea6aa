//! Placeholder: lessons land here.

use async_graphql::Object;

#[derive(Default)]
pub struct LessonQuery;

#[Object]
impl LessonQuery {
    /// Placeholder until lessons land.
    async fn pending_lessons(&self) -> bool {
        false
    }
}

#[derive(Default)]
pub struct LessonMutation;

#[Object]
impl LessonMutation {
    /// Placeholder until lessons land.
    async fn pending_lessons(&self) -> bool {
        false
    }
}
