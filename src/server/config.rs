//! Settings, validated once at start so that a bad one stops the server with a clear message
//! instead of failing later under load.

//!
//! A leaf: it uses no other module of the server, so every module may use it. The command line
//! (`cli`) fills a [`ServeConfig`] from flags and environment variables.

use anyhow::bail;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// The shortest HS256 secret accepted: 256 bits, the size of the hash.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: the embedded default, one file.
    Sqlite(String),
    /// `postgres://…`: one database shared by every node of a cluster.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                bail!("database URL `{url}` names no file: use sqlite://PATH");
            }
            return Ok(Self::Sqlite(url.to_string()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        bail!(
            "database URL `{}` is neither sqlite://PATH nor postgres://…",
            redacted(url)
        )
    }
}

/// How events travel between sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bus {
    /// Within this process: one node.
    Local,
    /// Over Redis, between every node that shares it.
    Redis {
        url: String,
        node_id: String,
        prefix: String,
    },
}

/// The host name and process id: unique among the nodes of a cluster, and recognisable.
fn default_node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "node".into());
    format!("{host}-{}", std::process::id())
}

/// The secret that signs every JWT.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    /// The configured secret; `None` with `--demo` and none configured, for the caller to
    /// generate one (and keep it, so that a restart does not sign everyone out).
    pub fn resolve(configured: Option<String>, demo: bool) -> anyhow::Result<Option<Self>> {
        match configured {
            Some(secret) if secret.len() >= MIN_JWT_SECRET_BYTES => Ok(Some(Self(secret.into_bytes()))),
            Some(secret) => bail!(
                "SWITCHBOARD_JWT_SECRET is {} bytes long; it must be at least {MIN_JWT_SECRET_BYTES} \
                 (try `openssl rand -hex 32`)",
                secret.len()
            ),
            None if demo => Ok(None),
            None => bail!(
                "SWITCHBOARD_JWT_SECRET is not set: set it to a random string of at least \
                 {MIN_JWT_SECRET_BYTES} bytes (try `openssl rand -hex 32`), or run with --demo"
            ),
        }
    }

    /// A new random secret (256 bits, hex).
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(hex::encode(bytes).into_bytes())
    }

    pub fn from_stored(secret: String) -> Self {
        Self(secret.into_bytes())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(…)")
    }
}

/// Who answers first, for the whole server (tenants may switch their assistant off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AiMode {
    Knowledge,
    Openai,
    Off,
}

/// Where and how to reach an OpenAI-compatible provider.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// For example `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1` (Ollama).
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    /// The longest wait for the first byte or between two events before giving up.
    pub stall_timeout: Duration,
}

/// Everything `switchboard serve` needs, checked.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub database: DatabaseUrl,
    pub bus: Bus,
    pub demo: bool,
    /// `None`: a demo install's secret, generated once and kept in the database.
    pub jwt_secret: Option<JwtSecret>,
    pub agent_token_ttl: Duration,
    pub visitor_token_ttl: Duration,
    pub ws_ping_every: Duration,
    pub ai: AiMode,
    pub knowledge_dir: PathBuf,
    pub ai_token_delay: Duration,
    /// Sign-in password checks running at once, at most: argon2 takes 19 MiB each, so an
    /// unbounded flood of wrong logins would take the machine's memory.
    pub password_checks: usize,
    pub openai: OpenAiConfig,
}

impl Bus {
    /// The bus a `--redis-url` asks for: none (or blank) means this process alone.
    pub fn parse(
        redis_url: Option<String>,
        node_id: Option<String>,
        prefix: String,
    ) -> anyhow::Result<Self> {
        let Some(url) = redis_url.filter(|url| !url.trim().is_empty()) else {
            return Ok(Self::Local);
        };
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            bail!("--redis-url `{}` is not a redis:// URL", redacted(&url));
        }
        Ok(Self::Redis {
            url,
            node_id: node_id.unwrap_or_else(default_node_id),
            prefix,
        })
    }
}

/// A duration in whole seconds that must be at least one, named by its flag for the message.
pub fn positive_secs(flag: &str, secs: u64) -> anyhow::Result<Duration> {
    if secs == 0 {
        bail!("{flag} must be at least 1");
    }
    Ok(Duration::from_secs(secs))
}

/// The URL without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redacted("postgres://sb:secret@db:5432/switchboard"),
            "postgres://sb:***@db:5432/switchboard"
        );
        assert_eq!(
            redacted("postgres://db/switchboard"),
            "postgres://db/switchboard"
        );
        assert_eq!(redacted("postgres://sb@db/x"), "postgres://sb@db/x");
    }

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://switchboard.db").unwrap(),
            DatabaseUrl::Sqlite("sqlite://switchboard.db".into())
        );
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert_eq!(
            DatabaseUrl::parse("postgres://sb@db/switchboard").unwrap(),
            DatabaseUrl::Postgres("postgres://sb@db/switchboard".into())
        );
    }

    #[test]
    fn jwt_secret_rules() {
        assert!(JwtSecret::resolve(None, false).is_err());
        assert!(JwtSecret::resolve(Some("short".into()), true).is_err());
        let configured = JwtSecret::resolve(Some("x".repeat(32)), false).unwrap();
        assert_eq!(configured.unwrap().as_bytes().len(), 32);
        assert!(JwtSecret::resolve(None, true).unwrap().is_none());
        let generated = JwtSecret::generate();
        assert!(generated.as_bytes().len() >= MIN_JWT_SECRET_BYTES);
        // Two generated secrets differ: they come from the OS's random source.
        assert_ne!(generated.as_bytes(), JwtSecret::generate().as_bytes());
    }
}
