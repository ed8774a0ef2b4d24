//! Whether the page is in front of someone: read receipts and read marks wait for it, since a
//! message in a background tab has not been seen.

use leptos::prelude::*;

/// Follows `document.hidden`: true while the page is visible. Listens as long as its owner
/// lives.
pub fn page_visible() -> Signal<bool> {
    let visible = RwSignal::new(is_visible());
    let handle = window_event_listener(leptos::ev::visibilitychange, move |_| {
        visible.set(is_visible())
    });
    on_cleanup(move || handle.remove());
    visible.into()
}

fn is_visible() -> bool {
    #[cfg(feature = "hydrate")]
    {
        !document().hidden()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        true
    }
}
