//! What the browser does to get an agent's attention: a desktop notification (the Notification
//! API, with the permission the agent gave), a short tone (Web Audio, no sound file), and the
//! tab's title. Nothing happens where there is no browser.

/// Whether the agent let the dashboard show desktop notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Not asked yet (or asked and neither given nor refused).
    Ask,
    Granted,
    Denied,
    /// This browser has no notifications.
    Unsupported,
}

pub fn permission() -> Permission {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let window = leptos::prelude::window();
        let has_api =
            js_sys::Reflect::has(&window, &JsValue::from_str("Notification")).unwrap_or(false);
        if !has_api {
            return Permission::Unsupported;
        }
        match web_sys::Notification::permission() {
            web_sys::NotificationPermission::Granted => Permission::Granted,
            web_sys::NotificationPermission::Denied => Permission::Denied,
            _ => Permission::Ask,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Permission::Unsupported
    }
}

/// Asks the browser for the permission; `answered` gets what the agent chose.
pub fn ask_permission(answered: impl FnOnce(Permission) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let Ok(asking) = web_sys::Notification::request_permission() else {
            return answered(permission());
        };
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(asking).await;
            answered(permission());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    {
        answered(Permission::Unsupported);
    }
}

/// Shows a desktop notification, if allowed; clicking it brings the tab forward and runs
/// `on_click`. Notifications with the same `tag` replace each other.
pub fn notify(title: &str, body: &str, tag: &str, on_click: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        if permission() != Permission::Granted {
            return;
        }
        let options = web_sys::NotificationOptions::new();
        options.set_body(body);
        options.set_tag(tag);
        let Ok(shown) = web_sys::Notification::new_with_options(title, &options) else {
            return;
        };
        let click = Closure::<dyn Fn()>::new(move || {
            let _ = leptos::prelude::window().focus();
            on_click();
        });
        shown.set_onclick(Some(click.as_ref().unchecked_ref()));
        // The notification lives on after this call; so must its handler.
        click.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (title, body, tag, on_click);
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// One audio context for the page's life: browsers allow only a few, and start one only
    /// after the page has been used (`wake_sound`).
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
}

/// Readies the tone on a gesture of the agent (a click, a key), as browsers require before a
/// page may make a sound.
pub fn wake_sound() {
    #[cfg(feature = "hydrate")]
    AUDIO.with(|audio| {
        let mut audio = audio.borrow_mut();
        if audio.is_none() {
            *audio = web_sys::AudioContext::new().ok();
        }
        if let Some(context) = audio.as_ref() {
            let _ = context.resume();
        }
    });
}

/// A short, quiet two-note tone, once the page may make a sound.
pub fn chime() {
    #[cfg(feature = "hydrate")]
    AUDIO.with(|audio| {
        let Some(audio) = audio.borrow().clone() else {
            return;
        };
        let now = audio.current_time();
        for (i, pitch) in [660.0_f32, 880.0].into_iter().enumerate() {
            let (Ok(tone), Ok(volume)) = (audio.create_oscillator(), audio.create_gain()) else {
                return;
            };
            tone.frequency().set_value(pitch);
            volume.gain().set_value(0.06);
            let start = now + i as f64 * 0.12;
            let wired = tone
                .connect_with_audio_node(&volume)
                .and_then(|_| volume.connect_with_audio_node(&audio.destination()));
            if wired.is_ok() {
                let _ = tone.start_with_when(start);
                let _ = tone.stop_with_when(start + 0.1);
            }
        }
    });
}

/// The dashboard's title.
pub const TITLE: &str = "Switchboard · Agent dashboard";

/// The tab's title: what waits for the agent first, as mail and chat tabs do.
pub fn title_with(waiting: usize) -> String {
    match waiting {
        0 => TITLE.to_string(),
        n => format!("({n}) {TITLE}"),
    }
}

pub fn set_title(title: &str) {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::document().set_title(title);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = title;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_title_counts_what_waits() {
        assert_eq!(super::title_with(0), "Switchboard · Agent dashboard");
        assert_eq!(super::title_with(2), "(2) Switchboard · Agent dashboard");
    }
}
