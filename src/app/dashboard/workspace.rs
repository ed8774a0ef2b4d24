//! The signed-in dashboard: the top bar with the "Live" indicator and the pages (the inbox with
//! the open conversation; for admins the knowledge base and the settings), all fed by one agent
//! socket (the [`Desk`]), which stays open while the agent moves between pages.

use super::desk::Desk;
use super::team::MyStatusChoice;
use super::{conversation::ConversationPane, inbox::InboxPane, Auth};
use crate::protocol::AgentRole;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_params_map;

#[component]
pub fn Workspace(auth: Auth, on_signed_out: Callback<Option<String>>) -> impl IntoView {
    let desk = Desk::new(&auth, on_signed_out);
    provide_context(desk);
    // The socket opens after hydration (effects run in the browser only).
    Effect::new(move |_| desk.connect());
    Effect::new(move |_| desk.check_token_while_reconnecting());
    desk.read_on_return();
    desk.keep_title();
    let navigate = leptos_router::hooks::use_navigate();
    desk.open_conversation
        .set_value(Some(Callback::new(move |id: String| {
            navigate(&format!("/conversations/{id}"), Default::default());
        })));
    on_cleanup(move || desk.disconnect());
    // Using the dashboard keeps the agent `online` rather than `away`.
    let used = move || {
        desk.note_activity();
        crate::client::alerts::wake_sound();
    };
    let keys = window_event_listener(leptos::ev::keydown, move |_| used());
    let pointer = window_event_listener(leptos::ev::pointerdown, move |_| used());
    on_cleanup(move || {
        keys.remove();
        pointer.remove();
    });

    view! {
        <div class="workspace">
            <TopBar desk on_signed_out />
            <ProblemBanner desk />
            <NotificationOffer desk />
            <Outlet />
        </div>
    }
}

/// `/` and `/conversations/{id}`: the inbox and the open conversation. The address names the
/// open conversation, so a reload, back and forward keep it.
#[component]
pub fn DeskPage() -> impl IntoView {
    let desk = expect_context::<Desk>();
    let params = use_params_map();
    Effect::new(move |_| match params.with(|p| p.get("id")) {
        Some(id) => desk.open(id),
        None => desk.close_conversation(),
    });
    view! {
        <main class="workspace__panes" class:workspace__panes--open=move || desk.selected.with(Option::is_some)>
            <InboxPane desk />
            <ConversationPane desk />
        </main>
    }
}

/// The dashboard's pages; the knowledge base and the settings are an admin's.
#[component]
fn PageLinks(desk: Desk) -> impl IntoView {
    let admin = desk.me.with_value(|me| me.role == AgentRole::Admin);
    view! {
        <nav class="topbar__nav" aria-label="Dashboard">
            <A href="/" exact=true>"Inbox"</A>
            {admin.then(|| view! {
                <A href="/knowledge">"Knowledge base"</A>
                <A href="/settings">"Settings"</A>
            })}
        </nav>
    }
}

/// The brand, the pages, the connection indicator, and the agent with "Sign out".
#[component]
fn TopBar(desk: Desk, on_signed_out: Callback<Option<String>>) -> impl IntoView {
    let indicator = move || desk.link.get().indicator("Live");
    let name = desk.me.with_value(|me| me.name.clone());
    let initials = initials(&name);
    let sign_out = move |_| {
        let token = desk.token.get_value();
        leptos::task::spawn_local(async move { crate::client::api::logout(&token).await });
        on_signed_out.run(None);
    };
    view! {
        <header class="topbar">
            <div class="topbar__brand">
                <span class="brand-mark brand-mark--small" aria-hidden="true">"S"</span>
                <span>"Switchboard"</span>
            </div>
            <PageLinks desk />
            <span
                class=move || format!("link link--{} topbar__link", indicator().tone)
                role="status"
                aria-label="Connection"
            >
                {move || indicator().label}
            </span>
            <div class="topbar__me">
                <span class="avatar" aria-hidden="true">{initials}</span>
                <span class="topbar__name">{name}</span>
                <MyStatusChoice desk />
                <label class="topbar__sound" title="A short tone with each alert while this tab is in the background">
                    <input type="checkbox" prop:checked=move || desk.sound_on.get()
                        on:change=move |ev| desk.set_sound(event_target_checked(&ev)) />
                    "Sound"
                </label>
                <button type="button" class="button button--quiet" on:click=sign_out>
                    "Sign out"
                </button>
            </div>
        </header>
    }
}

/// Asks once, politely, whether the agent wants desktop notifications; the browser's own
/// question comes only if they say yes.
#[component]
fn NotificationOffer(desk: Desk) -> impl IntoView {
    let shown = RwSignal::new(false);
    // After hydration: only the browser knows the permission.
    Effect::new(move |_| shown.set(desk.offers_notifications()));
    let answer = move |turn_on: bool| desk.answer_notifications(turn_on, move || shown.set(false));
    move || {
        shown.get().then(|| view! {
            <div class="banner banner--offer" role="region" aria-label="Notifications">
                <p>"Get a desktop notification when a visitor needs you while this tab is in the background?"</p>
                <button type="button" class="button button--primary" on:click=move |_| answer(true)>
                    "Turn on notifications"
                </button>
                <button type="button" class="button button--quiet" on:click=move |_| answer(false)>"Not now"</button>
            </div>
        })
    }
}

/// The first letters of the agent's first two names, for the avatar.
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect()
}

/// The last problem a request or the socket reported, and news about the agent's
/// conversations, until the agent dismisses them.
#[component]
fn ProblemBanner(desk: Desk) -> impl IntoView {
    let news = move || {
        desk.notice.get().map(|text| {
            view! {
                <p class="banner banner--news" role="status">
                    {text}
                    <button type="button" class="button button--quiet" on:click=move |_| desk.notice.set(None)>
                        "Dismiss"
                    </button>
                </p>
            }
        })
    };
    let problem = move || {
        desk.problem.get().map(|text| {
            view! {
                <p class="banner" role="alert">
                    {text}
                    <button type="button" class="button button--quiet" on:click=move |_| desk.problem.set(None)>
                        "Dismiss"
                    </button>
                </p>
            }
        })
    };
    view! { {news} {problem} }
}
