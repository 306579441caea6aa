//! `node(id)`: any record by its global id, through the same scoped look-ups as the typed queries.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::context::Ctx;
use super::ids::split;
use crate::domain::activities::Activity;
use crate::domain::documents::Document;
use crate::domain::engagements::Engagement;
use crate::domain::events::Event;
use crate::domain::indicator_values::IndicatorValue;
use crate::domain::indicators::Indicator;
use crate::domain::lessons::Lesson;
use crate::domain::organisations::Organisation;
use crate::domain::programmes::Programme;
use crate::domain::results::ResultRecord;
use crate::storage::{
    activities, documents, engagements, events, indicator_values, indicators, lessons,
    organisations, programmes, results,
};

/// A record with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id, e.g. Engagement:4."))]
pub enum Node {
    Organisation(Organisation),
    Document(Document),
    Programme(Programme),
    Engagement(Engagement),
    Activity(Activity),
    Event(Event),
    Lesson(Lesson),
    Result(ResultRecord),
    Indicator(Indicator),
    IndicatorValue(IndicatorValue),
}

#[derive(Default)]
pub struct NodeQuery;

/// Look-up by global id.
#[Object]
impl NodeQuery {
    /// Any record by its global id (e.g. Engagement:4); null when it does not exist or the
    /// caller may not see it. Reference records (organisations) are public; the others need a
    /// token, and donors see only what they fund.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (kind, n) = split("id", &id)?;
        let pool = ctx.db().pool();
        if kind == "Organisation" {
            return Ok(organisations::find(pool, n).await?.map(Node::Organisation));
        }
        let scope = ctx.viewer().record_scope()?;
        Ok(match kind.as_str() {
            "Document" => documents::find(pool, n).await?.map(Node::Document),
            "Programme" => programmes::find(pool, &scope, n)
                .await?
                .map(Node::Programme),
            "Engagement" => engagements::find(pool, &scope, n)
                .await?
                .map(Node::Engagement),
            "Activity" => activities::find(pool, &scope, n).await?.map(Node::Activity),
            "Event" => events::find(pool, &scope, n).await?.map(Node::Event),
            "Lesson" => lessons::find(pool, &scope, n).await?.map(Node::Lesson),
            "Result" => results::find(pool, &scope, n).await?.map(Node::Result),
            "Indicator" => match indicators::find(pool, &scope, n).await? {
                Some(row) => Some(Node::Indicator(Indicator::try_from(row)?)),
                None => None,
            },
            "IndicatorValue" => indicator_values::find_in(pool, &scope, n)
                .await?
                .map(Node::IndicatorValue),
            _ => None,
        })
    }
}
