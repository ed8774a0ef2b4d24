//! The agent dashboard at `/`: sign-in, then the live inbox and the conversation view.
//!
//! The agent's token and profile live in localStorage, so a reload stays signed in. The
//! server renders a neutral page (it cannot see localStorage); after hydration the dashboard
//! checks the stored token with `GET /api/v1/auth/me` and shows the inbox or the sign-in form.

mod conversation;
mod inbox;
mod sign_in;
mod workspace;

use crate::client::{api, storage};
use crate::protocol::AgentProfile;
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use serde::{Deserialize, Serialize};

const AUTH_SLOT: &str = "switchboard.agent";

/// A signed-in agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auth {
    pub token: String,
    pub agent: AgentProfile,
}

/// Where the dashboard stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    /// Before the browser has looked at localStorage.
    Checking,
    SignIn {
        notice: Option<String>,
    },
    Workspace(Auth),
}

pub const EXPIRED: &str = "Your session has expired. Please sign in again.";

#[component]
pub fn Dashboard() -> impl IntoView {
    let screen = RwSignal::new(Screen::Checking);

    Effect::new(move |_| {
        let stored =
            storage::get(AUTH_SLOT).and_then(|raw| serde_json::from_str::<Auth>(&raw).ok());
        let Some(auth) = stored else {
            screen.set(Screen::SignIn { notice: None });
            return;
        };
        leptos::task::spawn_local(async move {
            match api::me(&auth.token).await {
                Ok(_) => screen.set(Screen::Workspace(auth)),
                Err(error) if error.is_unauthorized() => {
                    storage::remove(AUTH_SLOT);
                    screen.set(Screen::SignIn {
                        notice: Some(EXPIRED.into()),
                    });
                }
                // Offline: the workspace shows "Reconnecting…" and catches up later.
                Err(_) => screen.set(Screen::Workspace(auth)),
            }
        });
    });

    let signed_in = Callback::new(move |auth: Auth| {
        if let Ok(json) = serde_json::to_string(&auth) {
            storage::set(AUTH_SLOT, &json);
        }
        screen.set(Screen::Workspace(auth));
    });
    let signed_out = Callback::new(move |notice: Option<String>| {
        storage::remove(AUTH_SLOT);
        screen.set(Screen::SignIn { notice });
    });

    view! {
        <Title text="Switchboard · Agent dashboard" />
        <Stylesheet href="/chat.css" />
        {move || match screen.get() {
            Screen::Checking => view! {
                <main class="page page--centered"><p class="muted">"Loading…"</p></main>
            }
            .into_any(),
            Screen::SignIn { notice } => view! { <sign_in::SignIn on_signed_in=signed_in notice /> }.into_any(),
            Screen::Workspace(auth) => view! { <workspace::Workspace auth on_signed_out=signed_out /> }.into_any(),
        }}
    }
}
