//! The one gate every mutation passes: no write without a credential that may write. Resolvers
//! then check the finer scope (programmes, countries) against the record; this guard makes sure a
//! new mutation cannot forget the coarse rule, and that callers who may never write learn nothing
//! from validation messages.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{PathSegment, ServerResult, Value};

use super::context::RequestState;
use crate::domain::auth::Role;
use crate::error::AppError;

/// Installs the guard on a schema.
pub struct WriteGuard;

impl ExtensionFactory for WriteGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(WriteGuardExtension)
    }
}

struct WriteGuardExtension;

#[async_trait::async_trait]
impl Extension for WriteGuardExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type == "Mutation" {
            let viewer = ctx.data_opt::<RequestState>().map(|s| &s.viewer);
            let allowed = viewer
                .ok_or_else(|| AppError::Unauthenticated("this needs a credential".into()))
                .and_then(|v| v.require_role(&[Role::Admin, Role::Officer], "change records"));
            if let Err(e) = allowed {
                let mut err = async_graphql::Error::from(e).into_server_error(Default::default());
                err.path = info
                    .path_node
                    .to_string_vec()
                    .into_iter()
                    .map(PathSegment::Field)
                    .collect();
                return Err(err);
            }
        }
        next.run(ctx, info).await
    }
}
