//! The Content-Security-Policy of every answer: scripts only from this server, and inline ones
//! only with the request's nonce (Leptos puts it on its hydration scripts); WebAssembly may be
//! compiled; no plugins, no `<base>`, forms only to this server.
//!
//! A fresh nonce per request is made by the router's middleware, put in the request's
//! extensions for whatever renders the page, and written into the header after.

use leptos::prelude::{provide_context, use_context};

/// The nonce of one request's inline scripts.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

impl CspNonce {
    pub fn new() -> Self {
        // 128 bits, hex: within CSP's base64 alphabet.
        Self(crate::server::auth::random_key(16))
    }
}

impl Default for CspNonce {
    fn default() -> Self {
        Self::new()
    }
}

/// The policy for a page that may be framed by `frame_ancestors` (`'none'`, or a list).
pub fn policy(nonce: &CspNonce, frame_ancestors: &str) -> String {
    // `cargo leptos watch` reloads pages over its own socket, on another port.
    let dev_reload = if cfg!(debug_assertions) {
        " ws://127.0.0.1:* ws://localhost:*"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'{dev_reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}",
        nonce = nonce.0
    )
}

/// Gives Leptos this request's nonce (instead of one of its own), so that its hydration
/// scripts carry the nonce the header names. Called as a page's additional context.
pub fn provide_request_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}
