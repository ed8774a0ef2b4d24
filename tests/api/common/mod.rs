//! Starts the real `switchboard` binary on a free port with a throwaway database, as a user
//! would, and stops it when the test is done.

#![allow(dead_code)] // each test binary uses its own part of this module

pub mod chat;
pub mod services;
pub mod smtp;
pub mod upload;
pub mod ws;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
    sync::oneshot,
};

/// The binary under test, built by cargo alongside the tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_switchboard");

/// How long a server may take to start before the test gives up (a failure, not a pause).
const START_LIMIT: Duration = Duration::from_secs(60);

pub struct TestServer {
    pub addr: String,
    child: Child,
    _data: tempfile::TempDir,
    db_url: String,
    logs: tokio::task::JoinHandle<Vec<String>>,
    live_log: tokio::sync::broadcast::Sender<String>,
}

/// A `switchboard` command run from the repository root, as `make run` does.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(BINARY);
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SWITCHBOARD_JWT_SECRET")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env_remove("SWITCHBOARD_ADDR")
        .env_remove("SWITCHBOARD_DEMO")
        .env("RUST_LOG", "warn,switchboard=info")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

impl TestServer {
    /// `switchboard serve --demo` on 127.0.0.1, port 0, with a new SQLite file.
    pub async fn start() -> Self {
        Self::start_with(&["--demo"]).await
    }

    pub async fn start_with(extra: &[&str]) -> Self {
        Self::start_env(extra, &[]).await
    }

    /// With extra flags and environment variables.
    pub async fn start_env(extra: &[&str], env: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let url = sqlite_url(data.path());
        Self::launch(data, &url, extra, env).await
    }

    /// On an existing database (a restart, or one prepared with `switchboard admin`).
    pub async fn start_db(url: &str, extra: &[&str]) -> Self {
        Self::launch(tempfile::tempdir().expect("temp dir"), url, extra, &[]).await
    }

    /// One node of a cluster: on a shared database, with its own flags and environment.
    pub async fn start_node(url: &str, extra: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch(tempfile::tempdir().expect("temp dir"), url, extra, env).await
    }

    /// On an existing database, without `--demo`, with environment variables.
    pub async fn start_env_db(url: &str, env: &[(&str, &str)]) -> Self {
        Self::launch(tempfile::tempdir().expect("temp dir"), url, &[], env).await
    }

    async fn launch(
        data: tempfile::TempDir,
        url: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0", "--database-url", url];
        args.extend_from_slice(extra);
        let mut cmd = command(&args);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the switchboard binary starts");

        // Read the log until the server says where it listens; keep every line for assertions.
        let stderr = child.stderr.take().expect("piped stderr");
        let (addr_tx, addr_rx) = oneshot::channel();
        let (live_log, _) = tokio::sync::broadcast::channel(4096);
        let live = live_log.clone();
        let logs = tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            let mut seen = Vec::new();
            let mut addr_tx = Some(addr_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(addr) = listening_address(&line) {
                    if let Some(tx) = addr_tx.take() {
                        let _ = tx.send(addr);
                    }
                }
                let _ = live.send(line.clone());
                seen.push(line);
            }
            seen
        });
        let addr = tokio::time::timeout(START_LIMIT, addr_rx)
            .await
            .expect("the server starts listening in time")
            .expect("the server logs its address before exiting");
        Self {
            addr,
            child,
            _data: data,
            db_url: url.to_string(),
            logs,
            live_log,
        }
    }

    /// Subscribes to the server's log lines from now on.
    pub fn log_lines(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.live_log.subscribe()
    }

    /// The `sqlite://` URL of this server's database.
    pub fn database_url(&self) -> String {
        self.db_url.clone()
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn ws(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// SIGKILL: the process dies at once, saying goodbye to no one.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("kill the server");
    }

    /// Sends SIGTERM and returns the exit status and every log line.
    pub async fn terminate(self) -> (std::process::ExitStatus, Vec<String>) {
        signal(self.pid(), "TERM");
        self.terminate_after_signal().await
    }

    /// Waits for a server that was already signalled to exit; returns its status and log.
    pub async fn terminate_after_signal(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = tokio::time::timeout(START_LIMIT, self.child.wait())
            .await
            .expect("the server exits after SIGTERM")
            .expect("wait");
        let logs = self.logs.await.expect("log reader");
        (status, logs)
    }
}

pub fn sqlite_url(dir: &Path) -> String {
    let file: PathBuf = dir.join("switchboard.db");
    format!("sqlite://{}", file.display())
}

pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {pid}");
}

/// Finds `address=http://HOST:PORT` in a log line.
fn listening_address(line: &str) -> Option<String> {
    let rest = line.split("address=http://").nth(1)?;
    Some(rest.split_whitespace().next()?.to_string())
}

/// An HTTP answer, read whole.
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
}

/// The value of header `name` (lower case) among `headers`.
fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }
}

/// `GET url`, without treating 4xx and 5xx as errors.
pub async fn get(url: &str) -> Reply {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent.get(&url).call().expect("the request is answered");
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        Reply {
            headers,
            status: response.status().as_u16(),
            body: response.body_mut().read_to_string().expect("a text body"),
        }
    })
    .await
    .expect("the request task")
}

/// An HTTP answer with a JSON body.
pub struct JsonReply {
    pub status: u16,
    pub body: serde_json::Value,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
}

impl JsonReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }
}

/// `METHOD url` with an optional bearer token and JSON body; 4xx and 5xx are answers too.
pub async fn request(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> JsonReply {
    let (method, url) = (method.to_string(), url.to_string());
    let token = token.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let auth = token.map(|t| format!("Bearer {t}"));
        let result = match (method.as_str(), body) {
            ("GET", _) => {
                let mut req = agent.get(&url);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()
            }
            ("DELETE", _) => {
                let mut req = agent.delete(&url);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()
            }
            ("PUT", body) => {
                let mut req = agent.put(&url);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.send_json(body.unwrap_or(serde_json::Value::Null))
            }
            (_, body) => {
                let mut req = agent.post(&url);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                match body {
                    Some(json) => req.send_json(json),
                    None => req.send_empty(),
                }
            }
        };
        let mut response = result.expect("the request is answered");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = response.body_mut().read_to_string().expect("a text body");
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        JsonReply {
            status,
            body,
            headers,
        }
    })
    .await
    .expect("the request task")
}

pub async fn post(url: &str, token: Option<&str>, body: serde_json::Value) -> JsonReply {
    request("POST", url, token, Some(body)).await
}

pub async fn get_json(url: &str, token: Option<&str>) -> JsonReply {
    request("GET", url, token, None).await
}

/// A raw HTTP request over a plain socket (for bodies and headers `ureq` will not send); the
/// status and the body.
pub async fn raw_http(addr: &str, head: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // An oversized body is announced, not sent: the server refuses it from the header alone
    // (sending it, the refusal could be lost to the connection's reset).
    if body.len() <= 1 << 20 {
        stream.write_all(body).await.unwrap();
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

/// Runs `switchboard admin …` on the server's database; its standard output (it must succeed).
pub async fn admin(server: &TestServer, args: &[&str]) -> String {
    admin_with_input(server, args, "").await
}

/// [`admin`] with `input` on its standard input (a password, for example).
pub async fn admin_with_input(server: &TestServer, args: &[&str], input: &str) -> String {
    let out = admin_output(args, &server.database_url(), Some(input)).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `switchboard admin ARGS --database-url DB`, with `stdin` written to it; whatever it did.
pub async fn admin_output(args: &[&str], db: &str, stdin: Option<&str>) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    let mut full = vec!["admin"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--database-url", db]);
    let mut child = command(&full)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).await.unwrap();
    }
    drop(pipe);
    child.wait_with_output().await.unwrap()
}
