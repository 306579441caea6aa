//! Batched loads of what hangs under events: one statement per relation and request, whatever
//! the number of events on the page. Keys are events the caller has been shown already (their
//! reads applied the scope); links to other records apply it again, so a donor sees only the
//! programmes and engagements it may read.

use std::collections::HashMap;
use std::hash::Hash;

use async_graphql::dataloader::Loader;

use crate::domain::events::{Event, Speaker};
use crate::graphql::error::LoadError;
use crate::graphql::loaders::AppLoader;
use crate::storage::events as store;

/// An event by id, within the caller's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventById(pub i64);

/// The co-organisers (organisation ids) of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventOrganisers(pub i64);

/// The speakers of an event, in list order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventSpeakers(pub i64);

/// The themes of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventThemes(pub i64);

/// The key messages of an event, in list order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventKeyMessages(pub i64);

/// The programmes (id, code) an event is linked to directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventProgrammes(pub i64);

/// The engagements (ids) an event is linked to, as far as the caller may see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventEngagements(pub i64);

/// Groups `(owner, value)` rows under their owner's key, keeping row order.
fn grouped<K: Eq + Hash, V>(
    rows: impl IntoIterator<Item = (i64, V)>,
    key: impl Fn(i64) -> K,
) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for (owner, value) in rows {
        out.entry(key(owner)).or_default().push(value);
    }
    out
}

impl Loader<EventById> for AppLoader {
    type Value = Event;
    type Error = LoadError;

    async fn load(&self, keys: &[EventById]) -> Result<HashMap<EventById, Event>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = store::by_ids(self.db.pool(), &scope, &ids).await?;
        Ok(rows.into_iter().map(|r| (EventById(r.id), r)).collect())
    }
}

impl Loader<EventOrganisers> for AppLoader {
    type Value = Vec<i64>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EventOrganisers],
    ) -> Result<HashMap<EventOrganisers, Vec<i64>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::organisers(self.db.pool(), &ids).await?;
        Ok(grouped(rows, EventOrganisers))
    }
}

impl Loader<EventSpeakers> for AppLoader {
    type Value = Vec<Speaker>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EventSpeakers],
    ) -> Result<HashMap<EventSpeakers, Vec<Speaker>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::speakers(self.db.pool(), &ids).await?;
        Ok(grouped(
            rows.into_iter().map(|s| (s.event_id, s)),
            EventSpeakers,
        ))
    }
}

impl Loader<EventThemes> for AppLoader {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EventThemes],
    ) -> Result<HashMap<EventThemes, Vec<String>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::themes(self.db.pool(), &ids).await?;
        Ok(grouped(rows, EventThemes))
    }
}

impl Loader<EventKeyMessages> for AppLoader {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EventKeyMessages],
    ) -> Result<HashMap<EventKeyMessages, Vec<String>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::key_messages(self.db.pool(), &ids).await?;
        Ok(grouped(rows, EventKeyMessages))
    }
}

impl Loader<EventProgrammes> for AppLoader {
    type Value = Vec<(i64, String)>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EventProgrammes],
    ) -> Result<HashMap<EventProgrammes, Vec<(i64, String)>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = store::programmes(self.db.pool(), &scope, &ids).await?;
        Ok(grouped(
            rows.into_iter().map(|(e, id, code)| (e, (id, code))),
            EventProgrammes,
        ))
    }
}

impl Loader<EventEngagements> for AppLoader {
    type Value = Vec<i64>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[EventEngagements],
    ) -> Result<HashMap<EventEngagements, Vec<i64>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = store::engagements(self.db.pool(), &scope, &ids).await?;
        Ok(grouped(rows, EventEngagements))
    }
}
