//! The WebSocket endpoints.

pub mod echo;

/// The largest frame or message a socket accepts. Larger ones close the socket with 1009.
pub const MAX_FRAME_BYTES: usize = 1024 * 1024;
