//! The one path by which anything happens in a conversation: **append to the store, then
//! publish** on the broker. The hub and the AI assistant both write through it.
//!
//! Within a session, an append and its publication happen under one lock, so that on a node
//! events leave in `seq` order.

use crate::protocol::{Sender, SenderKind};
use crate::protocol::{ServerEvent, ServerFrame, Session, SessionStatus, Timestamp};
use crate::server::{
    broker::{DynBroker, Event, Topic},
    store::{Appended, DynStore, NewMessage, SessionChange, StoreResult},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

pub struct Timeline {
    store: DynStore,
    broker: DynBroker,
    session_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Serialises a server frame once, for every recipient, with the routing facts sockets need.
pub fn frame_event(event: ServerEvent) -> Event {
    let message = match &event {
        ServerEvent::MessageNew { message } => Some((message.session_id.clone(), message.seq)),
        _ => None,
    };
    let typist = match &event {
        ServerEvent::Typing { sender, .. } => Some(typist(sender)),
        _ => None,
    };
    let stream_start = match &event {
        ServerEvent::StreamStart { message_id, .. } => Some(message_id.clone()),
        _ => None,
    };
    let frame = ServerFrame {
        event,
        timestamp: Timestamp::now(),
    };
    Event {
        frame: serde_json::to_string(&frame)
            .expect("frames serialise")
            .into(),
        message,
        typist,
        stream_start,
        token: None,
    }
}

/// Who a typing indicator is about, as [`Event::typist`] names them.
pub fn typist(sender: &Sender) -> String {
    match (sender.kind, &sender.id) {
        (SenderKind::Agent, Some(id)) => format!("agent:{id}"),
        (SenderKind::Customer, _) => "customer".into(),
        (kind, _) => format!("{kind:?}").to_lowercase(),
    }
}

impl Timeline {
    pub fn new(store: DynStore, broker: DynBroker) -> Self {
        Self {
            store,
            broker,
            session_locks: Mutex::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &DynStore {
        &self.store
    }

    pub fn broker(&self) -> &DynBroker {
        &self.broker
    }

    /// To the session's visitor sockets and the tenant's agents.
    pub fn publish(&self, session_id: &str, tenant_id: &str, event: Event) {
        self.broker.publish(
            &[
                Topic::Session(session_id.to_string()),
                Topic::Tenant(tenant_id.to_string()),
            ],
            event,
        );
    }

    pub fn publish_event(&self, session_id: &str, tenant_id: &str, event: ServerEvent) {
        self.publish(session_id, tenant_id, frame_event(event));
    }

    /// To the session's visitor sockets only.
    pub fn publish_to_visitor(&self, session_id: &str, event: ServerEvent) {
        self.broker.publish(
            &[Topic::Session(session_id.to_string())],
            frame_event(event),
        );
    }

    pub fn publish_to_agents(&self, tenant_id: &str, event: ServerEvent) {
        self.broker
            .publish(&[Topic::Tenant(tenant_id.to_string())], frame_event(event));
    }

    /// The lock that keeps one session's appends and publications in `seq` order.
    fn session_lock(&self, session_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.session_locks.lock().expect("session locks");
        // Forget locks nobody holds, so the map stays as small as the set of busy sessions.
        if locks.len() > 1024 {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks.entry(session_id.to_string()).or_default().clone()
    }

    /// Sets a session's status and tells its visitor and the tenant's agents.
    pub async fn set_status(
        &self,
        tenant_id: &str,
        session_id: &str,
        status: SessionStatus,
    ) -> StoreResult<Option<Session>> {
        let session = self
            .store
            .update_session(tenant_id, session_id, SessionChange::Status(status))
            .await?;
        if let Some(session) = &session {
            self.publish_event(
                session_id,
                tenant_id,
                ServerEvent::SessionUpdated {
                    session: session.clone(),
                },
            );
        }
        Ok(session)
    }

    /// Stores a message and publishes it. A repeated `clientMessageId` stores and publishes
    /// nothing and returns the message stored the first time.
    pub async fn append(&self, tenant_id: &str, new: NewMessage) -> StoreResult<Appended> {
        let lock = self.session_lock(&new.session_id);
        let _ordered = lock.lock().await;
        let appended = self.store.append(new).await?;
        if appended.created {
            self.publish_event(
                &appended.message.session_id,
                tenant_id,
                ServerEvent::MessageNew {
                    message: appended.message.clone(),
                },
            );
        }
        Ok(appended)
    }
}
