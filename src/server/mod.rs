//! The server half of Switchboard (feature `ssr`).
//!
//! - [`cli`]: the command line (`serve`, `admin`) and the exit codes.
//! - [`config`]: validated settings from flags and environment variables.
//! - [`telemetry`]: structured logs through `tracing`.
//! - [`startup`]: builds the application from its configuration, binds, serves, shuts down.
//! - [`state`]: what every request handler can reach.
//! - [`router`]: the one axum router: REST, WebSockets, health, pages, static files.
//! - [`http`]: the REST API, the messenger page and the health checks.
//! - [`ws`]: the WebSocket endpoints.
//! - [`hub`]: every change to a conversation, checked and carried out.
//! - [`timeline`]: append to the store, then publish: the one way anything happens.
//! - [`ai`], [`assistant`]: the AI that answers first, streamed, and steps aside for a human.
//! - [`store`]: tenants, agents, sessions, messages (SQLite).
//! - [`broker`]: carries events to every socket that should see them.
//! - [`auth`]: passwords, JWTs, session keys.
//! - [`demo`]: the demo tenant and agents of `--demo`.
//! - [`admin`]: `switchboard admin`, to manage tenants and agents.
//! - [`mail`]: follow-up emails to visitors who left, over SMTP.
//! - [`shutdown`]: the signal that tells long-lived sockets to close, and waits for them.

pub mod admin;
pub mod ai;
pub mod assistant;
pub mod attachments;
pub mod auth;
pub mod broker;
pub mod cli;
pub mod config;
pub mod demo;
pub mod edge;
pub mod history;
pub mod http;
pub mod hub;
pub mod limits;
pub mod mail;
pub mod office_hours;
pub mod router;
mod serve;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod timeline;
pub mod ws;
