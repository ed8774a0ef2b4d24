//! The statements that change where a session stands, shared by both backends: written with
//! SQLite's numbered parameters (`?1`), which [`numbered_for_postgres`] turns into `$1`.

use super::SessionChange;

/// For an assignment: the agent and the statement (`?1` now, `?2` the agent, `?3` the tenant)
/// that notes when they were given it; it also checks they exist (and, to be routed to, are
/// enabled).
pub(super) fn given_to(change: &SessionChange) -> Option<(&str, &'static str)> {
    match change {
        SessionChange::Assign { agent_id } => Some((
            agent_id,
            "UPDATE agents SET last_assigned_at = ?1 WHERE id = ?2 AND tenant_id = ?3",
        )),
        SessionChange::Route { agent_id, .. } => Some((
            agent_id,
            "UPDATE agents SET last_assigned_at = ?1
             WHERE id = ?2 AND tenant_id = ?3 AND NOT disabled",
        )),
        SessionChange::Status(_) | SessionChange::Unassign | SessionChange::Contact { .. } => None,
    }
}

/// The statement of a session change: `?1` now, `?2` the session, `?3` the tenant, then the
/// agent (or the status) and the capacity. A route only takes a session still in the queue,
/// for an agent under their capacity.
pub(super) fn session_change_sql(change: &SessionChange) -> &'static str {
    match change {
        SessionChange::Assign { .. } => {
            "UPDATE sessions SET status = 'active', assigned_agent_id = ?4, updated_at = ?1,
                                 queued_at = NULL
             WHERE id = ?2 AND tenant_id = ?3"
        }
        SessionChange::Route { .. } => {
            "UPDATE sessions SET status = 'active', assigned_agent_id = ?4, updated_at = ?1,
                                 queued_at = NULL
             WHERE id = ?2 AND tenant_id = ?3 AND status = 'pending'
               AND assigned_agent_id IS NULL AND NOT is_test
               AND (SELECT COUNT(*) FROM sessions o
                    WHERE o.assigned_agent_id = ?4 AND o.status = 'active') < ?5"
        }
        SessionChange::Status(_) => {
            "UPDATE sessions SET status = ?4, updated_at = ?1,
                queued_at = CASE WHEN ?4 = 'pending' THEN COALESCE(queued_at, ?1) END
             WHERE id = ?2 AND tenant_id = ?3"
        }
        SessionChange::Unassign => {
            "UPDATE sessions SET status = 'pending', assigned_agent_id = NULL, updated_at = ?1,
                                 queued_at = COALESCE(queued_at, ?1)
             WHERE id = ?2 AND tenant_id = ?3"
        }
        SessionChange::Contact { .. } => {
            "UPDATE sessions SET visitor_email = ?4, updated_at = ?1 WHERE id = ?2 AND tenant_id = ?3"
        }
    }
}

/// `?1` → `$1`: the same statement for PostgreSQL (none of these has a `?` of its own).
pub(super) fn numbered_for_postgres(sql: &str) -> String {
    sql.replace('?', "$")
}
