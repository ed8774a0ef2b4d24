//! How the dashboard names a conversation, in the inbox, the search results, the side panel and
//! the open conversation alike: the visitor, the status (a pill, or in words), and the last
//! message as one line.

use crate::client::attachments;
use crate::protocol::{SenderKind, Session, SessionStatus, Visitor};
use leptos::prelude::*;

pub fn visitor_name(session: &Session) -> String {
    visitor_label(&session.visitor, &session.id)
}

/// A visitor by the name they gave, else by the end of their conversation's id
/// ("Visitor #3F2A"), as the inbox lists them.
pub fn visitor_label(visitor: &Visitor, session_id: &str) -> String {
    visitor.name.clone().unwrap_or_else(|| {
        // Session ids are ASCII UUIDs; their last characters are the random part.
        let tail = session_id
            .get(session_id.len().saturating_sub(4)..)
            .unwrap_or(session_id);
        format!("Visitor #{}", tail.to_uppercase())
    })
}

pub fn status_label(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Bot => "AI",
        SessionStatus::Pending => "Waiting",
        SessionStatus::Active => "Active",
        SessionStatus::Closed => "Closed",
    }
}

/// The status in words, where there is room for them.
pub fn status_words(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Bot => "With the AI assistant",
        SessionStatus::Pending => "Waiting for a person",
        SessionStatus::Active => "Open, with an agent",
        SessionStatus::Closed => "Closed",
    }
}

/// The conversation's last message as one line: who wrote it (unless the visitor) and what.
pub fn last_line(session: &Session) -> String {
    session
        .last_message
        .as_ref()
        .map(|m| {
            let who = match m.sender.kind {
                SenderKind::Ai => "AI: ".to_string(),
                SenderKind::Agent => format!("{}: ", m.sender.name.clone().unwrap_or_default()),
                SenderKind::Customer | SenderKind::System => String::new(),
            };
            format!("{who}{}", attachments::preview(m))
        })
        .unwrap_or_else(|| "No messages yet".into())
}

/// The status as a pill, coloured by its `pill--…` class.
#[component]
pub fn StatusPill(status: SessionStatus) -> impl IntoView {
    view! {
        <span class=format!("pill pill--{}", status_label(status).to_lowercase())>
            {status_label(status)}
        </span>
    }
}
