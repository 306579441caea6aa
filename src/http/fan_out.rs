//! The complexity limit with lists counted by their rows. async-graphql's own score counts each
//! field once, so `first: 100` inside `first: 100` inside `first: 100` scored a few fields and
//! ran a million rows: one request, even an anonymous one through the public countries of each
//! region, held the database pool and the processor until the timeout. Here each field counts
//! once for every row of the paged lists around it (those that take `first`), before anything
//! runs.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationType, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Value, Variables};

use crate::config::Limits;

/// How deep fragment spreads and selections are followed; the depth limit refuses more later.
const MAX_NESTING: usize = 64;

/// What the count needs of each field of the schema: the type it leads to and whether it is a
/// list paged by `first`.
#[derive(Default)]
pub struct Shapes {
    fields: HashMap<(String, String), (String, bool)>,
    query: String,
    mutation: String,
}

impl Shapes {
    pub fn from_sdl(sdl: &str) -> Shapes {
        let mut shapes = Shapes {
            query: "Query".into(),
            mutation: "Mutation".into(),
            ..Shapes::default()
        };
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!("the schema's SDL does not parse; lists are not counted by rows");
            return shapes;
        };
        for definition in doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(s) => {
                    if let Some(q) = &s.node.query {
                        shapes.query = q.node.to_string();
                    }
                    if let Some(m) = &s.node.mutation {
                        shapes.mutation = m.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let fields = match &t.node.kind {
                        TypeKind::Object(o) => &o.fields,
                        TypeKind::Interface(i) => &i.fields,
                        _ => continue,
                    };
                    for f in fields {
                        let paged = f.node.arguments.iter().any(|a| a.node.name.node == "first");
                        shapes.fields.insert(
                            (t.node.name.node.to_string(), f.node.name.node.to_string()),
                            (named(&f.node.ty.node), paged),
                        );
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        shapes
    }
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

/// Refuses a document whose fields, each counted once per row of the paged lists around it,
/// come to more than `max_complexity`. A list without `first` counts as the default page size,
/// and a `first` above the largest page as the largest (the list itself refuses it, naming it).
pub fn check(
    doc: &ExecutableDocument,
    variables: &Variables,
    limits: &Limits,
    shapes: &Shapes,
) -> Result<(), String> {
    let walk = Walk {
        doc,
        variables,
        limits,
        shapes,
    };
    let mut total = 0u128;
    for (_, op) in doc.operations.iter() {
        let root = match op.node.ty {
            OperationType::Query => &shapes.query,
            OperationType::Mutation => &shapes.mutation,
            OperationType::Subscription => continue,
        };
        total += walk.count(&op.node.selection_set.node, root, 1, 0);
    }
    if total > limits.max_complexity as u128 {
        return Err(format!(
            "the query could return more than {} values (its complexity limit): each field \
             counts once for every row of the lists around it, so first: 100 inside first: 100 \
             is 10,000 rows, and a list without first counts as {}; ask for fewer rows and page \
             through the rest",
            limits.max_complexity, limits.default_page_size
        ));
    }
    Ok(())
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    limits: &'a Limits,
    shapes: &'a Shapes,
}

impl Walk<'_> {
    /// The count of `set`, selected on `parent` once for each of `rows` rows.
    fn count(&self, set: &SelectionSet, parent: &str, rows: u128, nesting: usize) -> u128 {
        if nesting > MAX_NESTING || rows == 0 {
            return 0;
        }
        let mut total = 0u128;
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    total += rows;
                    let key = (parent.to_string(), f.name.node.to_string());
                    // Fields the schema does not have (introspection, a typo) count once:
                    // validation refuses typos, and introspection is bounded by the depth limit.
                    let Some((ty, paged)) = self.shapes.fields.get(&key) else {
                        continue;
                    };
                    let per = if *paged { self.first(f) } else { 1 };
                    total += self.count(&f.selection_set.node, ty, rows * per, nesting + 1);
                }
                Selection::InlineFragment(i) => {
                    let on = i
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| parent.to_string());
                    total += self.count(&i.node.selection_set.node, &on, rows, nesting + 1);
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = self.doc.fragments.get(&s.node.fragment_name.node) {
                        let on = fragment.node.type_condition.node.on.node.to_string();
                        total +=
                            self.count(&fragment.node.selection_set.node, &on, rows, nesting + 1);
                    }
                }
            }
            if total > self.limits.max_complexity as u128 {
                return total;
            }
        }
        total
    }

    /// The rows a paged list may return: its `first` (a literal or a variable), capped at the
    /// largest page; the default page size when it is not given or not a number.
    fn first(&self, field: &Field) -> u128 {
        let given = field
            .arguments
            .iter()
            .find(|(name, _)| name.node == "first")
            .and_then(|(_, value)| {
                value
                    .node
                    .clone()
                    .into_const_with(|v| self.variables.get(&v).cloned().ok_or(()))
                    .ok()
            })
            .and_then(|v| match v {
                Value::Number(n) => n.as_i64(),
                _ => None,
            });
        let rows = given
            .unwrap_or(self.limits.default_page_size)
            .clamp(0, self.limits.max_page_size.max(0));
        rows as u128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = "type Query { list(first: Int): [Item!]! one: Item }
        type Item { name: String! items(first: Int): [Item!]! parent: Item }";

    fn check_query(query: &str, max: usize) -> Result<(), String> {
        let limits = Limits {
            max_complexity: max,
            ..Limits::default()
        };
        let doc = async_graphql::parser::parse_query(query).unwrap();
        check(&doc, &Variables::default(), &limits, &Shapes::from_sdl(SDL))
    }

    #[test]
    fn fields_count_once_per_row_of_the_paged_lists_around_them() {
        // 1 + 10 * (1 + 10 * 1) = 111
        assert!(check_query("{ list(first: 10) { items(first: 10) { name } } }", 111).is_ok());
        assert!(check_query("{ list(first: 10) { items(first: 10) { name } } }", 110).is_err());
        // Without first, the default page size (20): 1 + 20 = 21.
        assert!(check_query("{ list { name } }", 21).is_ok());
        assert!(check_query("{ list { name } }", 20).is_err());
        // A first above the largest page counts as the largest (100): 1 + 100.
        assert!(check_query("{ list(first: 100000) { name } }", 101).is_ok());
        // Fragments count where they are spread, on their own type.
        let spread = "{ one { ...F } } fragment F on Item { items(first: 50) { name } }";
        assert!(check_query(spread, 52).is_ok());
        assert!(check_query(spread, 51).is_err());
    }
}
