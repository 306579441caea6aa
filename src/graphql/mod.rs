//! GraphQL: the schema, its types and resolvers. Resolvers call the domain layer; they never run
//! SQL of their own except through storage reads that take the caller's scope.

pub mod activities;
pub mod context;
pub mod documents;
pub mod engagement_inputs;
pub mod engagements;
pub mod error;
pub mod events;
pub mod gazetteer;
pub mod geography;
pub mod guard;
pub mod ids;
pub mod indicator_inputs;
pub mod indicator_values;
pub mod indicators;
pub mod lessons;
pub mod loaders;
pub mod node;
pub mod pagination;
pub mod patch;
pub mod portfolio;
pub mod programmes;
pub mod progress;
pub mod records;
pub mod reference;
pub mod reports;
pub mod results;
#[cfg(debug_assertions)]
#[doc(hidden)]
pub mod test_panic;

use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::config::Limits;
use crate::storage::Db;
use pagination::PageLimits;

/// Every root query field.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(
    geography::GeographyQuery,
    reference::ReferenceQuery,
    documents::DocumentQuery,
    programmes::ProgrammeQuery,
    engagements::EngagementQuery,
    activities::ActivityQuery,
    events::EventQuery,
    lessons::LessonQuery,
    indicators::IndicatorQuery,
    records::RecordQuery,
    reports::ReportQuery,
    progress::ProgressQuery,
    portfolio::PortfolioQuery,
    node::NodeQuery,
);

/// Every root mutation field. Each runs in its own transaction, one after the other; each result
/// may be null, so a refused write is null beside its error and the request's other writes
/// still answer what they did.
#[derive(MergedObject, Default)]
pub struct Mutation(
    geography::GeographyMutation,
    reference::ReferenceMutation,
    documents::DocumentMutation,
    programmes::ProgrammeMutation,
    engagement_inputs::EngagementMutation,
    activities::ActivityMutation,
    events::EventMutation,
    lessons::LessonMutation,
    indicators::IndicatorMutation,
    records::RecordMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with its limits; the database and page limits ride along as schema data.
pub fn build_schema(db: Option<Db>, limits: &Limits) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .data(crate::domain::gazetteer::Gazetteer::default())
        .data(PageLimits {
            default: limits.default_page_size,
            max: limits.max_page_size,
        });
    if let Some(db) = db {
        builder = builder.data(db);
    }
    if !limits.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    #[cfg(debug_assertions)]
    if test_panic::armed() {
        builder = builder.extension(test_panic::PanicOnAlias);
    }
    builder.finish()
}

/// The SDL as published in `schema/schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, &Limits::default()).sdl()
}
