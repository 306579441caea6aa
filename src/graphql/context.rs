//! What every resolver can reach: the database, the caller, per-request loaders, limits.

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use super::loaders::AppLoader;
use super::pagination::PageLimits;
use crate::domain::auth::Viewer;
use crate::storage::Db;

/// Per-request state, inserted by the HTTP layer.
pub struct RequestState {
    pub viewer: Viewer,
    pub loader: DataLoader<AppLoader>,
}

impl RequestState {
    pub fn new(db: &Db, viewer: Viewer) -> Self {
        let loader = DataLoader::new(AppLoader::new(db.clone(), viewer.clone()), tokio::spawn);
        RequestState { viewer, loader }
    }
}

/// Short accessors for resolvers.
pub trait Ctx {
    fn db(&self) -> &Db;
    fn viewer(&self) -> &Viewer;
    fn loader(&self) -> &DataLoader<AppLoader>;
    fn page_limits(&self) -> PageLimits;
}

impl Ctx for Context<'_> {
    fn db(&self) -> &Db {
        self.data_unchecked::<Db>()
    }
    fn viewer(&self) -> &Viewer {
        &self.data_unchecked::<RequestState>().viewer
    }
    fn loader(&self) -> &DataLoader<AppLoader> {
        &self.data_unchecked::<RequestState>().loader
    }
    fn page_limits(&self) -> PageLimits {
        *self.data_unchecked::<PageLimits>()
    }
}
