//! Reference documents end to end: a document corrected with `updateDocument`, stale versions,
//! bad input that changes nothing, who may change documents, and archived ones left alone.

mod common;

use serde_json::{Value, json};
use ta_tracker::domain::auth::Role;

const CREATE_DOC: &str =
    "mutation($i: DocumentInput!) { createDocument(input: $i) { id version } }";
const UPDATE_DOC: &str = "mutation($id: ID!, $v: Int!, $i: DocumentInput!) { updateDocument(id: $id, version: $v, input: $i) { id version title url category language date publisher } }";
const READ_DOC: &str =
    "query($id: ID!) { document(id: $id) { version title url category language date publisher } }";

fn mandela() -> Value {
    json!({
        "title": "The United Nations Standard Minimum Rules for the Treatment of Prisoners",
        "url": "https://www.unodc.org/documents/justice-and-prison-reform/Nelson_Mandela_Rules-E-ebook.pdf",
        "category": "A12",
        "publisher": "UNODC"
    })
}

on_both_engines!(
    a_document_is_corrected_at_its_version_and_nothing_else_changes_it,
    |app: common::TestApp| async move {
        let admin = app.admin().await;
        let created = app
            .ok(CREATE_DOC, json!({"i": mandela()}), Some(&admin))
            .await;
        let id = created["createDocument"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(created["createDocument"]["version"], 1);

        // The officer who logs activities may correct the title and add the date.
        let officer = app
            .token(Role::Officer)
            .programmes(&["GLOZ85"])
            .create()
            .await;
        let mut corrected = mandela();
        corrected["title"] = json!(
            "The United Nations Standard Minimum Rules for the Treatment of Prisoners (the Nelson Mandela Rules)"
        );
        corrected["date"] = json!("2015-12-17");
        corrected["language"] = json!("FR");
        let data = app
            .ok(
                UPDATE_DOC,
                json!({"id": id, "v": 1, "i": corrected}),
                Some(&officer),
            )
            .await;
        let doc = &data["updateDocument"];
        assert_eq!(doc["version"], 2);
        assert!(
            doc["title"]
                .as_str()
                .unwrap()
                .ends_with("(the Nelson Mandela Rules)")
        );
        assert_eq!(
            (
                &doc["date"],
                &doc["language"],
                &doc["category"],
                &doc["publisher"]
            ),
            (
                &json!("2015-12-17"),
                &json!("fr"),
                &json!("A12"),
                &json!("UNODC")
            )
        );
        // It reads back as written.
        let read = app.ok(READ_DOC, json!({"id": id}), Some(&officer)).await;
        assert_eq!(read["document"], {
            let mut d = doc.clone();
            d.as_object_mut().unwrap().remove("id");
            d
        });

        // An old version is refused, and says which is current.
        let e = app
            .err(
                UPDATE_DOC,
                json!({"id": id, "v": 1, "i": mandela()}),
                Some(&admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");

        // Bad input names its field and writes nothing.
        for (field, value, name) in [
            ("url", json!("ftp://example.org/rules.pdf"), "input.url"),
            ("category", json!("Z99"), "input.category"),
            ("date", json!("17/12/2015"), "input.date"),
            ("title", json!("  "), "input.title"),
        ] {
            let mut bad = mandela();
            bad[field] = value;
            let e = app
                .err(
                    UPDATE_DOC,
                    json!({"id": id, "v": 2, "i": bad}),
                    Some(&admin),
                )
                .await;
            assert_eq!(e.code, "BAD_USER_INPUT", "{field}: {e:?}");
            assert_eq!(e.field.as_deref(), Some(name));
        }
        let after = app.ok(READ_DOC, json!({"id": id}), Some(&admin)).await;
        assert_eq!(after, read, "nothing changed");

        // Donors and report generators read documents but do not change them.
        let norway = app
            .ok(
                "mutation { createOrganisation(input: {name: \"Government of Norway\", type: \"10\"}) { id } }",
                json!({}),
                Some(&admin),
            )
            .await;
        let norway: i64 = norway["createOrganisation"]["id"].as_str().unwrap()[13..]
            .parse()
            .unwrap();
        let donor = app.token(Role::Donor).organisation(norway).create().await;
        let reporter = app.token(Role::Reporter).create().await;
        for token in [&donor, &reporter] {
            let e = app
                .err(
                    UPDATE_DOC,
                    json!({"id": id, "v": 2, "i": mandela()}),
                    Some(token),
                )
                .await;
            assert_eq!(e.code, "FORBIDDEN", "{e:?}");
        }
        let (status, _) = app
            .post(UPDATE_DOC, json!({"id": id, "v": 2, "i": mandela()}), None)
            .await;
        assert_eq!(status.as_u16(), 401);
        let e = app
            .err(
                UPDATE_DOC,
                json!({"id": "Document:9999", "v": 1, "i": mandela()}),
                Some(&admin),
            )
            .await;
        assert_eq!(e.code, "NOT_FOUND");

        // An archived document is kept as it was.
        app.ok(
            "mutation($id: ID!) { archive(id: $id, version: 2) { version } }",
            json!({"id": id}),
            Some(&admin),
        )
        .await;
        let e = app
            .err(
                UPDATE_DOC,
                json!({"id": id, "v": 3, "i": mandela()}),
                Some(&admin),
            )
            .await;
        assert_eq!(e.code, "CONFLICT", "{e:?}");
        assert!(e.message.contains("is archived"), "{}", e.message);
        let archived = app.ok(READ_DOC, json!({"id": id}), Some(&admin)).await;
        assert_eq!(archived["document"]["title"], read["document"]["title"]);
        // The audit log holds the create, the one accepted update and the archive.
        let (audited,): (i64,) = sqlx::query_as(
            "select count(*) from audit_log where entity_type = 'Document' and entity_id = $1",
        )
        .bind(id.rsplit(':').next().unwrap().parse::<i64>().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(audited, 3);
    }
);
