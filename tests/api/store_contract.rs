//! The `Store` contract: every test runs against a real SQLite file and a real PostgreSQL
//! database (a fresh one per test, on the server tests/api/common/services.rs starts).

use crate::common;

use common::services::Postgres;
use std::sync::Arc;
use switchboard::protocol::{
    AgentRole, ArticleLink, Sender, SenderKind, SessionStatus, SessionView, Visitor,
};
use switchboard::server::attachments::kinds::Accepted;
use switchboard::server::store::{
    AgentChange, ArticleContent, DynStore, FinishedUpload, FollowUpOutcome, NewAgent,
    NewAttachment, NewMessage, NewSession, NewTenant, PgStore, Reader, SessionChange, SessionPage,
    SqliteStore, StoreError, TenantAi,
};

/// Keeps whatever backs a store (a temporary folder) alive for the test.
pub(crate) type Keep = Box<dyn std::any::Any + Send>;

pub(crate) async fn sqlite() -> (DynStore, Keep) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    (
        Arc::new(SqliteStore::connect(&url).await.unwrap()),
        Box::new(dir),
    )
}

pub(crate) async fn postgres() -> (DynStore, Keep) {
    let url = Postgres::shared().fresh_database().await;
    (
        Arc::new(PgStore::connect(&url).await.unwrap()),
        Box::new(url),
    )
}

/// Runs each contract check against both backends, as `sqlite::NAME` and `postgres::NAME`.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _keep) = crate::store_contract::sqlite().await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _keep) = crate::store_contract::postgres().await;
                    super::$name(store).await;
                }
            )*
        }
    };
}

contract!(
    each_tenant_keeps_its_own_articles,
    disabling_or_a_new_password_ends_sign_ins_and_tokens_can_be_revoked,
    concurrent_appends_to_one_session_never_share_or_skip_a_seq,
    a_client_message_id_is_stored_once_even_when_raced,
    reads_are_scoped_by_tenant,
    widget_keys_and_emails_are_unique_and_a_setting_keeps_its_first_value,
    read_marks_move_forward_and_never_past_the_end,
    routes_take_only_waiting_sessions_within_the_capacity,
    a_follow_up_is_planned_once_taken_by_one_and_replanned_for_a_later_reply,
    an_emailed_link_opens_its_session_until_it_expires,
    appending_to_a_missing_session_fails_and_stores_nothing,
    appends_raced_together_each_get_their_own_outcome,
    tenants_keep_their_origins_and_assistant_settings,
    sessions_carry_their_last_message_agent_and_order,
    history_pages_by_seq,
    the_ais_offer_and_source_are_stored_with_its_message,
    sessions_are_listed_by_view_a_page_at_a_time,
    an_upload_is_kept_in_pieces_taken_by_its_message_and_swept_if_never_taken,
    a_message_takes_only_files_of_its_own_session,
);

fn customer() -> Sender {
    Sender {
        kind: SenderKind::Customer,
        id: None,
        name: None,
    }
}

pub(crate) async fn tenant_with_session(store: &DynStore, key: &str) -> (String, String) {
    tenant_with_visitor(store, key, Visitor::default()).await
}

pub(crate) async fn tenant_with_visitor(
    store: &DynStore,
    key: &str,
    visitor: Visitor,
) -> (String, String) {
    let tenant = store
        .create_tenant(NewTenant {
            name: key.into(),
            widget_key: key.into(),
            allowed_origins: vec![],
        })
        .await
        .unwrap();
    let session = store
        .create_session(NewSession {
            tenant_id: tenant.id.clone(),
            key_hash: format!("hash-{key}"),
            visitor,
            status: SessionStatus::Bot,
            test: false,
            visitor_id: None,
        })
        .await
        .unwrap();
    (tenant.id, session.id)
}

pub(crate) fn text(session_id: &str, content: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        id: None,
        session_id: session_id.into(),
        sender: customer(),
        content: content.into(),
        client_message_id: client_id.map(str::to_string),
        offers_human: false,
        source: None,
        attachments: vec![],
    }
}

async fn concurrent_appends_to_one_session_never_share_or_skip_a_seq(store: DynStore) {
    let (_, session) = tenant_with_session(&store, "t").await;
    const TASKS: usize = 16;
    const EACH: usize = 40;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = store.clone();
        let session = session.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..EACH {
                let appended = store
                    .append(text(&session, &format!("{t}-{i}"), None))
                    .await
                    .unwrap();
                assert!(appended.created);
                seqs.push(appended.message.seq);
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let seqs = task.await.unwrap();
        // Each task's own messages got increasing numbers.
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        all.extend(seqs);
    }
    all.sort_unstable();
    assert_eq!(all, (1..=(TASKS * EACH) as u64).collect::<Vec<_>>());
    let stored = store.messages_after(&session, 0, 10_000).await.unwrap();
    assert_eq!(stored.len(), TASKS * EACH);
    assert!(stored
        .iter()
        .enumerate()
        .all(|(i, m)| m.seq == i as u64 + 1));
}

async fn a_client_message_id_is_stored_once_even_when_raced(store: DynStore) {
    let (_, session) = tenant_with_session(&store, "t").await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let session = session.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append(text(&session, "hello", Some("c-1")))
                .await
                .unwrap()
        }));
    }
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let appended = task.await.unwrap();
        created += appended.created as usize;
        ids.insert(appended.message.id);
    }
    assert_eq!((created, ids.len()), (1, 1));
    // The same id in another session is another message.
    let (_, other) = tenant_with_session(&store, "u").await;
    assert!(
        store
            .append(text(&other, "hello", Some("c-1")))
            .await
            .unwrap()
            .created
    );
    assert_eq!(
        store.messages_after(&session, 0, 100).await.unwrap().len(),
        1
    );
}

async fn reads_are_scoped_by_tenant(store: DynStore) {
    let (tenant_a, session_a) = tenant_with_session(&store, "a").await;
    let (tenant_b, _) = tenant_with_session(&store, "b").await;
    assert!(store
        .session(&tenant_a, &session_a, None)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .session(&tenant_b, &session_a, None)
        .await
        .unwrap()
        .is_none());
    let change = SessionChange::Status(SessionStatus::Closed);
    assert!(store
        .update_session(&tenant_b, &session_a, change)
        .await
        .unwrap()
        .is_none());

    // An agent of tenant B cannot be assigned to tenant A's session.
    let eve = store
        .create_agent(NewAgent {
            tenant_id: tenant_b.clone(),
            email: "eve@b.example".into(),
            name: "Eve".into(),
            password_hash: "x".into(),
            role: AgentRole::Agent,
        })
        .await
        .unwrap();
    let assign = SessionChange::Assign {
        agent_id: eve.id.clone(),
    };
    assert!(store
        .update_session(&tenant_a, &session_a, assign)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .sessions(&tenant_b, &eve.id, &SessionPage::all())
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn widget_keys_and_emails_are_unique_and_a_setting_keeps_its_first_value(store: DynStore) {
    let (tenant, _) = tenant_with_session(&store, "a").await;
    let dup = store
        .create_tenant(NewTenant {
            name: "again".into(),
            widget_key: "a".into(),
            allowed_origins: vec![],
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let agent = NewAgent {
        tenant_id: tenant.clone(),
        email: "Al@Example.com".into(),
        name: "Al".into(),
        password_hash: "x".into(),
        role: AgentRole::Agent,
    };
    let al = store.create_agent(agent.clone()).await.unwrap();
    let shouting = NewAgent {
        email: "al@example.com".into(),
        ..agent
    };
    assert!(matches!(
        store.create_agent(shouting).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .agent_by_email("AL@EXAMPLE.COM")
            .await
            .unwrap()
            .unwrap()
            .id,
        al.id
    );

    assert_eq!(
        store.setting_or_insert("k", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting_or_insert("k", "second").await.unwrap(),
        "first"
    );
}

/// A read mark moves forward only, never past the last message; the team's is the furthest
/// any agent's reached; a mark that did not move says so.
async fn read_marks_move_forward_and_never_past_the_end(store: DynStore) {
    let (tenant, session) = tenant_with_session(&store, "r").await;
    let agent = |email: &str, name: &str| NewAgent {
        tenant_id: tenant.clone(),
        email: email.into(),
        name: name.into(),
        password_hash: "x".into(),
        role: AgentRole::Agent,
    };
    let al = store
        .create_agent(agent("al@example.com", "Al"))
        .await
        .unwrap();
    for i in 0..3 {
        store
            .append(text(&session, &i.to_string(), None))
            .await
            .unwrap();
    }
    let unread = |s: Option<switchboard::protocol::Session>| s.unwrap().unread_count;
    assert_eq!(
        unread(
            store
                .session(&tenant, &session, Some(&al.id))
                .await
                .unwrap()
        ),
        3
    );
    let al_reads = Reader::Agent { id: &al.id };
    assert_eq!(
        store.mark_read(&session, al_reads, 2).await.unwrap(),
        Some(2)
    );
    // Never backwards, and a mark that did not move says so.
    assert_eq!(store.mark_read(&session, al_reads, 1).await.unwrap(), None);
    assert_eq!(store.mark_read(&session, al_reads, 2).await.unwrap(), None);
    let seen = store
        .session(&tenant, &session, Some(&al.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((seen.unread_count, seen.team_read_seq), (1, 2));
    assert_eq!(seen.visitor_read_seq, 0);
    // Never past the last message; the team's mark is the furthest any agent has read.
    assert_eq!(
        store
            .mark_read(&session, Reader::Visitor, 99)
            .await
            .unwrap(),
        Some(3)
    );
    assert_eq!(
        store.mark_read(&session, Reader::Visitor, 3).await.unwrap(),
        None
    );
    let bo = store
        .create_agent(agent("bo@example.com", "Bo"))
        .await
        .unwrap();
    let bo_reads = Reader::Agent { id: &bo.id };
    assert_eq!(
        store.mark_read(&session, bo_reads, 1).await.unwrap(),
        Some(1)
    );
    let seen = store
        .session(&tenant, &session, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((seen.visitor_read_seq, seen.team_read_seq), (3, 2));
    assert_eq!(
        store
            .mark_read("no-such-session", Reader::Visitor, 1)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .mark_read("no-such-session", bo_reads, 1)
            .await
            .unwrap(),
        None
    );
}

/// Automatic assignment's writes: the queue oldest first, the loads, and a route that only
/// takes a session still waiting, for an enabled agent under the capacity.
async fn routes_take_only_waiting_sessions_within_the_capacity(store: DynStore) {
    let (tenant, first) = tenant_with_session(&store, "q").await;
    let al = store
        .create_agent(NewAgent {
            tenant_id: tenant.clone(),
            email: "al@q.example".into(),
            name: "Al".into(),
            password_hash: "x".into(),
            role: AgentRole::Agent,
        })
        .await
        .unwrap();
    // The first started with the AI and joins the queue when it starts waiting; the second
    // waits from its start, later. (Both orders agree: the store's clock is not ours to set.)
    store
        .update_session(
            &tenant,
            &first,
            SessionChange::Status(SessionStatus::Pending),
        )
        .await
        .unwrap();
    let second = store
        .create_session(NewSession {
            tenant_id: tenant.clone(),
            key_hash: "hash-q2".into(),
            visitor: Visitor::default(),
            status: SessionStatus::Pending,
            test: false,
            visitor_id: None,
        })
        .await
        .unwrap()
        .id;
    let waiting = [first, second];
    assert_eq!(store.queue(&tenant, 10).await.unwrap(), waiting);
    let route = |capacity| SessionChange::Route {
        agent_id: al.id.clone(),
        capacity,
    };
    let given = store
        .update_session(&tenant, &waiting[1], route(1))
        .await
        .unwrap();
    assert_eq!(given.unwrap().assigned_agent.unwrap().id, al.id);
    // Taken already; and Al is full at a capacity of one.
    assert!(store
        .update_session(&tenant, &waiting[1], route(5))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .update_session(&tenant, &waiting[0], route(1))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.workloads(&tenant).await.unwrap().get(&al.id),
        Some(&1)
    );
    let agents = store.agents(&tenant).await.unwrap();
    assert!(agents[0].last_assigned_at.is_some());
    // A disabled agent is not routed to.
    store
        .update_agent(&al.id, AgentChange::Disable)
        .await
        .unwrap();
    assert!(store
        .update_session(&tenant, &waiting[0], route(5))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.queue(&tenant, 10).await.unwrap(),
        [waiting[0].clone()]
    );
}

async fn appending_to_a_missing_session_fails_and_stores_nothing(store: DynStore) {
    let result = store.append(text("no-such-session", "x", None)).await;
    assert!(matches!(result, Err(StoreError::NotFound("session"))));
}

/// Appends that arrive together (SQLite stores them in one transaction) to two sessions, to a
/// missing one, and repeats of one clientMessageId: each gets its own outcome.
async fn appends_raced_together_each_get_their_own_outcome(store: DynStore) {
    let (tenant, first) = tenant_with_session(&store, "t").await;
    let second = store
        .create_session(NewSession {
            tenant_id: tenant.clone(),
            key_hash: "second-key".into(),
            visitor: Visitor::default(),
            status: SessionStatus::Bot,
            test: false,
            visitor_id: None,
        })
        .await
        .unwrap()
        .id;
    let mut tasks = Vec::new();
    for i in 0..90 {
        let store = store.clone();
        let (session, client_id) = match i % 3 {
            0 => (first.clone(), format!("first-{i}")),
            1 => (second.clone(), format!("second-{i}")),
            _ => ("no-such-session".to_string(), format!("none-{i}")),
        };
        tasks.push(tokio::spawn(async move {
            store.append(text(&session, "x", Some(&client_id))).await
        }));
    }
    let mut repeats = Vec::new();
    for _ in 0..10 {
        let store = store.clone();
        let first = first.clone();
        repeats.push(tokio::spawn(async move {
            store.append(text(&first, "again", Some("same"))).await
        }));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.unwrap();
        if i % 3 == 2 {
            assert!(matches!(outcome, Err(StoreError::NotFound("session"))));
        } else {
            assert!(outcome.unwrap().created);
        }
    }
    let mut repeat_ids = Vec::new();
    let mut created = 0;
    for task in repeats {
        let appended = task.await.unwrap().unwrap();
        created += usize::from(appended.created);
        repeat_ids.push(appended.message.id);
    }
    assert_eq!(created, 1, "one of the repeats stores the message");
    repeat_ids.dedup();
    assert_eq!(
        repeat_ids.len(),
        1,
        "every repeat is answered with that message"
    );
    for (session, count) in [(&first, 31), (&second, 30)] {
        let stored = store.messages_after(session, 0, 1000).await.unwrap();
        let seqs: Vec<u64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=count).collect::<Vec<_>>());
        // The session knows its last message: the next append continues from it.
        let now = store
            .session(&tenant, session, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.last_message.map(|m| m.seq), Some(count));
    }
}

async fn tenants_keep_their_origins_and_assistant_settings(store: DynStore) {
    let tenant = store
        .create_tenant(NewTenant {
            name: "Shop".into(),
            widget_key: "shop".into(),
            allowed_origins: vec!["https://shop.example".into()],
        })
        .await
        .unwrap();
    assert_eq!(store.tenant(&tenant.id).await.unwrap().unwrap(), tenant);
    let ai = TenantAi {
        enabled: false,
        answerer: Some("openai".into()),
        greeting: Some("Hi <there>".into()),
        handover: Some("Anna will be right with you.".into()),
    };
    let origins = vec![
        "https://a.example".to_string(),
        "http://localhost:8080".into(),
    ];
    assert!(store
        .update_tenant(&tenant.id, &origins, &ai)
        .await
        .unwrap());
    assert!(!store
        .update_tenant("no-such-tenant", &origins, &ai)
        .await
        .unwrap());
    let read = store.tenant_by_widget_key("shop").await.unwrap().unwrap();
    assert_eq!((read.allowed_origins, read.ai), (origins, ai));
    assert!(store.tenant_by_widget_key("nope").await.unwrap().is_none());
    assert_eq!(store.tenants().await.unwrap().len(), 1);
}

async fn sessions_carry_their_last_message_agent_and_order(store: DynStore) {
    let (tenant, first) = tenant_with_session(&store, "t").await;
    let second = store
        .create_session(NewSession {
            tenant_id: tenant.clone(),
            key_hash: "hash-second".into(),
            visitor: Visitor {
                name: Some("Ann".into()),
                email: Some("ann@example.com".into()),
            },
            status: SessionStatus::Pending,
            test: false,
            visitor_id: None,
        })
        .await
        .unwrap();
    let agent = store
        .create_agent(NewAgent {
            tenant_id: tenant.clone(),
            email: "al@example.com".into(),
            name: "Al".into(),
            password_hash: "x".into(),
            role: AgentRole::Agent,
        })
        .await
        .unwrap();
    store.append(text(&first, "older", None)).await.unwrap();
    store.append(text(&second.id, "newer", None)).await.unwrap();

    let listed = store
        .sessions(&tenant, &agent.id, &SessionPage::all())
        .await
        .unwrap();
    let ids: Vec<_> = listed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [second.id.as_str(), first.as_str()],
        "newest activity first"
    );
    assert_eq!(listed[0].last_message.as_ref().unwrap().content, "newer");
    assert_eq!(listed[0].visitor.name.as_deref(), Some("Ann"));
    assert_eq!(listed[0].unread_count, 1);

    let assigned = store
        .update_session(
            &tenant,
            &first,
            SessionChange::Assign {
                agent_id: agent.id.clone(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(assigned.status, SessionStatus::Active);
    assert_eq!(assigned.assigned_agent.unwrap().name, "Al");

    let keyed = store
        .session_by_key_hash("hash-second")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((keyed.tenant_id, keyed.session.id), (tenant, second.id));
    assert!(store.session_by_key_hash("nope").await.unwrap().is_none());
}

async fn history_pages_by_seq(store: DynStore) {
    let (_, session) = tenant_with_session(&store, "t").await;
    for i in 1..=7 {
        store
            .append(text(&session, &format!("m{i}"), None))
            .await
            .unwrap();
    }
    let page = store.messages_after(&session, 2, 3).await.unwrap();
    let contents: Vec<_> = page.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["m3", "m4", "m5"]);
    assert!(store
        .messages_after(&session, 7, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .messages_after("other", 0, 10)
        .await
        .unwrap()
        .is_empty());
    // Backwards: the newest before a seq, still in order; from the end, the latest.
    let contents = |page: Vec<switchboard::protocol::Message>| -> Vec<String> {
        page.into_iter().map(|m| m.content).collect()
    };
    let before = store.messages_before(&session, 6, 3).await.unwrap();
    assert_eq!(contents(before), ["m3", "m4", "m5"]);
    let latest = store.messages_before(&session, u64::MAX, 2).await.unwrap();
    assert_eq!(contents(latest), ["m6", "m7"]);
    let first = store.messages_before(&session, 3, 10).await.unwrap();
    assert_eq!(contents(first), ["m1", "m2"]);
    assert!(store
        .messages_before(&session, 1, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn the_ais_offer_and_source_are_stored_with_its_message(store: DynStore) {
    let (tenant, session) = tenant_with_session(&store, "t").await;
    store
        .append(text(&session, "Do you sell tea?", None))
        .await
        .unwrap();
    let offer = NewMessage {
        sender: Sender::ai(),
        offers_human: true,
        source: Some(ArticleLink {
            title: "Tea and other drinks".into(),
            url: "/help/k/tea".into(),
        }),
        ..text(&session, "Shall I bring in someone from the team?", None)
    };
    let stored = store.append(offer.clone()).await.unwrap().message;
    assert!(stored.offers_human);
    assert_eq!(stored.source, offer.source);
    let page = store.messages_after(&session, 0, 10).await.unwrap();
    let offers: Vec<_> = page.iter().map(|m| m.offers_human).collect();
    assert_eq!(offers, [false, true]);
    let sources: Vec<_> = page.iter().map(|m| m.source.clone()).collect();
    assert_eq!(sources, [None, offer.source.clone()]);
    let last = store
        .session(&tenant, &session, None)
        .await
        .unwrap()
        .unwrap()
        .last_message
        .unwrap();
    assert!(last.offers_human, "as the session's last message too");
    assert_eq!(last.source, offer.source);
}

async fn disabling_or_a_new_password_ends_sign_ins_and_tokens_can_be_revoked(store: DynStore) {
    let (tenant, _) = tenant_with_session(&store, "a").await;
    let new = NewAgent {
        tenant_id: tenant.clone(),
        email: "lead@a.example".into(),
        name: "Lead".into(),
        password_hash: "x".into(),
        role: AgentRole::Admin,
    };
    let lead = store.create_agent(new).await.unwrap();
    assert_eq!(
        (lead.role, lead.disabled, lead.token_version),
        (AgentRole::Admin, false, 0)
    );
    let stored = |store: DynStore, id: String, tenant: String| async move {
        store.agent(&tenant, &id).await.unwrap().unwrap()
    };

    assert!(store.set_password_hash(&lead.id, "y").await.unwrap());
    let after_reset = stored(store.clone(), lead.id.clone(), tenant.clone()).await;
    assert_eq!(
        (
            after_reset.password_hash.as_str(),
            after_reset.token_version
        ),
        ("y", 1)
    );

    assert!(store
        .update_agent(&lead.id, AgentChange::Disable)
        .await
        .unwrap());
    let disabled = stored(store.clone(), lead.id.clone(), tenant.clone()).await;
    assert_eq!((disabled.disabled, disabled.token_version), (true, 2));
    assert!(store
        .update_agent(&lead.id, AgentChange::Enable)
        .await
        .unwrap());
    assert!(store
        .update_agent(&lead.id, AgentChange::Role(AgentRole::Agent))
        .await
        .unwrap());
    let enabled = stored(store.clone(), lead.id.clone(), tenant.clone()).await;
    // Enabling lets the agent sign in again; the tokens the disable ended stay ended.
    assert_eq!(
        (enabled.disabled, enabled.token_version, enabled.role),
        (false, 2, AgentRole::Agent)
    );
    assert!(!store
        .update_agent("nobody", AgentChange::Disable)
        .await
        .unwrap());

    let later = switchboard::server::auth::unix_now() + 3600;
    assert!(!store.token_revoked("t1").await.unwrap());
    store.revoke_token("t1", later).await.unwrap();
    store.revoke_token("t1", later).await.unwrap();
    assert!(store.token_revoked("t1").await.unwrap());
    assert!(!store.token_revoked("t2").await.unwrap());
    // A revocation past its token's expiry is forgotten the next time one is recorded.
    store.revoke_token("old", 1).await.unwrap();
    store.revoke_token("t3", later).await.unwrap();
    assert!(!store.token_revoked("old").await.unwrap());
}

fn content(slug: &str, title: &str, body: &str) -> ArticleContent {
    ArticleContent {
        slug: slug.into(),
        title: title.into(),
        body: body.into(),
    }
}

async fn each_tenant_keeps_its_own_articles(store: DynStore) {
    let (shop, _) = tenant_with_session(&store, "shop").await;
    let (other, _) = tenant_with_session(&store, "other").await;
    assert_eq!(store.knowledge_version(&shop).await.unwrap().articles, 0);

    let hours = store
        .create_article(
            &shop,
            content("hours", "Opening hours", "## Shop\nOpen daily."),
        )
        .await
        .unwrap();
    store
        .create_article(
            &shop,
            content("returns", "Returns", "## Returning\nWithin 30 days."),
        )
        .await
        .unwrap();
    // Another tenant may use the same slug; the same tenant may not.
    store
        .create_article(
            &other,
            content("hours", "Hours", "## Office\nNine to five."),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_article(&shop, content("hours", "Again", "x"))
            .await,
        Err(StoreError::Conflict(_))
    ));

    let titles: Vec<_> = store
        .articles(&shop)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert_eq!(titles, vec!["Opening hours", "Returns"]);
    assert_eq!(
        store.article(&other, &hours.id).await.unwrap(),
        None,
        "not across tenants"
    );
    assert_eq!(
        store
            .article_by_slug(&shop, "hours")
            .await
            .unwrap()
            .unwrap()
            .id,
        hours.id
    );
    let before = store.knowledge_version(&shop).await.unwrap();
    assert_eq!(before.articles, 2);

    // An edit changes the version every node compares.
    let edited = store
        .update_article(
            &shop,
            &hours.id,
            content(
                "opening-hours",
                "Opening hours",
                "## Shop\nOpen Tuesday to Sunday.",
            ),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (edited.slug.as_str(), edited.id.as_str()),
        ("opening-hours", hours.id.as_str())
    );
    assert!(edited.updated_at >= hours.updated_at);
    assert_ne!(store.knowledge_version(&shop).await.unwrap(), before);
    assert_eq!(
        store
            .update_article(&other, &hours.id, content("x", "x", "x"))
            .await
            .unwrap(),
        None
    );
    assert!(!store.delete_article(&other, &hours.id).await.unwrap());
    assert!(store.delete_article(&shop, &hours.id).await.unwrap());
    assert_eq!(store.knowledge_version(&shop).await.unwrap().articles, 1);
    assert_eq!(store.knowledge_version(&other).await.unwrap().articles, 1);
}

async fn sessions_are_listed_by_view_a_page_at_a_time(store: DynStore) {
    let (tenant, ai) = tenant_with_session(&store, "views").await;
    let agent = store
        .create_agent(NewAgent {
            tenant_id: tenant.clone(),
            email: "v@example.com".into(),
            name: "V".into(),
            password_hash: "x".into(),
            role: AgentRole::Agent,
        })
        .await
        .unwrap();
    let mut made = vec![ai.clone()];
    for n in 0..6 {
        let session = store
            .create_session(NewSession {
                tenant_id: tenant.clone(),
                key_hash: format!("views-{n}"),
                visitor: Visitor::default(),
                status: SessionStatus::Pending,
                test: false,
                visitor_id: None,
            })
            .await
            .unwrap();
        made.push(session.id);
    }
    // A test conversation (the diagnostics page's) is kept, and in no list.
    let test = store
        .create_session(NewSession {
            tenant_id: tenant.clone(),
            key_hash: "views-test".into(),
            visitor: Visitor::default(),
            status: SessionStatus::Pending,
            test: true,
            visitor_id: None,
        })
        .await
        .unwrap();
    let kept = store.session(&tenant, &test.id, None).await.unwrap();
    assert!(kept.is_some_and(|s| s.test), "stored as a test");
    let everything = store
        .sessions(&tenant, &agent.id, &SessionPage::all())
        .await
        .unwrap();
    assert!(everything.iter().all(|s| s.id != test.id), "listed nowhere");
    // One of them is the agent's, one closed; the rest wait in the queue.
    let assign = SessionChange::Assign {
        agent_id: agent.id.clone(),
    };
    store
        .update_session(&tenant, &made[1], assign)
        .await
        .unwrap();
    let close = SessionChange::Status(SessionStatus::Closed);
    store
        .update_session(&tenant, &made[2], close)
        .await
        .unwrap();

    let view = |view, limit, before: Option<(String, String)>| SessionPage {
        view: Some(view),
        before,
        limit,
    };
    let ids = |sessions: Vec<switchboard::protocol::Session>| -> Vec<String> {
        sessions.into_iter().map(|s| s.id).collect()
    };
    let listed = |page: SessionPage| {
        let (store, tenant, agent) = (store.clone(), tenant.clone(), agent.id.clone());
        async move { ids(store.sessions(&tenant, &agent, &page).await.unwrap()) }
    };
    assert_eq!(listed(view(SessionView::Ai, 10, None)).await, [ai.as_str()]);
    assert_eq!(
        listed(view(SessionView::Mine, 10, None)).await,
        [made[1].clone()]
    );
    assert_eq!(
        listed(view(SessionView::Closed, 10, None)).await,
        [made[2].clone()]
    );
    assert_eq!(
        listed(view(SessionView::Unassigned, 10, None)).await.len(),
        4
    );
    assert_eq!(listed(view(SessionView::Open, 10, None)).await.len(), 6);

    // Two at a time, each page after the last one's (updatedAt, id): every open session once.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .sessions(
                &tenant,
                &agent.id,
                &view(SessionView::Open, 2, before.clone()),
            )
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some((last.updated_at.0.clone(), last.id.clone()));
        seen.extend(ids(page));
    }
    let mut open: Vec<_> = made.iter().filter(|id| **id != made[2]).cloned().collect();
    open.sort();
    let mut seen_sorted = seen.clone();
    seen_sorted.sort();
    assert_eq!(seen_sorted, open, "every open session once: {seen:?}");
}

fn agent_reply(session_id: &str, content: &str) -> NewMessage {
    NewMessage {
        sender: Sender {
            kind: SenderKind::Agent,
            id: Some("a1".into()),
            name: Some("Al".into()),
        },
        ..text(session_id, content, None)
    }
}

async fn emailed_session(store: &DynStore, key: &str) -> (String, String) {
    let visitor = Visitor {
        name: None,
        email: Some("dana@example.com".into()),
    };
    tenant_with_visitor(store, key, visitor).await
}

/// The first reply plans the email and later ones join it; of two nodes taking it, one wins;
/// a reply after what was sent plans the next, and nothing after it plans none. A visitor
/// without an address has nothing planned.
async fn a_follow_up_is_planned_once_taken_by_one_and_replanned_for_a_later_reply(store: DynStore) {
    let (_, no_address) = tenant_with_session(&store, "f0").await;
    store
        .plan_follow_up(&no_address, 1, "2026-01-01T00:00:00.000Z")
        .await
        .unwrap();
    let (_, session) = emailed_session(&store, "f1").await;
    store.append(agent_reply(&session, "one")).await.unwrap();
    store
        .plan_follow_up(&session, 1, "2026-01-01T00:00:01.000Z")
        .await
        .unwrap();
    store
        .plan_follow_up(&session, 1, "2026-01-01T00:00:05.000Z")
        .await
        .unwrap();
    assert!(store
        .due_follow_ups("2026-01-01T00:00:00.500Z", 10)
        .await
        .unwrap()
        .is_empty());
    let due = store
        .due_follow_ups("2026-01-01T00:00:02.000Z", 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        (due[0].session_id.as_str(), due[0].due_at.as_str()),
        (session.as_str(), "2026-01-01T00:00:01.000Z")
    );
    let hold = "2026-01-01T00:05:00.000Z";
    assert!(store.claim_follow_up(&due[0], hold).await.unwrap());
    assert!(
        !store.claim_follow_up(&due[0], hold).await.unwrap(),
        "taken once"
    );

    // A reply while the email went: the next is planned.
    store.append(agent_reply(&session, "two")).await.unwrap();
    store
        .plan_follow_up(&session, 2, "2026-01-01T00:00:30.000Z")
        .await
        .unwrap();
    let done = FollowUpOutcome::Done {
        through_seq: 1,
        next_due: "2026-01-01T00:01:00.000Z".into(),
    };
    store.settle_follow_up(&session, &done).await.unwrap();
    let due = store
        .due_follow_ups("2026-01-01T00:02:00.000Z", 10)
        .await
        .unwrap();
    assert_eq!(
        (due[0].emailed_seq, due[0].due_at.as_str()),
        (1, "2026-01-01T00:01:00.000Z")
    );

    // A failure counts; after the last reply is sent, nothing is planned.
    let retry = FollowUpOutcome::Retry {
        at: "2026-01-01T00:03:00.000Z".into(),
        failed: true,
    };
    store.settle_follow_up(&session, &retry).await.unwrap();
    let due = store
        .due_follow_ups("2026-01-01T00:04:00.000Z", 10)
        .await
        .unwrap();
    assert_eq!(due[0].attempts, 1);
    let done = FollowUpOutcome::Done {
        through_seq: 2,
        next_due: "2026-01-01T00:05:00.000Z".into(),
    };
    store.settle_follow_up(&session, &done).await.unwrap();
    assert!(store
        .due_follow_ups("2027-01-01T00:00:00.000Z", 10)
        .await
        .unwrap()
        .is_empty());
}

/// An emailed link's key finds its session as the session's own key does, until it expires.
async fn an_emailed_link_opens_its_session_until_it_expires(store: DynStore) {
    let (_, session) = emailed_session(&store, "l1").await;
    store
        .add_session_link(&session, "link-good", "2999-01-01T00:00:00.000Z")
        .await
        .unwrap();
    store
        .add_session_link(&session, "link-old", "2000-01-01T00:00:00.000Z")
        .await
        .unwrap();
    let found = store
        .session_by_key_hash("link-good")
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found.session.id, session);
    assert!(
        store
            .session_by_key_hash("link-old")
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        store
            .session_by_key_hash("hash-l1")
            .await
            .unwrap()
            .is_some(),
        "its own key still works"
    );
    assert_eq!(
        store
            .forget_expired_links("2500-01-01T00:00:00.000Z")
            .await
            .unwrap(),
        1
    );
    assert!(
        store
            .session_by_key_hash("link-good")
            .await
            .unwrap()
            .is_some(),
        "a good link stays"
    );
}

/// Stores an upload of `pieces` under `id` in the session, complete.
pub(crate) async fn uploaded(
    store: &DynStore,
    tenant: &str,
    session: &str,
    id: &str,
    pieces: &[&[u8]],
) {
    let new = NewAttachment {
        id: id.into(),
        tenant_id: tenant.into(),
        session_id: session.into(),
        uploader: customer(),
        name: format!("{id}.png"),
        content_type: "image/png".into(),
    };
    store.create_attachment(&new).await.unwrap();
    assert_eq!(
        store.attachment(id).await.unwrap(),
        None,
        "not readable until complete"
    );
    for (index, piece) in pieces.iter().enumerate() {
        store
            .add_attachment_chunk(id, index as u32, piece)
            .await
            .unwrap();
    }
    let size = pieces.iter().map(|p| p.len() as u64).sum();
    let done = FinishedUpload {
        size,
        chunks: pieces.len() as u32,
        width: Some(640),
        height: Some(480),
    };
    store.finish_attachment(id, &done).await.unwrap();
}

pub(crate) fn with_files(
    session_id: &str,
    files: Vec<switchboard::protocol::Attachment>,
) -> NewMessage {
    NewMessage {
        attachments: files,
        ..text(session_id, "", Some("with-files"))
    }
}

async fn an_upload_is_kept_in_pieces_taken_by_its_message_and_swept_if_never_taken(
    store: DynStore,
) {
    let (tenant, session) = tenant_with_session(&store, "t").await;
    let big = vec![7u8; 300 * 1024];
    uploaded(&store, &tenant, &session, "f1", &[&big, b"tail"]).await;
    uploaded(&store, &tenant, &session, "f2", &[b"never sent"]).await;
    let f1 = store.attachment("f1").await.unwrap().expect("complete");
    assert_eq!(
        (f1.tenant_id.as_str(), f1.session_id.as_str()),
        (tenant.as_str(), session.as_str())
    );
    assert_eq!((f1.chunks, f1.attachment.size), (2, big.len() as u64 + 4));
    assert_eq!(
        (f1.attachment.width, f1.attachment.height),
        (Some(640), Some(480))
    );
    assert_eq!(f1.message_id, None);
    assert_eq!(
        store.attachment_chunk("f1", 0).await.unwrap(),
        Some(big.clone())
    );
    assert_eq!(
        store.attachment_chunk("f1", 1).await.unwrap(),
        Some(b"tail".to_vec())
    );
    assert_eq!(store.attachment_chunk("f1", 2).await.unwrap(), None);

    let files = vec![f1.attachment.clone()];
    let message = store
        .append(with_files(&session, files.clone()))
        .await
        .unwrap()
        .message;
    assert_eq!(message.attachments, files);
    let again = store
        .append(with_files(&session, vec![f1.attachment.clone()]))
        .await
        .unwrap();
    assert!(!again.created, "a resend stores nothing");
    assert_eq!(again.message.attachments, files);
    let read = store.messages_after(&session, 0, 10).await.unwrap();
    assert_eq!(read[0].attachments, files);
    let last = store
        .session(&tenant, &session, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.last_message.unwrap().attachments, files);
    let taken = store.attachment("f1").await.unwrap().unwrap();
    assert_eq!(taken.message_id.as_deref(), Some(message.id.as_str()));

    // A day later (the cut-off is passed in): the upload no message took goes, bytes and all.
    let removed = store
        .remove_unattached("9999-01-01T00:00:00.000Z")
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(store.attachment("f2").await.unwrap(), None);
    assert_eq!(store.attachment_chunk("f2", 0).await.unwrap(), None);
    assert!(
        store.attachment("f1").await.unwrap().is_some(),
        "a sent file stays"
    );
    // Nothing newer than the cut-off goes.
    uploaded(&store, &tenant, &session, "f3", &[b"just now"]).await;
    assert_eq!(
        store
            .remove_unattached("2000-01-01T00:00:00.000Z")
            .await
            .unwrap(),
        0
    );
    store.delete_attachment("f3").await.unwrap();
    assert_eq!(store.attachment_chunk("f3", 0).await.unwrap(), None);
    assert_eq!(store.attachment("f3").await.unwrap(), None);

    let mut tenant_row = store.tenant(&tenant).await.unwrap().unwrap();
    assert_eq!(
        tenant_row.attachments,
        Accepted::default(),
        "every kind by default"
    );
    let images = Accepted::parse("images").unwrap();
    assert!(store.set_attachment_types(&tenant, &images).await.unwrap());
    tenant_row = store.tenant(&tenant).await.unwrap().unwrap();
    assert_eq!(tenant_row.attachments, images);
    assert!(!store.set_attachment_types("nobody", &images).await.unwrap());
}

async fn a_message_takes_only_files_of_its_own_session(store: DynStore) {
    let (tenant, session) = tenant_with_session(&store, "t").await;
    let other = store
        .create_session(NewSession {
            tenant_id: tenant.clone(),
            key_hash: "hash-other".into(),
            visitor: Visitor::default(),
            status: SessionStatus::Bot,
            test: false,
            visitor_id: None,
        })
        .await
        .unwrap();
    uploaded(&store, &tenant, &other.id, "theirs", &[b"x"]).await;
    let theirs = store.attachment("theirs").await.unwrap().unwrap();
    store
        .append(with_files(&session, vec![theirs.attachment]))
        .await
        .unwrap();
    let still = store.attachment("theirs").await.unwrap().unwrap();
    assert_eq!(
        still.message_id, None,
        "another session's upload is not taken"
    );
}
