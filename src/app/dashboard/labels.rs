//! How the dashboard names a conversation, in the inbox and in the open conversation alike:
//! the visitor, and the status pill.

use crate::protocol::{Session, SessionStatus};
use leptos::prelude::*;

pub fn visitor_name(session: &Session) -> String {
    session.visitor.name.clone().unwrap_or_else(|| {
        // Session ids are ASCII UUIDs; their last characters are the random part.
        let id = &session.id;
        let tail = id.get(id.len().saturating_sub(4)..).unwrap_or(id);
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

/// The status as a pill, coloured by its `pill--…` class.
#[component]
pub fn StatusPill(status: SessionStatus) -> impl IntoView {
    view! {
        <span class=format!("pill pill--{}", status_label(status).to_lowercase())>
            {status_label(status)}
        </span>
    }
}
