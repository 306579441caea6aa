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

on_both_engines!(
    an_unfunded_record_of_any_kind_reads_as_one_that_does_not_exist,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let belgium = app
            .token(Role::Donor)
            .organisation(w.belgium)
            .create()
            .await;
        let kinds = |r: &Records| {
            [
                ("engagement", "Engagement", r.engagement.clone()),
                ("activity", "Activity", r.activity.clone()),
                ("lesson", "Lesson", r.lesson.clone()),
                ("event", "Event", r.event.clone()),
                ("result", "Result", r.result.clone()),
                ("indicator", "Indicator", r.indicator.clone()),
            ]
        };
        for records in [&w.idn, &w.tun] {
            for (field, kind, id) in kinds(records) {
                let q = format!(
                    "query($id: ID!) {{ {field}(id: $id) {{ id }} node(id: $id) {{ id }} }}"
                );
                let missing = app
                    .post(&q, json!({"id": format!("{kind}:999")}), Some(&norway))
                    .await;
                assert_eq!(
                    app.post(&q, json!({"id": id}), Some(&norway)).await,
                    missing,
                    "{id} for a donor that does not fund it"
                );
                let d = app.ok(&q, json!({"id": id}), Some(&belgium)).await;
                assert_eq!(d[field]["id"], id.as_str(), "{id} for its funder");
                assert_eq!(d["node"]["id"], id.as_str(), "node({id}) for its funder");
            }
        }

        // An event of a funded and an unfunded engagement: each donor sees it, with only the
        // engagement it funds; a lesson drawn from it too.
        let event = made(
            &app,
            &w.admin,
            NEW_EVENT,
            json!({
                "kind": "SIDE_EVENT", "title": "Joint side event", "startDate": "2021-05-20",
                "venue": {"city": "Vienna", "country": "AUT"},
                "engagements": [w.kaz_uzb.engagement, w.idn.engagement]
            }),
        )
        .await;
        let lesson = made(
            &app,
            &w.admin,
            NEW_LESSON,
            json!({
                "title": "Joint lesson", "statement": "Joint events reach further", "source": event
            }),
        )
        .await;
        let q = "query($e: ID!, $l: ID!) { event(id: $e) { engagementIds engagements { id } } \
                 lesson(id: $l) { sourceEvent { engagementIds } } }";
        for (token, funded) in [(&norway, &w.kaz_uzb), (&belgium, &w.idn)] {
            let d = app
                .ok(q, json!({"e": event, "l": lesson}), Some(token))
                .await;
            assert_eq!(d["event"]["engagementIds"], json!([funded.engagement]));
            assert_eq!(
                d["event"]["engagements"],
                json!([{"id": funded.engagement}])
            );
            assert_eq!(
                d["lesson"]["sourceEvent"]["engagementIds"],
                json!([funded.engagement])
            );
        }
    }
);

on_both_engines!(
    a_record_a_donor_does_not_fund_is_unknown_to_every_id_filter,
    |app: common::TestApp| async move {
        let w = world(&app).await;
        let norway = app.token(Role::Donor).organisation(w.norway).create().await;
        let belgium = app
            .token(Role::Donor)
            .organisation(w.belgium)
            .create()
            .await;
        // Belgium funds the engagements in Indonesia and Tunisia, Norway neither: naming one of
        // them (or what hangs under one) must read to Norway as naming nothing at all.
        let filters = |r: &Records| {
            [
                (
                    "activities",
                    "engagement",
                    "Engagement",
                    r.engagement.clone(),
                ),
                ("events", "engagement", "Engagement", r.engagement.clone()),
                ("results", "engagement", "Engagement", r.engagement.clone()),
                (
                    "indicators",
                    "engagement",
                    "Engagement",
                    r.engagement.clone(),
                ),
                ("indicators", "result", "Result", r.result.clone()),
                (
                    "lessons",
                    "sourceEngagement",
                    "Engagement",
                    r.engagement.clone(),
                ),
                ("lessons", "sourceActivity", "Activity", r.activity.clone()),
                ("lessons", "sourceEvent", "Event", r.event.clone()),
            ]
        };
        for records in [&w.idn, &w.tun] {
            for (list, field, kind, unfunded) in filters(records) {
                let q = format!(
                    "query($id: ID!) {{ {list}(filter: {{{field}: $id}}) {{ totalCount }} }}"
                );
                let missing = format!("{kind}:999");
                let (_, body) = app.post(&q, json!({ "id": missing }), Some(&norway)).await;
                assert_eq!(
                    body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                    "{list}(filter: {{{field}}}): {body}"
                );
                let (_, unread) = app.post(&q, json!({ "id": unfunded }), Some(&norway)).await;
                assert_eq!(
                    unread.to_string().replace(&unfunded, &missing),
                    body.to_string(),
                    "{list}(filter: {{{field}: {unfunded}}}) for a donor that does not fund it"
                );
                // Its funder lists under it through the same filter.
                app.ok(&q, json!({ "id": unfunded }), Some(&belgium)).await;
            }
        }
        let q = "query($id: ID!) { results(filter: {engagement: $id}) { totalCount } }";
        let e = app
            .err(q, json!({ "id": w.idn.engagement }), Some(&norway))
            .await;
        assert_eq!(
            e.message,
            format!(
                "filter.engagement: there is no engagement {}",
                w.idn.engagement
            )
        );
    }
);
