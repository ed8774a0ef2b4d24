//! Switchboard: self-hosted, real-time customer-support chat in one Rust program.
//!
//! The crate builds twice from the same source: as the server (feature `ssr`, the `switchboard`
//! binary) and as the WASM bundle that hydrates the pages in the browser (feature `hydrate`).
//!
//! Module map:
//! - [`appearance`]: a tenant's widget colours, kept at AA contrast, for both targets.
//! - [`protocol`]: the wire types (REST bodies, WebSocket frames), shared by both targets.
//! - [`app`]: the Leptos components of every page, rendered on the server and hydrated in the
//!   browser: the agent dashboard, the demo shop, the WebSocket diagnostics page.
//! - [`client`]: the browser side of the wire: WebSocket connections and the typed REST client.
//!   Its types compile everywhere so components can hold them; its I/O runs in the browser only.
//! - `server` (feature `ssr`): configuration, the HTTP router, WebSocket endpoints, storage.

// Leptos views are deeply nested types; the dashboard goes past the default limit.
#![recursion_limit = "256"]

pub mod app;
pub mod appearance;
pub mod client;
pub mod protocol;

#[cfg(feature = "ssr")]
pub mod server;

/// The WASM entry point of the main bundle: attaches the reactive app to the HTML the server
/// rendered.
#[cfg(all(feature = "hydrate", not(feature = "messenger")))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    mark_hydrated();
}

/// The WASM entry point of the messenger's bundle: the same setup the server rendered with,
/// read back from the page, then the messenger alone. In a debug build, a page that says
/// `data-mount` was not rendered by the server (Trunk's development page, messenger.html): the
/// messenger is mounted into it rather than hydrated.
#[cfg(feature = "messenger")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use app::messenger::{Messenger, MessengerSetup};
    console_error_panic_hook::set_once();
    let holder = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-setup]").ok().flatten());
    let setup = holder
        .as_ref()
        .and_then(|e| e.get_attribute("data-setup"))
        .and_then(|json| serde_json::from_str::<MessengerSetup>(&json).ok());
    let Some(setup) = setup else {
        leptos::logging::error!("the messenger page has no setup to hydrate with");
        return;
    };
    // Only `trunk serve`'s debug builds can mount: the release bundle every visitor downloads
    // carries no code for building the page from nothing (about 2 KB brotli).
    #[cfg(debug_assertions)]
    if holder.is_some_and(|e| e.has_attribute("data-mount")) {
        leptos::mount::mount_to_body(move || leptos::view! { <Messenger setup /> });
        mark_hydrated();
        return;
    }
    #[cfg(not(debug_assertions))]
    let _ = holder;
    leptos::mount::hydrate_body(move || leptos::view! { <Messenger setup /> });
    mark_hydrated();
}

/// Marks the page as interactive, for tests and for styles that wait for the WASM.
#[cfg(feature = "hydrate")]
fn mark_hydrated() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
