//! Who has a dashboard or a shop page open: one record per agent or visitor socket, with when
//! its person last did something and when the record lapses unless refreshed. Every node reads
//! every node's records (in memory on one node, in Redis in a cluster); a record whose node
//! died simply lapses, so presence computed from the records is never "online" for someone
//! gone.
//!
//! Records are kept by roster: a tenant's agents under the tenant's id, its visitors under
//! [`visitors_roster`], so that working out the team never reads every visitor.

use serde::{Deserialize, Serialize};
use std::{collections::HashMap, sync::Mutex};

/// The roster a tenant's visitors' sockets are recorded in.
pub fn visitors_roster(tenant_id: &str) -> String {
    format!("{tenant_id}:visitors")
}

/// One socket, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocketPresence {
    /// The agent's id, or the visitor's session id. (Named as it was when only agents had
    /// records, so that nodes of both versions read each other's during an upgrade.)
    #[serde(rename = "agentId")]
    pub party_id: String,
    /// When the person last used this dashboard or page (Unix milliseconds).
    pub active_at_ms: u64,
    /// Past this instant the record counts for nothing (the socket's node stopped refreshing it).
    pub lapses_at_ms: u64,
}

/// The records of one node (the embedded broker's, or a cluster node's view of its own).
#[derive(Default)]
pub(super) struct LocalPresence {
    /// Tenant → socket id → record.
    records: Mutex<HashMap<String, HashMap<String, SocketPresence>>>,
}

impl LocalPresence {
    pub fn record(&self, tenant_id: &str, socket_id: &str, presence: Option<SocketPresence>) {
        let mut records = self.records.lock().expect("presence lock");
        match presence {
            Some(presence) => {
                records
                    .entry(tenant_id.to_string())
                    .or_default()
                    .insert(socket_id.to_string(), presence);
            }
            None => {
                if let Some(tenant) = records.get_mut(tenant_id) {
                    tenant.remove(socket_id);
                    if tenant.is_empty() {
                        records.remove(tenant_id);
                    }
                }
            }
        }
    }

    pub fn all(&self, tenant_id: &str) -> Vec<(String, SocketPresence)> {
        let records = self.records.lock().expect("presence lock");
        records
            .get(tenant_id)
            .map(|tenant| tenant.iter().map(|(s, p)| (s.clone(), p.clone())).collect())
            .unwrap_or_default()
    }

    /// Removes a record; true when there was one to remove.
    pub fn forget(&self, tenant_id: &str, socket_id: &str) -> bool {
        let mut records = self.records.lock().expect("presence lock");
        let removed = records
            .get_mut(tenant_id)
            .and_then(|tenant| tenant.remove(socket_id))
            .is_some();
        if records.get(tenant_id).is_some_and(HashMap::is_empty) {
            records.remove(tenant_id);
        }
        removed
    }
}
