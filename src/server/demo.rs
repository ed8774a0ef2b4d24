//! `--demo`: the demo tenant and agents of docs/protocol.md, created once. A restart (or a second
//! node starting at the same moment) finds them and creates nothing.

use crate::protocol::AgentRole;
use crate::server::{
    auth,
    store::{AgentChange, DynStore, NewAgent, NewTenant, StoreError},
};

pub const DEMO_WIDGET_KEY: &str = "demo";
pub const DEMO_PASSWORD: &str = "Password123!";
pub const DEMO_AGENTS: &[(&str, &str)] = &[
    ("agent1@callcenter.com", "Alice Martin"),
    ("agent2@callcenter.com", "Bob Chen"),
];

/// `--demo` is for demos: its well-known passwords and generated secret must never come near a
/// real shop's data, so a database that holds any other tenant is refused.
pub async fn refuse_real_tenants(store: &DynStore) -> anyhow::Result<()> {
    let others: Vec<String> = store
        .tenants()
        .await?
        .into_iter()
        .filter(|tenant| tenant.widget_key != DEMO_WIDGET_KEY)
        .map(|tenant| tenant.name)
        .collect();
    if !others.is_empty() {
        anyhow::bail!(
            "--demo refuses a database that holds other tenants ({}): it would add agents with \
             a published password; start without --demo",
            others.join(", ")
        );
    }
    Ok(())
}

pub async fn seed(store: &DynStore, knowledge_dir: &std::path::Path) -> anyhow::Result<()> {
    let tenant = match store.tenant_by_widget_key(DEMO_WIDGET_KEY).await? {
        Some(tenant) => tenant,
        None => match store
            .create_tenant(NewTenant {
                name: "Demo".into(),
                widget_key: DEMO_WIDGET_KEY.into(),
                allowed_origins: Vec::new(),
            })
            .await
        {
            Ok(tenant) => tenant,
            Err(StoreError::Conflict(_)) => store
                .tenant_by_widget_key(DEMO_WIDGET_KEY)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the demo tenant vanished"))?,
            Err(e) => return Err(e.into()),
        },
    };
    for (n, (email, name)) in DEMO_AGENTS.iter().enumerate() {
        // The first demo agent runs the desk, so that a demo shows every page.
        let role = if n == 0 {
            AgentRole::Admin
        } else {
            AgentRole::Agent
        };
        if let Some(agent) = store.agent_by_email(email).await? {
            if agent.role != role {
                store
                    .update_agent(&agent.id, AgentChange::Role(role))
                    .await?;
            }
            continue;
        }
        let hash = tokio::task::spawn_blocking(|| auth::hash_password(DEMO_PASSWORD)).await?;
        match store
            .create_agent(NewAgent {
                tenant_id: tenant.id.clone(),
                email: (*email).into(),
                name: (*name).into(),
                password_hash: hash,
                role,
            })
            .await
        {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    seed_knowledge(store, &tenant.id, knowledge_dir).await?;
    tracing::info!(
        widget_key = DEMO_WIDGET_KEY,
        agents = DEMO_AGENTS.len(),
        "demo tenant ready"
    );
    Ok(())
}

/// The demo shop's articles, from the knowledge folder, the first time only: after that they are
/// the demo tenant's own, edited like any tenant's.
async fn seed_knowledge(
    store: &DynStore,
    tenant_id: &str,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    if store.knowledge_version(tenant_id).await?.articles > 0 {
        return Ok(());
    }
    match crate::server::ai::read_folder(dir) {
        Ok(articles) => {
            let (added, _) = crate::server::ai::import(store, tenant_id, articles).await?;
            tracing::info!(articles = added, folder = %dir.display(), "demo knowledge base imported");
        }
        Err(error) => tracing::warn!(%error, "the demo tenant has no articles"),
    }
    Ok(())
}
