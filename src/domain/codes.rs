//! IATI 2.03 codelists: which lists we hold, and checking codes against them.

use crate::error::{AppError, AppResult};
use crate::storage::{Db, codelists};

/// One code of a list.
#[derive(Clone, Debug)]
pub struct Code {
    pub list: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub withdrawn: bool,
}

impl From<codelists::CodeRow> for Code {
    fn from(r: codelists::CodeRow) -> Self {
        Code {
            withdrawn: r.status == "withdrawn",
            list: r.list,
            code: r.code,
            name: r.name,
            description: r.description,
            category: r.category,
        }
    }
}

/// Fails with BAD_USER_INPUT on `field` unless `code` is an active code of `list`.
pub async fn require(db: &Db, list: &str, field: &str, code: &str) -> AppResult<Code> {
    match codelists::find_item(db.pool(), list, code).await? {
        Some(row) if row.status != "withdrawn" => Ok(row.into()),
        Some(_) => Err(AppError::bad_input(
            field,
            &format!("{code} is withdrawn from the IATI {list} codelist"),
        )),
        None => Err(AppError::bad_input(
            field,
            &format!("{code} is not in the IATI {list} codelist"),
        )),
    }
}

/// The codes of one list; an unknown list name is the caller's error.
pub async fn list(db: &Db, name: &str) -> AppResult<Vec<Code>> {
    let items = codelists::list_items(db.pool(), name).await?;
    if items.is_empty() {
        let known: Vec<String> = codelists::list_names(db.pool())
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        return Err(AppError::bad_input(
            "name",
            &format!("unknown codelist; known lists are {}", known.join(", ")),
        ));
    }
    Ok(items.into_iter().map(Code::from).collect())
}
