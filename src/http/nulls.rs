//! Where a failed field's null goes.
//!
//! The specification answers a field that failed with null beside its error; when the field's
//! type is non-null, the null goes up to its nearest parent that may be null, and past the root
//! field to `data` itself. async-graphql 7.2 does neither: it leaves a failed field out of its
//! object and writes an object whose every field failed as null, whatever the types say. So the
//! response is mended here, from the types of the published schema and the fields the operation
//! selected (an error's path names fields by their response keys, aliases included).

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
    Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{PathSegment, Positioned, ServerError, Value};

/// Every field's type, by (type, field), read from the schema's SDL once at start, which fields
/// take `first` (for the complexity count, `fan_out.rs`), and the types of arguments and of input
/// objects' fields (to name the part of an argument that failed to parse, `arguments.rs`).
pub struct FieldTypes {
    fields: HashMap<(String, String), Type>,
    paged: HashSet<(String, String)>,
    arguments: HashMap<(String, String, String), Type>,
    /// Each input object's fields in declaration order, the order the library parses them in.
    inputs: HashMap<String, Vec<(String, Type)>>,
    query: String,
    mutation: String,
}

impl FieldTypes {
    pub fn from_sdl(sdl: &str) -> FieldTypes {
        let mut types = FieldTypes {
            fields: HashMap::new(),
            paged: HashSet::new(),
            arguments: HashMap::new(),
            inputs: HashMap::new(),
            query: "Query".into(),
            mutation: "Mutation".into(),
        };
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!(
                "the schema's SDL does not parse; failed fields stay as the library wrote them"
            );
            return types;
        };
        for definition in doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(s) => {
                    if let Some(q) = &s.node.query {
                        types.query = q.node.to_string();
                    }
                    if let Some(m) = &s.node.mutation {
                        types.mutation = m.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let fields = match &t.node.kind {
                        TypeKind::Object(o) => &o.fields,
                        TypeKind::Interface(i) => &i.fields,
                        TypeKind::InputObject(i) => {
                            let fields = i
                                .fields
                                .iter()
                                .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()));
                            types
                                .inputs
                                .insert(t.node.name.node.to_string(), fields.collect());
                            continue;
                        }
                        _ => continue,
                    };
                    for f in fields {
                        let key = (t.node.name.node.to_string(), f.node.name.node.to_string());
                        for a in &f.node.arguments {
                            let (parent, field) = key.clone();
                            let argument = (parent, field, a.node.name.node.to_string());
                            types.arguments.insert(argument, a.node.ty.node.clone());
                        }
                        if f.node.arguments.iter().any(|a| a.node.name.node == "first") {
                            types.paged.insert(key.clone());
                        }
                        types.fields.insert(key, f.node.ty.node.clone());
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        types
    }

    /// The type an operation's root fields are selected on; None for a subscription.
    pub(super) fn root(&self, ty: OperationType) -> Option<&str> {
        match ty {
            OperationType::Query => Some(&self.query),
            OperationType::Mutation => Some(&self.mutation),
            OperationType::Subscription => None,
        }
    }

    /// The type of the field `key` (type, field), when the schema has it.
    pub(super) fn get(&self, key: &(String, String)) -> Option<&Type> {
        self.fields.get(key)
    }

    /// Whether the field `key` (type, field) takes `first`.
    pub(super) fn takes_first(&self, key: &(String, String)) -> bool {
        self.paged.contains(key)
    }

    /// The type of the argument `argument` of the field `field` on `parent`.
    pub(super) fn argument(&self, parent: &str, field: &str, argument: &str) -> Option<&Type> {
        let key = (parent.to_string(), field.to_string(), argument.to_string());
        self.arguments.get(&key)
    }

    /// The fields of the input object `name` in declaration order; None for any other type.
    pub(super) fn input_fields(&self, name: &str) -> Option<&[(String, Type)]> {
        self.inputs.get(name).map(Vec::as_slice)
    }

    /// Puts each error's null where the specification puts it: at the failed field when it
    /// may be null, else at its nearest parent that may be, else `data` becomes null. Errors
    /// without a path (the operation never ran) leave the data alone.
    pub fn null_where_failed(
        &self,
        data: &mut Value,
        errors: &[ServerError],
        asked: Option<(&ExecutableDocument, &OperationDefinition)>,
    ) {
        let mut targets: Vec<&[PathSegment]> = errors
            .iter()
            .filter(|e| !e.path.is_empty())
            .map(|e| match asked {
                Some((doc, op)) => {
                    let n = self
                        .nullable_depth(doc, op, &e.path)
                        .unwrap_or(e.path.len());
                    &e.path[..n]
                }
                None => &e.path[..],
            })
            .collect();
        // An ancestor's null covers whatever failed beneath it.
        targets.sort_by_key(|t| t.len());
        let mut done: Vec<&[PathSegment]> = Vec::new();
        for target in targets {
            if done.iter().any(|d| target.starts_with(d)) {
                continue;
            }
            set_null(data, target);
            done.push(target);
        }
    }

    /// How much of `path` stays: the length of the prefix that names its nearest position that
    /// may be null (0 for `data`). None when the path does not follow the operation.
    fn nullable_depth(
        &self,
        doc: &ExecutableDocument,
        op: &OperationDefinition,
        path: &[PathSegment],
    ) -> Option<usize> {
        let root = match op.ty {
            OperationType::Query => &self.query,
            _ => &self.mutation,
        };
        // The selection sets that answer the current position, each with the type it selects
        // on: fragments on different types may answer one key with fields of different types.
        let mut sets: Vec<(String, &Positioned<SelectionSet>)> =
            vec![(root.clone(), &op.selection_set)];
        let mut ty: Option<Type> = None;
        let mut nullable = Vec::with_capacity(path.len());
        for segment in path {
            match segment {
                PathSegment::Field(key) => {
                    let mut typed = Vec::new();
                    for (parent, set) in &sets {
                        let mut found = Vec::new();
                        selected(doc, set, parent, key, &mut found);
                        for (on, field) in found {
                            let name = field.node.name.node.to_string();
                            let t = self
                                .fields
                                .get(&(on, name.clone()))
                                .or_else(|| self.fields.get(&(parent.clone(), name)));
                            if let Some(t) = t {
                                typed.push((t.clone(), &field.node.selection_set));
                            }
                        }
                    }
                    let (t, _) = typed.first()?;
                    nullable.push(t.nullable);
                    ty = Some(t.clone());
                    sets = typed
                        .into_iter()
                        .map(|(t, set)| (named(&t).to_string(), set))
                        .collect();
                }
                PathSegment::Index(_) => {
                    let item = match &ty?.base {
                        BaseType::List(item) => (**item).clone(),
                        BaseType::Named(_) => return None,
                    };
                    nullable.push(item.nullable);
                    ty = Some(item);
                }
            }
        }
        Some(nullable.iter().rposition(|n| *n).map_or(0, |i| i + 1))
    }
}

/// The fields of `set` (through fragments) answered under `key`, each with the type its
/// definition is looked up on: the fragment's type condition, else `parent`.
fn selected<'a>(
    doc: &'a ExecutableDocument,
    set: &'a Positioned<SelectionSet>,
    parent: &str,
    key: &str,
    found: &mut Vec<(String, &'a Positioned<async_graphql::parser::types::Field>)>,
) {
    for item in &set.node.items {
        match &item.node {
            Selection::Field(f) => {
                let answered = f.node.alias.as_ref().unwrap_or(&f.node.name);
                if answered.node.as_str() == key {
                    found.push((parent.to_string(), f));
                }
            }
            Selection::InlineFragment(i) => {
                let on = i
                    .node
                    .type_condition
                    .as_ref()
                    .map_or(parent, |c| c.node.on.node.as_str());
                selected(doc, &i.node.selection_set, on, key, found);
            }
            Selection::FragmentSpread(s) => {
                if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    selected(doc, &fragment.node.selection_set, on, key, found);
                }
            }
        }
    }
}

fn named(t: &Type) -> &str {
    match &t.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(item) => named(item),
    }
}

/// Makes the value at `path` null, putting back the objects on the way that the library wrote
/// as null (none of them is a target: an ancestor's null would have covered this one).
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, parents)) = path.split_last() else {
        *data = Value::Null;
        return;
    };
    let mut at = data;
    for segment in parents {
        if let (PathSegment::Field(_), Value::Null) = (segment, &*at) {
            *at = Value::Object(Default::default());
        }
        at = match (segment, at) {
            (PathSegment::Field(k), Value::Object(fields)) => fields
                .entry(async_graphql::Name::new(k))
                .or_insert(Value::Null),
            (PathSegment::Index(i), Value::List(items)) => match items.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    match (last, at) {
        (PathSegment::Field(k), at) => {
            if *at == Value::Null {
                *at = Value::Object(Default::default());
            }
            if let Value::Object(fields) = at {
                fields.insert(async_graphql::Name::new(k), Value::Null);
            }
        }
        (PathSegment::Index(i), Value::List(items)) => {
            if let Some(v) = items.get_mut(*i) {
                *v = Value::Null;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Name;

    const SDL: &str = "type Query { a: Int, b: Int!, thing: Thing, things: [Thing!], \
        sure: Thing!, node: Node }
        interface Node { id: ID! }
        type Thing implements Node { id: ID!, x: Int, y: Int!, kids: [Thing]!, pal: Other }
        type Other implements Node { id: ID!, z: Int!, buddy: Thing }
        type Mutation { write: Thing! }";

    fn object(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (Name::new(k), v)).collect())
    }

    fn error(path: &[&str]) -> ServerError {
        let mut e = ServerError::new("failed", None);
        e.path = path
            .iter()
            .map(|p| match p.parse() {
                Ok(i) => PathSegment::Index(i),
                Err(_) => PathSegment::Field(p.to_string()),
            })
            .collect();
        e
    }

    /// The data after the errors at `paths`, for `query` and the library's `data`.
    fn mended(query: &str, mut data: Value, paths: &[&[&str]]) -> Value {
        let types = FieldTypes::from_sdl(SDL);
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let op = match &doc.operations {
            async_graphql::parser::types::DocumentOperations::Single(op) => op.node.clone(),
            _ => unreachable!(),
        };
        let errors: Vec<ServerError> = paths.iter().map(|p| error(p)).collect();
        types.null_where_failed(&mut data, &errors, Some((&doc, &op)));
        data
    }

    #[test]
    fn a_nullable_field_that_failed_is_null_beside_the_others() {
        let got = mended("{ a b }", object(vec![("b", Value::from(1))]), &[&["a"]]);
        assert_eq!(got, object(vec![("b", Value::from(1)), ("a", Value::Null)]));
        // The library writes an object whose every field failed as null: it is put back.
        let got = mended("{ thing { x } }", Value::Null, &[&["thing", "x"]]);
        assert_eq!(
            got,
            object(vec![("thing", object(vec![("x", Value::Null)]))])
        );
    }

    #[test]
    fn a_non_null_field_passes_its_null_to_the_nearest_parent_that_may_be_null() {
        // Thing.y is non-null: its Thing becomes null.
        let data = object(vec![("thing", object(vec![("x", Value::from(2))]))]);
        let got = mended("{ thing { x y } }", data, &[&["thing", "y"]]);
        assert_eq!(got, object(vec![("thing", Value::Null)]));
        // A non-null root field nulls `data`; so does a non-null mutation result.
        assert_eq!(mended("{ a b }", object(vec![]), &[&["b"]]), Value::Null);
        assert_eq!(
            mended("mutation { write { id } }", Value::Null, &[&["write"]]),
            Value::Null
        );
        // In a list of non-null items the list becomes null; aliases are followed.
        let data = object(vec![(
            "t",
            Value::List(vec![object(vec![]), object(vec![("y", Value::from(1))])]),
        )]);
        let got = mended("{ t: things { y } }", data, &[&["t", "0", "y"]]);
        assert_eq!(got, object(vec![("t", Value::Null)]));
        // Nullable items take the null themselves; the non-null list around them stays.
        let data = object(vec![(
            "thing",
            object(vec![(
                "kids",
                Value::List(vec![object(vec![("y", Value::from(1))]), object(vec![])]),
            )]),
        )]);
        let got = mended(
            "{ thing { kids { y } } }",
            data,
            &[&["thing", "kids", "1", "y"]],
        );
        let kids = Value::List(vec![object(vec![("y", Value::from(1))]), Value::Null]);
        assert_eq!(got, object(vec![("thing", object(vec![("kids", kids)]))]));
    }

    #[test]
    fn fields_selected_through_fragments_are_typed_by_their_condition() {
        let query = "{ node { ... on Thing { y } ...F } } fragment F on Thing { id }";
        let got = mended(
            query,
            object(vec![("node", object(vec![]))]),
            &[&["node", "y"]],
        );
        assert_eq!(got, object(vec![("node", Value::Null)]));
        // A path that does not follow the operation keeps the error's own place.
        let got = mended("{ a }", object(vec![]), &[&["zzz"]]);
        assert_eq!(got, object(vec![("zzz", Value::Null)]));
    }

    #[test]
    fn a_field_under_fragments_on_different_types_is_typed_by_its_own_fragment() {
        // `p` is an Other (through Thing.pal) or a Thing (through Other.buddy); the node is an
        // Other, so `p` is a Thing whose `y` is non-null: the null goes to `p`.
        let query = "{ node { ... on Thing { p: pal { z } } ... on Other { p: buddy { y } } } }";
        let data = object(vec![("node", object(vec![("p", Value::Null)]))]);
        let got = mended(query, data, &[&["node", "p", "y"]]);
        assert_eq!(
            got,
            object(vec![("node", object(vec![("p", Value::Null)]))])
        );
        // And the other way round, through a named fragment: `z` is non-null on Other.
        let query = "{ node { ...B ... on Thing { p: pal { z } } } } \
                     fragment B on Other { p: buddy { x } }";
        let data = object(vec![("node", object(vec![("p", Value::Null)]))]);
        let got = mended(query, data, &[&["node", "p", "z"]]);
        assert_eq!(
            got,
            object(vec![("node", object(vec![("p", Value::Null)]))])
        );
    }
}
