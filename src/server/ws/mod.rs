//! The WebSocket endpoints: `/ws/echo` (diagnostics), `/ws?token=` (agents and visitors, with
//! its `/?token=` alias for seed-003 clients) and `/ws/public/{sessionKey}` (visitors).

pub mod echo;
mod frames;
mod handshake;
mod socket;

pub use handshake::{root_alias, with_key, with_token};

/// The largest frame or message a socket accepts. Larger ones close the socket with 1009.
pub const MAX_FRAME_BYTES: usize = 1024 * 1024;

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
