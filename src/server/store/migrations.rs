//! Each backend's schema, compiled into the binary so that it needs no files beside it, and
//! applied at start by sqlx's migrator (which, on PostgreSQL, holds an advisory lock so that
//! nodes starting together migrate once).

use futures::future::BoxFuture;
use sqlx::{
    error::BoxDynError,
    migrate::{Migration, MigrationSource, MigrationType, Migrator},
};
use std::borrow::Cow;

type Steps = &'static [(i64, &'static str, &'static str)];

pub(super) const SQLITE: Steps = &[
    (
        1,
        "hub",
        include_str!("../../../migrations/sqlite/0001_hub.sql"),
    ),
    (
        2,
        "tenant ai",
        include_str!("../../../migrations/sqlite/0002_tenant_ai.sql"),
    ),
    (
        3,
        "append trigger",
        include_str!("../../../migrations/sqlite/0003_append_trigger.sql"),
    ),
    (
        4,
        "offers human",
        include_str!("../../../migrations/sqlite/0004_offers_human.sql"),
    ),
    (
        5,
        "agent access",
        include_str!("../../../migrations/sqlite/0005_agent_access.sql"),
    ),
    (
        6,
        "articles",
        include_str!("../../../migrations/sqlite/0006_articles.sql"),
    ),
    (
        7,
        "answer sources",
        include_str!("../../../migrations/sqlite/0007_answer_sources.sql"),
    ),
    (
        8,
        "test sessions",
        include_str!("../../../migrations/sqlite/0008_test_sessions.sql"),
    ),
    (
        9,
        "widget look",
        include_str!("../../../migrations/sqlite/0009_widget_look.sql"),
    ),
    (
        10,
        "agent presence",
        include_str!("../../../migrations/sqlite/0010_agent_presence.sql"),
    ),
    (
        11,
        "read receipts",
        include_str!("../../../migrations/sqlite/0011_read_receipts.sql"),
    ),
    (
        12,
        "routing",
        include_str!("../../../migrations/sqlite/0012_routing.sql"),
    ),
    (
        13,
        "office hours",
        include_str!("../../../migrations/sqlite/0013_office_hours.sql"),
    ),
    (
        14,
        "visits",
        include_str!("../../../migrations/sqlite/0014_visits.sql"),
    ),
    (
        15,
        "follow-ups",
        include_str!("../../../migrations/sqlite/0015_follow_ups.sql"),
    ),
    (
        16,
        "attachments",
        include_str!("../../../migrations/sqlite/0016_attachments.sql"),
    ),
    (
        17,
        "history",
        include_str!("../../../migrations/sqlite/0017_history.sql"),
    ),
];

pub(super) const POSTGRES: Steps = &[
    (
        1,
        "hub",
        include_str!("../../../migrations/postgres/0001_hub.sql"),
    ),
    (
        2,
        "offers human",
        include_str!("../../../migrations/postgres/0002_offers_human.sql"),
    ),
    (
        3,
        "agent access",
        include_str!("../../../migrations/postgres/0003_agent_access.sql"),
    ),
    (
        4,
        "articles",
        include_str!("../../../migrations/postgres/0004_articles.sql"),
    ),
    (
        5,
        "answer sources",
        include_str!("../../../migrations/postgres/0005_answer_sources.sql"),
    ),
    (
        6,
        "test sessions",
        include_str!("../../../migrations/postgres/0006_test_sessions.sql"),
    ),
    (
        7,
        "widget look",
        include_str!("../../../migrations/postgres/0007_widget_look.sql"),
    ),
    (
        8,
        "agent presence",
        include_str!("../../../migrations/postgres/0008_agent_presence.sql"),
    ),
    (
        9,
        "read receipts",
        include_str!("../../../migrations/postgres/0009_read_receipts.sql"),
    ),
    (
        10,
        "routing",
        include_str!("../../../migrations/postgres/0010_routing.sql"),
    ),
    (
        11,
        "office hours",
        include_str!("../../../migrations/postgres/0011_office_hours.sql"),
    ),
    (
        12,
        "visits",
        include_str!("../../../migrations/postgres/0012_visits.sql"),
    ),
    (
        13,
        "follow-ups",
        include_str!("../../../migrations/postgres/0013_follow_ups.sql"),
    ),
    (
        14,
        "attachments",
        include_str!("../../../migrations/postgres/0014_attachments.sql"),
    ),
    (
        15,
        "history",
        include_str!("../../../migrations/postgres/0015_history.sql"),
    ),
];

#[derive(Debug)]
struct Embedded(Steps);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*name),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

pub(super) async fn migrator(steps: Steps) -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(Embedded(steps)).await
}
