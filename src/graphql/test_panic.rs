//! For the tests only: a way to make a field panic, to show what a client, the log and an
//! idempotency key see when a resolver has a bug. Compiled into debug builds only, and idle
//! until Rust code calls `arm` before the schema is built (a request cannot arm it).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};

/// Once armed, a field selected under an alias that begins so panics, the first time the process
/// sees that alias (a retry of the same request then runs; each test takes aliases of its own).
pub const ALIAS: &str = "panicForTest";

/// The text of the panic, which must reach no client.
pub const MESSAGE: &str = "test panic: secret detail 7f3a";

static ARMED: AtomicBool = AtomicBool::new(false);
static FIRED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Makes schemas built from now on in this process panic on `ALIAS`.
pub fn arm() {
    ARMED.store(true, Ordering::SeqCst);
}

pub(super) fn armed() -> bool {
    ARMED.load(Ordering::SeqCst)
}

pub(super) struct PanicOnAlias;

impl ExtensionFactory for PanicOnAlias {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PanicOnAlias)
    }
}

#[async_trait::async_trait]
impl Extension for PanicOnAlias {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if let Some(alias) = info.alias.filter(|a| a.starts_with(ALIAS))
            && FIRED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert_default()
                .insert(alias.to_string())
        {
            panic!("{MESSAGE}");
        }
        next.run(ctx, info).await
    }
}
