//! The rules of the live connection that the widget and the dashboard keep to the hub
//! (the `client::Socket` of docs/design.md): capped exponential backoff with jitter between
//! attempts, a ping every 30 s, a link silent for 75 s counts as dead, close codes that mean "do
//! not come back", and the outbox of chat messages the server has not confirmed yet, which are
//! sent again after every reconnect (each carries a `clientMessageId`, so a resend never stores
//! a second copy). Pure logic, tested natively; the browser loop that applies it is
//! [`super::socket`].

use crate::protocol::{ClientCommand, ClientFrame, ServerEvent};
use std::time::Duration;

/// How often the client pings, as the chat API integration guide recommends.
pub const PING_EVERY: Duration = Duration::from_secs(30);
/// A link that brought nothing (not even a pong) for this long is dead.
pub const DEAD_AFTER: Duration = Duration::from_secs(75);

/// Where the connection stands, for the "Live" / "Reconnecting…" indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Live,
    /// Waiting before the next attempt.
    Reconnecting {
        attempt: u32,
    },
    /// The server refused for good: the token expired (4401) or the origin is not allowed
    /// (4403). Sign in again, or fix the configuration.
    Refused {
        code: u16,
    },
}

/// How a page shows a [`LinkState`] in its connection indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    /// `online`, `waiting` or `offline`: the indicator's `link--…` CSS class.
    pub tone: &'static str,
    pub label: &'static str,
}

impl LinkState {
    /// The indicator of this state. The pages differ only in what they call a working link
    /// (`live_label`): the dashboard says "Live", the messenger "Online".
    pub fn indicator(&self, live_label: &'static str) -> Indicator {
        let (tone, label) = match self {
            Self::Live => ("online", live_label),
            Self::Connecting => ("waiting", "Connecting…"),
            Self::Reconnecting { .. } => ("waiting", "Reconnecting…"),
            Self::Refused { .. } => ("offline", "Offline"),
        };
        Indicator { tone, label }
    }
}

/// Capped exponential backoff with "full jitter": each delay is random between the base and
/// an exponentially growing ceiling, so that clients of a restarted server do not all return
/// at the same instant.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(Duration::from_millis(500), Duration::from_secs(15))
    }
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            attempt: 0,
        }
    }

    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The delay before the next attempt; `unit` is a random number in `[0, 1)`.
    pub fn next_delay(&mut self, unit: f64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let span = ceiling.saturating_sub(self.base).as_secs_f64();
        self.base + Duration::from_secs_f64(span * unit.clamp(0.0, 1.0))
    }

    /// After a successful connection.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// Whether a close code means "do not come back".
pub fn is_final(code: u16) -> bool {
    matches!(code, 4401 | 4403)
}

/// The chat messages sent but not yet seen back from the server, in the order they were typed.
#[derive(Debug, Default, Clone)]
pub struct Outbox {
    pending: Vec<ClientFrame>,
}

impl Outbox {
    /// Remembers a frame that must reach the server: chat frames with a `clientMessageId`
    /// and a visitor's request for a human (typing and pings are worthless once stale).
    pub fn keep(&mut self, frame: &ClientFrame) {
        match &frame.command {
            ClientCommand::Chat {
                client_message_id: Some(_),
                ..
            } => self.pending.push(frame.clone()),
            ClientCommand::HumanEscalation { .. } => {
                let asked =
                    |f: &ClientFrame| matches!(f.command, ClientCommand::HumanEscalation { .. });
                if !self.pending.iter().any(asked) {
                    self.pending.push(frame.clone());
                }
            }
            _ => {}
        }
    }

    /// Forgets what the server confirmed: a `chat.message.new` carrying its `clientMessageId`.
    /// The answer to a request for a human confirms it.
    pub fn confirm(&mut self, event: &ServerEvent) {
        match event {
            ServerEvent::MessageNew { message } => {
                if let Some(id) = &message.client_message_id {
                    self.pending.retain(|f| {
                        !matches!(&f.command, ClientCommand::Chat { client_message_id: Some(c), .. } if c == id)
                    });
                }
            }
            ServerEvent::HumanEscalationResponse { .. } => self
                .pending
                .retain(|f| !matches!(f.command, ClientCommand::HumanEscalation { .. })),
            _ => {}
        }
    }

    /// What to send again after reconnecting.
    pub fn unconfirmed(&self) -> &[ClientFrame] {
        &self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Message, Sender, SenderKind, Timestamp};

    #[test]
    fn backoff_grows_to_its_cap_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(15));
        // With the highest jitter the delays double until the cap.
        let ceilings: Vec<u64> = (0..8)
            .map(|_| backoff.next_delay(1.0).as_millis() as u64)
            .collect();
        assert_eq!(ceilings, [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
        backoff.reset();
        // With no jitter every delay is the base; in between, between base and ceiling.
        assert_eq!(backoff.next_delay(0.0), Duration::from_millis(500));
        let d = backoff.next_delay(0.5);
        assert!(d >= Duration::from_millis(500) && d <= Duration::from_millis(1000));
    }

    #[test]
    fn a_working_link_has_each_pages_own_word_and_the_rest_are_shared() {
        let live = LinkState::Live.indicator("Online");
        assert_eq!((live.tone, live.label), ("online", "Online"));
        let waiting = LinkState::Reconnecting { attempt: 2 }.indicator("Live");
        assert_eq!((waiting.tone, waiting.label), ("waiting", "Reconnecting…"));
        let refused = LinkState::Refused { code: 4401 }.indicator("Live");
        assert_eq!((refused.tone, refused.label), ("offline", "Offline"));
    }

    #[test]
    fn only_expired_tokens_and_foreign_origins_stop_reconnecting() {
        assert!(is_final(4401) && is_final(4403));
        assert!(!is_final(1001) && !is_final(4000) && !is_final(1006));
    }

    #[test]
    fn the_outbox_keeps_chat_until_the_server_confirms_it() {
        let chat = |id: &str| ClientFrame {
            command: ClientCommand::Chat {
                session_id: None,
                content: "hi".into(),
                client_message_id: Some(id.into()),
                attachments: vec![],
            },
            timestamp: None,
        };
        let mut outbox = Outbox::default();
        outbox.keep(&chat("a"));
        outbox.keep(&chat("b"));
        outbox.keep(&ClientFrame {
            command: ClientCommand::Ping,
            timestamp: None,
        });
        assert_eq!(outbox.unconfirmed().len(), 2);
        let confirmed = ServerEvent::MessageNew {
            message: Message {
                id: "m".into(),
                session_id: "s".into(),
                seq: 1,
                client_message_id: Some("a".into()),
                sender: Sender {
                    kind: SenderKind::Customer,
                    id: None,
                    name: None,
                },
                content: "hi".into(),
                created_at: Timestamp("2026-11-23T00:00:00.000Z".into()),
                offers_human: false,
                source: None,
                attachments: Vec::new(),
            },
        };
        outbox.confirm(&confirmed);
        assert_eq!(outbox.unconfirmed(), &[chat("b")]);
    }
}
