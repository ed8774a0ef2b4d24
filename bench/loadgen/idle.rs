//! Idle sockets: the server's resident memory per open socket at growing counts.

use crate::{
    connect::{self, Socket},
    measure, switchboard,
};
use futures::StreamExt;
use std::time::Duration;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Switchboard visitor sockets (`/ws/public/{key}`), each with its own conversation.
    Visitor,
    /// Plain sockets on `--path` (an echo endpoint, Switchboard's or a peer's).
    Plain,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum)]
    kind: Kind,
    /// The server's base address, http://HOST:PORT.
    #[arg(long)]
    base: String,
    #[arg(long, default_value = "/ws")]
    path: String,
    /// Socket counts to measure at, ascending, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
    counts: Vec<usize>,
    #[arg(long)]
    server_pid: u32,
    /// How long the server is left alone before its memory is read at each count.
    #[arg(long, default_value_t = 2.0)]
    settle_secs: f64,
}

/// Keeps a socket open, answering the server's pings.
fn hold(mut socket: Socket) {
    tokio::spawn(async move { while let Some(Ok(_)) = socket.next().await {} });
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let most = args.counts.iter().copied().max().unwrap_or(0);
    let keys = match args.kind {
        Kind::Visitor => switchboard::start_visitors(&args.base, most).await?,
        Kind::Plain => Vec::new(),
    };
    let url = |i: usize| match args.kind {
        Kind::Visitor => switchboard::ws_url(&args.base, &format!("/ws/public/{}", keys[i])),
        Kind::Plain => switchboard::ws_url(&args.base, &args.path),
    };
    let settle = Duration::from_secs_f64(args.settle_secs);
    tokio::time::sleep(settle).await;
    let baseline = measure::rss_bytes(args.server_pid)?;
    let mut open = 0;
    let mut steps = Vec::new();
    for &count in &args.counts {
        let more = connect::open_many(count - open, open, |i| url(open + i)).await?;
        more.into_iter().for_each(hold);
        open = count;
        tokio::time::sleep(settle).await;
        let rss = measure::rss_bytes(args.server_pid)?;
        steps.push(serde_json::json!({
            "sockets": count,
            "rss_bytes": rss,
            "per_socket_bytes": (rss.saturating_sub(baseline)) as f64 / count as f64,
        }));
    }
    Ok(serde_json::json!({
        "scenario": "idle",
        "kind": format!("{:?}", args.kind).to_lowercase(),
        "baseline_rss_bytes": baseline,
        "steps": steps,
    }))
}
