//! Presence on the desk: the team with who is online, the agent's own status, and telling the
//! server that this dashboard is being used (what keeps its agent `online`).

use super::Desk;
use crate::client::api;
use crate::client::typing::now_ms;
use crate::protocol::{Availability, ClientCommand, PresenceRequest, ServerEvent};
use leptos::prelude::*;

/// At most one "activity" frame this often: the server's idle time is minutes.
const ACTIVITY_EVERY_MS: f64 = 60_000.0;

/// What an agent says about themselves, in the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MyStatus {
    Available,
    Busy,
    Away,
}

impl MyStatus {
    pub const ALL: [MyStatus; 3] = [MyStatus::Available, MyStatus::Busy, MyStatus::Away];

    pub fn label(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::Busy => "Busy",
            Self::Away => "Away",
        }
    }

    pub fn value(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Busy => "busy",
            Self::Away => "away",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.value() == value)
    }

    fn request(self) -> PresenceRequest {
        match self {
            Self::Away => PresenceRequest {
                away: Some(true),
                availability: None,
            },
            Self::Available | Self::Busy => PresenceRequest {
                away: Some(false),
                availability: Some(if self == Self::Busy {
                    Availability::Busy
                } else {
                    Availability::Available
                }),
            },
        }
    }
}

impl Desk {
    pub fn refresh_team(self) {
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(members) = api::team(&token).await {
                self.team.set(members);
            }
        });
    }

    /// A colleague's presence changed.
    pub(super) fn apply_presence(self, event: &ServerEvent) {
        let ServerEvent::AgentPresence {
            agent,
            status,
            availability,
        } = event
        else {
            return;
        };
        let known = self.team.try_update(|team| {
            let member = team.iter_mut().find(|m| m.id == agent.id)?;
            member.status = *status;
            member.availability = *availability;
            Some(())
        });
        if known.flatten().is_none() {
            self.refresh_team();
        }
    }

    /// What the agent said about themselves, as the top bar shows it.
    pub fn my_status(self) -> MyStatus {
        let me = self.me.with_value(|me| me.id.clone());
        self.team
            .with(|team| match team.iter().find(|m| m.id == me) {
                Some(m) if m.away => MyStatus::Away,
                Some(m) if m.availability == Availability::Busy => MyStatus::Busy,
                _ => MyStatus::Available,
            })
    }

    pub fn set_my_status(self, status: MyStatus) {
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            match api::set_presence(&token, &status.request()).await {
                Ok(me) => self.team.update(|team| {
                    if let Some(member) = team.iter_mut().find(|m| m.id == me.id) {
                        *member = me;
                    }
                }),
                Err(error) => self.fail(error),
            }
        });
    }

    /// The agent used the dashboard: the server hears it at most once a minute.
    pub fn note_activity(self) {
        let now = now_ms();
        if now - self.told_active_at.get_value() < ACTIVITY_EVERY_MS {
            return;
        }
        self.told_active_at.set_value(now);
        if let Some(socket) = self.socket.get_value() {
            socket.send(ClientCommand::Activity);
        }
    }
}
