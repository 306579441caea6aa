//! A response's data written in the order the query selected it.
//!
//! The specification lays a response out in the order of the query's selections. async-graphql
//! 7.2 fills each object's fields in the order they finish resolving, which varies from run to
//! run; the data is therefore written by walking the operation's selections beside it.

use async_graphql::parser::types::{
    Directive, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Positioned, Variables};
use serde::Serialize;

/// A response value with each object's keys in the order the query selected them, so the same
/// query always reads the same, and as it was asked. `sets` are the selection sets that produced
/// this value (several where fragments select the same field); a key none of them names (none
/// should) follows in alphabetical order.
pub struct InQueryOrder<'a> {
    value: &'a async_graphql::Value,
    query: Option<(&'a ExecutableDocument, &'a Variables)>,
    sets: Vec<&'a Positioned<SelectionSet>>,
}

/// What a response answers: the document, the operation that ran and the request's variables
/// (which decide `@skip` and `@include`).
pub struct Asked<'a> {
    pub doc: &'a ExecutableDocument,
    pub operation: &'a OperationDefinition,
    pub variables: &'a Variables,
}

impl<'a> InQueryOrder<'a> {
    /// The data of a response to `asked`; without it, every object's keys in alphabetical order.
    pub fn new(value: &'a async_graphql::Value, asked: Option<Asked<'a>>) -> Self {
        match asked {
            Some(a) => InQueryOrder {
                value,
                query: Some((a.doc, a.variables)),
                sets: vec![&a.operation.selection_set],
            },
            None => InQueryOrder {
                value,
                query: None,
                sets: Vec::new(),
            },
        }
    }
}

/// Whether `@skip` or `@include` leaves a selection out, decided as the executor decides it: an
/// `if` that is not a boolean (a variable the request lacks) counts as false.
fn is_skipped(directives: &[Positioned<Directive>], variables: &Variables) -> bool {
    directives.iter().any(|d| {
        let include = match d.node.name.node.as_str() {
            "skip" => false,
            "include" => true,
            _ => return false,
        };
        let Some(condition) = d.node.get_argument("if") else {
            return false;
        };
        let value = condition
            .node
            .clone()
            .into_const_with(|name| variables.get(&name).cloned().ok_or(()))
            .unwrap_or_default();
        let value = matches!(value, async_graphql::Value::Boolean(true));
        include != value
    })
}

/// The response keys a set of selection sets produces, in order, each with the sub-selections
/// that fill it, fragments expanded where they are spread and selections `@skip` or `@include`
/// leaves out left out. Fragment cycles never get here: a document that has one fails
/// validation, and its response has no data.
///
/// One approximation: the value does not say which type it is, so every fragment counts, whatever
/// its type condition. Only where fragments on different types select the same keys in
/// different orders (`... on A { x y } ... on B { y x }`) is the order the first fragment's,
/// even for a B; nothing is lost or repeated.
fn response_keys<'a>(
    doc: &'a ExecutableDocument,
    variables: &Variables,
    sets: &[&'a Positioned<SelectionSet>],
    keys: &mut Vec<(&'a str, Vec<&'a Positioned<SelectionSet>>)>,
) {
    for set in sets {
        for selection in &set.node.items {
            if is_skipped(selection.node.directives(), variables) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.as_str();
                    let sub = &field.node.selection_set;
                    match keys.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, subs)) => subs.push(sub),
                        None => keys.push((key, vec![sub])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                        response_keys(doc, variables, &[&fragment.node.selection_set], keys);
                    }
                }
                Selection::InlineFragment(inline) => {
                    response_keys(doc, variables, &[&inline.node.selection_set], keys);
                }
            }
        }
    }
}

impl Serialize for InQueryOrder<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.value {
            async_graphql::Value::List(items) => {
                s.collect_seq(items.iter().map(|item| InQueryOrder {
                    value: item,
                    query: self.query,
                    sets: self.sets.clone(),
                }))
            }
            async_graphql::Value::Object(fields) => {
                let mut keys = Vec::new();
                if let Some((doc, variables)) = self.query {
                    response_keys(doc, variables, &self.sets, &mut keys);
                }
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (key, sets) in &keys {
                    if let Some(value) = fields.get(*key) {
                        map.serialize_entry(
                            key,
                            &InQueryOrder {
                                value,
                                query: self.query,
                                sets: sets.clone(),
                            },
                        )?;
                    }
                }
                let mut rest: Vec<_> = fields
                    .iter()
                    .filter(|(name, _)| !keys.iter().any(|(k, _)| *k == name.as_str()))
                    .collect();
                rest.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                for (name, value) in rest {
                    let unselected = InQueryOrder {
                        value,
                        query: None,
                        sets: Vec::new(),
                    };
                    map.serialize_entry(name.as_str(), &unselected)?;
                }
                map.end()
            }
            scalar => scalar.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operation of that name ("" for an anonymous one).
    fn operation<'a>(doc: &'a ExecutableDocument, name: &str) -> &'a OperationDefinition {
        let (_, op) = doc
            .operations
            .iter()
            .find(|(n, _)| n.map_or("", |n| n.as_str()) == name)
            .expect("the operation");
        &op.node
    }

    fn write(
        data: &async_graphql::Value,
        doc: &ExecutableDocument,
        operation: &OperationDefinition,
        variables: &Variables,
    ) -> String {
        let asked = Asked {
            doc,
            operation,
            variables,
        };
        serde_json::to_string(&InQueryOrder::new(data, Some(asked))).unwrap()
    }

    fn object(pairs: &[(&str, async_graphql::Value)]) -> async_graphql::Value {
        async_graphql::Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (async_graphql::Name::new(k), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn a_response_follows_the_query_order_whatever_order_its_fields_finished_in() {
        // Aliases, a named fragment and an inline one, and a field selected twice: the keys come
        // in the order the query first names them, at every level and for every list item.
        let query = "query Q { zeta: engagements { ...Bits title } alpha: engagement { \
                     ... on Engagement { title id } } } \
                     fragment Bits on Engagement { title status { name code } }";
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let op = operation(&doc, "Q");
        let status = object(&[
            ("code", async_graphql::Value::from("2")),
            ("name", async_graphql::Value::from("Implementation")),
        ]);
        let item = object(&[
            ("status", status),
            ("title", async_graphql::Value::from("T")),
        ]);
        let one = object(&[
            ("id", async_graphql::Value::from("E:1")),
            ("title", async_graphql::Value::from("T")),
        ]);
        let data = object(&[
            ("alpha", one),
            ("zeta", async_graphql::Value::List(vec![item.clone(), item])),
        ]);
        let text = write(&data, &doc, op, &Variables::default());
        let item = r#"{"title":"T","status":{"name":"Implementation","code":"2"}}"#;
        assert_eq!(
            text,
            format!(r#"{{"zeta":[{item},{item}],"alpha":{{"title":"T","id":"E:1"}}}}"#)
        );
    }

    #[test]
    fn keys_no_selection_names_follow_in_alphabetical_order() {
        let data = object(&[
            ("zeta", async_graphql::Value::from(1)),
            ("alpha", async_graphql::Value::from(2)),
            ("mid", async_graphql::Value::from(3)),
        ]);
        let doc = async_graphql::parser::parse_query("{ mid }").unwrap();
        let op = operation(&doc, "");
        let text = write(&data, &doc, op, &Variables::default());
        assert_eq!(text, r#"{"mid":3,"alpha":2,"zeta":1}"#);
        let text = serde_json::to_string(&InQueryOrder::new(&data, None)).unwrap();
        assert_eq!(text, r#"{"alpha":2,"mid":3,"zeta":1}"#);
    }

    #[test]
    fn selections_skip_or_include_leave_out_do_not_place_a_key() {
        // The executor leaves out the first `b`, so `a` comes first, as it does in the data.
        let data = object(&[
            ("a", async_graphql::Value::from("Query")),
            ("b", async_graphql::Value::from("Query")),
        ]);
        let query = "query($no: Boolean!) { b: __typename @skip(if: true) \
                     ... @include(if: $no) { b: __typename } a: __typename b: __typename }";
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let op = operation(&doc, "");
        let no = Variables::from_json(serde_json::json!({ "no": false }));
        assert_eq!(write(&data, &doc, op, &no), r#"{"a":"Query","b":"Query"}"#);
        let yes = Variables::from_json(serde_json::json!({ "no": true }));
        assert_eq!(write(&data, &doc, op, &yes), r#"{"b":"Query","a":"Query"}"#);
    }
}
