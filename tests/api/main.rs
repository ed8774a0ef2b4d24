//! Switchboard's integration tests, in one binary that links the crate once (as zero2prod's
//! `tests/api/main.rs` does). Most start the real `switchboard` binary on a free port with a
//! throwaway database ([`common::TestServer`]) and talk to it as clients do; the contract suites
//! run the store and the broker against each of their real implementations.
//!
//! One area: `make test-rust ARGS="--test api hub::"`; one test: `ARGS="--test api
//! echo::json_format"`.

mod common;

mod admin;
mod ai;
mod ai_openai;
mod appearance;
mod attachments;
mod broker_contract;
mod cli;
mod cluster;
mod echo;
mod email;
mod history;
mod hostile;
mod hours;
mod hub;
mod lifecycle;
mod limits;
mod presence;
mod receipts;
mod routing;
mod safety;
#[macro_use]
mod store_contract;
mod store_history;
mod visitors;
mod widget;
