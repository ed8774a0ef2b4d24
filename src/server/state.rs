use super::{edge::Edge, hub::Hub, shutdown::ShutdownListener};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::{sync::Arc, time::Duration};

/// WebSocket keep-alive: how often an idle socket is pinged, and when a silent one is dropped.
#[derive(Debug, Clone, Copy)]
pub struct KeepAlive {
    pub ping_every: Duration,
    /// A socket that sent nothing (not even a pong) for this long is dead.
    pub dead_after: Duration,
}

impl KeepAlive {
    pub fn every(ping_every: Duration) -> Self {
        Self {
            ping_every,
            dead_after: ping_every * 5 / 2,
        }
    }
}

/// What every handler can reach. Cloned per request, so every field is a cheap handle.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub hub: Arc<Hub>,
    pub shutdown: ShutdownListener,
    pub keep_alive: KeepAlive,
    pub edge: Arc<Edge>,
    /// How often an agent's socket checks that its sign-in still stands.
    pub auth_recheck: Duration,
    /// When "is typing" ends by itself after the typist's last typing frame.
    pub typing_timeout: Duration,
    /// The largest widget avatar an admin may upload, in bytes.
    pub max_avatar_bytes: usize,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
