//! Who has a dashboard open: one record per agent socket, with when its agent last did
//! something and when the record lapses unless refreshed. Every node reads every node's
//! records (in memory on one node, in Redis in a cluster); a record whose node died simply
//! lapses, so presence computed from the records is never "online" for someone gone.

use serde::{Deserialize, Serialize};
use std::{collections::HashMap, sync::Mutex};

/// One dashboard socket, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocketPresence {
    pub agent_id: String,
    /// When the agent last used this dashboard (Unix milliseconds).
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
