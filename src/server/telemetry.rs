//! Logs: structured `tracing` events on stderr, filtered by `RUST_LOG`
//! (default: `info` for Switchboard, `warn` for its libraries).

use std::io::IsTerminal;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,switchboard=info"));
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        // Colours for people at a terminal; plain text for files, journald and tests.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
