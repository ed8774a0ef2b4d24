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

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is called, not
/// when the future is first polled, so a signal that arrives right after start-up is not lost
/// (nor does it kill the process the default way).
#[cfg(unix)]
pub fn signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).ok();
    let mut terminate = signal(SignalKind::terminate()).ok();
    async move {
        let interrupted = async {
            match interrupt.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        };
        let terminated = async {
            match terminate.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = interrupted => tracing::info!("Ctrl-C received, shutting down"),
            _ = terminated => tracing::info!("SIGTERM received, shutting down"),
        }
    }
}

#[cfg(not(unix))]
pub fn signal() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("Ctrl-C received, shutting down");
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
