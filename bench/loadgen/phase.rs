//! The schedule every scenario shares: warm up, measure for a fixed time, stop.

use crate::measure::{Spent, Window};
use std::{
    sync::{
        atomic::{AtomicU8, Ordering},
        Arc,
    },
    time::Duration,
};

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
