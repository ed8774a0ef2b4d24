//! The HTTP handlers: the REST API (`/api/v1`), the messenger page the widget frames, and the
//! health checks. [`crate::server::router`] routes to them.

pub mod api;
pub mod appearance;
pub mod attachments;
pub mod csp;
pub mod error;
pub mod extract;
pub mod health;
pub mod help;
pub mod history;
mod markdown;
pub mod messenger;
