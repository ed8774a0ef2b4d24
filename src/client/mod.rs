//! The browser side of the wire. Components hold these types on both targets, so they compile
//! everywhere; the I/O itself only happens in the browser (feature `hydrate`). On the server the
//! same calls answer with an error, and are never reached: event handlers only run in a browser.

pub mod alerts;
pub mod api;
pub mod attachments;
pub mod conversation;
pub mod history;
pub mod inbox;
pub mod live;
pub mod search;
pub mod socket;
pub mod storage;
pub mod time;
pub mod transport;
pub mod typing;
pub mod upload;
pub mod visibility;
