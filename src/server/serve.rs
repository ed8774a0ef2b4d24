//! The HTTP server loop: hyper's HTTP/1 connections with a header-read timeout, which
//! `axum::serve` does not set. A client gets `--header-read-timeout` to send each request's
//! headers, from the moment it connects or its previous answer was sent: a slow-header client or
//! a silent keep-alive connection is dropped then, instead of holding a socket for good.
//!
//! On the stop signal it stops accepting, lets the requests in progress finish and closes idle
//! connections. Upgraded WebSockets are no longer hyper's: they close through
//! [`super::shutdown`].

use axum::{extract::ConnectInfo, Router};
use hyper::{body::Incoming, server::conn::http1, Request};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{future::Future, time::Duration};
use tokio::{
    net::TcpListener,
    sync::{mpsc, watch},
};
use tower::ServiceExt;

/// How long a stopping server waits for the requests in progress.
const DRAIN: Duration = Duration::from_secs(10);

pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    stop: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    // Each connection holds a sender of `open`: when the last is gone, every one has ended.
    let (open, mut all_ended) = mpsc::channel::<()>(1);
    let (stopping, stop_seen) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors, usually: wait a moment rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let (open, mut stop_seen) = (open.clone(), stop_seen.clone());
        tokio::spawn(async move {
            let _open = open;
            tokio::pin!(connection);
            // Errors here are clients going away or timing out: nothing to act on.
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = stop_seen.wait_for(|stop| *stop) => {}
            }
            // Finish the request in progress, then close.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    drop(open);
    if tokio::time::timeout(DRAIN, all_ended.recv()).await.is_err() {
        tracing::warn!("some requests did not finish within {DRAIN:?}");
    }
}
