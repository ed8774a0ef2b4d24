use crate::protocol::MessageContent;
use leptos::prelude::*;

/// The message box: Enter sends, Shift+Enter starts a new line. Tells its owner about typing
/// so that the other side sees an indicator.
#[component]
pub fn Composer(
    /// A message worth sending (trimmed, 1 to 10,000 characters).
    on_send: Callback<String>,
    /// Called on each keystroke that changes the text; the owner throttles.
    on_typing: Callback<bool>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, default = "Write a message…".into())] placeholder: String,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);

    let submit = move || {
        let raw = text.get_untracked();
        let trimmed = raw.trim();
        if trimmed.is_empty() || disabled.get_untracked() {
            return;
        }
        match MessageContent::parse(trimmed) {
            Ok(content) => {
                problem.set(None);
                text.set(String::new());
                on_typing.run(false);
                on_send.run(content.into_inner());
            }
            Err(_) => problem.set(Some("A message can be at most 10,000 characters.")),
        }
    };

    view! {
        <form
            class="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <textarea
                class="composer__input"
                aria-label="Message"
                rows="1"
                placeholder=placeholder
                prop:value=move || text.get()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    on_typing.run(!value.trim().is_empty());
                    text.set(value);
                }
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <button
                type="submit"
                class="composer__send"
                disabled=move || disabled.get() || text.with(|t| t.trim().is_empty())
            >
                "Send"
            </button>
            {move || problem.get().map(|p| view! { <p class="composer__problem" role="alert">{p}</p> })}
        </form>
    }
}
