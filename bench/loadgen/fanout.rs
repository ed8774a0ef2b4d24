//! Fan-out: visitors' messages delivered to many agent sockets of one tenant, or, on the bare
//! broadcast peer, publishers' frames delivered to its subscribers.
//!
//! Without `--rate`, the visitors take turns sending as fast as deliveries keep up (at most
//! `--window` messages not yet delivered to every agent): deliveries per second and server CPU
//! per delivery. With `--rate R`, `--visitors` visitors send R messages a second between them, on a
//! fixed schedule whatever the server does: latency from send to each agent's receipt.

use crate::{
    connect::{self, Socket},
    measure,
    phase::{Phase, Timing},
    switchboard,
};
use futures::{stream::SplitSink, SinkExt, StreamExt};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// Switchboard: agents on `/ws?token=`, visitors on `/ws/public/{key}`.
    Switchboard,
    /// bench/peers/bare_broadcast.rs: subscribers on `/sub`, publishers on `/pub`.
    Bare,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum)]
    server: Server,
    /// The server's base address, http://HOST:PORT.
    #[arg(long)]
    base: String,
    #[arg(long, default_value_t = 10_000)]
    agents: usize,
    #[arg(long, default_value_t = 1)]
    visitors: usize,
    /// Messages a second between all visitors (open loop); without it, a closed loop.
    #[arg(long)]
    rate: Option<f64>,
    /// Closed loop: messages sent but not yet delivered to every agent.
    #[arg(long, default_value_t = 4)]
    window: u64,
    #[command(flatten)]
    timing: Timing,
}

/// Message contents carry their number, so receivers can tell when it was sent.
const MARK: &str = "bench ";

fn content(index: u64) -> String {
    format!("{MARK}{index:08}")
}

fn index_in(frame: &str) -> Option<u64> {
    let at = frame.find(MARK)? + MARK.len();
    frame.get(at..at + 8)?.parse().ok()
}

/// Deliveries so far, and a wake-up for a sender waiting for them to reach a number.
#[derive(Default)]
struct Progress {
    delivered: AtomicU64,
    wake_at: AtomicU64,
    wake: Notify,
}

impl Progress {
    fn add(&self) {
        let now = self.delivered.fetch_add(1, Ordering::Relaxed) + 1;
        if now == self.wake_at.load(Ordering::Relaxed) {
            self.wake.notify_one();
        }
    }

    async fn reach(&self, target: u64) {
        loop {
            let woken = self.wake.notified();
            self.wake_at.store(target, Ordering::Relaxed);
            if self.delivered.load(Ordering::Relaxed) >= target {
                return;
            }
            woken.await;
        }
    }
}

/// When each message was sent, in nanoseconds after `epoch`, by message number.
struct SentTimes {
    epoch: Instant,
    at: Vec<AtomicU64>,
}

impl SentTimes {
    fn new(capacity: usize) -> Self {
        Self {
            epoch: Instant::now(),
            at: (0..capacity).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn sent(&self, index: u64) {
        if let Some(slot) = self.at.get(index as usize) {
            slot.store(self.epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
    }

    fn micros_since(&self, index: u64) -> Option<u32> {
        let sent = self.at.get(index as usize)?.load(Ordering::Relaxed);
        let now = self.epoch.elapsed().as_nanos() as u64;
        (sent > 0).then(|| (now.saturating_sub(sent) / 1000) as u32)
    }
}

struct Sockets {
    agents: Vec<Socket>,
    visitors: Vec<Socket>,
}

async fn open(args: &Args) -> anyhow::Result<Sockets> {
    let ws = |path: &str| switchboard::ws_url(&args.base, path);
    match args.server {
        Server::Switchboard => {
            let token = switchboard::agent_token(&args.base).await?;
            let keys = switchboard::start_visitors(&args.base, args.visitors).await?;
            let agents =
                connect::open_many(args.agents, 0, |_| ws(&format!("/ws?token={token}"))).await?;
            let visitors = connect::open_many(args.visitors, args.agents, |i| {
                ws(&format!("/ws/public/{}", keys[i]))
            })
            .await?;
            Ok(Sockets { agents, visitors })
        }
        Server::Bare => Ok(Sockets {
            agents: connect::open_many(args.agents, 0, |_| ws("/sub")).await?,
            visitors: connect::open_many(args.visitors, args.agents, |_| ws("/pub")).await?,
        }),
    }
}

fn frame(server: Server, index: u64) -> Message {
    match server {
        Server::Switchboard => Message::text(switchboard::chat_frame(
            &content(index),
            &format!("b{index}"),
        )),
        Server::Bare => Message::text(content(index)),
    }
}

/// Reads an agent socket: counts the bench's messages, timing them while measuring.
async fn receive(
    mut socket: Socket,
    phase: Phase,
    progress: Arc<Progress>,
    sent: Arc<SentTimes>,
) -> Vec<u32> {
    let mut latencies = Vec::new();
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Some(index) = index_in(text.as_str()) else {
            continue;
        };
        progress.add();
        if phase.measuring() {
            latencies.extend(sent.micros_since(index));
        }
        if phase.stopped() {
            break;
        }
    }
    latencies
}

type Sender = SplitSink<Socket, Message>;

/// Splits each visitor socket, draining what comes back to it (its own messages' echoes).
fn senders(visitors: Vec<Socket>) -> Vec<Sender> {
    visitors
        .into_iter()
        .map(|socket| {
            let (tx, mut rx) = socket.split();
            tokio::spawn(async move { while let Some(Ok(_)) = rx.next().await {} });
            tx
        })
        .collect()
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let Sockets { agents, visitors } = open(&args).await?;
    let agent_count = agents.len() as u64;
    let phase = Phase::default();
    let progress = Arc::new(Progress::default());
    let timing = &args.timing;
    let expected = args.rate.unwrap_or(1e6) * (timing.warmup_secs + timing.seconds) * 1.5;
    let sent = Arc::new(SentTimes::new(expected.min(50e6) as usize));
    let receivers: Vec<_> = agents
        .into_iter()
        .map(|socket| {
            tokio::spawn(receive(
                socket,
                phase.clone(),
                progress.clone(),
                sent.clone(),
            ))
        })
        .collect();
    let mut senders = senders(visitors);
    let next_index = Arc::new(AtomicU64::new(0));

    let sending = match args.rate {
        None => tokio::spawn(closed_loop(
            std::mem::take(&mut senders),
            args.server,
            args.window,
            agent_count,
            phase.clone(),
            progress.clone(),
            sent.clone(),
            next_index.clone(),
        )),
        Some(rate) => tokio::spawn(open_loop(
            senders,
            args.server,
            rate,
            phase.clone(),
            sent.clone(),
            next_index.clone(),
        )),
    };
    let (spent, deliveries) = phase
        .run(
            timing.server_pid,
            timing.warmup_secs,
            timing.seconds,
            || progress.delivered.load(Ordering::Relaxed),
        )
        .await?;
    // One last message wakes every receiver, so each sees that the run is over.
    let mut last = sending.await??;
    let final_index = next_index.fetch_add(1, Ordering::Relaxed);
    last.send(frame(args.server, final_index)).await?;
    let mut latencies = Vec::new();
    for receiver in receivers {
        latencies.extend(receiver.await?);
    }
    let messages = deliveries / agent_count.max(1);
    Ok(measure::merge(
        measure::merge(spent.report(deliveries), measure::percentiles(latencies)),
        serde_json::json!({
            "scenario": if args.rate.is_some() { "fanout-latency" } else { "fanout" },
            "agents": args.agents,
            "visitors": args.visitors,
            "offered_rate": args.rate,
            "messages_per_second": messages as f64 / spent.seconds,
        }),
    ))
}

/// The visitors in turn, at most `window` messages ahead of the slowest agent.
#[allow(clippy::too_many_arguments)]
async fn closed_loop(
    mut visitors: Vec<Sender>,
    server: Server,
    window: u64,
    agents: u64,
    phase: Phase,
    progress: Arc<Progress>,
    sent: Arc<SentTimes>,
    next_index: Arc<AtomicU64>,
) -> anyhow::Result<Sender> {
    while !phase.stopped() {
        let index = next_index.fetch_add(1, Ordering::Relaxed);
        if index >= window {
            progress.reach((index + 1 - window) * agents).await;
        }
        sent.sent(index);
        let turn = index as usize % visitors.len();
        visitors[turn].send(frame(server, index)).await?;
    }
    Ok(visitors.swap_remove(0))
}

/// All visitors, `rate` messages a second between them, each on its own fixed schedule.
async fn open_loop(
    visitors: Vec<Sender>,
    server: Server,
    rate: f64,
    phase: Phase,
    sent: Arc<SentTimes>,
    next_index: Arc<AtomicU64>,
) -> anyhow::Result<Sender> {
    let count = visitors.len();
    let every = Duration::from_secs_f64(count as f64 / rate);
    let tasks: Vec<_> = visitors
        .into_iter()
        .enumerate()
        .map(|(i, mut visitor)| {
            let (phase, sent, next_index) = (phase.clone(), sent.clone(), next_index.clone());
            let start = tokio::time::Instant::now() + every.mul_f64(i as f64 / count as f64);
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval_at(start, every);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                while !phase.stopped() {
                    ticks.tick().await;
                    let index = next_index.fetch_add(1, Ordering::Relaxed);
                    sent.sent(index);
                    visitor.send(frame(server, index)).await?;
                }
                anyhow::Ok(visitor)
            })
        })
        .collect();
    let mut last = None;
    for task in tasks {
        last = Some(task.await??);
    }
    last.ok_or_else(|| anyhow::anyhow!("no visitors"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_message_number_in_a_frame() {
        let frame = switchboard::chat_frame(&content(42), "b42");
        assert_eq!(index_in(&frame), Some(42));
        assert_eq!(index_in("bench 1"), None);
        assert_eq!(index_in("hello"), None);
    }
}
