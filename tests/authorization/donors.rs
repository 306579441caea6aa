//! Donors read only the engagements their organisation funds and what hangs under them; an
//! engagement or programme they cannot read answers exactly as one that does not exist.

use super::*;

on_both_engines!(
    a_programme_a_donor_cannot_read_is_unknown_to_every_list_filter,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        // Norway funds only the GLOZ85 engagement in Kazakhstan and Uzbekistan: OTHER1 (by code or
        // by id) must be as unknown to it as a programme that does not exist.
        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let other1 = app
            .ok(
                "{ programme(code: \"OTHER1\") { id } }",
                json!({}),
                Some(&w.admin),
            )
            .await["programme"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        for list in [
            "events",
            "engagements",
            "activities",
            "results",
            "indicators",
        ] {
            let q = format!(
                "query($p: String!) {{ {list}(filter: {{programme: $p}}) {{ totalCount }} }}"
            );
            let missing = app.err(&q, json!({"p": "NOPE1"}), Some(&norway)).await;
            assert_eq!(missing.code, "BAD_USER_INPUT", "{list}: {missing:?}");
            for unread in ["OTHER1", other1.as_str()] {
                let (_, body) = app.post(&q, json!({"p": unread}), Some(&norway)).await;
                assert_eq!(
                    body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                    "{list} with {unread}: {body}"
                );
                let e = app.err(&q, json!({"p": unread}), Some(&norway)).await;
                assert_eq!(
                    e.message.replace(unread, "NOPE1"),
                    missing.message,
                    "{list} with {unread}"
                );
            }
            // The admin reads OTHER1 through the same filter.
            app.ok(&q, json!({"p": "OTHER1"}), Some(&w.admin)).await;
        }
    }
);
