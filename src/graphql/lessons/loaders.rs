//! Batched loads of what hangs under lessons: one statement per relation and request. The keys
//! are lessons the caller has been shown already (their reads applied the scope).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::domain::activities::Activity;
use crate::domain::documents::Document;
use crate::graphql::error::LoadError;
use crate::graphql::loaders::AppLoader;
use crate::storage::lessons::{self as store, LessonAreaRow};
use crate::storage::{activities, documents};

/// The themes of a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LessonThemes(pub i64);

/// The countries (ISO3) a lesson names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LessonCountries(pub i64);

/// The regions and groupings a lesson names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LessonAreas(pub i64);

/// An activity a lesson was drawn from, within the caller's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceActivity(pub i64);

/// A document by id (documents are public references: no scope applies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DocumentById(pub i64);

fn grouped<K: Eq + std::hash::Hash, V>(
    rows: impl IntoIterator<Item = (i64, V)>,
    key: impl Fn(i64) -> K,
) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for (owner, value) in rows {
        out.entry(key(owner)).or_default().push(value);
    }
    out
}

impl Loader<LessonThemes> for AppLoader {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[LessonThemes],
    ) -> Result<HashMap<LessonThemes, Vec<String>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        Ok(grouped(
            store::themes(self.db.pool(), &ids).await?,
            LessonThemes,
        ))
    }
}

impl Loader<LessonCountries> for AppLoader {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[LessonCountries],
    ) -> Result<HashMap<LessonCountries, Vec<String>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        Ok(grouped(
            store::countries(self.db.pool(), &ids).await?,
            LessonCountries,
        ))
    }
}

impl Loader<LessonAreas> for AppLoader {
    type Value = Vec<LessonAreaRow>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[LessonAreas],
    ) -> Result<HashMap<LessonAreas, Vec<LessonAreaRow>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = store::areas(self.db.pool(), &ids).await?;
        Ok(grouped(
            rows.into_iter().map(|a| (a.lesson_id, a)),
            LessonAreas,
        ))
    }
}

impl Loader<DocumentById> for AppLoader {
    type Value = Document;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[DocumentById],
    ) -> Result<HashMap<DocumentById, Document>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = documents::by_ids(self.db.pool(), &ids).await?;
        Ok(rows.into_iter().map(|d| (DocumentById(d.id), d)).collect())
    }
}

impl Loader<SourceActivity> for AppLoader {
    type Value = Activity;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SourceActivity],
    ) -> Result<HashMap<SourceActivity, Activity>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let scope = self.viewer.record_scope()?;
        let rows = activities::by_ids(self.db.pool(), &scope, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|a| (SourceActivity(a.id), a))
            .collect())
    }
}
