//! The flags of `serve` that bound what clients may ask: rate limits, timeouts, connection caps,
//! answers at once, and how the server is reached (public URL, reverse proxy). Each default is
//! in docs/operations.md.

use crate::server::attachments::AttachmentRules;
use crate::server::config::{
    parse_rate, positive_secs, public_origin, AnswerLimits, EdgeConfig, Rate, RateConfig,
    DEFAULT_MAX_AVATAR_BYTES,
};
use clap::Args;
use std::time::Duration;

/// A rate flag's value: a rate, or none (`off`).
#[derive(Debug, Clone, Copy)]
pub struct RateFlag(Option<Rate>);

impl std::str::FromStr for RateFlag {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_rate(text).map(Self)
    }
}

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// The address people use (https://chat.example.com): the only origin whose pages count as
    /// this server's own for sockets, and HSTS when https. Without it, only loopback pages.
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Take the client's address from the last X-Forwarded-For entry (behind a reverse proxy
    /// only: otherwise clients could choose their own address).
    #[arg(long, env = "SWITCHBOARD_TRUST_PROXY", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub trust_proxy: bool,
    /// Seconds a client has to send a request's headers (also the longest idle keep-alive).
    #[arg(
        long,
        env = "SWITCHBOARD_HEADER_READ_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub header_read_timeout_secs: u64,
    /// Seconds a request may take, body included, before it is answered 408.
    #[arg(long, env = "SWITCHBOARD_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// WebSockets one address may hold open at once.
    #[arg(long, env = "SWITCHBOARD_MAX_SOCKETS_PER_IP", default_value_t = 200)]
    pub max_sockets_per_ip: usize,
    /// AI answers running at once in all; the rest wait their turn.
    #[arg(long, env = "SWITCHBOARD_MAX_ANSWERS", default_value_t = 32)]
    pub max_answers: usize,
    /// AI answers running at once for one tenant.
    #[arg(long, env = "SWITCHBOARD_MAX_ANSWERS_PER_TENANT", default_value_t = 8)]
    pub max_answers_per_tenant: usize,
    /// Seconds a question waits for an answer slot before a person is asked instead.
    #[arg(long, env = "SWITCHBOARD_ANSWER_QUEUE_SECS", default_value_t = 30)]
    pub answer_queue_secs: u64,
    /// How often an agent's open socket checks that its sign-in still stands, in seconds
    /// (checked on its keep-alive pings; sign-outs through the API close sockets at once).
    #[arg(long, env = "SWITCHBOARD_AUTH_RECHECK_SECS", default_value_t = 30)]
    pub auth_recheck_secs: u64,
    /// Milliseconds after someone's last keystroke when "is typing" ends by itself, for
    /// everyone who sees it (a typist whose page went away, or who stopped without sending).
    #[arg(long, env = "SWITCHBOARD_TYPING_TIMEOUT_MS", default_value_t = 5000)]
    pub typing_timeout_ms: u64,
    /// The largest widget avatar (PNG, JPEG, GIF or WebP) an admin may upload, in bytes.
    #[arg(long, env = "SWITCHBOARD_MAX_AVATAR_BYTES", default_value_t = DEFAULT_MAX_AVATAR_BYTES)]
    pub max_avatar_bytes: usize,
    /// The longest page address, title or referrer a visitor's widget may report, in bytes.
    #[arg(long, env = "SWITCHBOARD_MAX_PAGE_FIELD_BYTES", default_value_t = crate::protocol::MAX_PAGE_FIELD_BYTES)]
    pub max_page_field_bytes: usize,
    /// Sign-in attempts per address. Rates read `COUNT/PERIOD` (20/min, 5/15min, 10/s) or `off`.
    #[arg(long, env = "SWITCHBOARD_RATE_LOGIN_IP", default_value = "20/min")]
    pub rate_login_ip: RateFlag,
    /// Wrong passwords per account before it must wait (even with the right one).
    #[arg(
        long,
        env = "SWITCHBOARD_RATE_LOGIN_FAILURES",
        default_value = "5/15min"
    )]
    pub rate_login_failures: RateFlag,
    /// Conversations started per address.
    #[arg(long, env = "SWITCHBOARD_RATE_START_IP", default_value = "20/min")]
    pub rate_start_ip: RateFlag,
    /// Conversations started per widget key.
    #[arg(long, env = "SWITCHBOARD_RATE_START_WIDGET", default_value = "600/min")]
    pub rate_start_widget: RateFlag,
    /// Visitor messages over REST per address.
    #[arg(long, env = "SWITCHBOARD_RATE_MESSAGE_IP", default_value = "120/min")]
    pub rate_message_ip: RateFlag,
    /// Visitor messages over REST per tenant's widget.
    #[arg(
        long,
        env = "SWITCHBOARD_RATE_MESSAGE_WIDGET",
        default_value = "6000/min"
    )]
    pub rate_message_widget: RateFlag,
    /// Visitor messages per conversation, over REST and sockets together.
    #[arg(long, env = "SWITCHBOARD_RATE_SESSION_CHAT", default_value = "30/min")]
    pub rate_session_chat: RateFlag,
    /// Typing frames per conversation.
    #[arg(
        long,
        env = "SWITCHBOARD_RATE_SESSION_TYPING",
        default_value = "120/min"
    )]
    pub rate_session_typing: RateFlag,
    /// Requests for a human per conversation.
    #[arg(
        long,
        env = "SWITCHBOARD_RATE_SESSION_ESCALATION",
        default_value = "5/min"
    )]
    pub rate_session_escalation: RateFlag,
    /// Files uploaded per visitor's conversation, and per agent.
    #[arg(long, env = "SWITCHBOARD_RATE_UPLOADS", default_value = "20/min")]
    pub rate_uploads: RateFlag,
    /// A visitor's look back per address: listing their conversations, opening one, a
    /// transcript.
    #[arg(long, env = "SWITCHBOARD_RATE_HISTORY_IP", default_value = "60/min")]
    pub rate_history_ip: RateFlag,
    /// The largest file a visitor or an agent may send, in bytes (10 MiB).
    #[arg(long, env = "SWITCHBOARD_MAX_ATTACHMENT_BYTES", default_value_t = crate::server::attachments::DEFAULT_MAX_ATTACHMENT_BYTES)]
    pub max_attachment_bytes: u64,
    /// Seconds an attachment's signed address stays good, at least (at most twice as long).
    #[arg(long, env = "SWITCHBOARD_ATTACHMENT_URL_SECS", default_value_t = 3600)]
    pub attachment_url_secs: u64,
    /// Seconds an upload may take, body included (other requests: --request-timeout-secs).
    #[arg(long, env = "SWITCHBOARD_UPLOAD_TIMEOUT_SECS", default_value_t = 300)]
    pub upload_timeout_secs: u64,
    /// Frames of any kind per socket.
    #[arg(
        long,
        env = "SWITCHBOARD_RATE_SOCKET_FRAMES",
        default_value = "240/min"
    )]
    pub rate_socket_frames: RateFlag,
}

pub(super) fn at_least_one(flag: &str, n: usize) -> anyhow::Result<usize> {
    if n == 0 {
        anyhow::bail!("{flag} must be at least 1");
    }
    Ok(n)
}

impl LimitArgs {
    pub fn rates(&self) -> RateConfig {
        RateConfig {
            login_per_ip: self.rate_login_ip.0,
            login_failures: self.rate_login_failures.0,
            start_per_ip: self.rate_start_ip.0,
            start_per_widget: self.rate_start_widget.0,
            message_per_ip: self.rate_message_ip.0,
            message_per_widget: self.rate_message_widget.0,
            chat_per_session: self.rate_session_chat.0,
            typing_per_session: self.rate_session_typing.0,
            escalation_per_session: self.rate_session_escalation.0,
            uploads: self.rate_uploads.0,
            history_per_ip: self.rate_history_ip.0,
            frames_per_socket: self.rate_socket_frames.0,
        }
    }

    pub fn edge(&self) -> anyhow::Result<EdgeConfig> {
        Ok(EdgeConfig {
            public_origin: self
                .public_url
                .as_deref()
                .filter(|url| !url.trim().is_empty())
                .map(public_origin)
                .transpose()?,
            trust_proxy: self.trust_proxy,
            header_read_timeout: positive_secs(
                "--header-read-timeout-secs",
                self.header_read_timeout_secs,
            )?,
            request_timeout: positive_secs("--request-timeout-secs", self.request_timeout_secs)?,
            upload_timeout: positive_secs("--upload-timeout-secs", self.upload_timeout_secs)?,
            sockets_per_ip: at_least_one("--max-sockets-per-ip", self.max_sockets_per_ip)?,
        })
    }

    pub fn answers(&self) -> anyhow::Result<AnswerLimits> {
        Ok(AnswerLimits {
            total: at_least_one("--max-answers", self.max_answers)?,
            per_tenant: at_least_one("--max-answers-per-tenant", self.max_answers_per_tenant)?,
            queue_wait: positive_secs("--answer-queue-secs", self.answer_queue_secs)?,
        })
    }

    pub fn attachments(&self) -> anyhow::Result<AttachmentRules> {
        if self.max_attachment_bytes == 0 {
            anyhow::bail!("--max-attachment-bytes must be at least 1");
        }
        Ok(AttachmentRules {
            max_bytes: self.max_attachment_bytes,
            url_lifetime: positive_secs("--attachment-url-secs", self.attachment_url_secs)?,
        })
    }

    pub fn auth_recheck(&self) -> anyhow::Result<Duration> {
        positive_secs("--auth-recheck-secs", self.auth_recheck_secs)
    }

    pub fn typing_timeout(&self) -> anyhow::Result<Duration> {
        if self.typing_timeout_ms == 0 {
            anyhow::bail!("--typing-timeout-ms must be at least 1");
        }
        Ok(Duration::from_millis(self.typing_timeout_ms))
    }
}
