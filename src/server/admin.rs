//! `switchboard admin`: tenants and agents for a real deployment, without demo data.
//!
//! Passwords are read from standard input (or a prompt that does not echo, on a terminal),
//! never from a flag, so they stay out of shell history and `ps`.

mod history;

use crate::protocol::{AgentRole, AssignmentMode, LauncherSide, OfficeHoursSettings};
use crate::server::{
    attachments::kinds::Accepted,
    auth::{self, MIN_PASSWORD_CHARS},
    config::{DatabaseUrl, DEFAULT_MAX_AVATAR_BYTES},
    hub::appearance::{self, widget_look},
    hub::settings::checked_hours,
    store::{self, AgentChange, DynStore, NewAgent, NewTenant, StoreError, Tenant, TenantAi},
};
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The database to manage: sqlite://PATH or postgres://…
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://switchboard.db",
        global = true
    )]
    pub database_url: String,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum AdminCommand {
    /// Tenants: the companies whose sites embed the widget.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Agents: the people who answer.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// The built-in assistant's knowledge base.
    #[command(subcommand)]
    Knowledge(KnowledgeCommand),
    /// What is stored about a visitor: a copy (export) or its erasure.
    #[command(subcommand)]
    Visitor(history::VisitorCommand),
}

#[derive(Debug, Subcommand)]
pub enum KnowledgeCommand {
    /// Adds a folder's markdown articles to a tenant's knowledge base (a file's name is the
    /// article's slug, its `# ` line the title); an article with the same slug is replaced.
    Import {
        /// The tenant's widget key.
        #[arg(long)]
        tenant: String,
        dir: std::path::PathBuf,
    },
    /// Lists a tenant's articles: slug, title, last change.
    List {
        /// The tenant's widget key.
        #[arg(long)]
        tenant: String,
    },
    /// Removes an article from a tenant's knowledge base.
    Remove {
        /// The tenant's widget key.
        #[arg(long)]
        tenant: String,
        slug: String,
    },
    /// Asks the built-in assistant every question of a questions file and prints how each was
    /// answered, then the share right on the answerable and declined on the rest.
    Eval {
        /// The markdown articles.
        #[arg(long, default_value = "knowledge")]
        dir: std::path::PathBuf,
        /// Tab-separated: question, expected article slugs (`|`, `-` for none), kind.
        #[arg(long, default_value = "eval/knowledge.tsv")]
        questions: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum TenantCommand {
    /// Creates a tenant; prints the embed snippet, then the widget key alone on the last line.
    Create {
        name: String,
        /// A site allowed to embed the widget (scheme://host[:port]); repeat for several.
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// Where this server is reached, for the snippet.
        #[arg(
            long,
            env = "SWITCHBOARD_PUBLIC_URL",
            default_value = "http://127.0.0.1:3000"
        )]
        public_url: String,
    },
    /// Lists every tenant with its widget key.
    List,
    /// Shows a tenant's settings.
    Show {
        /// The tenant's widget key.
        widget_key: String,
    },
    /// Changes a tenant's assistant settings or allowed origins.
    Set {
        /// The tenant's widget key.
        widget_key: String,
        /// Whether the AI answers first (`off`: conversations go straight to the agents).
        #[arg(long, value_parser = ["on", "off"])]
        ai: Option<String>,
        /// Which answerer: `knowledge`, `openai`, or `default` (the server's `--ai`).
        #[arg(long, value_parser = ["knowledge", "openai", "default"])]
        answerer: Option<String>,
        /// The greeting the widget shows before the visitor writes (empty: none).
        #[arg(long)]
        greeting: Option<String>,
        /// What the assistant says when it hands a visitor to a person, after why ("Thanks,
        /// we've let the team know."); empty: the built-in sentence.
        #[arg(long)]
        handover: Option<String>,
        /// Who the tenant's follow-up emails are from, "Shop <help@shop.example>" (empty:
        /// the server's --email-from).
        #[arg(long)]
        email_from: Option<String>,
        /// The kinds of file visitors and agents may send: `images`, `pdf`, `text`, `office`,
        /// comma-separated, or `all` or `none` (uploads off).
        #[arg(long)]
        attachments: Option<String>,
        /// Replaces the allowed origins (repeat for several).
        #[arg(long = "origin")]
        origins: Vec<String>,
        #[command(flatten)]
        look: LookFlags,
        #[command(flatten)]
        routing: RoutingFlags,
        #[command(flatten)]
        history: history::HistoryFlags,
    },
}

/// How the tenant's conversations find an agent (`admin tenant set`).
#[derive(Debug, Args)]
pub struct RoutingFlags {
    /// `manual`: agents take conversations from the queue; `auto`: each goes at once to the
    /// available online agent with the fewest. A running server applies it with the next change.
    #[arg(long, value_parser = ["manual", "auto"])]
    assignment: Option<String>,
    /// With `auto`: the most active conversations one agent is given (1 to 100).
    #[arg(long)]
    capacity: Option<u32>,
    /// When the team answers, in `--timezone`: "Mon-Fri 08:00-20:00,Sat 10:00-16:00" (empty:
    /// at any hour). Outside them the widget says when the team is back.
    #[arg(long)]
    hours: Option<String>,
    /// The IANA time zone the hours are in, such as Europe/Amsterdam (UTC unless set).
    #[arg(long)]
    timezone: Option<String>,
}

/// How the tenant's widget looks (`admin tenant set`).
#[derive(Debug, Args)]
pub struct LookFlags {
    /// The widget's title (empty: the tenant's name).
    #[arg(long)]
    title: Option<String>,
    /// The widget's colour, `#rrggbb` (empty: Switchboard's blue). Text on it stays readable.
    #[arg(long)]
    colour: Option<String>,
    /// Which bottom corner of the page the chat bubble sits in.
    #[arg(long, value_parser = ["right", "left"])]
    launcher: Option<String>,
    /// A PNG, JPEG, GIF or WebP file for the avatar, or `none` for the title's initials.
    #[arg(long)]
    avatar: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Creates an agent; the password is read from stdin (or a prompt on a terminal).
    Create {
        /// The tenant's widget key.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// `admin`s also manage the desk: agents, settings, the knowledge base.
        #[arg(long, value_parser = ["admin", "agent"], default_value = "agent")]
        role: String,
    },
    /// Sets a new password, read from stdin (or a prompt on a terminal), and ends every
    /// sign-in of the agent (their open dashboards within --auth-recheck-secs).
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Stops an agent signing in and ends every sign-in they have.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Lets a disabled agent sign in again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Changes what an agent may do.
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "agent"])]
        role: String,
    },
    /// Lists the agents of a tenant.
    List {
        /// The tenant's widget key.
        #[arg(long)]
        tenant: String,
    },
}

pub async fn run(args: AdminArgs) -> anyhow::Result<()> {
    // The evaluation reads files only.
    if let AdminCommand::Knowledge(KnowledgeCommand::Eval { dir, questions }) = &args.command {
        return evaluate(dir, questions);
    }
    let url = DatabaseUrl::parse(&args.database_url).context("--database-url")?;
    let store = store::connect(&url).await?;
    let result = match args.command {
        AdminCommand::Tenant(command) => tenant(&store, command).await,
        AdminCommand::Agent(command) => agent(&store, command).await,
        AdminCommand::Knowledge(command) => knowledge(&store, command).await,
        AdminCommand::Visitor(command) => history::visitor(&store, command).await,
    };
    store.close().await;
    result
}

async fn knowledge(store: &DynStore, command: KnowledgeCommand) -> anyhow::Result<()> {
    match command {
        KnowledgeCommand::Import { tenant, dir } => {
            let tenant = tenant_by_key(store, &tenant).await?;
            let articles = crate::server::ai::read_folder(&dir)?;
            let (added, replaced) = crate::server::ai::import(store, &tenant.id, articles).await?;
            println!(
                "{added} articles added, {replaced} replaced for {}.",
                tenant.name
            );
        }
        KnowledgeCommand::List { tenant } => {
            let tenant = tenant_by_key(store, &tenant).await?;
            for article in store.articles(&tenant.id).await? {
                println!(
                    "{}\t{}\t{}",
                    article.slug, article.title, article.updated_at
                );
            }
        }
        KnowledgeCommand::Remove { tenant, slug } => {
            let tenant = tenant_by_key(store, &tenant).await?;
            let article = store
                .article_by_slug(&tenant.id, &slug)
                .await?
                .with_context(|| format!("{} has no article `{slug}`", tenant.name))?;
            store.delete_article(&tenant.id, &article.id).await?;
            println!("Article `{slug}` removed from {}.", tenant.name);
        }
        // Answered before the store is opened.
        KnowledgeCommand::Eval { .. } => {}
    }
    Ok(())
}

/// `admin knowledge eval`: the table of a questions file against a folder of articles.
fn evaluate(dir: &std::path::Path, questions: &std::path::Path) -> anyhow::Result<()> {
    use crate::server::ai::{evaluation, KnowledgeBase};
    let kb = KnowledgeBase::load(dir, std::time::Duration::ZERO)?;
    let text = std::fs::read_to_string(questions)
        .with_context(|| format!("cannot read {}", questions.display()))?;
    let report = evaluation::evaluate(&kb, &evaluation::parse_cases(&text)?);
    print!("{}", report.table());
    Ok(())
}

/// Checks an origin as a browser sends it: scheme, host, optional port, nothing else.
fn parse_origin(origin: &str) -> anyhow::Result<String> {
    let trimmed = origin.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .with_context(|| format!("origin `{origin}` must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains('/') || rest.contains('?') || rest.contains('#') {
        bail!("origin `{origin}` must be scheme://host[:port], without a path");
    }
    Ok(trimmed.to_ascii_lowercase())
}

async fn tenant(store: &DynStore, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Create {
            name,
            origins,
            public_url,
        } => create_tenant(store, &name, &origins, &public_url).await?,
        TenantCommand::Show { widget_key } => {
            let tenant = tenant_by_key(store, &widget_key).await?;
            print_tenant(&tenant);
        }
        TenantCommand::Set {
            widget_key,
            ai,
            answerer,
            greeting,
            handover,
            email_from,
            attachments,
            origins,
            look,
            routing,
            history,
        } => {
            let tenant = tenant_by_key(store, &widget_key).await?;
            history::set_history(store, &tenant, history).await?;
            if let Some(from) = email_from {
                set_email_from(store, &tenant, &from).await?;
            }
            if let Some(kinds) = attachments {
                let accepted =
                    Accepted::parse(&kinds).map_err(|e| anyhow::anyhow!("--attachments: {e}"))?;
                store.set_attachment_types(&tenant.id, &accepted).await?;
            }
            set_look(store, &tenant, look).await?;
            set_routing(store, &tenant, routing).await?;
            let change = AiChange {
                ai,
                answerer,
                greeting,
                handover,
            };
            let settings = tenant_ai(&tenant, change)?;
            let origins = if origins.is_empty() {
                tenant.allowed_origins.clone()
            } else {
                parse_origins(&origins)?
            };
            store.update_tenant(&tenant.id, &origins, &settings).await?;
            print_tenant(&tenant_by_key(store, &widget_key).await?);
        }
        TenantCommand::List => {
            for tenant in store.tenants().await? {
                let origins = if tenant.allowed_origins.is_empty() {
                    "-".to_string()
                } else {
                    tenant.allowed_origins.join(",")
                };
                println!("{}\t{}\t{}", tenant.widget_key, tenant.name, origins);
            }
        }
    }
    Ok(())
}

fn parse_origins(origins: &[String]) -> anyhow::Result<Vec<String>> {
    origins.iter().map(|o| parse_origin(o)).collect()
}

/// Creates a tenant and prints the snippet its site embeds.
async fn create_tenant(
    store: &DynStore,
    name: &str,
    origins: &[String],
    public_url: &str,
) -> anyhow::Result<()> {
    let name = name.trim().to_string();
    if name.is_empty() {
        bail!("the tenant's name must not be empty");
    }
    let new = NewTenant {
        name,
        widget_key: auth::random_key(12),
        allowed_origins: parse_origins(origins)?,
    };
    let tenant = store.create_tenant(new).await?;
    let base = public_url.trim_end_matches('/');
    println!(
        "Tenant \"{}\" created. Paste this into every page of your site, before </body>:",
        tenant.name
    );
    println!();
    println!(
        "<script src=\"{base}/widget.js\" data-widget-key=\"{}\" async></script>",
        tenant.widget_key
    );
    println!();
    println!("{}", tenant.widget_key);
    Ok(())
}

/// Applies the look flags `admin tenant set` was given.
async fn set_look(store: &DynStore, tenant: &Tenant, flags: LookFlags) -> anyhow::Result<()> {
    let mut look = tenant.look.clone();
    if let Some(title) = flags.title {
        look.title = appearance::checked_title(Some(&title)).map_err(anyhow::Error::msg)?;
    }
    if let Some(colour) = flags.colour {
        look.colour = appearance::checked_colour(Some(&colour)).map_err(anyhow::Error::msg)?;
    }
    if let Some(side) = flags.launcher.as_deref().and_then(LauncherSide::parse) {
        look.launcher = side;
    }
    store.set_look(&tenant.id, &look).await?;
    match flags.avatar {
        Some(path) if path.as_os_str() == "none" => {
            store.set_avatar(&tenant.id, None).await?;
        }
        Some(path) => {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("cannot read the avatar `{}`", path.display()))?;
            if bytes.len() > MAX_CLI_AVATAR_BYTES {
                bail!("the avatar must be at most {MAX_CLI_AVATAR_BYTES} bytes");
            }
            let avatar = appearance::checked_avatar(bytes).map_err(anyhow::Error::msg)?;
            store.set_avatar(&tenant.id, Some(&avatar)).await?;
        }
        None => {}
    }
    Ok(())
}

/// `--email-from`: an address with an optional name, or empty for the server's.
async fn set_email_from(store: &DynStore, tenant: &Tenant, from: &str) -> anyhow::Result<()> {
    let from = from.trim();
    if !from.is_empty() {
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| anyhow::anyhow!("--email-from is not an email address: {e}"))?;
    }
    let from = (!from.is_empty()).then_some(from);
    store.set_email_from(&tenant.id, from).await?;
    Ok(())
}

/// Applies the routing and office-hours flags `admin tenant set` was given.
async fn set_routing(store: &DynStore, tenant: &Tenant, flags: RoutingFlags) -> anyhow::Result<()> {
    let mut routing = tenant.routing;
    if let Some(mode) = flags.assignment.as_deref().and_then(AssignmentMode::parse) {
        routing.assignment = mode;
    }
    if let Some(capacity) = flags.capacity {
        routing.capacity = capacity;
    }
    let routing = routing.checked().map_err(anyhow::Error::msg)?;
    store.set_routing(&tenant.id, &routing).await?;
    if flags.hours.is_some() || flags.timezone.is_some() {
        let given = OfficeHoursSettings {
            hours: flags.hours.or_else(|| tenant.hours.hours.clone()),
            timezone: flags
                .timezone
                .unwrap_or_else(|| tenant.hours.timezone.clone()),
        };
        let hours = checked_hours(given).map_err(anyhow::Error::msg)?;
        store.set_hours(&tenant.id, &hours).await?;
    }
    Ok(())
}

/// The largest avatar `admin tenant set --avatar` stores: `serve`'s default upload limit.
const MAX_CLI_AVATAR_BYTES: usize = DEFAULT_MAX_AVATAR_BYTES;

/// The assistant settings `admin tenant set` was given.
struct AiChange {
    ai: Option<String>,
    answerer: Option<String>,
    greeting: Option<String>,
    handover: Option<String>,
}

/// The tenant's assistant settings with the flags given applied.
fn tenant_ai(tenant: &Tenant, change: AiChange) -> anyhow::Result<TenantAi> {
    let mut settings = tenant.ai.clone();
    if let Some(ai) = change.ai {
        settings.enabled = ai == "on";
    }
    if let Some(answerer) = change.answerer {
        settings.answerer = (answerer != "default").then_some(answerer);
    }
    if let Some(greeting) = change.greeting {
        settings.greeting = sentence(&greeting)?;
    }
    if let Some(handover) = change.handover {
        settings.handover = sentence(&handover)?;
    }
    Ok(settings)
}

/// A greeting or hand-over sentence as given, trimmed; blank means none.
fn sentence(given: &str) -> anyhow::Result<Option<String>> {
    crate::server::ai::handover::checked_sentence(given).map_err(|why| anyhow::anyhow!(why))
}

async fn tenant_by_key(store: &DynStore, widget_key: &str) -> anyhow::Result<Tenant> {
    store
        .tenant_by_widget_key(widget_key)
        .await?
        .with_context(|| format!("no tenant has the widget key `{widget_key}`"))
}

fn print_tenant(tenant: &Tenant) {
    println!("name:       {}", tenant.name);
    println!("widget key: {}", tenant.widget_key);
    println!(
        "origins:    {}",
        if tenant.allowed_origins.is_empty() {
            "(this server's own pages only)".to_string()
        } else {
            tenant.allowed_origins.join(", ")
        }
    );
    println!(
        "ai:         {}",
        if tenant.ai.enabled { "on" } else { "off" }
    );
    println!(
        "answerer:   {}",
        tenant.ai.answerer.as_deref().unwrap_or("default")
    );
    println!(
        "greeting:   {}",
        tenant.ai.greeting.as_deref().unwrap_or("(none)")
    );
    let look = widget_look(tenant);
    println!("title:      {}", look.title);
    println!(
        "colour:     {} (text on it: {})",
        look.colour, look.on_colour
    );
    println!("launcher:   {}", look.launcher.as_str());
    println!("assignment: {}", tenant.routing.assignment.as_str());
    println!(
        "capacity:   {} conversations per agent",
        tenant.routing.capacity
    );
    println!(
        "hours:      {} ({})",
        tenant.hours.hours.as_deref().unwrap_or("at any hour"),
        tenant.hours.timezone
    );
    println!(
        "email from: {}",
        tenant
            .email_from
            .as_deref()
            .unwrap_or("the server's --email-from")
    );
    println!(
        "files:      {}",
        if tenant.attachments.is_empty() {
            "none (uploads are off)".to_string()
        } else {
            tenant.attachments.in_words()
        }
    );
    println!(
        "avatar:     {}",
        if look.avatar_url.is_some() {
            "an uploaded image"
        } else {
            "the title's initials"
        }
    );
    println!(
        "hand-over:  {}",
        tenant
            .ai
            .handover
            .as_deref()
            .unwrap_or(crate::server::ai::handover::DEFAULT_SENTENCE)
    );
    history::print_history(&tenant.history);
}

/// `admin agent create`: checks the email and name, reads the password, stores the agent.
async fn create_agent(
    store: &DynStore,
    tenant: String,
    email: String,
    name: String,
    role: String,
) -> anyhow::Result<()> {
    let tenant = store
        .tenant_by_widget_key(&tenant)
        .await?
        .with_context(|| format!("no tenant has the widget key `{tenant}`"))?;
    let email = email.trim().to_string();
    if !email.contains('@') || email.len() < 3 {
        bail!("`{email}` is not an email address");
    }
    let name = name.trim().to_string();
    if name.is_empty() {
        bail!("the agent's name must not be empty");
    }
    let password = read_password()?;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await?;
    match store
        .create_agent(NewAgent {
            tenant_id: tenant.id,
            email: email.clone(),
            name,
            password_hash: hash,
            role: AgentRole::parse(&role).unwrap_or_default(),
        })
        .await
    {
        Ok(agent) => println!(
            "Agent {} <{}> created ({}).",
            agent.name,
            agent.email,
            agent.role.as_str()
        ),
        Err(StoreError::Conflict(_)) => {
            bail!("an agent with the email {email} exists already")
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

async fn agent(store: &DynStore, command: AgentCommand) -> anyhow::Result<()> {
    match command {
        AgentCommand::Create {
            tenant,
            email,
            name,
            role,
        } => create_agent(store, tenant, email, name, role).await?,
        AgentCommand::ResetPassword { email } => {
            let agent = store
                .agent_by_email(email.trim())
                .await?
                .with_context(|| format!("no agent has the email {email}"))?;
            let password = read_password()?;
            let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await?;
            store.set_password_hash(&agent.id, &hash).await?;
            println!(
                "Password of {} <{}> changed; their sign-ins are ended.",
                agent.name, agent.email
            );
        }
        AgentCommand::Disable { email } => {
            let agent = agent_by_email(store, &email).await?;
            store.update_agent(&agent.id, AgentChange::Disable).await?;
            println!(
                "{} <{}> is disabled and signed out.",
                agent.name, agent.email
            );
        }
        AgentCommand::Enable { email } => {
            let agent = agent_by_email(store, &email).await?;
            store.update_agent(&agent.id, AgentChange::Enable).await?;
            println!("{} <{}> may sign in again.", agent.name, agent.email);
        }
        AgentCommand::SetRole { email, role } => {
            let agent = agent_by_email(store, &email).await?;
            let role = AgentRole::parse(&role).unwrap_or_default();
            store
                .update_agent(&agent.id, AgentChange::Role(role))
                .await?;
            println!("{} <{}> is now {}.", agent.name, agent.email, role.as_str());
        }
        AgentCommand::List { tenant } => {
            let tenant = store
                .tenant_by_widget_key(&tenant)
                .await?
                .with_context(|| format!("no tenant has the widget key `{tenant}`"))?;
            for agent in store.agents(&tenant.id).await? {
                let state = if agent.disabled { "\tdisabled" } else { "" };
                println!(
                    "{}\t{}\t{}\t{}{state}",
                    agent.email,
                    agent.name,
                    agent.role.as_str(),
                    agent.id
                );
            }
        }
    }
    Ok(())
}

async fn agent_by_email(store: &DynStore, email: &str) -> anyhow::Result<store::Agent> {
    store
        .agent_by_email(email.trim())
        .await?
        .with_context(|| format!("no agent has the email {email}"))
}

/// One password from a no-echo prompt on a terminal, or the first line of stdin otherwise.
fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must be at least {MIN_PASSWORD_CHARS} characters");
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::parse_origin;

    #[test]
    fn origins_are_scheme_host_port() {
        assert_eq!(
            parse_origin("https://Shop.example/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            parse_origin("http://localhost:8080").unwrap(),
            "http://localhost:8080"
        );
        assert!(parse_origin("shop.example").is_err());
        assert!(parse_origin("https://shop.example/path").is_err());
    }
}
