//! The agent dashboard at `/`: sign-in, then the live inbox (with the search of every message)
//! and the conversation view (with its transcript and the visitor's other conversations); for
//! admins also `/knowledge` (the articles the assistant answers from) and `/settings`.
//!
//! The agent's token and profile live in localStorage, so a reload stays signed in. A token the
//! server no longer accepts (expired, or signed with another secret) leads back to the sign-in
//! form with a message saying so.

mod conversation;
mod desk;
mod inbox;
mod knowledge;
mod labels;
mod search;
mod settings;
mod sign_in;
mod team;
mod transcript;
mod visitor;
mod workspace;

pub use knowledge::KnowledgePage;
pub use settings::SettingsPage;
pub use workspace::DeskPage;

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
    SignIn { notice: Option<String> },
    Workspace(Auth),
}

pub const EXPIRED: &str =
    "You have been signed out (your sign-in expired or was ended). Please sign in again.";

#[component]
pub fn Dashboard() -> impl IntoView {
    // The server renders the sign-in form (it cannot see localStorage); a stored sign-in
    // replaces it right after hydration, and is checked with the server meanwhile.
    let screen = RwSignal::new(Screen::SignIn { notice: None });

    Effect::new(move |_| {
        let stored =
            storage::get(AUTH_SLOT).and_then(|raw| serde_json::from_str::<Auth>(&raw).ok());
        let Some(auth) = stored else {
            return;
        };
        let token = auth.token.clone();
        screen.set(Screen::Workspace(auth));
        leptos::task::spawn_local(async move {
            // Offline is fine: the workspace shows "Reconnecting…" and catches up later.
            if let Err(error) = api::me(&token).await {
                if error.is_unauthorized() {
                    storage::remove(AUTH_SLOT);
                    screen.set(Screen::SignIn {
                        notice: Some(EXPIRED.into()),
                    });
                }
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
        <Title text=crate::client::alerts::TITLE />
        <Stylesheet href="/chat.css" />
        {move || match screen.get() {
            Screen::SignIn { notice } => view! { <sign_in::SignIn on_signed_in=signed_in notice /> }.into_any(),
            Screen::Workspace(auth) => view! { <workspace::Workspace auth on_signed_out=signed_out /> }.into_any(),
        }}
    }
}
