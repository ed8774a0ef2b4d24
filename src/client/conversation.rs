//! One conversation as a page shows it: the stored messages in `seq` order, the AI answers
//! still streaming, and the messages typed here that the server has not confirmed yet.
//!
//! Whatever arrives twice (a resend after a reconnect, a resume that overlaps what was
//! fetched, a stream snapshot after a reconnect) is shown once: stored messages are keyed by
//! `seq`, streams by their `messageId`, unconfirmed messages by their `clientMessageId`.

use crate::protocol::{Attachment, Message, ServerEvent};
use std::collections::BTreeMap;

/// One line of the conversation, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Stored(Message),
    /// An AI answer arriving token by token.
    Streaming {
        message_id: String,
        text: String,
    },
    /// Typed here, on its way to the server (possibly waiting for the connection).
    Sending {
        client_message_id: String,
        /// Empty when the message is only files.
        content: String,
        /// The files it carries (already uploaded: only the message is on its way).
        attachments: Vec<Attachment>,
    },
}

/// A message typed here that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Unconfirmed {
    client_message_id: String,
    content: String,
    attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    messages: BTreeMap<u64, Message>,
    streams: Vec<(String, String)>,
    sending: Vec<Unconfirmed>,
}

impl Conversation {
    /// Adds fetched history (the whole of it or a tail); what is already here stays once.
    pub fn load(&mut self, messages: impl IntoIterator<Item = Message>) {
        for message in messages {
            self.store(message);
        }
    }

    /// The lowest `seq` shown: what "show earlier messages" asks for the page before.
    pub fn first_seq(&self) -> Option<u64> {
        self.messages.keys().next().copied()
    }

    /// Whether the conversation began before what is shown (the history opens at its newest
    /// page; `seq` starts at 1 and has no gaps).
    pub fn has_earlier(&self) -> bool {
        self.first_seq().is_some_and(|seq| seq > 1)
    }

    /// The highest `seq` shown: what a resume or a catch-up asks to continue after.
    pub fn last_seq(&self) -> u64 {
        self.messages.keys().next_back().copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.streams.is_empty() && self.sending.is_empty()
    }

    /// A message typed here; shown as "sending" until the server sends it back.
    pub fn queue(
        &mut self,
        client_message_id: String,
        content: String,
        attachments: Vec<Attachment>,
    ) {
        self.sending.push(Unconfirmed {
            client_message_id,
            content,
            attachments,
        });
    }

    /// Applies an event of this conversation's session. Returns whether anything changed.
    pub fn apply(&mut self, event: &ServerEvent) -> bool {
        match event {
            ServerEvent::MessageNew { message } => self.store(message.clone()),
            ServerEvent::StreamStart { message_id, .. } => {
                if self.messages.values().any(|m| &m.id == message_id) {
                    return false;
                }
                // A start for a stream already shown is a reconnect's snapshot: the next token
                // holds everything so far, so the text starts over.
                match self.streams.iter_mut().find(|(id, _)| id == message_id) {
                    Some((_, text)) => text.clear(),
                    None => self.streams.push((message_id.clone(), String::new())),
                }
                true
            }
            ServerEvent::StreamToken {
                message_id, token, ..
            } => match self.streams.iter_mut().find(|(id, _)| id == message_id) {
                Some((_, text)) => {
                    text.push_str(token);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    fn store(&mut self, message: Message) -> bool {
        if let Some(client_id) = &message.client_message_id {
            self.sending.retain(|s| &s.client_message_id != client_id);
        }
        self.streams.retain(|(id, _)| id != &message.id);
        if self.messages.contains_key(&message.seq) {
            return false;
        }
        self.messages.insert(message.seq, message);
        true
    }

    pub fn entries(&self) -> Vec<Entry> {
        let stored = self.messages.values().cloned().map(Entry::Stored);
        let streams = self
            .streams
            .iter()
            .map(|(message_id, text)| Entry::Streaming {
                message_id: message_id.clone(),
                text: text.clone(),
            });
        let sending = self.sending.iter().map(|s| Entry::Sending {
            client_message_id: s.client_message_id.clone(),
            content: s.content.clone(),
            attachments: s.attachments.clone(),
        });
        stored.chain(streams).chain(sending).collect()
    }

    /// The newest stored message, for read marks.
    pub fn last_message(&self) -> Option<&Message> {
        self.messages.values().next_back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Sender, SenderKind, Timestamp};

    fn message(seq: u64, id: &str, client_id: Option<&str>) -> Message {
        Message {
            id: id.into(),
            session_id: "s".into(),
            seq,
            client_message_id: client_id.map(Into::into),
            sender: Sender {
                kind: SenderKind::Customer,
                id: None,
                name: None,
            },
            content: format!("m{seq}"),
            created_at: Timestamp("2026-11-23T10:00:00.000Z".into()),
            offers_human: false,
            source: None,
            attachments: Vec::new(),
        }
    }

    fn new(message: Message) -> ServerEvent {
        ServerEvent::MessageNew { message }
    }

    #[test]
    fn an_earlier_page_goes_before_what_is_shown() {
        let mut c = Conversation::default();
        assert!(!c.has_earlier());
        c.load((8..=12).map(|seq| message(seq, &format!("m{seq}"), None)));
        assert_eq!((c.first_seq(), c.has_earlier()), (Some(8), true));
        c.load((3..=7).map(|seq| message(seq, &format!("m{seq}"), None)));
        c.load((1..=2).map(|seq| message(seq, &format!("m{seq}"), None)));
        assert!(!c.has_earlier(), "the first message is shown");
        let seqs: Vec<u64> = c
            .entries()
            .into_iter()
            .filter_map(|e| match e {
                Entry::Stored(m) => Some(m.seq),
                _ => None,
            })
            .collect();
        assert_eq!(seqs, (1..=12).collect::<Vec<_>>());
    }

    #[test]
    fn repeated_and_overlapping_messages_show_once_in_seq_order() {
        let mut c = Conversation::default();
        c.load([message(2, "b", None), message(1, "a", None)]);
        assert!(!c.apply(&new(message(2, "b", None))));
        assert!(c.apply(&new(message(3, "c", None))));
        let seqs: Vec<u64> = c
            .entries()
            .iter()
            .map(|e| match e {
                Entry::Stored(m) => m.seq,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(seqs, [1, 2, 3]);
        assert_eq!(c.last_seq(), 3);
    }

    #[test]
    fn a_sent_message_replaces_its_sending_line_once_confirmed() {
        let mut c = Conversation::default();
        c.queue("x1".into(), "hello".into(), Vec::new());
        assert!(matches!(&c.entries()[..], [Entry::Sending { content, .. }] if content == "hello"));
        c.apply(&new(message(1, "a", Some("x1"))));
        c.apply(&new(message(1, "a", Some("x1"))));
        assert_eq!(c.entries(), [Entry::Stored(message(1, "a", Some("x1")))]);
    }

    #[test]
    fn a_stream_grows_restarts_on_a_snapshot_and_gives_way_to_the_stored_answer() {
        let mut c = Conversation::default();
        let start = ServerEvent::StreamStart {
            message_id: "ai".into(),
            session_id: "s".into(),
        };
        let token = |t: &str| ServerEvent::StreamToken {
            message_id: "ai".into(),
            session_id: "s".into(),
            token: t.into(),
        };
        c.apply(&start);
        c.apply(&token("Hel"));
        c.apply(&token("lo"));
        // After a reconnect: start again, then one token with everything so far.
        c.apply(&start);
        c.apply(&token("Hello"));
        c.apply(&token(" there"));
        assert_eq!(
            c.entries(),
            [Entry::Streaming {
                message_id: "ai".into(),
                text: "Hello there".into()
            }]
        );
        c.apply(&new(message(1, "ai", None)));
        assert_eq!(c.entries(), [Entry::Stored(message(1, "ai", None))]);
        // A late start for a stored answer shows nothing new.
        assert!(!c.apply(&start));
    }
}
