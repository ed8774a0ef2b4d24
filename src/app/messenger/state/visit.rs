//! Where the visitor is, for the team's side panel: the page the host reports, the browser's
//! own language and time zone, and that the visitor is using the page, sent over the
//! conversation's socket. The server also counts the socket for the visitor's presence.

use super::MessengerState;
use crate::client::live::LinkState;
use crate::client::typing::now_ms;
use crate::protocol::{ClientCommand, PageVisit};
use leptos::prelude::*;

/// The server hears that the visitor is using the page at most this often (their presence
/// goes `away` after some idle minutes, five by default).
const ACTIVITY_EVERY_MS: f64 = 60_000.0;

impl MessengerState {
    /// From now on: the page to the server on every (re)connection and each time it changes,
    /// and the visitor's use of the page or the messenger, at most once a minute.
    pub(super) fn follow_visit(self) {
        Effect::new(move |_| {
            let page = self.host.page.get();
            if self.link.get() == LinkState::Live {
                self.report_visit(page);
            }
        });
        Effect::new(move |_| {
            self.host.used.track();
            if self.page_visible.get() {
                self.note_activity();
            }
        });
        let used = self.host.used;
        let keys = window_event_listener(leptos::ev::keydown, move |_| used.update(|n| *n += 1));
        let taps =
            window_event_listener(leptos::ev::pointerdown, move |_| used.update(|n| *n += 1));
        // The messenger's own document lives as long as the page.
        std::mem::forget(keys);
        std::mem::forget(taps);
    }

    fn report_visit(self, page: Option<PageVisit>) {
        let Some(live) = self.socket.get_value() else {
            return;
        };
        let (language, time_zone) = browser_settings();
        let visit = PageVisit {
            language,
            time_zone,
            ..page.unwrap_or_default()
        };
        live.send(ClientCommand::Visit(visit));
        self.told_active_at.set_value(now_ms());
    }

    fn note_activity(self) {
        let now = now_ms();
        if now - self.told_active_at.get_value() < ACTIVITY_EVERY_MS {
            return;
        }
        let Some(live) = self.socket.get_value() else {
            return;
        };
        if self.link.get_untracked() == LinkState::Live {
            self.told_active_at.set_value(now);
            live.send(ClientCommand::Activity);
        }
    }
}

/// The browser's language and the visitor's IANA time zone, as the browser knows them.
fn browser_settings() -> (Option<String>, Option<String>) {
    #[cfg(feature = "hydrate")]
    {
        let language = web_sys::window().and_then(|w| w.navigator().language());
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        let time_zone = js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string());
        (language, time_zone)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        (None, None)
    }
}
