//! The one gate every mutation passes: no write without a credential that may write. Resolvers
//! then check the finer scope (programmes, countries) against the record; this gate makes sure a
//! new mutation cannot forget the coarse rule, and that callers who may never write learn nothing
//! from validation messages.
//!
//! The HTTP layer applies it to the operation as a whole, before anything runs, rather than as a
//! schema extension: any extension puts every field of every query on a slower path.

use crate::domain::auth::{Role, Viewer};
use crate::error::AppResult;

/// Succeeds when the caller may run mutations at all: UNAUTHENTICATED for anonymous callers,
/// FORBIDDEN for roles that only read (donors, reporters).
pub fn may_write(viewer: &Viewer) -> AppResult<()> {
    viewer
        .require_role(&[Role::Admin, Role::Officer], "change records")
        .map(|_| ())
}
