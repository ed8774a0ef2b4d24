//! The visitors on the site, for the inbox's dots and the side panel: who has a page of the
//! shop open and whether they use it, fetched after every (re)connection and kept up to date
//! by `visitor.presence`; and where they are (`visitor.visit`), kept on their conversation.

use super::Desk;
use crate::client::api;
use crate::protocol::{PresenceStatus, ServerEvent};
use leptos::prelude::*;

impl Desk {
    /// Who is on the site, as the server has it now. A fresh list, not a merge: whoever left
    /// while the socket was down is gone from it.
    pub fn refresh_visitors(self) {
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(present) = api::visitors(&token).await {
                let on_site = present
                    .into_iter()
                    .map(|visitor| (visitor.session_id, visitor.status))
                    .collect();
                self.visitors_on_site.set(on_site);
            }
        });
    }

    /// Whether the visitor of `session_id` is on the site now (`None`: they are not). Tracked.
    pub fn visitor_presence(self, session_id: &str) -> Option<PresenceStatus> {
        self.visitors_on_site
            .with(|on_site| on_site.get(session_id).copied())
    }

    /// A visitor came, went idle or left (`visitor.presence`), or their widget reported a page
    /// (`visitor.visit`).
    pub(super) fn apply_visitor(self, event: &ServerEvent) {
        match event {
            ServerEvent::VisitorPresence { session_id, status } => {
                self.visitors_on_site.update(|on_site| {
                    if *status == PresenceStatus::Offline {
                        on_site.remove(session_id);
                    } else {
                        on_site.insert(session_id.clone(), *status);
                    }
                });
            }
            ServerEvent::VisitorVisit { session_id, visit } => {
                // Only a listed conversation changes: the others need no redraw.
                self.inbox
                    .maybe_update(|inbox| inbox.set_visit(session_id, visit.clone()));
            }
            _ => {}
        }
    }
}
