//! The flags of email follow-ups (docs/operations.md, "Email"): off unless `--smtp-url` is set.

use crate::server::mail::MailConfig;
use clap::Args;
use std::time::Duration;

/// The longest wait any email flag takes, and the longest a link may last.
const DAY_SECS: u64 = 24 * 60 * 60;
const MAX_LINK_DAYS: u64 = 365;

fn within(flag: &str, value: u64, least: u64, most: u64) -> anyhow::Result<()> {
    if !(least..=most).contains(&value) {
        anyhow::bail!("{flag} must be between {least} and {most}");
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct EmailArgs {
    /// The SMTP server that sends follow-up emails to visitors who left: smtp://HOST:PORT
    /// (plain, for a local relay), smtp://USER:PASS@HOST:587?tls=required (STARTTLS) or
    /// smtps://USER:PASS@HOST:465. Without it, no email is sent.
    #[arg(long, env = "SWITCHBOARD_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Who the emails are from, "Shop <help@shop.example>", unless the tenant set its own
    /// (`admin tenant set --email-from`). Needed with --smtp-url.
    #[arg(long, env = "SWITCHBOARD_EMAIL_FROM")]
    pub email_from: Option<String>,
    /// Seconds an agent's reply waits for more before the email goes, so that quick replies
    /// make one email.
    #[arg(long, env = "SWITCHBOARD_EMAIL_BATCH_SECS", default_value_t = 120)]
    pub email_batch_secs: u64,
    /// Seconds before a failed email is tried again; the wait doubles with each failure.
    #[arg(long, env = "SWITCHBOARD_EMAIL_RETRY_SECS", default_value_t = 60)]
    pub email_retry_secs: u64,
    /// The longest wait between two tries of a failed email, in seconds.
    #[arg(long, env = "SWITCHBOARD_EMAIL_RETRY_MAX_SECS", default_value_t = 3600)]
    pub email_retry_max_secs: u64,
    /// Days the link in an email reopens the conversation.
    #[arg(long, env = "SWITCHBOARD_EMAIL_LINK_DAYS", default_value_t = 7)]
    pub email_link_days: u64,
}

impl EmailArgs {
    /// The follow-ups' settings, or `None` without `--smtp-url`. Links point at `public_url`
    /// (`--public-url`) or, without one, at the address the server listens on.
    pub fn config(&self, public_url: Option<&str>) -> anyhow::Result<Option<MailConfig>> {
        let Some(smtp_url) = self.smtp_url.clone().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let Some(from) = self.email_from.as_deref().filter(|f| !f.trim().is_empty()) else {
            anyhow::bail!("--smtp-url needs --email-from, the address the emails are from");
        };
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--email-from is not an email address: {e}"))?;
        within("--email-batch-secs", self.email_batch_secs, 0, DAY_SECS)?;
        within("--email-retry-secs", self.email_retry_secs, 1, DAY_SECS)?;
        within(
            "--email-retry-max-secs",
            self.email_retry_max_secs,
            1,
            DAY_SECS,
        )?;
        within("--email-link-days", self.email_link_days, 1, MAX_LINK_DAYS)?;
        let public_url = public_url
            .map(|url| url.trim().trim_end_matches('/').to_string())
            .filter(|url| !url.is_empty());
        Ok(Some(MailConfig {
            smtp_url,
            from,
            batch: Duration::from_secs(self.email_batch_secs),
            retry: Duration::from_secs(self.email_retry_secs),
            retry_max: Duration::from_secs(self.email_retry_max_secs.max(self.email_retry_secs)),
            link_ttl: Duration::from_secs(self.email_link_days.saturating_mul(86_400)),
            public_url,
        }))
    }
}
