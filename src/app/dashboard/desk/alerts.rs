//! Agents never miss a visitor (docs/design.md, "Alerts"): while the dashboard's tab is hidden,
//! a conversation that needs a person, one handed to the agent, or a visitor writing in one of
//! theirs raises a desktop notification (clicking it opens the conversation) and a short tone
//! (unless the agent turned it off); the tab's title counts what waits for them.

use super::Desk;
use crate::app::dashboard::labels::visitor_name;
use crate::client::attachments::preview;
use crate::client::{alerts, storage};
use crate::protocol::{SenderKind, ServerEvent, Session, SessionStatus};
use leptos::prelude::*;

/// Where the dashboard remembers that the tone is off.
const SOUND_OFF_KEY: &str = "switchboard.alerts.sound-off";
/// Where it remembers that the agent answered the offer of notifications ("Not now" too).
const OFFERED_KEY: &str = "switchboard.alerts.offered";

/// What an alert says, and the conversation it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    pub body: String,
    pub session_id: String,
}

/// The most of a message a notification shows.
const PREVIEW_CHARS: usize = 120;

impl Desk {
    pub(super) fn sound_was_on() -> bool {
        storage::get(SOUND_OFF_KEY).is_none()
    }

    pub fn set_sound(self, on: bool) {
        self.sound_on.set(on);
        if on {
            storage::remove(SOUND_OFF_KEY);
        } else {
            storage::set(SOUND_OFF_KEY, "1");
        }
    }

    /// Whether to offer desktop notifications: the browser has them, nobody decided yet.
    pub fn offers_notifications(self) -> bool {
        alerts::permission() == alerts::Permission::Ask && storage::get(OFFERED_KEY).is_none()
    }

    /// The agent answered the offer: asked the browser (`true`), or said "Not now".
    pub fn answer_notifications(self, turn_on: bool, answered: impl FnOnce() + 'static) {
        storage::set(OFFERED_KEY, "1");
        if turn_on {
            alerts::ask_permission(move |_| answered());
        } else {
            answered();
        }
    }

    /// What `event` calls the agent for, judged against the inbox before it applies.
    pub(super) fn alert_of(self, event: &ServerEvent) -> Option<Alert> {
        let me = self.me.with_value(|m| m.id.clone());
        let before = |id: &str| self.inbox.with_untracked(|i| i.get(id).cloned());
        match event {
            ServerEvent::SessionStarted { session } | ServerEvent::SessionUpdated { session } => {
                session_alert(session, before(&session.id).as_ref(), &me)
            }
            ServerEvent::MessageNew { message } if message.sender.kind == SenderKind::Customer => {
                let session = before(&message.session_id)?;
                let mine = session.assigned_agent.as_ref().is_some_and(|a| a.id == me);
                let fresh = session
                    .last_message
                    .as_ref()
                    .is_none_or(|m| m.seq < message.seq);
                (mine && fresh).then(|| Alert {
                    title: format!("{} wrote", visitor_name(&session)),
                    body: preview(message).chars().take(PREVIEW_CHARS).collect(),
                    session_id: session.id.clone(),
                })
            }
            _ => None,
        }
    }

    /// Raises `alert` if the tab is hidden: a notification, and the tone unless it is off.
    pub(super) fn raise(self, alert: Alert) {
        if self.page_visible.get_untracked() {
            return;
        }
        let open = self.open_conversation;
        let id = alert.session_id.clone();
        alerts::notify(&alert.title, &alert.body, &alert.session_id, move || {
            if let Some(open) = open.get_value() {
                open.run(id.clone());
            }
        });
        if self.sound_on.get_untracked() {
            alerts::chime();
        }
    }

    /// The tab's title follows what waits: the queue and the agent's own unread conversations.
    pub fn keep_title(self) {
        Effect::new(move |_| {
            let me = self.me.with_value(|m| m.id.clone());
            let waiting = self.inbox.with(|i| i.waiting_for(&me));
            alerts::set_title(&alerts::title_with(waiting));
        });
    }
}

/// A session that now waits for a person (and did not before), or that was just handed to
/// the agent.
fn session_alert(session: &Session, before: Option<&Session>, me: &str) -> Option<Alert> {
    let waits = |s: &Session| s.status == SessionStatus::Pending && s.assigned_agent.is_none();
    let mine = |s: &Session| {
        s.status == SessionStatus::Active && s.assigned_agent.as_ref().is_some_and(|a| a.id == me)
    };
    let name = visitor_name(session);
    let (title, body) = if waits(session) && !before.is_some_and(waits) {
        ("A visitor needs a person", format!("{name} is waiting."))
    } else if mine(session) && !before.is_some_and(mine) {
        (
            "A conversation was handed to you",
            format!("{name} is yours now."),
        )
    } else {
        return None;
    };
    Some(Alert {
        title: title.to_string(),
        body,
        session_id: session.id.clone(),
    })
}
