//! The published SDL (`schema/schema.graphql`) is generated from the code: this test fails when
//! the two drift apart, and checks that the types clients read carry descriptions.

use std::path::PathBuf;

fn schema_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/schema.graphql")
}

#[test]
fn the_published_schema_matches_the_code() {
    let generated = ta_tracker::sdl();
    let path = schema_file();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema/schema.graphql");
        eprintln!("wrote {}", path.display());
        return;
    }
    let published = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    if published == generated {
        return;
    }
    let first_difference = published
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| published.lines().count().min(generated.lines().count()));
    let line = |text: &str| {
        text.lines()
            .nth(first_difference)
            .unwrap_or("<end of file>")
            .to_string()
    };
    panic!(
        "schema/schema.graphql is out of date with the code (first difference at line {}:\n  \
         published: {}\n  generated: {}).\n\
         Regenerate it with `UPDATE_SCHEMA=1 cargo test --test schema` \
         or `cargo run -- schema > schema/schema.graphql`, review the diff and commit it.",
        first_difference + 1,
        line(&published),
        line(&generated),
    );
}

/// Connection plumbing that async-graphql generates; its descriptions are not ours to write.
fn is_generated(name: &str) -> bool {
    name.ends_with("Connection") || name.ends_with("Edge") || name == "PageInfo"
}

#[test]
fn every_type_clients_read_has_a_description() {
    let sdl = ta_tracker::sdl();
    let lines: Vec<&str> = sdl.lines().collect();
    let mut undocumented = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = ["type ", "input ", "enum ", "interface ", "union "]
            .iter()
            .find_map(|kw| line.strip_prefix(kw))
        else {
            continue;
        };
        let name = rest
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        if is_generated(name) {
            continue;
        }
        // A description is a string literal ending on the line before the definition.
        let previous = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim_end());
        if !previous.is_some_and(|p| p.ends_with('"')) {
            undocumented.push(name.to_string());
        }
    }
    assert!(
        undocumented.is_empty(),
        "these GraphQL types have no description in the SDL: {undocumented:?}. Put a `///` doc \
         comment on the type (for `#[Object] impl X`, above the impl block: the struct's own \
         comment is not used), then regenerate schema/schema.graphql."
    );
}
