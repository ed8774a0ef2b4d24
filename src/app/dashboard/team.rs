//! Presence in the dashboard: the agent's own status in the top bar (available, busy, away),
//! and the team with a dot for who is online, away or offline.

use super::desk::{Desk, MyStatus};
use crate::protocol::{Availability, PresenceStatus, TeamMember};
use leptos::prelude::*;

/// "Your status": what the agent says about themselves.
#[component]
pub fn MyStatusChoice(desk: Desk) -> impl IntoView {
    view! {
        <select class="my-status" aria-label="Your status"
            prop:value=move || desk.my_status().value()
            on:change=move |ev| {
                if let Some(status) = MyStatus::parse(&event_target_value(&ev)) {
                    desk.set_my_status(status);
                }
            }>
            {MyStatus::ALL.into_iter().map(|s| view! { <option value=s.value()>{s.label()}</option> }).collect_view()}
        </select>
    }
}

/// Who is at their desk, the online first.
#[component]
pub fn TeamList(desk: Desk) -> impl IntoView {
    let members = move || {
        let mut team: Vec<TeamMember> = desk
            .team
            .get()
            .into_iter()
            .filter(|m| !m.disabled)
            .collect();
        team.sort_by_key(|m| (rank(m.status), m.name.clone()));
        team.into_iter().map(member).collect_view()
    };
    view! {
        <section class="team" aria-labelledby="team-title">
            <h3 id="team-title" class="team__title">"Team"</h3>
            <ul class="team__list">{members}</ul>
        </section>
    }
}

fn rank(status: PresenceStatus) -> u8 {
    match status {
        PresenceStatus::Online => 0,
        PresenceStatus::Away => 1,
        PresenceStatus::Offline => 2,
    }
}

fn member(member: TeamMember) -> impl IntoView {
    let (tone, words) = match member.status {
        PresenceStatus::Online => ("online", "Online"),
        PresenceStatus::Away => ("away", "Away"),
        PresenceStatus::Offline => ("offline", "Offline"),
    };
    let busy = (member.availability == Availability::Busy
        && member.status != PresenceStatus::Offline)
        .then_some(" · Busy");
    view! {
        <li class="team__member" data-agent-id=member.id.clone()>
            <span class=format!("presence presence--{tone}") aria-hidden="true"></span>
            <span class="team__name">{member.name}</span>
            <span class="team__status">{words}{busy}</span>
        </li>
    }
}
