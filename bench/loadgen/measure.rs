//! What a run reads off the machine: a process's CPU time and resident memory from /proc, and
//! latency percentiles.

use std::{fs, process::Command, sync::OnceLock, time::Instant};

/// Clock ticks per second of /proc/PID/stat's `utime` and `stime`.
fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// User plus system CPU time of a process (all its threads), in seconds.
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name in parentheses may hold spaces: count fields after its closing one.
    let after_name = &stat[stat.rfind(')').ok_or_else(|| anyhow::anyhow!("bad stat"))? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of proc(5), counted from the state field (3).
    let utime: f64 = fields[11].parse()?;
    let stime: f64 = fields[12].parse()?;
    Ok((utime + stime) / ticks_per_second())
}

/// Resident set size of a process, in bytes.
pub fn rss_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for {pid}"))?;
    let kib: u64 = line.split_whitespace().nth(1).unwrap_or("0").parse()?;
    Ok(kib * 1024)
}

/// A measurement window: wall time and the CPU time of the server and of this load generator.
pub struct Window {
    server_pid: u32,
    started: Instant,
    server_cpu: f64,
    own_cpu: f64,
}

pub struct Spent {
    pub seconds: f64,
    pub server_cpu_seconds: f64,
    pub loadgen_cpu_seconds: f64,
}

impl Window {
    pub fn open(server_pid: u32) -> anyhow::Result<Self> {
        Ok(Self {
            server_pid,
            started: Instant::now(),
            server_cpu: cpu_seconds(server_pid)?,
            own_cpu: cpu_seconds(std::process::id())?,
        })
    }

    pub fn close(self) -> anyhow::Result<Spent> {
        Ok(Spent {
            seconds: self.started.elapsed().as_secs_f64(),
            server_cpu_seconds: cpu_seconds(self.server_pid)? - self.server_cpu,
            loadgen_cpu_seconds: cpu_seconds(std::process::id())? - self.own_cpu,
        })
    }
}

impl Spent {
    /// The figures every scenario reports for `operations` done in the window.
    pub fn report(&self, operations: u64) -> serde_json::Value {
        let ops = operations.max(1) as f64;
        serde_json::json!({
            "operations": operations,
            "seconds": self.seconds,
            "per_second": operations as f64 / self.seconds,
            "server_cpu_us_per_op": self.server_cpu_seconds * 1e6 / ops,
            "server_cpu_share": self.server_cpu_seconds / self.seconds,
            "loadgen_cpu_share": self.loadgen_cpu_seconds / self.seconds,
        })
    }
}

/// p50, p90, p99 and p99.9 of latencies in microseconds, as JSON.
pub fn percentiles(mut micros: Vec<u32>) -> serde_json::Value {
    micros.sort_unstable();
    let at = |p: f64| -> u32 {
        if micros.is_empty() {
            return 0;
        }
        let rank = ((p / 100.0) * micros.len() as f64).ceil() as usize;
        micros[rank.clamp(1, micros.len()) - 1]
    };
    serde_json::json!({
        "samples": micros.len(),
        "p50_us": at(50.0),
        "p90_us": at(90.0),
        "p99_us": at(99.0),
        "p999_us": at(99.9),
    })
}

/// Adds `extra`'s fields to `report`.
pub fn merge(mut report: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(into), serde_json::Value::Object(from)) = (report.as_object_mut(), extra) {
        into.extend(from);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_nearest_rank() {
        let p = percentiles((1..=100).rev().collect());
        assert_eq!(p["p50_us"], 50);
        assert_eq!(p["p99_us"], 99);
        assert_eq!(percentiles(vec![])["p99_us"], 0);
    }

    #[test]
    fn reads_own_cpu_and_memory() {
        assert!(cpu_seconds(std::process::id()).unwrap() >= 0.0);
        assert!(rss_bytes(std::process::id()).unwrap() > 0);
    }
}
