//! The bridge to the host page around the iframe, through `postMessage` (the messages are in
//! docs/protocol.md, "The embed"). Messages carry `source: "switchboard"` (from us) or
//! `source: "switchboard-host"` (from widget.js).

use crate::protocol::PageVisit;
use leptos::prelude::*;

/// What the host page tells about the visitor: the page they are on, and each time they use
/// it (a count, at most one a minute).
#[derive(Clone, Copy)]
pub struct HostReports {
    pub page: RwSignal<Option<PageVisit>>,
    pub used: RwSignal<u64>,
}

impl HostReports {
    pub fn new() -> Self {
        Self {
            page: RwSignal::new(None),
            used: RwSignal::new(0),
        }
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

/// Follows the host's "open"/"close", the page it reports and its use, and tells it the
/// messenger is ready.
pub fn listen(is_open: RwSignal<bool>, reports: HostReports) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let Some(parent) = parent() else { return };
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
        // Escape closes the widget, as it closes any panel.
        let escape = window_event_listener(leptos::ev::keydown, |ev| {
            if ev.key() == "Escape" {
                ask_to_close();
            }
        });
        // The listeners live as long as the page.
        std::mem::forget(handle);
        std::mem::forget(escape);
        post("ready", None);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (is_open, reports);
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
