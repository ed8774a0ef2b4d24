//! A visitor's conversations over time (docs/design.md, "History and data rights"): who a
//! visitor is across conversations, transcripts, and what the law lets a visitor ask for (a copy
//! of what is stored about them, its erasure) with each tenant's retention.
//!
//! Everything here works on the store alone, so that `switchboard admin` uses it without a hub.

pub mod identity;
pub mod rights;
pub mod transcript;
