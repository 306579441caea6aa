//! Naming the input behind an error that says only where it is, or nothing.
//!
//! An argument that fails to parse when its field runs (an `Int` out of range, say) comes back
//! from the library as `Failed to parse "Int": ...` located at the argument's value, or at the
//! variable given for it, and named nowhere. Here the location is looked up among the arguments
//! of the operation that ran and of the document's fragments, and the part of the value that
//! failed among the parts the message's type names, in the order the library parses them (an
//! input object's fields as declared, a list's items in turn). A NUL character, refused before
//! anything runs, is traced the same way to the variable or argument that holds it.

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, Type,
};
use async_graphql::{Name, Pos, ServerError, Value, Variables};

use super::nulls::FieldTypes;
use super::ordered::Asked;

/// How deep selections are followed; the depth limit has refused deeper documents already.
const MAX_NESTING: usize = 64;

/// A field's argument as the document gives it, with the type the field is selected on when
/// the schema knows it. In `value` each variable stands as an enum value named `$` and its name
/// (which no enum value of a document can be named): the library's type of a value with
/// variables in it is not public.
struct Argument<'a> {
    on: Option<String>,
    field: &'a str,
    name: &'a str,
    pos: Pos,
    value: Value,
}

/// The variable a value of [`Argument::value`] stands for.
fn variable(value: &Value) -> Option<&str> {
    match value {
        Value::Enum(name) => name.strip_prefix('$'),
        _ => None,
    }
}

/// The field arguments of `op` and of every fragment in `doc`, each fragment typed by its
/// condition (a location in a fragment is the same wherever it is spread).
fn arguments<'a>(
    doc: &'a ExecutableDocument,
    op: &'a OperationDefinition,
    types: Option<&FieldTypes>,
) -> Vec<Argument<'a>> {
    let mut found = Vec::new();
    let root = types.and_then(|t| t.root(op.ty)).map(str::to_string);
    collect(&op.selection_set.node, root, types, 0, &mut found);
    for (_, fragment) in doc.fragments.iter() {
        let on = fragment.node.type_condition.node.on.node.to_string();
        collect(
            &fragment.node.selection_set.node,
            Some(on),
            types,
            0,
            &mut found,
        );
    }
    found
}

fn collect<'a>(
    set: &'a SelectionSet,
    on: Option<String>,
    types: Option<&FieldTypes>,
    depth: usize,
    found: &mut Vec<Argument<'a>>,
) {
    if depth > MAX_NESTING {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let field = f.node.name.node.as_str();
                for (name, value) in &f.node.arguments {
                    let standing = value.node.clone().into_const_with(|variable| {
                        Ok::<_, ()>(Value::Enum(Name::new(format!("${variable}"))))
                    });
                    found.push(Argument {
                        on: on.clone(),
                        field,
                        name: name.node.as_str(),
                        pos: value.pos,
                        value: standing.unwrap_or(Value::Null),
                    });
                }
                let inner = types.zip(on.as_ref()).and_then(|(t, on)| {
                    t.get(&(on.clone(), field.to_string()))
                        .map(|ty| named(ty).to_string())
                });
                collect(&f.node.selection_set.node, inner, types, depth + 1, found);
            }
            Selection::InlineFragment(i) => {
                let inner = match &i.node.type_condition {
                    Some(c) => Some(c.node.on.node.to_string()),
                    None => on.clone(),
                };
                collect(&i.node.selection_set.node, inner, types, depth + 1, found);
            }
            // Fragments are walked on their own, by `arguments`.
            Selection::FragmentSpread(_) => {}
        }
    }
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// What the library's `Failed to parse "Int": Only integers from -2147483648 to 2147483647 are
/// accepted. (occurred while parsing "PeriodInput")` says: the scalar that failed and why.
struct Failure<'m> {
    scalar: &'m str,
    reason: &'m str,
}

impl<'m> Failure<'m> {
    fn read(message: &'m str) -> Option<Failure<'m>> {
        let (scalar, reason) = message
            .strip_prefix("Failed to parse \"")?
            .split_once("\": ")?;
        let reason = reason
            .split_once(" (occurred while parsing \"")
            .map_or(reason, |(reason, _)| reason);
        Some(Failure { scalar, reason })
    }

    /// The bounds of an integer out of range.
    fn range(&self) -> Option<(i64, i64)> {
        let (low, high) = self
            .reason
            .strip_prefix("Only integers from ")?
            .strip_suffix(" are accepted.")?
            .split_once(" to ")?;
        Some((low.parse().ok()?, high.parse().ok()?))
    }

    /// Whether `value`, given for this scalar, fails as the message says; false when the reason
    /// is not one whose cause can be told from the value.
    fn fails(&self, value: &Value) -> bool {
        match (self.range(), value) {
            (Some((low, high)), Value::Number(n)) => {
                n.as_i64().is_some_and(|n| n < low || n > high)
            }
            _ => false,
        }
    }

    /// What is wrong, in our words where the reason is a known one.
    fn problem(&self) -> String {
        match self.range() {
            Some((low, high)) => format!("must be an integer from {low} to {high}"),
            None => format!("is not a valid {}: {}", self.scalar, self.reason),
        }
    }
}

/// Names the argument (or the variable given for it) of each `Failed to parse` error of the
/// operation that ran, in `extensions.field` and its message, where its location is one of the
/// operation's arguments. Errors it cannot place are left as they are.
pub fn name_failed_arguments(errors: &mut [ServerError], asked: &Asked<'_>, types: &FieldTypes) {
    let mut all = None;
    for err in errors {
        let unnamed = err
            .extensions
            .as_ref()
            .is_none_or(|ext| ext.get("field").is_none());
        let Some(at) = err.locations.first().copied() else {
            continue;
        };
        if !unnamed || err.path.is_empty() {
            continue;
        }
        let Some(failure) = Failure::read(&err.message) else {
            continue;
        };
        let all = all.get_or_insert_with(|| arguments(asked.doc, asked.operation, Some(types)));
        let Some(argument) = all.iter().find(|a| a.pos == at) else {
            continue;
        };
        let field = failed_part(argument, &failure, asked, types);
        err.message = format!("{field}: {}", failure.problem());
        let mut ext = err.extensions.take().unwrap_or_default();
        ext.set("field", field);
        err.extensions = Some(ext);
    }
}

/// The input path of the part of `argument` that failed: inside it where the failure can be
/// told from the value, else the argument itself, or the variable given for it.
fn failed_part(
    argument: &Argument<'_>,
    failure: &Failure<'_>,
    asked: &Asked<'_>,
    types: &FieldTypes,
) -> String {
    let search = Search {
        failure,
        asked,
        types,
    };
    let ty = argument
        .on
        .as_deref()
        .and_then(|on| types.argument(on, argument.field, argument.name));
    let inside = ty.and_then(|ty| search.find(&argument.value, ty, argument.name));
    match (inside, variable(&argument.value)) {
        (Some(path), _) => path,
        (None, Some(name)) => format!("${name}"),
        (None, None) => argument.name.to_string(),
    }
}

struct Search<'a> {
    failure: &'a Failure<'a>,
    asked: &'a Asked<'a>,
    types: &'a FieldTypes,
}

impl Search<'_> {
    /// The path (from `path`) of the first part of `value`, of type `ty`, that fails; a variable
    /// met on the way starts the path again at its name.
    fn find(&self, value: &Value, ty: &Type, path: &str) -> Option<String> {
        if let Some(name) = variable(value) {
            let given = self.asked.variables.get(name).or_else(|| {
                let defs = &self.asked.operation.variable_definitions;
                let def = defs.iter().find(|d| d.node.name.node == name)?;
                def.node.default_value()
            })?;
            return self.find(given, ty, &format!("${name}"));
        }
        match &ty.base {
            BaseType::List(item) => match value {
                Value::List(items) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| self.find(v, item, &format!("{path}[{i}]"))),
                // A single value given for a list is read as a list of it.
                single => self.find(single, item, path),
            },
            BaseType::Named(name) => match self.types.input_fields(name) {
                Some(fields) => {
                    let Value::Object(given) = value else {
                        return None;
                    };
                    fields.iter().find_map(|(field, ty)| {
                        let v = given.get(field.as_str())?;
                        self.find(v, ty, &format!("{path}.{field}"))
                    })
                }
                None => (name.as_str() == self.failure.scalar && self.failure.fails(value))
                    .then(|| path.to_string()),
            },
        }
    }
}

/// The input path of the first text holding a NUL in `value`, from `path` (an object key
/// holding one is the object's).
fn nul_in(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(path.to_string()),
        Value::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in(v, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(name, v)| {
            if name.contains('\0') {
                Some(path.to_string())
            } else {
                nul_in(v, &format!("{path}.{name}"))
            }
        }),
        _ => None,
    }
}

/// The variable, and the path inside it, of the first text holding a NUL (`$input.title`,
/// `$ids[2]`); None when there is none, or only in a variable's name.
pub fn nul_in_variables(variables: &Variables) -> Option<String> {
    variables
        .iter()
        .filter(|(name, _)| !name.contains('\0'))
        .find_map(|(name, value)| nul_in(value, &format!("${name}")))
}

/// The argument (`input.title`), or variable's default (`$title`), of the first text in the
/// document holding a NUL; None when there is none in a value (one in a comment, say).
pub fn nul_in_document(doc: &ExecutableDocument) -> Option<String> {
    doc.operations.iter().find_map(|(_, op)| {
        let defaults = op.node.variable_definitions.iter().find_map(|d| {
            let value = d.node.default_value()?;
            nul_in(value, &format!("${}", d.node.name.node))
        });
        defaults.or_else(|| {
            arguments(doc, &op.node, None)
                .iter()
                .find_map(|a| nul_in(&a.value, a.name))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::PathSegment;

    const SDL: &str = "type Query {
            countries(first: Int): [Country!]!
            summary(region: String!, period: Period, periods: [Period!]): Int
        }
        type Mutation { log(input: Log!): Int }
        type Country { name: String! neighbours(first: Int): [Country!]! }
        input Period { year: Int quarter: Int }
        input Log { title: String! share: Float counts: Counts days: [Int!] }
        input Counts { total: Int! female: Int! = 0 }";

    const RANGE: &str =
        "Failed to parse \"Int\": Only integers from -2147483648 to 2147483647 are accepted.";

    /// The field and message `name_failed_arguments` gives an error with `message` located at
    /// the first `at` in the one line of `query`, run with `variables`.
    fn named(
        query: &str,
        variables: serde_json::Value,
        message: &str,
        at: &str,
    ) -> (Option<String>, String) {
        let (line, column) = (1, query.find(at).unwrap() + 1);
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let variables = Variables::from_json(variables);
        let operation = &doc.operations.iter().next().unwrap().1.node;
        let asked = Asked {
            doc: &doc,
            operation,
            variables: &variables,
        };
        let mut err = ServerError::new(message, Some(Pos { line, column }));
        err.path = vec![PathSegment::Field("countries".into())];
        let mut errors = [err];
        name_failed_arguments(&mut errors, &asked, &FieldTypes::from_sdl(SDL));
        let field = errors[0]
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("field"))
            .map(|f| f.to_string().trim_matches('"').to_string());
        (field, errors[0].message.clone())
    }

    fn nested(ty: &str) -> String {
        format!("{RANGE} (occurred while parsing \"{ty}\")")
    }

    #[test]
    fn a_literal_out_of_range_is_named_by_its_argument() {
        let (field, message) = named(
            "{ countries(first: 99999999999) { name } }",
            serde_json::json!({}),
            RANGE,
            "99",
        );
        assert_eq!(field.as_deref(), Some("first"));
        assert_eq!(
            message,
            "first: must be an integer from -2147483648 to 2147483647"
        );
    }

    #[test]
    fn a_variable_out_of_range_is_named_as_the_variable() {
        let query = "query($n: Int) { countries(first: 1) { neighbours(first: $n) { name } } }";
        let (field, message) = named(
            query,
            serde_json::json!({"n": 99999999999i64}),
            RANGE,
            "$n)",
        );
        assert_eq!(field.as_deref(), Some("$n"));
        assert!(message.starts_with("$n: must be an integer"), "{message}");
        // Its default, when the request leaves it out.
        let query = "query($n: Int = 99999999999) { countries(first: $n) { name } }";
        let (field, _) = named(query, serde_json::json!({}), RANGE, "$n)");
        assert_eq!(field.as_deref(), Some("$n"));
    }

    #[test]
    fn the_part_of_an_input_object_that_failed_is_named_inside_it() {
        let query = "{ summary(region: \"001\", period: {quarter: 1, year: 99999999999}) }";
        let (field, _) = named(query, serde_json::json!({}), &nested("Period"), "{q");
        assert_eq!(field.as_deref(), Some("period.year"));
        // Through fragments, inline or named, and the part of a list.
        let query = "query($y: Int) { ... on Query { ...F } } \
                     fragment F on Query { summary(region: \"001\", periods: [{year: 1}, {year: $y}]) }";
        let (field, _) = named(
            query,
            serde_json::json!({"y": 3000000000i64}),
            &nested("[Period!]"),
            "[{",
        );
        assert_eq!(field.as_deref(), Some("$y"));
        let query = "mutation($i: Log!) { log(input: $i) }";
        let variables = serde_json::json!({"i": {"title": "t", "share": 1e12,
            "counts": {"total": 1, "female": 5000000000i64}}});
        let (field, message) = named(query, variables, &nested("Counts"), "$i)");
        assert_eq!(field.as_deref(), Some("$i.counts.female"));
        assert!(
            message.starts_with("$i.counts.female: must be"),
            "{message}"
        );
        let query = "mutation { log(input: {title: \"t\", days: [1, 2, 99999999999]}) }";
        let (field, _) = named(query, serde_json::json!({}), &nested("Log"), "{t");
        assert_eq!(field.as_deref(), Some("input.days[2]"));
    }

    #[test]
    fn an_unknown_reason_names_the_argument_and_anything_unplaced_is_left_alone() {
        let query = "{ summary(region: \"001\", period: {year: 1}) }";
        let odd = "Failed to parse \"Int\": Invalid number (occurred while parsing \"Period\")";
        let (field, message) = named(query, serde_json::json!({}), odd, "{y");
        assert_eq!(field.as_deref(), Some("period"));
        assert_eq!(message, "period: is not a valid Int: Invalid number");
        // A location that is no argument's value, and a message that is not a parse failure.
        let (field, message) = named(query, serde_json::json!({}), RANGE, "summary");
        assert_eq!((field, message.as_str()), (None, RANGE));
        let (field, _) = named(query, serde_json::json!({}), "internal error", "{y");
        assert_eq!(field, None);
    }

    #[test]
    fn a_nul_is_traced_to_its_variable_or_argument() {
        let variables = Variables::from_json(serde_json::json!({
            "a": "fine", "f": {"countries": ["NOR", "SWE", "N\u{0}"]}, "input": {"title": "a\u{0}"}
        }));
        assert_eq!(
            nul_in_variables(&variables).as_deref(),
            Some("$f.countries[2]")
        );
        let variables = Variables::from_json(serde_json::json!({"ids": ["1", "2", "\u{0}"]}));
        assert_eq!(nul_in_variables(&variables).as_deref(), Some("$ids[2]"));
        let variables = Variables::from_json(serde_json::json!({"a": {"k\u{0}": 1}}));
        assert_eq!(nul_in_variables(&variables).as_deref(), Some("$a"));
        let doc = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        let found = |q: &str| nul_in_document(&doc(q));
        assert_eq!(
            found("{ country(code: \"N\\u0000O\") { name } }").as_deref(),
            Some("code")
        );
        assert_eq!(
            found("mutation($x: Int) { log(input: {n: $x, title: \"\\u0000\"}) }").as_deref(),
            Some("input.title")
        );
        assert_eq!(
            found("query($t: String = \"\\u0000\") { a(t: $t) }").as_deref(),
            Some("$t")
        );
        assert_eq!(
            found("{ a } fragment F on Query { b(x: [\"\", \"\\u0000\"]) }").as_deref(),
            Some("x[1]")
        );
        assert_eq!(found("{ a(t: \"x\") }"), None);
        assert_eq!(found("{ a(t: \"x\u{0}y\") }").as_deref(), Some("t"));
    }
}
