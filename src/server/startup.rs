//! Builds the application from its configuration and runs it until a signal stops it.

use super::{
    ai::{Answerer, DynAnswerer, Library, OpenAiCompatible},
    assistant::{Answerers, Assistant},
    attachments::urls::UrlSigner,
    auth::TokenSigner,
    broker::{DynBroker, LocalBroker, RedisBroker},
    config::{AiMode, Bus, JwtSecret, ServeConfig},
    demo,
    edge::Edge,
    hub::{Hub, HubRules},
    limits::RateLimits,
    mail::{MailConfig, Mailer},
    router, serve,
    shutdown::{self, Shutdown},
    state::{AppState, KeepAlive},
    store::{self, DynStore},
    timeline::Timeline,
};
use anyhow::Context;
use leptos::config::get_configuration;
use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;

/// How long sockets get to say goodbye after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The settings key under which a demo install keeps its generated JWT secret.
const DEMO_SECRET_KEY: &str = "demo_jwt_secret";

/// A bound, ready-to-serve application. Building it opens the database and the listening
/// socket, so every configuration problem surfaces before the first request.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    shutdown: Shutdown,
}

/// The configured secret, or a demo install's own, generated on its first start.
async fn jwt_secret(config: &ServeConfig, store: &DynStore) -> anyhow::Result<JwtSecret> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let stored = store
        .setting_or_insert(DEMO_SECRET_KEY, JwtSecret::generate().as_str())
        .await?;
    tracing::warn!(
        "using the demo install's generated JWT secret; set SWITCHBOARD_JWT_SECRET in production"
    );
    Ok(JwtSecret::from_stored(stored))
}

/// The answerers `--ai` asks for: `None` when the assistant is off for the whole server.
/// The built-in one answers from each tenant's own articles in the store; the same library feeds
/// the OpenAI-compatible answerer's prompt, which is built when it is the default or a key is
/// configured, so tenants can choose it.
fn answerers(config: &ServeConfig, store: &DynStore) -> anyhow::Result<Option<Answerers>> {
    let default = match config.ai {
        AiMode::Off => return Ok(None),
        AiMode::Knowledge => "knowledge",
        AiMode::Openai => "openai",
    };
    let library = Library::new(store.clone(), config.ai_token_delay);
    let mut available: HashMap<&'static str, DynAnswerer> = HashMap::new();
    available.insert("knowledge", Arc::new(library.clone()));
    if default == "openai" || config.openai.api_key.is_some() {
        let openai = OpenAiCompatible::new(config.openai.clone(), Some(library))?;
        tracing::info!(answerer = %openai.describe(), "OpenAI-compatible answerer ready");
        available.insert("openai", Arc::new(openai));
    }
    Ok(Some(Answerers { default, available }))
}

/// How long start-up waits for Redis before serving anyway (this node's sockets only, until
/// it is reachable).
const REDIS_START_WAIT: Duration = Duration::from_secs(5);

async fn broker(bus: &Bus) -> anyhow::Result<DynBroker> {
    match bus {
        Bus::Local => Ok(Arc::new(LocalBroker::new())),
        Bus::Redis {
            url,
            node_id,
            prefix,
        } => {
            let broker = RedisBroker::start(url, node_id, prefix)?;
            if !broker.wait_connected(REDIS_START_WAIT).await {
                tracing::warn!(
                    "Redis does not answer yet: serving this node's sockets only until it does"
                );
            }
            Ok(Arc::new(broker))
        }
    }
}

impl Application {
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        let mut leptos_options = get_configuration(None)
            .context("cannot read the Leptos configuration")?
            .leptos_options;
        leptos_options.site_addr = config.addr;

        let store = store::connect(&config.database).await?;
        if config.demo {
            demo::refuse_real_tenants(&store).await?;
            demo::seed(&store, &config.knowledge_dir)
                .await
                .context("cannot create the demo data")?;
        }
        let secret = jwt_secret(&config, &store).await?;
        let signer = TokenSigner::new(&secret, config.agent_token_ttl, config.visitor_token_ttl);
        let broker = broker(&config.bus).await?;
        tracing::info!(mode = %broker.describe(), "hub started");
        let answerers = answerers(&config, &store)?;
        let urls = UrlSigner::new(secret.as_bytes(), config.attachments.url_lifetime);
        let timeline = Arc::new(Timeline::new(store, broker, urls));
        let assistant = answerers.map(|answerers| {
            tracing::info!(
                default = answerers.default,
                available = ?answerers.available.keys().collect::<Vec<_>>(),
                "AI assistant answers first"
            );
            Arc::new(Assistant::new(timeline.clone(), answerers, config.answers))
        });
        if assistant.is_none() {
            tracing::info!("AI assistant off: conversations go straight to the agents");
        }
        let rules = HubRules {
            password_checks: config.password_checks,
            presence: config.presence,
            visits: config.visits,
            attachments: config.attachments,
        };
        let hub = Arc::new(Hub::new(
            timeline,
            assistant,
            signer,
            RateLimits::start(&config.rates),
            rules,
        ));

        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let addr = listener
            .local_addr()
            .context("cannot read the bound address")?;

        let shutdown = Shutdown::new();
        follow_up_by_email(&hub, config.mail.clone(), addr, &shutdown)?;
        hub.clone().keep_presence(shutdown.listener());
        hub.clone().keep_routing(shutdown.listener());
        hub.clone().keep_sweeping_uploads(shutdown.listener());
        hub.clone().keep_applying_retention(shutdown.listener());
        let state = AppState {
            leptos_options,
            hub,
            shutdown: shutdown.listener(),
            keep_alive: KeepAlive::every(config.ws_ping_every),
            edge: Arc::new(Edge::new(config.edge.clone())),
            auth_recheck: config.auth_recheck,
            typing_timeout: config.typing_timeout,
            max_avatar_bytes: config.max_avatar_bytes,
        };
        Ok(Self {
            listener,
            addr,
            state,
            shutdown,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            listener,
            addr,
            state,
            shutdown,
        } = self;
        let hub = state.hub.clone();
        let header_read_timeout = state.edge.config().header_read_timeout;
        let router = router::router(state);
        let stop = shutdown::signal();
        tracing::info!(address = %format!("http://{addr}"), "listening");

        // The HTTP server stops accepting on the signal; sockets are told to close right after.
        serve::serve(listener, router, header_read_timeout, stop).await;

        if !shutdown.stop_and_wait(SHUTDOWN_GRACE).await {
            tracing::warn!("some sockets did not close within {SHUTDOWN_GRACE:?}");
        }
        hub.shut_down().await;
        tracing::info!("stopped cleanly");
        Ok(())
    }
}

/// Starts email follow-ups, if `--smtp-url` is set: their links lead to `--public-url`, or to
/// the address bound.
fn follow_up_by_email(
    hub: &Arc<Hub>,
    mail: Option<MailConfig>,
    addr: SocketAddr,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let Some(mut mail) = mail else {
        tracing::info!("email follow-ups off: no --smtp-url");
        return Ok(());
    };
    if mail.public_url.is_none() && addr.ip().is_unspecified() {
        tracing::warn!("email links lead to {addr}, which no visitor can open: set --public-url");
    }
    let links = mail
        .public_url
        .get_or_insert_with(|| format!("http://{addr}"));
    tracing::info!(from = %mail.from, links = %links, "email follow-ups on");
    let mailer = Mailer::new(mail)?;
    hub.clone().keep_following_up(mailer, shutdown.listener());
    Ok(())
}
