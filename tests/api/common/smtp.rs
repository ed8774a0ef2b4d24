//! A real SMTP server on loopback (tests/smtp/sink.py, on Debian's python3-aiosmtpd): what a
//! follow-up email looks like when it arrives, and a server that refuses or is not there yet.

use serde_json::Value;
use std::{process::Stdio, time::Duration};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
    sync::mpsc,
};

/// Longer than any test waits for an email: a missing one fails instead of hanging.
const WAIT_LIMIT: Duration = Duration::from_secs(60);

pub struct SmtpSink {
    _child: Child,
    lines: mpsc::UnboundedReceiver<Value>,
}

impl SmtpSink {
    /// Listens on `port`; the first `refuse` emails get "451 Try again later".
    pub async fn start(port: u16, refuse: u32) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/sink.py");
        let mut child = Command::new("/usr/bin/python3")
            .args([script, &port.to_string(), "--refuse", &refuse.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the SMTP sink starts (apt-get install python3-aiosmtpd)");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut stdout = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = stdout.next_line().await {
                let _ = tx.send(serde_json::from_str(&line).expect("the sink writes JSON"));
            }
        });
        let mut sink = Self {
            _child: child,
            lines,
        };
        let first = sink.next_line().await;
        assert_eq!(first["listening"], port, "{first}");
        sink
    }

    /// What the sink says next: an email it took, or one it refused.
    pub async fn next_line(&mut self) -> Value {
        tokio::time::timeout(WAIT_LIMIT, self.lines.recv())
            .await
            .expect("the SMTP sink says something in time")
            .expect("the SMTP sink is running")
    }

    /// The next email taken (refusals before it are skipped).
    pub async fn next_email(&mut self) -> Value {
        loop {
            let line = self.next_line().await;
            if line.get("text").is_some() {
                return line;
            }
        }
    }
}
