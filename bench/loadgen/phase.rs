//! The schedule every scenario shares: warm up, measure for a fixed time, stop.

use crate::measure::{self, Spent, Window};
use std::{
    sync::{
        atomic::{AtomicU64, AtomicU8, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::task::JoinHandle;

const WARMING: u8 = 0;
const MEASURING: u8 = 1;
const STOPPED: u8 = 2;

/// Read by every client task: whether to record what it does, and when to stop.
#[derive(Clone, Default)]
pub struct Phase(Arc<AtomicU8>);

impl Phase {
    pub fn measuring(&self) -> bool {
        self.0.load(Ordering::Relaxed) == MEASURING
    }

    pub fn stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed) == STOPPED
    }

    /// Warms up, then measures for `seconds`: returns what the server and this process spent
    /// and `count()` taken at both ends of the window.
    pub async fn run(
        &self,
        server_pid: u32,
        warmup: f64,
        seconds: f64,
        count: impl Fn() -> u64,
    ) -> anyhow::Result<(Spent, u64)> {
        self.0.store(WARMING, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs_f64(warmup)).await;
        let window = Window::open(server_pid)?;
        let before = count();
        self.0.store(MEASURING, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        self.0.store(STOPPED, Ordering::Relaxed);
        let after = count();
        Ok((window.close()?, after - before))
    }
}

/// Runs the schedule over client tasks that each return the latencies they measured, and
/// reports the operations `done` counted in the window and the latencies' percentiles.
pub async fn measure_tasks(
    phase: &Phase,
    timing: &Timing,
    done: &AtomicU64,
    tasks: Vec<JoinHandle<anyhow::Result<Vec<u32>>>>,
) -> anyhow::Result<serde_json::Value> {
    let (spent, operations) = phase
        .run(
            timing.server_pid,
            timing.warmup_secs,
            timing.seconds,
            || done.load(Ordering::Relaxed),
        )
        .await?;
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok(measure::merge(
        spent.report(operations),
        measure::percentiles(latencies),
    ))
}

/// How long to warm up and to measure, the same flags for every scenario.
#[derive(clap::Args, Debug, Clone)]
pub struct Timing {
    /// The server under test's process id, for its CPU time and memory.
    #[arg(long)]
    pub server_pid: u32,
    #[arg(long, default_value_t = 2.0)]
    pub warmup_secs: f64,
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
}
