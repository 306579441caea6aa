//! Global object ids: `Type:number`, e.g. `Engagement:12`. Readable, and `node(id)` can tell the
//! type from the id alone.

use async_graphql::ID;

use crate::error::{AppError, AppResult};

pub fn global_id(kind: &str, id: i64) -> ID {
    ID(format!("{kind}:{id}"))
}

/// Splits a global id into its type and number.
pub fn split(field: &str, id: &str) -> AppResult<(String, i64)> {
    let bad = || {
        AppError::bad_input(
            field,
            "is not an id of this API (ids look like Engagement:12)",
        )
    };
    if id.trim().is_empty() {
        return Err(AppError::bad_input(field, "must not be blank"));
    }
    let (kind, n) = id.trim().split_once(':').ok_or_else(bad)?;
    let n: i64 = n.parse().map_err(|_| bad())?;
    if kind.is_empty() || n <= 0 {
        return Err(bad());
    }
    Ok((kind.to_string(), n))
}

/// A type's name with its indefinite article: `an Engagement`, `a Programme`.
pub fn a(kind: &str) -> String {
    let vowel = kind
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {kind}", if vowel { "an" } else { "a" })
}

/// The number of a global id that must be of type `kind`.
pub fn parse(field: &str, kind: &str, id: &ID) -> AppResult<i64> {
    let (k, n) = split(field, id)?;
    if k != kind {
        return Err(AppError::bad_input(
            field,
            &format!("must be the id of {}, not of {}", a(kind), a(&k)),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_name_their_type() {
        let id = global_id("Engagement", 12);
        assert_eq!(id.as_str(), "Engagement:12");
        assert_eq!(parse("id", "Engagement", &id).unwrap(), 12);
        assert_eq!(
            parse("input.id", "Activity", &id)
                .unwrap_err()
                .client_message(),
            "input.id: must be the id of an Activity, not of an Engagement"
        );
        assert!(split("id", "12").is_err());
        assert_eq!(
            split("filter.engagement", " ")
                .unwrap_err()
                .client_message(),
            "filter.engagement: must not be blank"
        );
        assert!(split("id", "Engagement:-1").is_err());
    }
}
