//! Replies reach a visitor who left (docs/design.md, "Email follow-ups"). An agent's reply to a
//! visitor who left an email address plans an email a little later (`--email-batch-secs`), so
//! that quick replies go in one. When it is due, one node takes it (a conditional write), and
//! sends what the visitor has not read, unless they are using the site again (then it waits);
//! a failed email is tried again, later each time, and is not dropped: the plan is stored.

use super::Hub;
use crate::protocol::{Message, PresenceStatus, SenderKind, Session};
use crate::server::{
    auth,
    mail::{compose, FollowUpEmail, MailError, Mailer, Reply},
    shutdown::ShutdownListener,
    store::{self, DueFollowUp, FollowUpOutcome},
};
use chrono::{DateTime, SecondsFormat, Utc};
use std::{sync::Arc, time::Duration};

/// How long a node holds a follow-up it is sending: if it dies meanwhile, another takes it.
const HOLD: Duration = Duration::from_secs(5 * 60);
/// How often each node looks for follow-ups that are due.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// The most follow-ups one look takes, and the most replies one email holds.
const PAGE: u32 = 20;
const MAX_REPLIES: u32 = 200;
/// A server that refuses an email for good (5xx) is asked this many times before the email is
/// given up (and logged as such): an address it will never take is not tried forever.
const MAX_REJECTED_TRIES: u32 = 5;
/// Expired links are removed about this often (in looks).
const FORGET_LINKS_EVERY: u64 = 3600;

/// The stored form of the instant `after` from now (the flags keep it well within range).
fn from_now(after: Duration) -> String {
    let after = chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX);
    let at = Utc::now()
        .checked_add_signed(after)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An email that cannot be written never will be; one the server refuses for good is tried a
/// few times (a mailbox may come back); anything else is tried until it goes.
fn gives_up(error: &MailError, attempts: u32) -> bool {
    match error {
        MailError::Compose(_) => true,
        MailError::Rejected(_) => attempts + 1 >= MAX_REJECTED_TRIES,
        MailError::Refused(_) | MailError::Unreachable(_) | MailError::Store(_) => false,
    }
}

/// What a due follow-up comes to before any email is written.
enum Plan {
    /// Nothing to do now: settled so.
    Settled(FollowUpOutcome),
    /// These replies, to this visitor.
    Send(Box<Session>, Vec<Message>),
}

impl Hub {
    /// After an agent's reply (`seq`): an email to the visitor is planned, if they left an
    /// address and email is on (sent only if, by then, they are not using the site and have
    /// not read it).
    pub(super) async fn plan_follow_up(&self, session: &Session, seq: u64) {
        let Some(batch) = self.follow_up_batch.get() else {
            return;
        };
        if session.test || session.visitor.email.is_none() {
            return;
        }
        let planned = self
            .timeline
            .store()
            .plan_follow_up(&session.id, seq, &from_now(*batch))
            .await;
        if let Err(error) = planned {
            tracing::warn!(session = %session.id, %error, "cannot plan the follow-up email");
        }
    }

    /// Sends the follow-ups that are due, every second, until the server stops.
    pub fn keep_following_up(self: Arc<Self>, mailer: Mailer, mut stop: ShutdownListener) {
        let _ = self.follow_up_batch.set(mailer.config.batch);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(LOOK_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for look in 0_u64.. {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = stop.stopping() => return,
                }
                self.send_due_follow_ups(&mailer).await;
                if look % FORGET_LINKS_EVERY == 0 {
                    self.forget_expired_links().await;
                }
            }
        });
    }

    async fn forget_expired_links(&self) {
        match self
            .timeline
            .store()
            .forget_expired_links(&store::now())
            .await
        {
            Ok(0) => {}
            Ok(gone) => tracing::info!(links = gone, "expired email links removed"),
            Err(error) => tracing::warn!(%error, "cannot remove expired email links"),
        }
    }

    async fn send_due_follow_ups(&self, mailer: &Mailer) {
        let store = self.timeline.store();
        let due = match store.due_follow_ups(&store::now(), PAGE).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "cannot read the follow-up emails that are due");
                return;
            }
        };
        for due in due {
            match store.claim_follow_up(&due, &from_now(HOLD)).await {
                Ok(true) => {}
                // Another node has it.
                Ok(false) => continue,
                Err(error) => {
                    tracing::warn!(session = %due.session_id, %error, "cannot take the follow-up email");
                    continue;
                }
            }
            let outcome = match self.follow_up_plan(mailer, &due).await {
                Plan::Settled(outcome) => outcome,
                Plan::Send(session, replies) => self.send(mailer, &due, &session, &replies).await,
            };
            if let Err(error) = store.settle_follow_up(&due.session_id, &outcome).await {
                // It is still held: another try comes when the hold ends.
                tracing::warn!(session = %due.session_id, %error, "cannot store how the follow-up email went");
            }
        }
    }

    /// Whether a due follow-up has anything to send now: not while the visitor uses the site
    /// (it waits another batch), not what they read or were sent already.
    async fn follow_up_plan(&self, mailer: &Mailer, due: &DueFollowUp) -> Plan {
        let next_due = from_now(mailer.config.batch);
        let retry = || FollowUpOutcome::Retry {
            at: from_now(mailer.retry_after(due.attempts)),
            failed: true,
        };
        let store = self.timeline.store();
        let session = match store.session(&due.tenant_id, &due.session_id, None).await {
            Ok(Some(session)) => session,
            Ok(None) => return Plan::Settled(done(0, next_due)),
            Err(error) => {
                tracing::warn!(session = %due.session_id, %error, "cannot read the conversation to email");
                return Plan::Settled(retry());
            }
        };
        if self.using_the_site(&due.tenant_id, &session.id).await {
            tracing::info!(session = %session.id, "the follow-up email waits: the visitor is on the site");
            let at = next_due;
            return Plan::Settled(FollowUpOutcome::Retry { at, failed: false });
        }
        let covered = due.emailed_seq.max(session.visitor_read_seq);
        match self.unread_replies(&session.id, covered).await {
            Ok(replies) if replies.is_empty() => Plan::Settled(done(covered, next_due)),
            Ok(replies) => Plan::Send(Box::new(session), replies),
            Err(()) => Plan::Settled(retry()),
        }
    }

    /// Sends the replies; says what comes next: done, given up, or another try later.
    async fn send(
        &self,
        mailer: &Mailer,
        due: &DueFollowUp,
        session: &Session,
        replies: &[Message],
    ) -> FollowUpOutcome {
        let through_seq = replies.last().map_or(0, |m| m.seq);
        let next_due = from_now(mailer.config.batch);
        let sent = self
            .email_replies(mailer, &due.tenant_id, session, replies)
            .await;
        match sent {
            Ok(()) => {
                tracing::info!(session = %session.id, replies = replies.len(), "emailed the visitor the replies they missed");
                done(through_seq, next_due)
            }
            Err(error) if gives_up(&error, due.attempts) => {
                tracing::error!(session = %session.id, %error, attempts = due.attempts + 1, "the follow-up email cannot be sent: given up");
                done(through_seq, next_due)
            }
            Err(error) => {
                let wait = mailer.retry_after(due.attempts);
                tracing::warn!(session = %session.id, %error, attempt = due.attempts + 1, retry_in_secs = wait.as_secs(), "the follow-up email failed; it is tried again");
                FollowUpOutcome::Retry {
                    at: from_now(wait),
                    failed: true,
                }
            }
        }
    }

    /// A page of theirs is open and in use: they see the replies in the widget. (A page left
    /// in a background tab does not count: that visitor is the one the email is for.)
    async fn using_the_site(&self, tenant_id: &str, session_id: &str) -> bool {
        self.visitors_present(tenant_id)
            .await
            .iter()
            .any(|present| {
                present.session_id == session_id && present.status == PresenceStatus::Online
            })
    }

    /// The agents' replies after `covered`.
    async fn unread_replies(&self, session_id: &str, covered: u64) -> Result<Vec<Message>, ()> {
        let store = self.timeline.store();
        match store.messages_after(session_id, covered, MAX_REPLIES).await {
            Ok(messages) => Ok(messages
                .into_iter()
                .filter(|m| m.sender.kind == SenderKind::Agent)
                .collect()),
            Err(error) => {
                tracing::warn!(session = %session_id, %error, "cannot read the replies to email");
                Err(())
            }
        }
    }

    /// Writes and sends the email, with a new link that reopens the conversation.
    async fn email_replies(
        &self,
        mailer: &Mailer,
        tenant_id: &str,
        session: &Session,
        replies: &[Message],
    ) -> Result<(), MailError> {
        let store = self.timeline.store();
        let unreadable = |e: store::StoreError| MailError::Store(e.to_string());
        let tenant = store.tenant(tenant_id).await.map_err(unreadable)?;
        let tenant = tenant.ok_or_else(|| MailError::Compose("the tenant is gone".into()))?;
        let from = match tenant.email_from.as_deref().map(str::parse) {
            Some(Ok(from)) => from,
            _ => mailer.config.from.clone(),
        };
        let key = auth::random_key(32);
        let public_url = mailer.config.public_url.as_deref().unwrap_or("");
        let email = FollowUpEmail {
            from,
            to: session.visitor.email.clone().unwrap_or_default(),
            visitor_name: session.visitor.name.clone(),
            tenant_name: tenant.look.title.clone().unwrap_or(tenant.name.clone()),
            replies: replies.iter().map(reply_of).collect(),
            link: format!("{public_url}/widget/{}?resume={key}", tenant.widget_key),
            time_zone: session.visit.as_ref().and_then(|v| v.time_zone.clone()),
            link_days: (mailer.config.link_ttl.as_secs() / 86_400).max(1),
        };
        // Written first: a link is stored only for an email that can go.
        let message = compose(&email)?;
        let expires = from_now(mailer.config.link_ttl);
        store
            .add_session_link(&session.id, &auth::key_hash(&key), &expires)
            .await
            .map_err(unreadable)?;
        mailer.send(message).await
    }
}

fn done(through_seq: u64, next_due: String) -> FollowUpOutcome {
    FollowUpOutcome::Done {
        through_seq,
        next_due,
    }
}

fn reply_of(message: &Message) -> Reply {
    Reply {
        author: message
            .sender
            .name
            .clone()
            .unwrap_or_else(|| "The team".into()),
        content: with_file_names(message),
        at: message.created_at.0.clone(),
    }
}

/// The reply's text and a line per file it carries ("📎 invoice.pdf (245 KB)"): the files
/// themselves are in the conversation the link opens.
fn with_file_names(message: &Message) -> String {
    let files = message.attachments.iter().map(|a| {
        format!(
            "📎 {} ({})",
            a.name,
            crate::server::attachments::size_in_words(a.size)
        )
    });
    let lines: Vec<String> = std::iter::once(message.content.clone())
        .filter(|text| !text.is_empty())
        .chain(files)
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Attachment, Sender, Timestamp};

    #[test]
    fn an_emailed_reply_names_its_files() {
        let file = |name: &str, size| Attachment {
            id: name.into(),
            name: name.into(),
            content_type: "application/pdf".into(),
            size,
            url: String::new(),
            width: None,
            height: None,
        };
        let mut message = Message {
            id: "m".into(),
            session_id: "s".into(),
            seq: 2,
            client_message_id: None,
            sender: Sender::agent("a1", "Alice"),
            content: "Here it is.".into(),
            created_at: Timestamp("2026-12-02T08:00:00.000Z".into()),
            offers_human: false,
            source: None,
            attachments: vec![file("invoice.pdf", 250_000)],
        };
        assert_eq!(
            reply_of(&message).content,
            "Here it is.\n📎 invoice.pdf (244 KB)"
        );
        message.content.clear();
        assert_eq!(reply_of(&message).content, "📎 invoice.pdf (244 KB)");
    }
}
