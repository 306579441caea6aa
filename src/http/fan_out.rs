//! The complexity limit with lists counted by their rows. async-graphql's own score counts each
//! field once, so `first: 100` inside `first: 100` inside `first: 100` scored a few fields and
//! ran a million rows: one request, even an anonymous one through the public countries of each
//! region, held the database pool and the processor until the timeout. Here each field counts
//! once for every row of the paged lists around it (those that take `first`), before anything
//! runs. A list without `first` counts its rows as one, except where it repeats inside itself
//! (an indicator's actuals, each actual's indicator, its actuals again): there it counts as the
//! largest page, since such a round trip multiplies the response by the list's length each time
//! and no `first` bounds it.

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, Selection, SelectionSet, Type,
};
use async_graphql::{Value, Variables};

use super::nulls::FieldTypes;
use crate::config::Limits;

/// How deep fragment spreads and selections are followed; the depth limit refuses more later.
const MAX_NESTING: usize = 64;

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

/// Refuses a document whose fields, each counted once per row of the paged lists around it,
/// come to more than `max_complexity`. A paged list without `first` counts as the default page
/// size, and a `first` above the largest page as the largest (the list itself refuses it, naming
/// it); a list without `first` that repeats inside itself counts as the largest page.
pub fn check(
    doc: &ExecutableDocument,
    variables: &Variables,
    limits: &Limits,
    types: &FieldTypes,
) -> Result<(), String> {
    let walk = Walk {
        doc,
        variables,
        limits,
        types,
    };
    let mut total = 0u128;
    for (_, op) in doc.operations.iter() {
        let Some(root) = types.root(op.node.ty) else {
            continue;
        };
        total += walk.count(&op.node.selection_set.node, root, 1, 0, &mut Vec::new());
    }
    if total > limits.max_complexity as u128 {
        return Err(format!(
            "the query could return more than {} values (its complexity limit): each field \
             counts once for every row of the lists around it, so first: 100 inside first: 100 \
             is 10,000 rows, and one not given first counts as {}; a list that takes no first \
             counts one row, except inside itself (say an indicator's actuals inside the \
             indicator of an actual), where it counts as {}; ask for fewer rows and page through \
             the rest",
            limits.max_complexity, limits.default_page_size, limits.max_page_size
        ));
    }
    Ok(())
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    limits: &'a Limits,
    types: &'a FieldTypes,
}

impl Walk<'_> {
    /// The count of `set`, selected on `parent` once for each of `rows` rows, inside the fields
    /// named in `open` (outermost first).
    fn count(
        &self,
        set: &SelectionSet,
        parent: &str,
        rows: u128,
        nesting: usize,
        open: &mut Vec<(String, String)>,
    ) -> u128 {
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
                    let Some(ty) = self.types.get(&key) else {
                        continue;
                    };
                    let paged = self.types.takes_first(&key);
                    let list = matches!(ty.base, BaseType::List(_));
                    let per = if paged {
                        self.first(f)
                    } else if list && open.contains(&key) {
                        self.limits.max_page_size.max(0) as u128
                    } else {
                        1
                    };
                    open.push(key);
                    total += self.count(
                        &f.selection_set.node,
                        &named(ty),
                        rows * per,
                        nesting + 1,
                        open,
                    );
                    open.pop();
                }
                Selection::InlineFragment(i) => {
                    let on = i
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| parent.to_string());
                    total += self.count(&i.node.selection_set.node, &on, rows, nesting + 1, open);
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = self.doc.fragments.get(&s.node.fragment_name.node) {
                        let on = fragment.node.type_condition.node.on.node.to_string();
                        total += self.count(
                            &fragment.node.selection_set.node,
                            &on,
                            rows,
                            nesting + 1,
                            open,
                        );
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
        type Item { name: String! items(first: Int): [Item!]! parent: Item tags: [Tag!]! }
        type Tag { name: String! item: Item }";

    fn check_query(query: &str, max: usize) -> Result<(), String> {
        let limits = Limits {
            max_complexity: max,
            ..Limits::default()
        };
        let doc = async_graphql::parser::parse_query(query).unwrap();
        check(
            &doc,
            &Variables::default(),
            &limits,
            &FieldTypes::from_sdl(SDL),
        )
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

    #[test]
    fn a_list_without_first_counts_as_the_largest_page_where_it_repeats_inside_itself() {
        // Once on a path it counts one row: one, tags, name.
        assert!(check_query("{ one { tags { name } } }", 2).is_err());
        assert!(check_query("{ one { tags { name } } }", 3).is_ok());
        // Inside itself (each tag's item's tags) it counts as the largest page (100): one, tags,
        // name, item, tags, then 100 names.
        let round_trip = "{ one { tags { name item { tags { name } } } } }";
        assert!(check_query(round_trip, 5 + 100).is_ok());
        assert!(check_query(round_trip, 5 + 99).is_err());
        // Twice round: 100 x 100 names more.
        let twice = "{ one { tags { item { tags { item { tags { name } } } } } } }";
        assert!(check_query(twice, 5000).is_err());
        // Beside itself, not inside, it is one row each time.
        let beside = "{ one { tags { name } parent { tags { name } } } }";
        assert!(check_query(beside, 6).is_ok());
        assert!(check_query(beside, 5).is_err());
    }

    /// The default against this schema: a report's page of engagements with a page of
    /// activities each runs, with fields to spare; pages inside pages at their largest do not.
    #[test]
    fn the_default_admits_a_report_page_and_refuses_pages_of_pages() {
        let types = FieldTypes::from_sdl(include_str!("../../schema/schema.graphql"));
        let default = |query: &str| {
            let doc = async_graphql::parser::parse_query(query).unwrap();
            check(&doc, &Variables::default(), &Limits::default(), &types)
        };
        // The performance issue's nested list, each activity with its dates, kind, place and
        // participants besides (50 x 20 activities: about 11,500 values).
        let report = "{ engagements(first: 50) { nodes { title activities { title kind startDate \
                      endDate place country { name } participants { female male total } } \
                      recipientCountries { country { iso3 } } \
                      results { indicators { title actuals { value } } } } } }";
        assert_eq!(default(report), Ok(()));
        // 100 engagements x 100 activities x 3 fields.
        let pages = "{ engagements(first: 100) { nodes { activities(first: 100) { title kind \
                     startDate } } } }";
        let message = default(pages).unwrap_err();
        assert!(message.contains("more than 20000 values"), "{message}");
    }
}
