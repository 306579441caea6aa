//! Reading the fields of a change: a field left out keeps its value; `null` empties the fields
//! that may be empty, and is refused by name on the others, never quietly read as "keep".

use async_graphql::MaybeUndefined;

use crate::error::{AppError, AppResult};

/// A text that may be empty: absent keeps it, `null` empties it.
pub(crate) fn clearable(v: MaybeUndefined<String>) -> Option<String> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(String::new()),
        MaybeUndefined::Value(v) => Some(v),
    }
}

/// Whether an input creates a record or changes one: `null` on creation is a field not given,
/// and on a change a field that cannot be emptied is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    Create,
    Update,
}

impl Write {
    /// A field that always has a value: left out (or `null` on creation) it is `None`.
    pub fn kept<T>(self, field: &str, v: MaybeUndefined<T>) -> AppResult<Option<T>> {
        self.read(
            field,
            v,
            "cannot be emptied; leave it out to keep the current value",
        )
    }

    /// A list a change replaces whole: left out it stays as it is, `[]` empties it.
    pub fn list<T>(self, field: &str, v: MaybeUndefined<Vec<T>>) -> AppResult<Option<Vec<T>>> {
        self.read(
            field,
            v,
            "cannot be null; leave it out to keep the list as it is, or give [] to empty it",
        )
    }

    fn read<T>(self, field: &str, v: MaybeUndefined<T>, refusal: &str) -> AppResult<Option<T>> {
        match (v, self) {
            (MaybeUndefined::Value(v), _) => Ok(Some(v)),
            (MaybeUndefined::Undefined, _) | (MaybeUndefined::Null, Write::Create) => Ok(None),
            (MaybeUndefined::Null, Write::Update) => Err(AppError::bad_input(field, refusal)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_is_not_given_on_creation_and_refused_by_name_on_a_change() {
        let null = || MaybeUndefined::<i64>::Null;
        assert_eq!(Write::Create.kept("input.title", null()).unwrap(), None);
        assert_eq!(
            Write::Update
                .kept("input.x", MaybeUndefined::Value(3))
                .unwrap(),
            Some(3)
        );
        assert_eq!(
            Write::Update
                .kept("input.x", MaybeUndefined::<i64>::Undefined)
                .unwrap(),
            None
        );
        let refused = Write::Update.kept("input.title", null()).unwrap_err();
        assert_eq!(
            refused.client_message(),
            "input.title: cannot be emptied; leave it out to keep the current value"
        );
        let refused = Write::Update
            .list("input.sectors", MaybeUndefined::<Vec<i64>>::Null)
            .unwrap_err();
        assert!(
            refused
                .client_message()
                .starts_with("input.sectors: cannot be null; leave it out")
        );
        assert_eq!(
            Write::Update
                .list("input.sectors", MaybeUndefined::Value(Vec::<i64>::new()))
                .unwrap(),
            Some(vec![])
        );
    }
}
