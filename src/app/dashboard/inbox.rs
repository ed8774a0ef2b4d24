//! The inbox: its views (unassigned, AI, mine, all open, closed) with live counts, and the
//! conversations, newest activity first, each with a dot while its visitor is on the site.
//! Above them the search box; while a search is shown, its results take the list's place (the
//! list stays, hidden, where the agent left it).

use super::desk::Desk;
use super::labels::{last_line, visitor_name, StatusPill};
use super::search::{SearchBox, SearchResults};
use super::team::TeamList;
use super::visitor::OnSiteDot;
use crate::client::inbox::Filter;
use crate::client::time::short_time;
use crate::protocol::Session;
use leptos::prelude::*;

#[component]
pub fn InboxPane(desk: Desk) -> impl IntoView {
    let me = desk.me.with_value(|m| m.id.clone());
    let rows = move || {
        let filter = desk.filter.get();
        let (sessions, complete) = desk
            .inbox
            .with(|i| (i.view(filter, &me), i.complete(filter)));
        if sessions.is_empty() && complete {
            let empty = match filter {
                Filter::Unassigned => "Nobody is waiting for a person. Nice work!",
                Filter::Ai => "The assistant is not talking to anyone right now.",
                Filter::Mine => "You hold no open conversation.",
                Filter::Open => {
                    "No open conversations. They appear here the moment a visitor writes."
                }
                Filter::Closed => "No closed conversations yet.",
            };
            return view! { <li class="inbox__empty muted">{empty}</li> }.into_any();
        }
        sessions
            .into_iter()
            .map(|session| row(desk, session))
            .collect_view()
            .into_any()
    };

    let list = NodeRef::<leptos::html::Ul>::new();
    // More load as the agent nears the end of the list.
    let near_end = move |_| {
        if let Some(list) = list.get() {
            if list.scroll_top() + list.client_height() >= list.scroll_height() - 120 {
                desk.load_more(desk.filter.get_untracked());
            }
        }
    };
    let searching = move || desk.search.outcome.with(|o| !o.is_idle());
    view! {
        <aside class="inbox" aria-label="Inbox">
            <div class="inbox__head">
                <h2>"Conversations"</h2>
                <SearchBox desk />
                <div hidden=searching>
                    <ViewTabs desk />
                </div>
            </div>
            <Show when=searching>
                <SearchResults desk />
            </Show>
            <ul class="inbox__list" node_ref=list on:scroll=near_end hidden=searching>
                {rows}
                <LoadMore desk />
            </ul>
            <TeamList desk />
        </aside>
    }
}

/// The views, each with its count ("12+" while more of the list is still to load).
#[component]
fn ViewTabs(desk: Desk) -> impl IntoView {
    let me = desk.me.with_value(|m| m.id.clone());
    let tab = move |filter: Filter| {
        let me = me.clone();
        let count = move || {
            desk.inbox.with(|i| {
                let more = if i.complete(filter) { "" } else { "+" };
                format!("{}{more}", i.count(filter, &me))
            })
        };
        view! {
            <button
                type="button"
                class="tab"
                aria-pressed=move || (desk.filter.get() == filter).to_string()
                on:click=move |_| desk.filter.set(filter)
            >
                {filter.label()}
                <span class="tab__count">{count}</span>
            </button>
        }
    };
    view! {
        <div class="tabs" role="group" aria-label="Filter">
            {Filter::ALL.into_iter().map(tab).collect_view()}
        </div>
    }
}

/// At the end of a list with more to load: the button that loads it (scrolling does too).
#[component]
fn LoadMore(desk: Desk) -> impl IntoView {
    let more = move || desk.inbox.with(|i| !i.complete(desk.filter.get()));
    let loading = move || desk.inbox.with(|i| i.loading);
    view! {
        <Show when=more>
            <li class="inbox__more">
                <button type="button" class="button button--quiet" disabled=loading
                    on:click=move |_| desk.load_more(desk.filter.get_untracked())>
                    {move || if loading() { "Loading…" } else { "Load more conversations" }}
                </button>
            </li>
        </Show>
    }
}

fn row(desk: Desk, session: Session) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let id = session.id.clone();
    let open_id = id.clone();
    let selected = {
        let id = id.clone();
        move || desk.selected.get().as_deref() == Some(id.as_str())
    };
    let typing = {
        let id = id.clone();
        move || desk.visitors_typing.with(|t| t.contains(&id))
    };
    let dot_id = id.clone();
    let preview = last_line(&session);
    let status = session.status;
    let holder = session.assigned_agent.as_ref().map(|a| a.name.clone());
    let unread = session.unread_count;
    let time = short_time(&session.updated_at.0);
    view! {
        <li>
            <button
                type="button"
                class="inbox__row"
                aria-current=move || selected().then_some("true")
                data-session-id=id
                // To the conversation's address; the page opens it from there.
                on:click=move |_| navigate(&format!("/conversations/{open_id}"), Default::default())
            >
                <span class="inbox__top">
                    <span class="inbox__visitor">
                        {visitor_name(&session)}
                        <OnSiteDot desk session_id=dot_id />
                    </span>
                    <span class="inbox__time">{time}</span>
                </span>
                <span class="inbox__preview">
                    {move || if typing() { "Typing…".to_string() } else { preview.clone() }}
                </span>
                <span class="inbox__tags">
                    <StatusPill status />
                    {holder.map(|name| view! { <span class="inbox__holder">{name}</span> })}
                    {(unread > 0).then(|| view! {
                        <span class="unread" aria-label=format!("{unread} unread")>{unread}</span>
                    })}
                </span>
            </button>
        </li>
    }
}
