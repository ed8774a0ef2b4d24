//! Persisted messages: many visitors, each with one message in flight, through the whole path
//! (append to the store, publish, deliver to the visitor and to an agent). A message counts
//! once the server has sent it back to its visitor, which it does only after it is stored.

use crate::{
    connect, measure,
    phase::{measure_tasks, Phase, Timing},
    switchboard,
};
use futures::{SinkExt, StreamExt};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Instant,
};
use tokio_tungstenite::tungstenite::Message;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Switchboard's base address, http://HOST:PORT.
    #[arg(long)]
    base: String,
    #[arg(long, default_value_t = 256)]
    visitors: usize,
    #[command(flatten)]
    timing: Timing,
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let keys = switchboard::start_visitors(&args.base, args.visitors).await?;
    let token = switchboard::agent_token(&args.base).await?;
    let ws = |path: String| switchboard::ws_url(&args.base, &path);
    let mut agent = connect::open(&ws(format!("/ws?token={token}")), 0).await?;
    let visitors =
        connect::open_many(args.visitors, 1, |i| ws(format!("/ws/public/{}", keys[i]))).await?;

    let phase = Phase::default();
    let stored = Arc::new(AtomicU64::new(0));
    let delivered = Arc::new(AtomicU64::new(0));
    let counting = delivered.clone();
    tokio::spawn(async move {
        while let Some(Ok(message)) = agent.next().await {
            if message
                .to_text()
                .is_ok_and(|t| t.contains("\"chat.message.new\""))
            {
                counting.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let tasks: Vec<_> = visitors
        .into_iter()
        .enumerate()
        .map(|(v, socket)| {
            let (phase, stored) = (phase.clone(), stored.clone());
            tokio::spawn(async move {
                let (mut tx, mut rx) = socket.split();
                let mut latencies = Vec::new();
                let mut n = 0u64;
                while !phase.stopped() {
                    n += 1;
                    let id = format!("v{v}m{n}");
                    let sent = Instant::now();
                    tx.send(Message::text(switchboard::chat_frame(
                        "persisted bench message",
                        &id,
                    )))
                    .await?;
                    let marker = format!("\"clientMessageId\":\"{id}\"");
                    loop {
                        match rx.next().await {
                            Some(Ok(Message::Text(t))) if t.as_str().contains(&marker) => break,
                            Some(Ok(Message::Text(t))) if t.as_str().contains("\"error\"") => {
                                anyhow::bail!("the server refused a message: {}", t.as_str())
                            }
                            Some(Ok(_)) => {}
                            other => anyhow::bail!("visitor socket ended: {other:?}"),
                        }
                    }
                    if phase.measuring() {
                        latencies.push(sent.elapsed().as_micros() as u32);
                    }
                    stored.fetch_add(1, Ordering::Relaxed);
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let report = measure_tasks(&phase, &args.timing, &stored, tasks).await?;
    Ok(measure::merge(
        report,
        serde_json::json!({
            "scenario": "persist",
            "visitors": args.visitors,
            "stored_in_all": stored.load(Ordering::Relaxed),
            "agent_deliveries_in_all": delivered.load(Ordering::Relaxed),
        }),
    ))
}
