//! Generated documents against the real schema and router: whatever a client sends (right or
//! wrong types, hostile strings, broken syntax), the answer is a 2xx/4xx with a code, never a 5xx
//! or an INTERNAL error. Bounded: a fixed number of documents per engine, from a fixed seed.

mod common;

use common::schema::{Schema, named, schema};
use serde_json::{Value, json};

struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const JUNK: &[&str] = &["{", "}", "(", "\"", "$", "...", "#", "@skip"];

const STRINGS: &[&str] = &[
    "",
    "NOR",
    "no",
    "578",
    "035",
    "001",
    "UNODC-MENA",
    "Engagement:1",
    "Activity:-4",
    "Programme:99999999999",
    "Organisation:1",
    "2020-01-01",
    "2020-02-30",
    "'; drop table countries; --",
    "\\u0000",
    "ünïcödé ✓",
    "\\\" OR 1=1 --",
    "%",
    "_",
    "* NEAR(",
    "\\\\",
    "16.3",
    "15130",
    "USD",
    "1",
];

fn scalar(g: &mut Gen, name: &str) -> String {
    // Now and then a value of the wrong type, which validation must refuse cleanly.
    let name = if g.chance(15) {
        *g.pick(&["Int", "Float", "String", "Boolean"])
    } else {
        name
    };
    match name {
        "Int" => g
            .pick(&["0", "1", "-1", "2147483647", "-2147483648", "99"])
            .to_string(),
        "Float" => g
            .pick(&["0.0", "-0.0", "1e308", "100.0", "33.333", "-5.5"])
            .to_string(),
        "Boolean" => g.pick(&["true", "false"]).to_string(),
        _ => {
            if g.chance(3) {
                format!("\"{}\"", "x".repeat(3000))
            } else {
                format!("\"{}\"", g.pick(STRINGS))
            }
        }
    }
}

fn value(s: &Schema, g: &mut Gen, t: &Value, depth: usize) -> String {
    let (kind, name, _) = named(t);
    let one = match kind {
        "ENUM" => {
            let values = s.types[name]["enumValues"].as_array().unwrap();
            if g.chance(10) {
                "NOT_A_VALUE".to_string()
            } else {
                g.pick(values)["name"].as_str().unwrap().to_string()
            }
        }
        "INPUT_OBJECT" if depth < 3 => {
            let fields = s.types[name]["inputFields"].as_array().unwrap();
            let mut chosen = Vec::new();
            for f in fields {
                if f["type"]["kind"] == "NON_NULL" || g.chance(40) {
                    let v = value(s, g, &f["type"], depth + 1);
                    chosen.push(format!("{}: {v}", f["name"].as_str().unwrap()));
                }
            }
            format!("{{{}}}", chosen.join(", "))
        }
        "INPUT_OBJECT" => "{}".to_string(),
        _ => scalar(g, name),
    };
    let is_list = t["kind"] == "LIST" || (t["kind"] == "NON_NULL" && t["ofType"]["kind"] == "LIST");
    if is_list {
        format!("[{one}, {one}]")
    } else {
        one
    }
}

fn selection(s: &Schema, g: &mut Gen, fields: &[Value], depth: usize) -> String {
    let mut parts = Vec::new();
    for _ in 0..1 + g.below(3) {
        let f = g.pick(fields);
        let name = f["name"].as_str().unwrap();
        let mut args = Vec::new();
        for a in f["args"].as_array().unwrap() {
            if a["type"]["kind"] == "NON_NULL" || g.chance(30) {
                let v = value(s, g, &a["type"], 0);
                args.push(format!("{}: {v}", a["name"].as_str().unwrap()));
            }
        }
        let args = if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        };
        let (kind, type_name, _) = named(&f["type"]);
        let sub = match kind {
            "OBJECT" | "INTERFACE" if depth < 4 => {
                let sub_fields = s.types[type_name]["fields"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if sub_fields.is_empty() {
                    String::new()
                } else {
                    format!(" {{ {} }}", selection(s, g, &sub_fields, depth + 1))
                }
            }
            "OBJECT" | "INTERFACE" | "UNION" => " { __typename }".to_string(),
            _ => String::new(),
        };
        let alias = if g.chance(10) {
            format!("a{}: ", g.below(1000))
        } else {
            String::new()
        };
        parts.push(format!("{alias}{name}{args}{sub}"));
    }
    parts.join(" ")
}

fn document(s: &Schema, g: &mut Gen) -> String {
    let (op, fields) = if g.chance(35) {
        ("mutation", &s.mutations)
    } else {
        ("query", &s.queries)
    };
    let mut doc = format!("{op} {{ {} }}", selection(s, g, fields, 0));
    // Sometimes break the syntax on purpose.
    if g.chance(10) && !doc.is_empty() {
        let at = g.below(doc.len());
        if doc.is_char_boundary(at) {
            let junk = JUNK[g.below(JUNK.len())];
            doc.insert_str(at, junk);
        }
    }
    doc
}

async fn run(app: common::TestApp) {
    let admin = app.admin().await;
    let s = schema(&app).await;
    let mut g = Gen(20261124);
    let runs: usize = std::env::var("FUZZ_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    for i in 0..runs {
        let doc = document(&s, &mut g);
        let token = if i % 4 == 0 {
            None
        } else {
            Some(admin.as_str())
        };
        let (status, body) = app.post(&doc, json!({}), token).await;
        assert!(!status.is_server_error(), "{status} for {doc}: {body}");
        let internal = body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["extensions"]["code"] == "INTERNAL");
        assert!(!internal, "INTERNAL for {doc}: {body}");
    }
}

on_both_engines!(
    generated_documents_never_cause_a_server_error,
    |app: common::TestApp| async move {
        run(app).await;
    }
);
