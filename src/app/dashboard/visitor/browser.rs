//! What only the agent's browser can tell the side panel: whether the screen is wide enough
//! for it to stand beside the thread, and a language's name in English. Nothing on the
//! server, which renders no panel anyway (the conversation pane is filled after sign-in).

use leptos::prelude::*;

/// The width from which the panel is a column beside the thread; public/chat.css lays it
/// out at the same one.
const WIDE_SCREEN: &str = "(min-width: 1100px)";

/// Whether the screen is wide enough for the panel beside the thread, following the window
/// as it is resized. False until the page runs in a browser.
pub fn wide_screen() -> Signal<bool> {
    let wide = RwSignal::new(false);
    let follow = move || {
        let now = media_matches(WIDE_SCREEN);
        if wide.get_untracked() != now {
            wide.set(now);
        }
    };
    // After hydration: only the browser knows its width.
    Effect::new(move |_| follow());
    let handle = window_event_listener(leptos::ev::resize, move |_| follow());
    on_cleanup(move || handle.remove());
    wide.into()
}

/// Whether a CSS media query matches now (`window.matchMedia`), read through `Reflect`: this
/// crate's web-sys is built without `MediaQueryList`.
fn media_matches(query: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{JsCast, JsValue};
        let window = window();
        let match_media = js_sys::Reflect::get(&window, &JsValue::from_str("matchMedia"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let Some(match_media) = match_media else {
            return false;
        };
        match_media
            .call1(&window, &JsValue::from_str(query))
            .and_then(|list| js_sys::Reflect::get(&list, &JsValue::from_str("matches")))
            .ok()
            .and_then(|matches| matches.as_bool())
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = query;
        false
    }
}

/// A language tag's name in English ("nl-NL" → "Dutch (Netherlands)"), by the browser's
/// `Intl.DisplayNames`; `None` where there is none, or when it knows no name for the tag.
pub fn language_name(tag: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{JsCast, JsValue};
        let intl = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
        // Older browsers have no `DisplayNames`; `of` throws for a malformed tag. Through
        // `Reflect` and `call1` both are errors to handle, not panics.
        let class = js_sys::Reflect::get(&intl, &JsValue::from_str("DisplayNames"))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(
            &options,
            &JsValue::from_str("type"),
            &JsValue::from_str("language"),
        )
        .ok()?;
        let args = js_sys::Array::of2(&JsValue::from_str("en"), &options);
        let names = js_sys::Reflect::construct(&class, &args).ok()?;
        let of = js_sys::Reflect::get(&names, &JsValue::from_str("of"))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        let name = of
            .call1(&names, &JsValue::from_str(tag))
            .ok()?
            .as_string()?;
        // Without a name for it, the tag itself comes back: nothing to add then.
        (name != tag).then_some(name)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = tag;
        None
    }
}
