//! Echo: `connections` sockets, each with one message in flight: send, wait for `Echo: …`,
//! send again. Throughput, the server's CPU per round trip, and round-trip latency.

use crate::{
    connect, measure,
    phase::{measure_tasks, Phase, Timing},
};
use futures::{SinkExt, StreamExt};
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};
use std::time::Instant;
use tokio_tungstenite::tungstenite::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The echo endpoint, ws://HOST:PORT/PATH.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 100)]
    connections: usize,
    #[arg(long, default_value_t = 20)]
    message_bytes: usize,
    #[command(flatten)]
    timing: Timing,
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let sockets = connect::open_many(args.connections, 0, |_| args.url.clone()).await?;
    let phase = Phase::default();
    let round_trips = Arc::new(AtomicU64::new(0));
    let wrong = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, socket)| {
            let message = format!("{i:0>width$}", width = args.message_bytes);
            let expected = format!("Echo: {message}");
            let (phase, round_trips, wrong) = (phase.clone(), round_trips.clone(), wrong.clone());
            tokio::spawn(async move {
                let (mut tx, mut rx) = socket.split();
                let mut latencies = Vec::new();
                while !phase.stopped() {
                    let sent = Instant::now();
                    tx.send(Message::text(message.clone())).await?;
                    match rx.next().await {
                        Some(Ok(Message::Text(text))) if text.as_str() == expected => {}
                        Some(Ok(Message::Text(_))) => {
                            wrong.fetch_add(1, Ordering::Relaxed);
                        }
                        other => anyhow::bail!("echo socket ended: {other:?}"),
                    }
                    if phase.measuring() {
                        latencies.push(sent.elapsed().as_micros() as u32);
                    }
                    round_trips.fetch_add(1, Ordering::Relaxed);
                }
                let _ = tx.send(Message::Close(None)).await;
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let report = measure_tasks(&phase, &args.timing, &round_trips, tasks).await?;
    Ok(measure::merge(
        report,
        serde_json::json!({
            "scenario": "echo",
            "connections": args.connections,
            "message_bytes": args.message_bytes,
            "wrong_answers": wrong.load(Ordering::Relaxed),
        }),
    ))
}
