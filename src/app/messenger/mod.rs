//! The customer's messenger: the page inside the iframe that `widget.js` adds to a shop.
//!
//! It has its own document shell and its own small WASM bundle (feature `messenger`), so a
//! shop's visitors never download the dashboard. The server renders it with the tenant's name
//! and greeting; the same setup travels in a `data-setup` attribute for hydration.
//!
//! The visitor's session key lives in localStorage (per widget key), so a reload or another
//! page of the shop shows the same conversation; so does the anonymous visitor's key, which
//! ties their conversations together ("Your conversations"). The host page and the messenger
//! talk through `postMessage`: the host says who the visitor is (a shop's verified customer,
//! or nobody) and when the widget is opened or closed, the messenger reports its unread count
//! (for the bubble's badge) and asks to be closed.
//!
//! `state` holds the messenger's signals and what it does with them, `view` shows them (with
//! `earlier`, the visitor's earlier conversations, and `menu`, the header's "More options"),
//! `host` is the bridge to the host page and `saved` what survives a reload.

mod earlier;
mod host;
mod menu;
mod saved;
mod state;
mod view;

pub use view::{Messenger, WidgetAvatar};

use crate::protocol::WidgetConfig;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the server knows when it renders the messenger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessengerSetup {
    pub widget_key: String,
    pub config: WidgetConfig,
    /// Opened from the link in a follow-up email (`?resume=KEY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<EmailLink>,
}

/// What the link in a follow-up email opens: its conversation, or nothing once it expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum EmailLink {
    #[serde(rename_all = "camelCase")]
    Opens {
        session_key: String,
        session_id: String,
    },
    Expired,
}

/// Where the messenger's own bundle is served: Trunk builds it into `target/site/messenger`
/// (Trunk.toml), under wasm-bindgen's names for this crate.
const BUNDLE_JS: &str = "/messenger/switchboard.js";
const BUNDLE_WASM: &str = "/messenger/switchboard_bg.wasm";

/// The messenger's HTML document.
pub fn messenger_shell(setup: MessengerSetup) -> impl IntoView {
    let title = format!("Chat with {}", setup.config.tenant_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{title}</title>
                <link rel="stylesheet" href="/chat.css" />
                <link rel="stylesheet" href="/messenger.css" />
                <BundleScripts />
            </head>
            <body class="messenger-page">
                <Messenger setup />
            </body>
        </html>
    }
}

/// Loads the messenger's bundle and hydrates the page with it, as Leptos's `HydrationScripts`
/// does for the main bundle (whose names cargo-leptos chooses).
#[component]
fn BundleScripts() -> impl IntoView {
    let boot = format!(
        "import init, {{ hydrate }} from '{BUNDLE_JS}'; \
         init({{ module_or_path: '{BUNDLE_WASM}' }}).then(() => hydrate());"
    );
    view! {
        <link rel="modulepreload" href=BUNDLE_JS />
        <link rel="preload" href=BUNDLE_WASM r#as="fetch" r#type="application/wasm" crossorigin="" />
        <script type="module" nonce=leptos::nonce::use_nonce()>{boot}</script>
    }
}
