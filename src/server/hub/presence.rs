//! Who is at their desk (docs/design.md, "Presence"). An agent is `online` while one of their
//! dashboards is connected and was used within the idle time, `away` after that or when they
//! say so, and `offline` once none is connected; `available` or `busy` is their own choice.
//!
//! Each dashboard socket keeps a record with the broker (in memory, or in Redis for every
//! node) that lapses unless its node refreshes it, so an agent whose node died goes offline by
//! itself. Presence is worked out, not sent: every node computes it from the records and tells
//! its own sockets what changed (`agent.presence` to agents, `team.availability` to visitors),
//! at once for what happens on it and within a sweep for what happens elsewhere.

use super::{AgentActor, Hub, HubResult};
use crate::protocol::{
    AgentRef, Availability, PresenceRequest, PresenceStatus, ServerEvent, TeamMember, TeamState,
};
use crate::server::{
    broker::{visitors_roster, Event, SocketPresence, Topic},
    office_hours::OfficeHours,
    shutdown::ShutdownListener,
    store::{Agent, AgentChange, Tenant},
};
use chrono::{DateTime, SecondsFormat, Utc};
use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
    time::Duration,
};
use tokio::sync::watch;

/// When records lapse, when an unused dashboard counts as away, how often each node looks.
#[derive(Debug, Clone, Copy)]
pub struct PresenceTimes {
    pub lapse: Duration,
    pub idle: Duration,
    pub sweep: Duration,
}

/// Whose presence a socket counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Party {
    Agent(String),
    /// A visitor, by their session's id.
    Visitor(String),
}

impl Party {
    fn id(&self) -> &str {
        match self {
            Party::Agent(id) | Party::Visitor(id) => id,
        }
    }

    /// Where the broker keeps this party's records.
    fn roster(&self, tenant_id: &str) -> String {
        match self {
            Party::Agent(_) => tenant_id.to_string(),
            Party::Visitor(_) => visitors_roster(tenant_id),
        }
    }
}

/// One of this node's dashboard or visitor sockets.
#[derive(Debug, Clone)]
struct OwnSocket {
    tenant_id: String,
    party: Party,
    active_at_ms: u64,
    recorded_at_ms: u64,
}

/// An agent's presence as told: what `agent.presence` says.
pub(super) type Told = (PresenceStatus, Availability);

/// This node's part of presence.
pub struct PresenceBoard {
    pub(super) times: PresenceTimes,
    sockets: Mutex<HashMap<String, OwnSocket>>,
    /// Tenant → agent → what this node's sockets were last told.
    told: Mutex<HashMap<String, HashMap<String, Told>>>,
    /// Tenant → session → what this node's agent sockets were last told of its visitor.
    pub(super) visitors_told: Mutex<HashMap<String, HashMap<String, PresenceStatus>>>,
    /// Tenant → whether a person can join now, for this node's visitor sockets.
    teams: Mutex<HashMap<String, watch::Sender<TeamState>>>,
    /// One working-out at a time, so that one begun before a change never tells after it.
    pub(super) refreshing: tokio::sync::Mutex<()>,
}

impl PresenceBoard {
    pub fn new(times: PresenceTimes) -> Self {
        Self {
            times,
            sockets: Mutex::default(),
            told: Mutex::default(),
            visitors_told: Mutex::default(),
            teams: Mutex::default(),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The tenants this node has sockets in: the ones it keeps computing.
    fn tenants(&self) -> HashSet<String> {
        let mut tenants: HashSet<String> = self
            .sockets
            .lock()
            .expect("presence lock")
            .values()
            .map(|s| s.tenant_id.clone())
            .collect();
        let mut teams = self.teams.lock().expect("presence lock");
        teams.retain(|_, team| team.receiver_count() > 0);
        tenants.extend(teams.keys().cloned());
        tenants
    }
}

/// Milliseconds since the Unix epoch.
pub(super) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// An agent's status from their live records (lapsed ones left out) and their own word.
pub fn status_of(
    agent: &Agent,
    records: &[&SocketPresence],
    now: u64,
    idle: Duration,
) -> PresenceStatus {
    let theirs = records.iter().copied().filter(|r| r.party_id == agent.id);
    match seen_status(theirs, now, idle) {
        PresenceStatus::Online if agent.away => PresenceStatus::Away,
        status => status,
    }
}

/// Someone's status from their sockets' records: `offline` with none live, `online` when one
/// was used within `idle`, `away` otherwise.
pub(super) fn seen_status<'a>(
    records: impl Iterator<Item = &'a SocketPresence>,
    now: u64,
    idle: Duration,
) -> PresenceStatus {
    let last_active = records
        .filter(|r| r.lapses_at_ms > now)
        .map(|r| r.active_at_ms)
        .max();
    match last_active {
        None => PresenceStatus::Offline,
        Some(at) if now.saturating_sub(at) < idle.as_millis() as u64 => PresenceStatus::Online,
        Some(_) => PresenceStatus::Away,
    }
}

/// Whether a person can join now, by the tenant's hours at `now` and who is here.
fn team_state(
    tenant: Option<&Tenant>,
    agents: &[Agent],
    presence: &HashMap<String, Told>,
    now: DateTime<Utc>,
) -> TeamState {
    let back_at = tenant
        .and_then(|t| OfficeHours::of(&t.hours))
        .and_then(|hours| hours.next_opening(now));
    TeamState {
        available: back_at.is_none() && anyone_can_join(agents, presence),
        back_at: back_at.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)),
    }
}

/// Someone enabled is online and available: a person can join a conversation now.
fn anyone_can_join(agents: &[Agent], presence: &HashMap<String, Told>) -> bool {
    agents.iter().any(|agent| {
        !agent.disabled
            && presence.get(&agent.id) == Some(&(PresenceStatus::Online, Availability::Available))
    })
}

impl Hub {
    /// An agent's dashboard socket opened on this node; its id, to name it later.
    pub async fn agent_connected(&self, agent: &AgentActor) -> String {
        let party = Party::Agent(agent.agent_id.clone());
        let socket_id = self.socket_opened(&agent.tenant_id, party);
        self.refresh_presence(&agent.tenant_id).await;
        socket_id
    }

    /// A socket of this node counts for `party` from now on; its id, to name it later.
    pub(super) fn socket_opened(&self, tenant_id: &str, party: Party) -> String {
        let socket_id = crate::server::store::new_id();
        let now = now_ms();
        let own = OwnSocket {
            tenant_id: tenant_id.to_string(),
            party,
            active_at_ms: now,
            recorded_at_ms: now,
        };
        let mut sockets = self.presence.sockets.lock().expect("presence lock");
        self.record_socket(&socket_id, &own);
        sockets.insert(socket_id.clone(), own);
        socket_id
    }

    /// The agent used the dashboard of this socket, or the visitor the page.
    pub async fn socket_active(&self, socket_id: &str) {
        let touched = {
            // Recorded under the lock: a close cannot slip in between and be undone.
            let mut sockets = self.presence.sockets.lock().expect("presence lock");
            let Some(own) = sockets.get_mut(socket_id) else {
                return;
            };
            own.active_at_ms = now_ms();
            own.recorded_at_ms = own.active_at_ms;
            self.record_socket(socket_id, own);
            own.clone()
        };
        self.refresh_party(&touched.tenant_id, &touched.party).await;
    }

    /// The socket closed: its record goes at once.
    pub async fn socket_left(&self, socket_id: &str) {
        let gone = {
            let mut sockets = self.presence.sockets.lock().expect("presence lock");
            let Some(own) = sockets.remove(socket_id) else {
                return;
            };
            let broker = self.timeline.broker();
            broker.record_presence(&own.party.roster(&own.tenant_id), socket_id, None);
            own
        };
        if let Party::Visitor(session_id) = &gone.party {
            self.visitor_page_closed(&gone.tenant_id, session_id).await;
        }
        self.refresh_party(&gone.tenant_id, &gone.party).await;
    }

    async fn refresh_party(&self, tenant_id: &str, party: &Party) {
        match party {
            Party::Agent(_) => self.refresh_presence(tenant_id).await,
            Party::Visitor(_) => self.refresh_visitors(tenant_id).await,
        }
    }

    /// The signed-in agent says they are away (or back), or changes their availability.
    pub async fn set_presence(
        &self,
        actor: &AgentActor,
        request: PresenceRequest,
    ) -> HubResult<TeamMember> {
        let store = self.timeline.store();
        if let Some(away) = request.away {
            store
                .update_agent(&actor.agent_id, AgentChange::Away(away))
                .await?;
        }
        if let Some(availability) = request.availability {
            let change = AgentChange::Availability(availability);
            store.update_agent(&actor.agent_id, change).await?;
        }
        self.refresh_presence(&actor.tenant_id).await;
        let team = self.team(actor).await?;
        team.into_iter()
            .find(|member| member.id == actor.agent_id)
            .ok_or(super::HubError::SignedOut("this agent no longer exists"))
    }

    /// Each agent's status and availability, now.
    pub(super) async fn presence_of(
        &self,
        tenant_id: &str,
        agents: &[Agent],
    ) -> HashMap<String, Told> {
        let records = self.timeline.broker().presence(tenant_id).await;
        let records: Vec<&SocketPresence> = records.iter().map(|(_, r)| r).collect();
        let now = now_ms();
        agents
            .iter()
            .map(|agent| {
                let status = status_of(agent, &records, now, self.presence.times.idle);
                (agent.id.clone(), (status, agent.availability))
            })
            .collect()
    }

    /// Whether a person can join the tenant's conversations now, and each change after, for
    /// a visitor socket.
    pub async fn team_watch(&self, tenant_id: &str) -> watch::Receiver<TeamState> {
        if let Some(team) = self
            .presence
            .teams
            .lock()
            .expect("presence lock")
            .get(tenant_id)
        {
            return team.subscribe();
        }
        let now = self.team_state(tenant_id).await;
        let mut teams = self.presence.teams.lock().expect("presence lock");
        teams
            .entry(tenant_id.to_string())
            .or_insert_with(|| watch::Sender::new(now))
            .subscribe()
    }

    /// Whether a person can join now: within the tenant's office hours, someone online and
    /// available; out of hours, when the team is back.
    pub async fn team_state(&self, tenant_id: &str) -> TeamState {
        let store = self.timeline.store();
        let tenant = store.tenant(tenant_id).await.ok().flatten();
        let agents = store.agents(tenant_id).await.unwrap_or_default();
        let presence = self.presence_of(tenant_id, &agents).await;
        team_state(tenant.as_ref(), &agents, &presence, Utc::now())
    }

    /// Works the tenant's presence out again and tells this node's sockets what changed.
    pub(super) async fn refresh_presence(&self, tenant_id: &str) {
        let _one_at_a_time = self.presence.refreshing.lock().await;
        let Ok(agents) = self.timeline.store().agents(tenant_id).await else {
            return;
        };
        let now = self.presence_of(tenant_id, &agents).await;
        let changed: Vec<(&Agent, Told)> = {
            let mut told = self.presence.told.lock().expect("presence lock");
            let before = told.entry(tenant_id.to_string()).or_default();
            let changed = agents
                .iter()
                .filter_map(|a| now.get(&a.id).map(|t| (a, *t)))
                .filter(|(a, t)| {
                    before
                        .get(&a.id)
                        .unwrap_or(&(PresenceStatus::Offline, Availability::Available))
                        != t
                })
                .collect();
            *before = now.clone();
            changed
        };
        if !changed.is_empty() {
            // Someone may have become free to take a conversation.
            self.timeline.desk_changes().note(tenant_id);
        }
        let topic = [Topic::Tenant(tenant_id.to_string())];
        for (agent, (status, availability)) in changed {
            let event = ServerEvent::AgentPresence {
                agent: AgentRef {
                    id: agent.id.clone(),
                    name: agent.name.clone(),
                },
                status,
                availability,
            };
            self.timeline
                .broker()
                .publish_here(&topic, Event::new(event));
        }
        let tenant = self.timeline.store().tenant(tenant_id).await.ok().flatten();
        let state = team_state(tenant.as_ref(), &agents, &now, Utc::now());
        if let Some(team) = self
            .presence
            .teams
            .lock()
            .expect("presence lock")
            .get(tenant_id)
        {
            team.send_if_modified(|shown| std::mem::replace(shown, state.clone()) != state);
        }
    }

    fn record_socket(&self, socket_id: &str, own: &OwnSocket) {
        let record = SocketPresence {
            party_id: own.party.id().to_string(),
            active_at_ms: own.active_at_ms,
            lapses_at_ms: own.recorded_at_ms + self.presence.times.lapse.as_millis() as u64,
        };
        self.timeline.broker().record_presence(
            &own.party.roster(&own.tenant_id),
            socket_id,
            Some(record),
        );
    }

    /// One sweep: this node's records refreshed before they lapse, lapsed records of any node
    /// removed, and every tenant this node has sockets in worked out again (so that idling and
    /// what happened on other nodes reach this node's sockets).
    pub async fn sweep_presence(&self) {
        let now = now_ms();
        let refresh_every = self.presence.times.lapse.as_millis() as u64 / 3;
        {
            // Recorded under the lock, as in `agent_active`: a socket that closes meanwhile is
            // either not refreshed or has its removal queued after the refresh.
            let mut sockets = self.presence.sockets.lock().expect("presence lock");
            for (socket_id, own) in sockets.iter_mut() {
                if now.saturating_sub(own.recorded_at_ms) >= refresh_every {
                    own.recorded_at_ms = now;
                    self.record_socket(socket_id, own);
                }
            }
        }
        for tenant_id in self.presence.tenants() {
            let broker = self.timeline.broker();
            let visitors = visitors_roster(&tenant_id);
            for roster in [&tenant_id, &visitors] {
                for (socket_id, record) in broker.presence(roster).await {
                    if record.lapses_at_ms <= now
                        && broker.forget_presence(roster, &socket_id).await
                    {
                        tracing::info!(who = %record.party_id, "a socket's node stopped answering: its presence lapsed");
                        if *roster == visitors {
                            self.visitor_page_closed(&tenant_id, &record.party_id).await;
                        }
                    }
                }
            }
            self.refresh_presence(&tenant_id).await;
            self.refresh_visitors(&tenant_id).await;
        }
    }

    /// Sweeps every `sweep` until the server stops.
    pub fn keep_presence(self: std::sync::Arc<Self>, mut stop: ShutdownListener) {
        let every = self.presence.times.sweep;
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = stop.stopping() => return,
                }
                self.sweep_presence().await;
            }
        });
    }
}
