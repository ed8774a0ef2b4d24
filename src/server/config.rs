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

/// How often something may happen: `count` at once, replenished evenly over `per`
/// (written `20/min`, `5/15min`, `10/s`, `1000/h`; `off` for no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: std::num::NonZeroU32,
    pub per: Duration,
}

impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong =
            || format!("`{text}` is not a rate: write it like 20/min, 5/15min, 10/s or off");
        let (count, period) = text.trim().split_once('/').ok_or_else(wrong)?;
        let count = count
            .trim()
            .parse::<std::num::NonZeroU32>()
            .map_err(|_| wrong())?;
        let period = period.trim();
        let unit_at = period
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(wrong)?;
        let (times, unit) = period.split_at(unit_at);
        let times: u64 = if times.is_empty() {
            1
        } else {
            times.parse().map_err(|_| wrong())?
        };
        let unit_secs = match unit {
            "s" | "sec" => 1,
            "m" | "min" => 60,
            "h" => 3600,
            _ => return Err(wrong()),
        };
        if times == 0 {
            return Err(wrong());
        }
        Ok(Self {
            count,
            per: Duration::from_secs(times * unit_secs),
        })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}s", self.count, self.per.as_secs())
    }
}

/// A rate, or none at all (`off`).
pub fn parse_rate(text: &str) -> Result<Option<Rate>, String> {
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    text.parse().map(Some)
}

/// How often clients may do each thing; `None` is no limit. docs/operations.md lists the
/// defaults and their flags.
#[derive(Debug, Clone, Default)]
pub struct RateConfig {
    pub login_per_ip: Option<Rate>,
    /// Wrong passwords per account: past it, the account waits however right the password.
    pub login_failures: Option<Rate>,
    pub start_per_ip: Option<Rate>,
    pub start_per_widget: Option<Rate>,
    pub message_per_ip: Option<Rate>,
    pub message_per_widget: Option<Rate>,
    pub chat_per_session: Option<Rate>,
    pub typing_per_session: Option<Rate>,
    pub escalation_per_session: Option<Rate>,
    /// Uploads per visitor's conversation, and per agent.
    pub uploads: Option<Rate>,
    /// A visitor's look back (their conversations, opening one, a transcript) per address.
    pub history_per_ip: Option<Rate>,
    pub frames_per_socket: Option<Rate>,
}

/// How the server is reached from the internet, and what one connection may take.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// The address people use, `https://chat.example.com`: same-origin for sockets, HSTS.
    pub public_origin: Option<String>,
    /// Take the client's address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
    pub header_read_timeout: Duration,
    pub request_timeout: Duration,
    /// How long an attachment's upload may take.
    pub upload_timeout: Duration,
    pub sockets_per_ip: usize,
}

/// The largest widget avatar an admin may upload unless `--max-avatar-bytes` says otherwise.
pub const DEFAULT_MAX_AVATAR_BYTES: usize = 512 * 1024;

/// How many AI answers may run at once, and how long a question waits for its turn.
#[derive(Debug, Clone, Copy)]
pub struct AnswerLimits {
    pub total: usize,
    pub per_tenant: usize,
    /// Past this wait in the queue, the visitor is handed to a person instead.
    pub queue_wait: Duration,
}

/// The origin (`scheme://host[:port]`) of a `--public-url`, checked.
pub fn public_origin(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        bail!("--public-url `{url}` must start with https:// or http://");
    };
    if !matches!(scheme, "https" | "http") || rest.is_empty() || rest.contains(['/', '?', '#', '@'])
    {
        bail!("--public-url `{url}` must be an origin like https://chat.example.com (no path)");
    }
    Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
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
    pub rates: RateConfig,
    pub edge: EdgeConfig,
    pub answers: AnswerLimits,
    /// How often an agent's socket checks that its sign-in still stands (disabled, reset).
    pub auth_recheck: Duration,
    /// When "is typing" ends by itself after the typist's last typing frame.
    pub typing_timeout: Duration,
    /// The largest widget avatar an admin may upload, in bytes.
    pub max_avatar_bytes: usize,
    pub presence: crate::server::hub::presence::PresenceTimes,
    pub visits: crate::server::hub::VisitRules,
    /// Email follow-ups, when `--smtp-url` is set.
    pub mail: Option<crate::server::mail::MailConfig>,
    /// How large an attachment may be, and how long its address stays good.
    pub attachments: crate::server::attachments::AttachmentRules,
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
    fn rates_and_origins() {
        let rate: Rate = "5/15min".parse().unwrap();
        assert_eq!((rate.count.get(), rate.per), (5, Duration::from_secs(900)));
        assert_eq!(
            "20/min".parse::<Rate>().unwrap().per,
            Duration::from_secs(60)
        );
        assert_eq!("10/s".parse::<Rate>().unwrap().count.get(), 10);
        assert_eq!(parse_rate("off"), Ok(None));
        for wrong in ["", "0/min", "5", "5/", "5/0min", "5/week", "-1/s", "x/s"] {
            assert!(wrong.parse::<Rate>().is_err(), "{wrong}");
        }
        assert_eq!(
            public_origin("https://Chat.Example.com/").unwrap(),
            "https://chat.example.com"
        );
        assert!(public_origin("chat.example.com").is_err());
        assert!(public_origin("https://chat.example.com/app").is_err());
        assert!(public_origin("ftp://chat.example.com").is_err());
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
