//! The `switchboard` binary: `serve` runs the whole app, `admin` manages tenants and agents.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    switchboard::server::cli::run().await
}

// cargo-leptos builds the library for the browser; the binary only exists with `ssr`.
#[cfg(not(feature = "ssr"))]
fn main() {}
