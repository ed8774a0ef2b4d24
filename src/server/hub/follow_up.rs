//! Replies reach a visitor who left (docs/design.md, "Email follow-ups"). An agent's reply to a
//! visitor who left an email address plans an email a little later (`--email-batch-secs`), so
//! that quick replies go in one. When it is due, one node takes it (a conditional write), and
//! sends what the visitor has not read, unless they are on the site again (then it waits);
//! a failed email is tried again, later each time, and is never dropped: the plan is stored.

use super::Hub;
use crate::protocol::{Message, SenderKind, Session};
use crate::server::{
    auth,
    mail::{compose, FollowUpEmail, MailError, Mailer, Reply},
    shutdown::ShutdownListener,
    store::{self, DueFollowUp, FollowUpOutcome},
};
use chrono::{SecondsFormat, Utc};
use std::{sync::Arc, time::Duration};

/// How long a node holds a follow-up it is sending: if it dies meanwhile, another takes it.
const HOLD: Duration = Duration::from_secs(5 * 60);
/// How often each node looks for follow-ups that are due.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// The most follow-ups one look takes, and the most replies one email holds.
const PAGE: u32 = 20;
const MAX_REPLIES: u32 = 200;

/// The stored form of the instant `after` from now.
fn from_now(after: Duration) -> String {
    let after = chrono::Duration::from_std(after).unwrap_or(chrono::Duration::zero());
    (Utc::now() + after).to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Hub {
    /// After an agent's reply: an email to the visitor is planned, if they left an address and
    /// email is on (sent only if, by then, they are not on the site and have not read it).
    pub(super) async fn plan_follow_up(&self, session: &Session) {
        let Some(batch) = self.follow_up_batch.get() else {
            return;
        };
        if session.test || session.visitor.email.is_none() {
            return;
        }
        let planned = self
            .timeline
            .store()
            .plan_follow_up(&session.id, &from_now(*batch))
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
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = stop.stopping() => return,
                }
                self.send_due_follow_ups(&mailer).await;
            }
        });
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
            let outcome = self.follow_up(mailer, &due).await;
            if let Err(error) = store.settle_follow_up(&due.session_id, &outcome).await {
                // It is still held: another try comes when the hold ends.
                tracing::warn!(session = %due.session_id, %error, "cannot store how the follow-up email went");
            }
        }
    }

    /// One due follow-up: waits while the visitor is on the site, sends what they have not
    /// read, and says when to try again if that failed.
    async fn follow_up(&self, mailer: &Mailer, due: &DueFollowUp) -> FollowUpOutcome {
        let next_due = from_now(mailer.config.batch);
        let retry = |failed: bool| FollowUpOutcome::Retry {
            at: from_now(mailer.retry_after(due.attempts)),
            failed,
        };
        let store = self.timeline.store();
        let session = match store.session(&due.tenant_id, &due.session_id, None).await {
            Ok(Some(session)) => session,
            Ok(None) => {
                return FollowUpOutcome::Done {
                    through_seq: 0,
                    next_due,
                }
            }
            Err(error) => {
                tracing::warn!(session = %due.session_id, %error, "cannot read the conversation to email");
                return retry(true);
            }
        };
        if self.visitor_on_site(&due.tenant_id, &session.id).await {
            tracing::info!(session = %session.id, "the follow-up email waits: the visitor is on the site");
            let at = next_due;
            return FollowUpOutcome::Retry { at, failed: false };
        }
        let covered = due.emailed_seq.max(session.visitor_read_seq);
        let replies = match self.unread_replies(&session.id, covered).await {
            Ok(replies) => replies,
            Err(()) => return retry(true),
        };
        let Some(through_seq) = replies.last().map(|m| m.seq) else {
            return FollowUpOutcome::Done {
                through_seq: covered,
                next_due,
            };
        };
        match self
            .email_replies(mailer, &due.tenant_id, &session, &replies)
            .await
        {
            Ok(()) => {
                tracing::info!(session = %session.id, replies = replies.len(), "emailed the visitor the replies they missed");
                FollowUpOutcome::Done {
                    through_seq,
                    next_due,
                }
            }
            Err(error) => {
                let wait = mailer.retry_after(due.attempts);
                tracing::warn!(session = %session.id, %error, attempt = due.attempts + 1, retry_in_secs = wait.as_secs(), "the follow-up email failed; it is tried again");
                retry(true)
            }
        }
    }

    async fn visitor_on_site(&self, tenant_id: &str, session_id: &str) -> bool {
        self.visitors_present(tenant_id)
            .await
            .iter()
            .any(|present| present.session_id == session_id)
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
        let unreadable = |e: store::StoreError| MailError::Compose(e.to_string());
        let tenant = store.tenant(tenant_id).await.map_err(unreadable)?;
        let tenant = tenant.ok_or_else(|| MailError::Compose("the tenant is gone".into()))?;
        let from = match tenant.email_from.as_deref().map(str::parse) {
            Some(Ok(from)) => from,
            _ => mailer.config.from.clone(),
        };
        let key = auth::random_key(32);
        let expires = from_now(mailer.config.link_ttl);
        store
            .add_session_link(&session.id, &auth::key_hash(&key), &expires)
            .await
            .map_err(unreadable)?;
        let email = FollowUpEmail {
            from,
            to: session.visitor.email.clone().unwrap_or_default(),
            visitor_name: session.visitor.name.clone(),
            tenant_name: tenant.look.title.clone().unwrap_or(tenant.name.clone()),
            replies: replies.iter().map(reply_of).collect(),
            link: format!(
                "{}/widget/{}?resume={key}",
                mailer.config.public_url.as_deref().unwrap_or(""),
                tenant.widget_key
            ),
            time_zone: session.visit.as_ref().and_then(|v| v.time_zone.clone()),
            link_days: (mailer.config.link_ttl.as_secs() / 86_400).max(1),
        };
        mailer.send(compose(&email)?).await
    }
}

fn reply_of(message: &Message) -> Reply {
    Reply {
        author: message
            .sender
            .name
            .clone()
            .unwrap_or_else(|| "The team".into()),
        content: message.content.clone(),
        at: message.created_at.0.clone(),
    }
}
