//! The socket a diagnostics mode opens and closes by hand: one `client::transport` WebSocket
//! and where it stands. It never reconnects, so the page shows exactly what the socket does.

use crate::client::transport::{self, SocketEvent, SocketHandle};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Disconnected,
    Connecting,
    Connected,
}

impl Status {
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Disconnected => "Disconnected",
            Self::Connecting => "Connecting…",
            Self::Connected => "Connected",
        }
    }

    pub(super) fn class(self) -> &'static str {
        match self {
            Self::Disconnected => "status status--off",
            Self::Connecting => "status status--pending",
            Self::Connected => "status status--on",
        }
    }
}

#[derive(Clone, Copy)]
pub(super) struct ManualSocket {
    pub(super) status: RwSignal<Status>,
    handle: StoredValue<Option<SocketHandle>, LocalStorage>,
}

impl ManualSocket {
    pub(super) fn new() -> Self {
        Self {
            status: RwSignal::new(Status::Disconnected),
            handle: StoredValue::new_local(None),
        }
    }

    /// Starts an attempt ("Connecting…"), unless a socket is open or opening: then false.
    pub(super) fn try_begin(self) -> bool {
        if self.status.get_untracked() != Status::Disconnected {
            return false;
        }
        self.status.set(Status::Connecting);
        true
    }

    /// Opens `url` for the attempt begun with [`Self::try_begin`]. The status follows the
    /// socket before `on_event` hears of each event; a socket that cannot even be created is
    /// "Disconnected" again, and the error says why.
    pub(super) fn open(
        self,
        url: &str,
        on_event: impl Fn(SocketEvent) + 'static,
    ) -> Result<(), String> {
        let follow = move |event: SocketEvent| {
            match &event {
                SocketEvent::Opened => self.status.set(Status::Connected),
                SocketEvent::Closed { .. } => {
                    self.status.set(Status::Disconnected);
                    self.handle.set_value(None);
                }
                SocketEvent::Text(_) | SocketEvent::Binary(_) => {}
            }
            on_event(event);
        };
        match transport::open(url, follow) {
            Ok(handle) => {
                self.handle.set_value(Some(handle));
                Ok(())
            }
            Err(problem) => {
                self.status.set(Status::Disconnected);
                Err(problem)
            }
        }
    }

    pub(super) fn close(self) {
        self.handle.with_value(|handle| {
            if let Some(handle) = handle {
                handle.close();
            }
        });
    }

    /// Sends a text frame; false when no socket is open.
    pub(super) fn send_text(self, text: String) -> bool {
        self.handle
            .with_value(|handle| handle.as_ref().is_some_and(|h| h.send_text(text)))
    }

    pub(super) fn is_connected(self) -> bool {
        self.status.get() == Status::Connected
    }

    pub(super) fn is_disconnected(self) -> bool {
        self.status.get() == Status::Disconnected
    }
}
