//! The command line. Every flag of `serve` also reads an environment variable, so the same
//! binary is configured the same way by hand, by systemd or by a container platform.

use super::{
    admin::{self, AdminArgs},
    config::{positive_secs, AiMode, Bus, DatabaseUrl, JwtSecret, OpenAiConfig, ServeConfig},
    hub::{presence::PresenceTimes, VisitRules},
    startup::Application,
    telemetry,
};
mod email;
mod limits;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::{net::SocketAddr, process::ExitCode, time::Duration};

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Self-hosted real-time customer-support chat"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard, the widget, the REST API and the WebSockets.
    // Boxed: the serve and admin flags are many, and the enum is as large as its largest variant.
    Serve(Box<ServeArgs>),
    /// Manage tenants and agents.
    Admin(Box<AdminArgs>),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port and logs it).
    #[arg(long, env = "SWITCHBOARD_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Where the data lives: sqlite://PATH (created if missing) or postgres://…
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://switchboard.db")]
    pub database_url: String,
    /// Redis for the cross-node event bus (redis://[:PASSWORD@]HOST[:PORT][/DB]); without it
    /// the hub runs in this process alone.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// This node's name in a cluster's log lines and Redis records (default: the host name and
    /// process id).
    #[arg(long, env = "SWITCHBOARD_NODE_ID")]
    pub node_id: Option<String>,
    /// Prefix of the Redis channel and keys, so that several deployments can share one Redis.
    #[arg(long, env = "SWITCHBOARD_REDIS_PREFIX", default_value = "switchboard")]
    pub redis_prefix: String,
    /// Create the demo tenant and agents, and allow a generated JWT secret.
    #[arg(long, env = "SWITCHBOARD_DEMO", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub demo: bool,
    /// How long an agent's sign-in lasts, in seconds.
    #[arg(long, env = "SWITCHBOARD_AGENT_TOKEN_TTL_SECS", default_value_t = 12 * 60 * 60)]
    pub agent_token_ttl_secs: u64,
    /// How often idle WebSockets are pinged, in seconds; one silent for 2.5 times this is dropped.
    #[arg(long, env = "SWITCHBOARD_WS_PING_SECS", default_value_t = 30)]
    pub ws_ping_secs: u64,
    /// Seconds a dashboard's presence lasts unless its server refreshes it: an agent whose
    /// server died shows offline this long after, on every other node.
    #[arg(long, env = "SWITCHBOARD_PRESENCE_LAPSE_SECS", default_value_t = 45)]
    pub presence_lapse_secs: u64,
    /// Seconds without using the dashboard before an agent shows as away.
    #[arg(long, env = "SWITCHBOARD_PRESENCE_IDLE_SECS", default_value_t = 300)]
    pub presence_idle_secs: u64,
    /// How often each node refreshes its dashboards' presence and works everyone's out again,
    /// in milliseconds (at most a third of the lapse).
    #[arg(long, env = "SWITCHBOARD_PRESENCE_SWEEP_MS", default_value_t = 2000)]
    pub presence_sweep_ms: u64,
    /// Who answers first: `knowledge` (the built-in knowledge base), `openai` (any
    /// OpenAI-compatible server: OpenAI, Ollama, vLLM, llama.cpp, Gemini) or `off`
    /// (conversations go straight to the agents).
    #[arg(long, env = "SWITCHBOARD_AI", value_enum, default_value_t = AiMode::Knowledge)]
    pub ai: AiMode,
    /// The markdown articles `--demo` gives the demo tenant the first time it starts (tenants'
    /// own articles live in the database: `switchboard admin knowledge import`).
    #[arg(long, env = "SWITCHBOARD_KNOWLEDGE_DIR", default_value = "knowledge")]
    pub knowledge_dir: std::path::PathBuf,
    /// Pause between the built-in assistant's streamed tokens, in milliseconds (0: instant).
    #[arg(long, env = "SWITCHBOARD_AI_TOKEN_DELAY_MS", default_value_t = 40)]
    pub ai_token_delay_ms: u64,
    /// The OpenAI-compatible API's base URL (with --ai openai). The key is read from
    /// OPENAI_API_KEY only, never a flag.
    #[arg(
        long,
        env = "OPENAI_BASE_URL",
        default_value = "https://api.openai.com/v1"
    )]
    pub openai_base_url: String,
    /// The model to ask (with --ai openai).
    #[arg(long, env = "OPENAI_MODEL", default_value = "gpt-4o-mini")]
    pub openai_model: String,
    /// How long to wait for the provider's next token before handing over to a person.
    #[arg(long, env = "SWITCHBOARD_AI_TIMEOUT_SECS", default_value_t = 30)]
    pub ai_timeout_secs: u64,
    /// How many sign-in password checks run at once (each takes about 19 MiB and a core for a
    /// moment; the rest wait their turn). Default: one per core.
    #[arg(long, env = "SWITCHBOARD_MAX_PASSWORD_CHECKS")]
    pub max_password_checks: Option<usize>,
    #[command(flatten)]
    pub limits: limits::LimitArgs,
    #[command(flatten)]
    pub email: email::EmailArgs,
}

impl ServeArgs {
    fn presence_times(&self) -> anyhow::Result<PresenceTimes> {
        let times = PresenceTimes {
            lapse: positive_secs("--presence-lapse-secs", self.presence_lapse_secs)?,
            idle: positive_secs("--presence-idle-secs", self.presence_idle_secs)?,
            sweep: Duration::from_millis(self.presence_sweep_ms),
        };
        if times.sweep.is_zero() || times.sweep > times.lapse / 3 {
            anyhow::bail!(
                "--presence-sweep-ms must be between 1 and a third of --presence-lapse-secs"
            );
        }
        Ok(times)
    }

    /// The checked configuration these flags describe, with the secrets that are read from the
    /// environment only.
    pub fn into_config(
        self,
        jwt_secret: Option<String>,
        openai_key: Option<String>,
    ) -> anyhow::Result<ServeConfig> {
        let presence = self.presence_times()?;
        let bus = Bus::parse(self.redis_url, self.node_id, self.redis_prefix)?;
        let database = DatabaseUrl::parse(&self.database_url).context("--database-url")?;
        Ok(ServeConfig {
            addr: self.addr,
            database,
            bus,
            demo: self.demo,
            jwt_secret: JwtSecret::resolve(jwt_secret, self.demo)?,
            agent_token_ttl: positive_secs("--agent-token-ttl-secs", self.agent_token_ttl_secs)?,
            visitor_token_ttl: Duration::from_secs(24 * 60 * 60),
            ws_ping_every: positive_secs("--ws-ping-secs", self.ws_ping_secs)?,
            ai: self.ai,
            knowledge_dir: self.knowledge_dir,
            ai_token_delay: Duration::from_millis(self.ai_token_delay_ms),
            password_checks: password_checks(self.max_password_checks)?,
            openai: OpenAiConfig {
                base_url: self.openai_base_url,
                api_key: openai_key.filter(|k| !k.trim().is_empty()),
                model: self.openai_model,
                stall_timeout: Duration::from_secs(self.ai_timeout_secs.max(1)),
            },
            rates: self.limits.rates(),
            edge: self.limits.edge()?,
            answers: self.limits.answers()?,
            attachments: self.limits.attachments()?,
            auth_recheck: self.limits.auth_recheck()?,
            typing_timeout: self.limits.typing_timeout()?,
            max_avatar_bytes: limits::at_least_one(
                "--max-avatar-bytes",
                self.limits.max_avatar_bytes,
            )?,
            presence,
            mail: self.email.config(self.limits.public_url.as_deref())?,
            visits: VisitRules {
                max_field_bytes: limits::at_least_one(
                    "--max-page-field-bytes",
                    self.limits.max_page_field_bytes,
                )?,
            },
        })
    }
}

/// At most this many password checks at once: the flag, or one per core.
fn password_checks(flag: Option<usize>) -> anyhow::Result<usize> {
    match flag {
        Some(0) => anyhow::bail!("--max-password-checks must be at least 1"),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(2, |n| n.get())),
    }
}

/// Parses the command line, runs the command, and turns every failure into one line on stderr
/// and a non-zero exit code: 2 for a usage error, 1 for anything else.
pub async fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version: print them as clap formats them.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            let rendered = error.to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            let first = first.trim_start_matches("error: ");
            eprintln!("switchboard: {first} (see `switchboard --help`)");
            return ExitCode::from(2);
        }
    };

    let result = match cli.command {
        Command::Serve(args) => serve(*args).await,
        Command::Admin(args) => admin::run(*args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("switchboard: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    telemetry::init();
    let config = args.into_config(
        std::env::var("SWITCHBOARD_JWT_SECRET").ok(),
        std::env::var("OPENAI_API_KEY").ok(),
    )?;
    let app = Application::build(config).await?;
    app.run_until_stopped().await
}
