//! Real PostgreSQL and Redis servers for the tests, started from Debian's binaries on free
//! loopback ports in temporary folders, and stopped when the test (or the test binary) ends.
//! `make test` installs the packages first (scripts/ensure-tools.sh); nothing needs to be
//! running beforehand.
//!
//! PostgreSQL takes a couple of seconds to start, so one server serves a whole test binary and
//! each test gets a database of its own. It runs under a small shell guard that stops it when
//! the test binary exits, because a static is never dropped. Redis starts in milliseconds, so
//! each test that needs one starts its own and may stop or restart it.

use std::{
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
    process::{ChildStdin, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::Duration,
};
use tokio::io::{AsyncBufReadExt, BufReader as AsyncBufReader};

/// A server that has not said it is ready in this long has failed to start.
const START_LIMIT: Duration = Duration::from_secs(60);

/// A port nobody listens on now (the kernel's choice for port 0).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind port 0")
        .local_addr()
        .expect("local address")
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Debian installs PostgreSQL's server programs under /usr/lib/postgresql/VERSION/bin.
fn postgres_bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("SWITCHBOARD_PG_BINDIR") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(
            "PostgreSQL is not installed (/usr/lib/postgresql is missing): run `make test`, \
             or scripts/ensure-tools.sh test, which installs Debian's postgresql",
        )
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("postgres").exists())
        .collect();
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found
        .pop()
        .expect("no PostgreSQL server under /usr/lib/postgresql/*/bin")
}

/// `program args…`, as the `postgres` user when we are root (PostgreSQL refuses to run as root).
fn as_postgres_user(program: &Path, root: bool) -> Command {
    if root {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--reset-env",
        ])
        .arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

pub struct Postgres {
    port: u16,
    /// Closing this (when the test binary exits) stops the server: see the guard in `start`.
    _guard: Mutex<ChildStdin>,
}

static POSTGRES: OnceLock<Postgres> = OnceLock::new();

impl Postgres {
    /// The test binary's PostgreSQL server, started on first use.
    pub fn shared() -> &'static Postgres {
        POSTGRES.get_or_init(Self::start)
    }

    // The guard process is never waited for: it outlives this test binary on purpose, and
    // init reaps it.
    #[allow(clippy::zombie_processes)]
    fn start() -> Self {
        let bin = postgres_bin_dir();
        let root = is_root();
        // Removed by the guard once the server stopped, not by TempDir (statics never drop).
        let dir = tempfile::Builder::new()
            .prefix("switchboard-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let data = dir.join("data");
        if root {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown runs");
            assert!(status.success(), "chown the PostgreSQL folder");
        }
        let init = as_postgres_user(&bin.join("initdb"), root)
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-sync",
            ])
            .arg("-D")
            .arg(&data)
            .output()
            .expect("initdb runs");
        assert!(
            init.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );

        let port = free_port();
        // The guard: PostgreSQL in the background, then wait for our end of stdin to close
        // (we exit, however we exit) and stop it. Its own stdin is /dev/null.
        let mut command = as_postgres_user(&bin.join("postgres"), root);
        command
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(&dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ]);
        let line = shell_line(&command);
        let mut guard = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{line} </dev/null & pid=$!; cat >/dev/null; kill -INT $pid; wait $pid; rm -rf {}",
                shell_line(&Command::new(&dir))
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the PostgreSQL guard starts");
        let stdin = guard.stdin.take().expect("piped stdin");
        let stderr = guard.stderr.take().expect("piped stderr");
        wait_for_line(
            stderr,
            "database system is ready to accept connections",
            "PostgreSQL",
        );
        Self {
            port,
            _guard: Mutex::new(stdin),
        }
    }

    /// A new, empty database on the shared server.
    pub async fn fresh_database(&self) -> String {
        use sqlx::Connection;
        let name = format!("sb_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .expect("connect to the test PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        self.url(&name)
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

/// A command as one shell line (every argument single-quoted).
fn shell_line(command: &Command) -> String {
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    std::iter::once(quote(command.get_program()))
        .chain(command.get_args().map(quote))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads `from` until a line contains `ready`, then keeps draining it on a thread (a full pipe
/// would stall the server). Panics with what was read if the stream ends first.
fn wait_for_line(from: impl Read + Send + 'static, ready: &str, what: &str) {
    let (tx, rx) = std::sync::mpsc::channel();
    let ready = ready.to_string();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut tx = Some(tx);
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if line.contains(&ready) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(Ok(()));
                }
            }
            if tx.is_some() {
                seen.push(line);
            }
        }
        if let Some(tx) = tx {
            let _ = tx.send(Err(seen.join("\n")));
        }
    });
    match rx.recv_timeout(START_LIMIT) {
        Ok(Ok(())) => {}
        Ok(Err(log)) => panic!("{what} did not start:\n{log}"),
        Err(_) => panic!("{what} did not start within {START_LIMIT:?}"),
    }
}

/// One Redis server on a free port, owned by one test: stopped when dropped.
pub struct Redis {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<tokio::process::Child>,
}

impl Redis {
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("switchboard-redis-")
            .tempdir()
            .expect("temp dir");
        let mut redis = Self {
            port: free_port(),
            dir,
            child: None,
        };
        redis.launch().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn launch(&mut self) {
        let mut child = tokio::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
            ])
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect(
                "redis-server is not installed: run `make test`, or scripts/ensure-tools.sh test, \
                 which installs Debian's redis-server",
            );
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = AsyncBufReader::new(stdout).lines();
        let mut seen = Vec::new();
        let ready = tokio::time::timeout(START_LIMIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("Ready to accept connections") {
                    return true;
                }
                seen.push(line);
            }
            false
        })
        .await;
        assert!(
            matches!(ready, Ok(true)),
            "redis-server did not start:\n{}",
            seen.join("\n")
        );
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.child = Some(child);
    }

    /// Kills the server (SIGKILL: no goodbye to its clients) and waits until it is gone.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill redis-server");
        }
    }

    /// Starts it again on the same port.
    pub async fn restart(&mut self) {
        self.kill().await;
        self.launch().await;
    }
}
