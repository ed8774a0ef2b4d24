//! The database. SQLite is the embedded default: one file, write-ahead logging, created if
//! missing.

use crate::server::config::DatabaseUrl;
use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::{str::FromStr, time::Duration};

/// A pool of connections to the database; cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: SqlitePool,
}

impl Database {
    /// Opens (creating if needed) the database and checks that it answers.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Self> {
        let DatabaseUrl::Sqlite(url) = url;
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("invalid database URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database {url}"))?;
        let database = Self { pool };
        database
            .ping()
            .await
            .with_context(|| format!("the database {url} does not answer"))?;
        Ok(database)
    }

    /// One round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
