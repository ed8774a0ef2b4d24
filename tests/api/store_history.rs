//! The `Store` contract for history (docs/design.md, "History and data rights"): visitors across
//! conversations, full-text search (SQLite FTS5, PostgreSQL's GIN-indexed `tsvector`), erasure
//! and retention, on both backends.

use crate::store_contract::{tenant_with_session, text, uploaded, with_files};
use switchboard::protocol::{Sender, SessionStatus, Visitor};
use switchboard::server::store::{
    DynStore, Erasure, HistoryRules, NewMessage, NewSession, NewTenant, NewVisitor, SearchTerms,
    SessionChange, VisitorLookup,
};

contract!(
    visitors_are_found_by_key_or_user_id_and_an_identified_one_takes_the_anonymous_history,
    a_search_finds_the_tenants_messages_best_first_with_marked_snippets,
    an_erasure_deletes_everything_of_one_address_and_nothing_else,
    retention_finds_only_conversations_closed_before_the_cutoff,
    retention_erases_closed_conversations_older_than_the_tenants_days,
);

async fn tenant(store: &DynStore, key: &str) -> String {
    store
        .create_tenant(NewTenant {
            name: key.into(),
            widget_key: key.into(),
            allowed_origins: vec![],
        })
        .await
        .unwrap()
        .id
}

async fn session_of(store: &DynStore, tenant: &str, visitor: Option<&str>, key: &str) -> String {
    store
        .create_session(NewSession {
            tenant_id: tenant.into(),
            key_hash: format!("session-{key}"),
            visitor: Visitor::default(),
            status: SessionStatus::Bot,
            test: key.starts_with("test"),
            visitor_id: visitor.map(str::to_string),
        })
        .await
        .unwrap()
        .id
}

fn anonymous(tenant: &str, key_hash: &str) -> NewVisitor {
    NewVisitor {
        tenant_id: tenant.into(),
        user_id: None,
        key_hash: Some(key_hash.into()),
        name: None,
        email: None,
    }
}

fn customer(tenant: &str, user_id: &str, name: Option<&str>) -> NewVisitor {
    NewVisitor {
        tenant_id: tenant.into(),
        user_id: Some(user_id.into()),
        key_hash: None,
        name: name.map(str::to_string),
        email: Some("dana@example.com".into()),
    }
}

async fn visitors_are_found_by_key_or_user_id_and_an_identified_one_takes_the_anonymous_history(
    store: DynStore,
) {
    let (t1, t2) = (tenant(&store, "v1").await, tenant(&store, "v2").await);
    let browser = store.save_visitor(&anonymous(&t1, "kh-1")).await.unwrap();
    let by_key = VisitorLookup::Key { hash: "kh-1" };
    assert_eq!(
        store.visitor(&t1, by_key).await.unwrap().as_ref(),
        Some(&browser)
    );
    assert_eq!(
        store.visitor(&t2, by_key).await.unwrap(),
        None,
        "another tenant's"
    );

    // One record per user id: its name follows what the shop last said, a missing one stays.
    let dana = store
        .save_visitor(&customer(&t1, "cust-42", Some("Dana")))
        .await
        .unwrap();
    let again = store
        .save_visitor(&customer(&t1, "cust-42", None))
        .await
        .unwrap();
    let renamed = store
        .save_visitor(&customer(&t1, "cust-42", Some("Dana M")))
        .await
        .unwrap();
    assert_eq!(
        (again.id.as_str(), again.name.as_deref()),
        (dana.id.as_str(), Some("Dana"))
    );
    assert_eq!(
        (renamed.id, renamed.name.as_deref()),
        (dana.id.clone(), Some("Dana M"))
    );
    let by_user = VisitorLookup::User { id: "cust-42" };
    assert_eq!(store.visitor(&t2, by_user).await.unwrap(), None);

    let first = session_of(&store, &t1, Some(&browser.id), "a").await;
    let second = session_of(&store, &t1, Some(&browser.id), "b").await;
    session_of(&store, &t1, Some(&browser.id), "test-c").await;
    store.append(text(&first, "older", None)).await.unwrap();
    store.append(text(&second, "newer", None)).await.unwrap();
    let listed = store
        .visitor_sessions(&t1, &browser.id, None)
        .await
        .unwrap();
    let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [second.as_str(), first.as_str()],
        "newest first, no test one"
    );
    assert!(store
        .visitor_sessions(&t2, &browser.id, None)
        .await
        .unwrap()
        .is_empty());

    store
        .merge_visitor(&t1, &browser.id, &dana.id)
        .await
        .unwrap();
    assert_eq!(
        store.visitor(&t1, by_key).await.unwrap(),
        None,
        "the anonymous one is gone"
    );
    let theirs = store.visitor_sessions(&t1, &dana.id, None).await.unwrap();
    assert_eq!(theirs.len(), 2);
    assert!(theirs
        .iter()
        .all(|s| s.visitor_id.as_deref() == Some(dana.id.as_str())
            && s.verified_user_id.as_deref() == Some("cust-42")));
    let session = store.session(&t1, &first, None).await.unwrap().unwrap();
    assert_eq!(session.verified_user_id.as_deref(), Some("cust-42"));
}

fn said(session_id: &str, sender: Sender, content: &str) -> NewMessage {
    NewMessage {
        sender,
        ..text(session_id, content, None)
    }
}

async fn search(store: &DynStore, tenant: &str, query: &str) -> Vec<(String, String)> {
    let terms = SearchTerms::parse(query).expect("words");
    let hits = store.search(tenant, &terms, 20).await.unwrap();
    hits.into_iter()
        .map(|hit| {
            let marked: String = hit
                .snippet
                .iter()
                .map(|p| {
                    if p.hit {
                        format!("[{}]", p.text)
                    } else {
                        p.text.clone()
                    }
                })
                .collect();
            (hit.session_id, marked)
        })
        .collect()
}

async fn a_search_finds_the_tenants_messages_best_first_with_marked_snippets(store: DynStore) {
    let (t1, s1) = tenant_with_session(&store, "s1").await;
    let (t2, s2) = tenant_with_session(&store, "s2").await;
    let other = session_of(&store, &t1, None, "other").await;
    let test = session_of(&store, &t1, None, "test-x").await;
    let visitor = Sender::visitor(Some("Dana".into()));
    store
        .append(said(
            &s1,
            visitor.clone(),
            "I want a refund for the blue kettle",
        ))
        .await
        .unwrap();
    store
        .append(said(
            &other,
            Sender::agent("a1", "Alice"),
            "Kettle refund, kettle return: kettle",
        ))
        .await
        .unwrap();
    store
        .append(said(&s2, visitor.clone(), "my kettle is broken too"))
        .await
        .unwrap();
    store
        .append(said(&test, visitor.clone(), "a test kettle"))
        .await
        .unwrap();
    let line = NewMessage::system(&s1, "kettle line from the system".into());
    store.append(line).await.unwrap();

    let found = search(&store, &t1, "kettle").await;
    let sessions: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        sessions,
        [other.as_str(), s1.as_str()],
        "best first; not another tenant's, a test's or the system's"
    );
    assert!(found[1].1.contains("blue [kettle]"), "{:?}", found[1].1);
    assert_eq!(search(&store, &t2, "kettle").await.len(), 1);

    // Every word must be there; the last one may be the start of a word.
    assert_eq!(search(&store, &t1, "refund blue").await.len(), 1);
    assert_eq!(search(&store, &t1, "blue ket").await.len(), 1);
    assert!(search(&store, &t1, "refund parcel").await.is_empty());
    // What a search box sends is words, never the index's own syntax.
    assert_eq!(search(&store, &t1, "kettle\" OR \"x").await.len(), 0);
    assert_eq!(search(&store, &t1, "KETTLE*").await.len(), 2);
}

async fn an_erasure_deletes_everything_of_one_address_and_nothing_else(store: DynStore) {
    let t1 = tenant(&store, "e1").await;
    let t2 = tenant(&store, "e2").await;
    let browser = store.save_visitor(&anonymous(&t1, "kh-e")).await.unwrap();
    let gave_email = session_of(&store, &t1, Some(&browser.id), "e-a").await;
    let same_browser = session_of(&store, &t1, Some(&browser.id), "e-b").await;
    let someone_else = session_of(&store, &t1, None, "e-c").await;
    let other_tenant = session_of(&store, &t2, None, "e-d").await;
    for (tenant, session) in [(&t1, &gave_email), (&t2, &other_tenant)] {
        let contact = SessionChange::Contact {
            email: "Dana@Example.com".into(),
        };
        store
            .update_session(tenant, session, contact)
            .await
            .unwrap();
    }
    for session in [&gave_email, &same_browser, &someone_else, &other_tenant] {
        store
            .append(text(session, &format!("parcel {session}"), None))
            .await
            .unwrap();
    }
    uploaded(&store, &t1, &same_browser, "ef1", &[b"bytes"]).await;
    let file = store.attachment("ef1").await.unwrap().unwrap().attachment;
    store
        .append(with_files(&same_browser, vec![file]))
        .await
        .unwrap();

    let footprint = store
        .visitor_footprint(&t1, "dana@example.com")
        .await
        .unwrap();
    assert_eq!(footprint.visitors, vec![browser.clone()]);
    let mut expected = vec![gave_email.clone(), same_browser.clone()];
    expected.sort();
    let mut found = footprint.sessions.clone();
    found.sort();
    assert_eq!(
        found, expected,
        "where it was given, and the same visitor's other one"
    );

    let erasure = Erasure {
        sessions: footprint.sessions.clone(),
        visitors: vec![browser.id.clone()],
    };
    let report = store.erase(&t1, &erasure).await.unwrap();
    assert_eq!(
        (
            report.conversations,
            report.messages,
            report.attachments,
            report.visitors
        ),
        (2, 3, 1, 1),
        "two conversations, their three messages, a file, a visitor"
    );
    assert!(store
        .session(&t1, &gave_email, None)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .messages_after(&same_browser, 0, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store.attachment("ef1").await.unwrap().is_none());
    assert!(store.attachment_chunk("ef1", 0).await.unwrap().is_none());
    let key = VisitorLookup::Key { hash: "kh-e" };
    assert!(store.visitor(&t1, key).await.unwrap().is_none());
    let left = search(&store, &t1, "parcel").await;
    assert_eq!(
        left.len(),
        1,
        "only someone else's is still found: {left:?}"
    );
    assert_eq!(left[0].0, someone_else);
    assert!(store
        .session(&t2, &other_tenant, None)
        .await
        .unwrap()
        .is_some());
    // Another tenant cannot erase this one's conversations, whatever ids it names.
    let foreign = Erasure {
        sessions: vec![someone_else.clone()],
        visitors: vec![],
    };
    assert_eq!(store.erase(&t2, &foreign).await.unwrap().conversations, 0);
    assert!(store
        .session(&t1, &someone_else, None)
        .await
        .unwrap()
        .is_some());
}

async fn retention_finds_only_conversations_closed_before_the_cutoff(store: DynStore) {
    let (tenant, open) = tenant_with_session(&store, "r1").await;
    let closed = session_of(&store, &tenant, None, "r-closed").await;
    let close = SessionChange::Status(SessionStatus::Closed);
    store.update_session(&tenant, &closed, close).await.unwrap();
    let future = "2999-01-01T00:00:00.000Z";
    assert_eq!(
        store.closed_before(&tenant, future, 10).await.unwrap(),
        vec![closed]
    );
    assert!(store
        .closed_before(&tenant, "2000-01-01T00:00:00.000Z", 10)
        .await
        .unwrap()
        .is_empty());
    let _ = open;

    let rules = HistoryRules {
        identity_secret: Some("s3cret".into()),
        retention_days: Some(30),
    };
    assert!(store.set_history_rules(&tenant, &rules).await.unwrap());
    assert_eq!(store.tenant(&tenant).await.unwrap().unwrap().history, rules);
    assert!(!store.set_history_rules("nobody", &rules).await.unwrap());
}

async fn retention_erases_closed_conversations_older_than_the_tenants_days(store: DynStore) {
    use switchboard::server::history::rights::apply_retention;
    let (tenant_id, open) = tenant_with_session(&store, "r2").await;
    let closed = session_of(&store, &tenant_id, None, "r2-closed").await;
    store.append(text(&closed, "old news", None)).await.unwrap();
    let close = SessionChange::Status(SessionStatus::Closed);
    store
        .update_session(&tenant_id, &closed, close)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let kept = store.tenant(&tenant_id).await.unwrap().unwrap();
    let later = now + chrono::Duration::days(400);
    assert_eq!(
        apply_retention(&store, &kept, later)
            .await
            .unwrap()
            .conversations,
        0,
        "no retention set: kept"
    );

    let rules = HistoryRules {
        identity_secret: None,
        retention_days: Some(30),
    };
    store.set_history_rules(&tenant_id, &rules).await.unwrap();
    let tenant = store.tenant(&tenant_id).await.unwrap().unwrap();
    let soon = now + chrono::Duration::days(29);
    assert_eq!(
        apply_retention(&store, &tenant, soon)
            .await
            .unwrap()
            .conversations,
        0,
        "not old enough"
    );
    let report = apply_retention(&store, &tenant, now + chrono::Duration::days(31))
        .await
        .unwrap();
    assert_eq!((report.conversations, report.messages), (1, 1));
    assert!(store
        .session(&tenant_id, &closed, None)
        .await
        .unwrap()
        .is_none());
    assert!(
        store
            .session(&tenant_id, &open, None)
            .await
            .unwrap()
            .is_some(),
        "an open one stays"
    );
}
