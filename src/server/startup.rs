//! Builds the application from its configuration and runs it until a signal stops it.

use super::{
    config::ServeConfig, http, shutdown, shutdown::Shutdown, state::AppState, store::Database,
};
use anyhow::Context;
use leptos::config::get_configuration;
use std::{net::SocketAddr, time::Duration};
use tokio::net::TcpListener;

/// How long sockets get to say goodbye after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A bound, ready-to-serve application. Building it opens the database and the listening
/// socket, so every configuration problem surfaces before the first request.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    shutdown: Shutdown,
}

impl Application {
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        let mut leptos_options = get_configuration(None)
            .context("cannot read the Leptos configuration")?
            .leptos_options;
        leptos_options.site_addr = config.addr;

        let database = Database::connect(&config.database).await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let addr = listener
            .local_addr()
            .context("cannot read the bound address")?;

        let shutdown = Shutdown::new();
        let state = AppState {
            leptos_options,
            database,
            shutdown: shutdown.listener(),
        };
        Ok(Self {
            listener,
            addr,
            state,
            shutdown,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            listener,
            addr,
            state,
            shutdown,
        } = self;
        let database = state.database.clone();
        let router = http::router(state);
        tracing::info!(address = %format!("http://{addr}"), site_root = %std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()), "listening");

        // The HTTP server stops accepting on the signal; sockets are told to close right after.
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown::signal())
        .await
        .context("the HTTP server failed")?;

        if !shutdown.stop_and_wait(SHUTDOWN_GRACE).await {
            tracing::warn!("some sockets did not close within {SHUTDOWN_GRACE:?}");
        }
        database.close().await;
        tracing::info!("stopped cleanly");
        Ok(())
    }
}
