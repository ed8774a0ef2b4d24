//! The server half of Switchboard (feature `ssr`).
//!
//! - [`cli`]: the command line (`serve`, `admin`) and the exit codes.
//! - [`config`]: validated settings from flags and environment variables.
//! - [`telemetry`]: structured logs through `tracing`.
//! - [`startup`]: builds the application from its configuration, binds, serves, shuts down.
//! - [`state`]: what every request handler can reach.
//! - [`http`]: the axum router: pages (Leptos SSR), health checks, the REST API.
//! - [`ws`]: the WebSocket endpoints.
//! - [`store`]: the database.
//! - [`shutdown`]: the signal that tells long-lived sockets to close, and waits for them.

pub mod cli;
pub mod config;
pub mod http;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod ws;
