use crate::client::typing::{later, TYPING_ENDS_AFTER_MS};
use crate::protocol::{MessageContent, MAX_CONTENT_CHARS};
use leptos::prelude::*;

/// From this many characters on, the composer shows how many are left.
const COUNT_FROM: usize = MAX_CONTENT_CHARS - 1000;

/// The message box: Enter sends, Shift+Enter starts a new line. Tells its owner about typing
/// so that the other side sees an indicator, and that typing stopped when the message is sent
/// or a few seconds after the last keystroke. Near the length limit it counts the characters.
#[component]
pub fn Composer(
    /// A message worth sending (trimmed, 1 to 10,000 characters).
    on_send: Callback<String>,
    /// Called on each keystroke that changes the text (the owner throttles), and with `false`
    /// when typing stops.
    on_typing: Callback<bool>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, default = "Write a message…".into())] placeholder: String,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    // Which keystroke is the latest: a pause after it (and only it) ends the typing.
    let keystroke = StoredValue::new(0u64);

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
                keystroke.update_value(|k| *k += 1);
                on_typing.run(false);
                on_send.run(content.into_inner());
            }
            Err(_) => problem.set(Some("A message can be at most 10,000 characters.")),
        }
    };
    let typed = move |value: String| {
        let typing = !value.trim().is_empty();
        on_typing.run(typing);
        problem.set(None);
        text.set(value);
        if typing {
            end_typing_after_a_pause(keystroke, on_typing);
        } else {
            keystroke.update_value(|k| *k += 1);
        }
    };
    let count = move || text.with(|t| t.chars().count());

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
                aria-describedby="composer-count"
                rows="1"
                placeholder=placeholder
                prop:value=move || text.get()
                on:input=move |ev| typed(event_target_value(&ev))
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
            <CharacterCount count=Signal::derive(count) />
            {move || problem.get().map(|p| view! { <p class="composer__problem" role="alert">{p}</p> })}
        </form>
    }
}

/// Counts this keystroke; a pause after it, with no newer one, ends the typing.
fn end_typing_after_a_pause(keystroke: StoredValue<u64>, on_typing: Callback<bool>) {
    keystroke.update_value(|k| *k += 1);
    let this = keystroke.get_value();
    later(TYPING_ENDS_AFTER_MS, move || {
        if keystroke.try_get_value() == Some(this) {
            on_typing.run(false);
        }
    });
}

/// How many characters the message has, once it nears the limit (red over it).
#[component]
fn CharacterCount(count: Signal<usize>) -> impl IntoView {
    let over = move || count.get() > MAX_CONTENT_CHARS;
    view! {
        <span
            id="composer-count"
            class=move || if over() { "composer__count composer__count--over" } else { "composer__count" }
            aria-live="polite"
        >
            {move || (count.get() >= COUNT_FROM).then(|| counted(count.get()))}
        </span>
    }
}

/// "9,812 of 10,000 characters", or how many too many.
fn counted(count: usize) -> String {
    let thousands = |n: usize| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    if count > MAX_CONTENT_CHARS {
        format!(
            "{} characters too many (at most {})",
            thousands(count - MAX_CONTENT_CHARS),
            thousands(MAX_CONTENT_CHARS)
        )
    } else {
        format!(
            "{} of {} characters",
            thousands(count),
            thousands(MAX_CONTENT_CHARS)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_reads_as_people_write_numbers() {
        assert_eq!(counted(9_812), "9,812 of 10,000 characters");
        assert_eq!(
            counted(12_000),
            "2,000 characters too many (at most 10,000)"
        );
    }
}
