//! `switchboard admin visitor export|erase` and the history flags of `admin tenant set`
//! (identity secret, retention).

use super::tenant_by_key;
use crate::server::{
    history::{identity, rights},
    store::{DynStore, HistoryRules, Tenant},
};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// What is stored about a visitor: a copy, or its erasure.
#[derive(Debug, Subcommand)]
pub enum VisitorCommand {
    /// Writes everything stored about whoever gave an email address (visitor records,
    /// conversations, messages, files) as JSON.
    Export {
        /// The tenant's widget key.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// Where to write it; standard output when left out.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Deletes everything stored about whoever gave an email address, and says what it
    /// deleted.
    Erase {
        /// The tenant's widget key.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
}

/// A tenant's identity verification and retention (`admin tenant set`).
#[derive(Debug, Args)]
pub struct HistoryFlags {
    /// `generate`: a new secret for identity verification, printed once (the shop signs its
    /// customers' ids with it); `off`: no visitor is verified.
    #[arg(long, value_parser = ["generate", "off"])]
    identity_secret: Option<String>,
    /// Deletes closed conversations after this many days without activity; `off`: keeps them.
    #[arg(long)]
    retention_days: Option<String>,
}

pub async fn visitor(store: &DynStore, command: VisitorCommand) -> anyhow::Result<()> {
    match command {
        VisitorCommand::Export { tenant, email, out } => {
            let tenant = tenant_by_key(store, &tenant).await?;
            let email = checked(&email)?;
            let export = rights::export(store, &tenant, email).await?;
            let json = serde_json::to_string_pretty(&export)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, json + "\n")
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "wrote {} conversations of {email} to {}",
                        export.conversations.len(),
                        path.display()
                    );
                }
                None => println!("{json}"),
            }
        }
        VisitorCommand::Erase { tenant, email } => {
            let tenant = tenant_by_key(store, &tenant).await?;
            let email = checked(&email)?;
            let report = rights::erase(store, &tenant.id, email).await?;
            println!(
                "erased {email}: {} conversations, {} messages, {} files, {} visitor records",
                report.conversations, report.messages, report.attachments, report.visitors
            );
        }
    }
    Ok(())
}

fn checked(email: &str) -> anyhow::Result<&str> {
    rights::checked_email(email)
        .with_context(|| format!("`{email}` is not an email address such as dana@example.com"))
}

/// Applies the history flags; a generated secret is printed (on a line of its own, after
/// `identity secret: `) and never shown again.
pub async fn set_history(
    store: &DynStore,
    tenant: &Tenant,
    flags: HistoryFlags,
) -> anyhow::Result<()> {
    if flags.identity_secret.is_none() && flags.retention_days.is_none() {
        return Ok(());
    }
    let mut rules: HistoryRules = tenant.history.clone();
    let mut generated = None;
    match flags.identity_secret.as_deref() {
        Some("generate") => {
            let secret = identity::new_secret();
            rules.identity_secret = Some(secret.clone());
            generated = Some(secret);
        }
        Some(_) => rules.identity_secret = None,
        None => {}
    }
    if let Some(days) = flags.retention_days {
        rules.retention_days = retention(&days)?;
    }
    store.set_history_rules(&tenant.id, &rules).await?;
    if let Some(secret) = generated {
        println!("identity secret: {secret}");
        println!("(keep it on the shop's server: it is not shown again)");
    }
    Ok(())
}

/// `off`, or a number of days from 1.
fn retention(days: &str) -> anyhow::Result<Option<u32>> {
    if days == "off" {
        return Ok(None);
    }
    match days.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => anyhow::bail!("--retention-days must be a number of days from 1, or `off`"),
    }
}

/// The history lines of `admin tenant show` (never the secret itself).
pub fn print_history(rules: &HistoryRules) {
    println!(
        "identity:   {}",
        if rules.identity_secret.is_some() {
            "verified with a secret (set; `--identity-secret generate` makes a new one)"
        } else {
            "no visitor is verified"
        }
    );
    match rules.retention_days {
        Some(days) => println!("retention:  closed conversations are deleted after {days} days"),
        None => println!("retention:  conversations are kept"),
    }
}
