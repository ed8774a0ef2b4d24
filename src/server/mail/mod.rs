//! Email follow-ups (docs/design.md, "Email follow-ups"): the SMTP side. `lettre` speaks SMTP
//! (plain, STARTTLS or TLS, as `--smtp-url` says); [`compose`] writes the email. When and to
//! whom is the hub's business (`hub/follow_up.rs`).

mod compose;

pub use compose::{compose, FollowUpEmail, Reply};

use lettre::{
    message::Mailbox, transport::smtp::Error as SmtpError, AsyncSmtpTransport, AsyncTransport,
    Tokio1Executor,
};
use std::time::Duration;

/// What email follow-ups need, from the flags.
#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`.
    pub smtp_url: String,
    /// Who the emails are from unless the tenant set its own (`admin tenant set --email-from`).
    pub from: Mailbox,
    /// How long after an agent's reply the email waits for more replies to go with it.
    pub batch: Duration,
    /// The first wait before trying a failed email again; it doubles up to `retry_max`.
    pub retry: Duration,
    pub retry_max: Duration,
    /// How long the link in an email reopens the conversation.
    pub link_ttl: Duration,
    /// Where this server is reached from outside (`--public-url`), for the link; `None`: the
    /// address it listens on, once bound.
    pub public_url: Option<String>,
}

// By hand: the SMTP URL may hold a password, which the log must not.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &crate::server::config::redacted(&self.smtp_url))
            .field("from", &self.from.to_string())
            .field("batch", &self.batch)
            .field("retry", &self.retry)
            .field("retry_max", &self.retry_max)
            .field("link_ttl", &self.link_ttl)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// Sends emails through the configured SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub config: MailConfig,
}

/// Why an email did not go; each is tried again later.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the email cannot be written: {0}")]
    Compose(String),
    #[error("the SMTP server refused the email for now: {0}")]
    Refused(SmtpError),
    #[error("the SMTP server refused the email: {0}")]
    Rejected(SmtpError),
    #[error("the SMTP server cannot be reached: {0}")]
    Unreachable(SmtpError),
    /// What goes in the email could not be read or noted (the store failed).
    #[error("the conversation cannot be read: {0}")]
    Store(String),
}

/// Longest an SMTP exchange may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

impl Mailer {
    pub fn new(config: MailConfig) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| anyhow::anyhow!("--smtp-url cannot be used: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self { transport, config })
    }

    pub async fn send(&self, email: lettre::Message) -> Result<(), MailError> {
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_transient() => Err(MailError::Refused(e)),
            Err(e) if e.is_permanent() => Err(MailError::Rejected(e)),
            Err(e) => Err(MailError::Unreachable(e)),
        }
    }

    /// The wait before the next try after `attempts` failed ones.
    pub fn retry_after(&self, attempts: u32) -> Duration {
        let doubled = self.config.retry.saturating_mul(1 << attempts.min(16));
        doubled.min(self.config.retry_max)
    }
}
