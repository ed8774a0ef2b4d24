//! The bridge to the host page around the iframe, through `postMessage` (the messages are in
//! docs/protocol.md, "The embed"). Messages carry `source: "switchboard"` (from us) or
//! `source: "switchboard-host"` (from widget.js).

use crate::protocol::{PageVisit, VisitorIdentity};
use leptos::prelude::*;

/// What the host page tells about the visitor: who they are, the page they are on, and each
/// time they use it (a count, at most one a minute).
#[derive(Clone, Copy)]
pub struct HostReports {
    pub identity: RwSignal<Identity>,
    pub page: RwSignal<Option<PageVisit>>,
    pub used: RwSignal<u64>,
}

impl HostReports {
    pub fn new() -> Self {
        Self {
            identity: RwSignal::new(Identity::Awaited),
            page: RwSignal::new(None),
            used: RwSignal::new(0),
        }
    }
}

/// How long the messenger waits for the host's word on who the visitor is (it comes at once
/// after `ready` from widget.js) before taking them as anonymous.
#[cfg(feature = "hydrate")]
const IDENTITY_WAIT_MS: u32 = 2_000;

/// Who the host page says the visitor is. The host says it first after `ready`, so until then
/// the messenger shows no conversation of anyone's; opened as a page of its own it is
/// anonymous at once.
#[derive(Debug, Clone, PartialEq, Eq)]
// Only the browser hears the host: on the server every messenger waits.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum Identity {
    /// The host has not said yet.
    Awaited,
    Anonymous,
    /// The shop's signed-in customer, as the page signs them (the server checks the hash).
    Customer(VisitorIdentity),
}

impl Identity {
    pub fn is_known(&self) -> bool {
        !matches!(self, Identity::Awaited)
    }

    pub fn customer(&self) -> Option<&VisitorIdentity> {
        match self {
            Identity::Customer(identity) => Some(identity),
            _ => None,
        }
    }

    /// The shop's id of the customer the page says is signed in.
    pub fn user_id(&self) -> Option<&str> {
        self.customer().map(|c| c.user_id.as_str())
    }
}

#[cfg(feature = "hydrate")]
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    // A messenger opened as a page of its own is its own parent.
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

#[cfg(feature = "hydrate")]
fn post(kind: &str, count: Option<usize>) {
    use wasm_bindgen::JsValue;
    let Some(parent) = parent() else { return };
    let message = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(k), &v);
    };
    set("source", JsValue::from_str("switchboard"));
    set("type", JsValue::from_str(kind));
    if let Some(count) = count {
        set("count", JsValue::from_f64(count as f64));
    }
    // Only counts and requests travel; the host may be on any of the tenant's origins.
    let _ = parent.post_message(&message, "*");
}

/// Follows the host's "open"/"close", who the visitor is, the page it reports and its use,
/// and tells it the messenger is ready. Without a host (a page of its own) the visitor is
/// anonymous.
pub fn listen(is_open: RwSignal<bool>, reports: HostReports) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let Some(parent) = parent() else {
            reports.identity.set(Identity::Anonymous);
            return;
        };
        is_open.set(false);
        let handle = window_event_listener(leptos::ev::message, move |ev| {
            let from_parent = ev
                .source()
                .is_some_and(|source| js_sys::Object::is(&source, &parent));
            let field = |k: &str| {
                js_sys::Reflect::get(&ev.data(), &JsValue::from_str(k))
                    .ok()
                    .and_then(|v| v.as_string())
            };
            if !from_parent || field("source").as_deref() != Some("switchboard-host") {
                return;
            }
            match field("type").as_deref() {
                Some("open") => {
                    is_open.set(true);
                    show_latest_and_focus();
                }
                Some("close") => is_open.set(false),
                Some("identity") => hear_identity(&ev.data(), reports.identity),
                Some("page") => reports.page.set(Some(PageVisit {
                    url: field("url"),
                    title: field("title"),
                    referrer: field("referrer").filter(|r| !r.is_empty()),
                    ..PageVisit::default()
                })),
                Some("activity") => reports.used.update(|n| *n += 1),
                _ => {}
            }
        });
        // Escape closes the widget, as it closes any panel, unless a list or menu inside it
        // took it first (it marks the event handled; the window hears it last).
        let escape = window_event_listener(leptos::ev::keydown, |ev| {
            if ev.key() == "Escape" && !ev.default_prevented() {
                ask_to_close();
            }
        });
        // The listeners live as long as the page.
        std::mem::forget(handle);
        std::mem::forget(escape);
        post("ready", None);
        // A loader from before identities (a cached widget.js) never says: anonymous, which
        // shows no customer's conversation either.
        let identity = reports.identity;
        crate::client::typing::later(IDENTITY_WAIT_MS, move || {
            if identity.try_with_untracked(Identity::is_known) == Some(false) {
                identity.set(Identity::Anonymous);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (is_open, reports);
}

/// Who the host's `identity` message says the visitor is; the same again (a repeated
/// `identify`) changes nothing.
#[cfg(feature = "hydrate")]
fn hear_identity(data: &wasm_bindgen::JsValue, known: RwSignal<Identity>) {
    let given = js_sys::Reflect::get(data, &wasm_bindgen::JsValue::from_str("identity"))
        .ok()
        .and_then(|value| read_identity(&value));
    let identity = given.map_or(Identity::Anonymous, Identity::Customer);
    if known.with_untracked(|known| *known != identity) {
        known.set(identity);
    }
}

/// The customer in an `identity` message: `{userId, name?, email?, userHash}`; anything else
/// (`null`, a missing id or hash) is nobody.
#[cfg(feature = "hydrate")]
fn read_identity(value: &wasm_bindgen::JsValue) -> Option<VisitorIdentity> {
    if !value.is_object() {
        return None;
    }
    let field = |k: &str| {
        js_sys::Reflect::get(value, &wasm_bindgen::JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
            .filter(|v| !v.trim().is_empty())
    };
    Some(VisitorIdentity {
        user_id: field("userId")?,
        name: field("name"),
        email: field("email"),
        user_hash: field("userHash")?,
    })
}

/// Once the widget is shown: the newest message in view (a hidden frame could not scroll), the
/// cursor in the message box.
#[cfg(feature = "hydrate")]
fn show_latest_and_focus() {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(Some(list)) = document.query_selector(".messages") {
        list.set_scroll_top(list.scroll_height());
    }
    let composer = document
        .query_selector(".composer__input")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(composer) = composer {
        let _ = composer.focus();
    }
}

/// The cursor in the message box (after "Start a new conversation", say).
pub fn focus_composer() {
    #[cfg(feature = "hydrate")]
    show_latest_and_focus();
}

pub fn report_unread(count: usize) {
    #[cfg(feature = "hydrate")]
    post("unread", Some(count));
    #[cfg(not(feature = "hydrate"))]
    let _ = count;
}

pub fn ask_to_close() {
    #[cfg(feature = "hydrate")]
    post("close", None);
}
