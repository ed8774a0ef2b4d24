//! The WebSocket endpoints: `/ws/echo` (diagnostics), `/ws?token=` (agents and visitors, with
//! its `/?token=` alias for clients of the chat API integration guide) and `/ws/public/{sessionKey}` (visitors).

mod commands;
mod connection;
mod delivery;
pub mod echo;
mod frames;
mod handshake;
mod socket;

pub use handshake::{root_alias, with_key, with_token};

use axum::extract::ws::WebSocketUpgrade;

/// The largest frame or message a socket accepts. Larger ones close the socket with 1009.
pub const MAX_FRAME_BYTES: usize = 1024 * 1024;

/// How much a socket reads at once. tungstenite zero-fills this much of its read buffer on
/// every read attempt, and a socket tries to read each time it wakes, also to send: at the
/// default 128 KiB that zeroing cost more than everything else a delivery does (BENCHMARKS.md).
/// Chat frames are small; a larger one grows the buffer as it arrives.
const READ_BUFFER_BYTES: usize = 1024;

/// The size limits and buffers of every socket the server accepts.
pub fn configured(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
}

/// True when the peer sent a frame or message over [`MAX_FRAME_BYTES`].
fn is_capacity_error(error: &axum::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<tungstenite::Error>())
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)))
}

/// Close codes of the contract.
pub mod close_code {
    /// The server is going away: reconnect (elsewhere) and resume.
    pub const GOING_AWAY: u16 = 1001;
    /// The client fell too far behind: reconnect and resume from the store.
    pub const TOO_SLOW: u16 = 4000;
    /// The token expired or was revoked: sign in again.
    pub const TOKEN_EXPIRED: u16 = 4401;
    /// The page's origin may not open this socket.
    pub const ORIGIN_NOT_ALLOWED: u16 = 4403;
}
