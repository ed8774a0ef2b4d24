//! Shutting down without cutting anyone off mid-frame. Upgraded WebSockets outlive the HTTP
//! server's own graceful shutdown, so each socket task holds a [`ShutdownListener`]: it learns
//! that the server is stopping (and closes with 1001, "going away"), and the server waits until
//! every listener has been dropped, as mini-redis does.

use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Owned by the server: starts the shutdown and waits for every socket to finish.
pub struct Shutdown {
    notify: watch::Sender<bool>,
    done_tx: mpsc::Sender<()>,
    done_rx: mpsc::Receiver<()>,
}

/// Held by each long-lived task.
#[derive(Clone)]
pub struct ShutdownListener {
    notify: watch::Receiver<bool>,
    // Never sent on: the server knows every task is gone when all clones are dropped.
    _alive: mpsc::Sender<()>,
}

impl Shutdown {
    pub fn new() -> Self {
        let (notify, _) = watch::channel(false);
        let (done_tx, done_rx) = mpsc::channel(1);
        Self {
            notify,
            done_tx,
            done_rx,
        }
    }

    pub fn listener(&self) -> ShutdownListener {
        ShutdownListener {
            notify: self.notify.subscribe(),
            _alive: self.done_tx.clone(),
        }
    }

    /// Tells every listener to stop, then waits for them all, at most `grace`.
    /// Returns false when some task was still running when the grace period ran out.
    pub async fn stop_and_wait(self, grace: Duration) -> bool {
        let Self {
            notify,
            done_tx,
            mut done_rx,
        } = self;
        let _ = notify.send(true);
        drop(done_tx);
        tokio::time::timeout(grace, done_rx.recv()).await.is_ok()
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl ShutdownListener {
    /// Resolves once the server starts shutting down (at once if it already has).
    pub async fn stopping(&mut self) {
        let _ = self.notify.wait_for(|stopping| *stopping).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_listeners_and_tells_them_to_stop() {
        let shutdown = Shutdown::new();
        let mut listener = shutdown.listener();
        let task = tokio::spawn(async move {
            listener.stopping().await;
            "stopped"
        });
        assert!(shutdown.stop_and_wait(Duration::from_secs(5)).await);
        assert_eq!(task.await.unwrap(), "stopped");
    }

    #[tokio::test]
    async fn gives_up_on_a_stuck_listener() {
        let shutdown = Shutdown::new();
        let stuck = shutdown.listener();
        assert!(!shutdown.stop_and_wait(Duration::from_millis(10)).await);
        drop(stuck);
    }
}
