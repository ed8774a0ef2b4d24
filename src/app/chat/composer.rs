use super::drop_zone::DropZone;
use super::tray::{AttachButton, Refusals, UploadTray};
use super::uploads::{Uploader, Uploads};
use crate::client::typing::{later, TYPING_ENDS_AFTER_MS};
use crate::protocol::{Attachment, AttachmentPolicy, MessageContent, MAX_CONTENT_CHARS};
use leptos::{html, prelude::*};

/// From this many characters on, the composer shows how many are left.
const COUNT_FROM: usize = MAX_CONTENT_CHARS - 1000;

/// What the Send button explains while a file is still on its way.
const WAITING_FOR_UPLOADS: &str = "Waiting for the upload to finish";

/// A message the person sends: its text (trimmed; empty when it is only files) and the files
/// it carries, already stored by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub content: String,
    pub attachments: Vec<Attachment>,
}

/// The message box: Enter sends, Shift+Enter starts a new line. Tells its owner about typing
/// so that the other side sees an indicator, and that typing stopped when the message is sent
/// or a few seconds after the last keystroke. Near the length limit it counts the characters.
///
/// Where the policy allows files, they are attached with the paperclip button, pasted into the
/// box or dropped onto it: each uploads at once, shows in the tray above the box, and goes with
/// the message (which waits for the uploads to finish).
#[component]
pub fn Composer(
    /// A message worth sending: 1 to 10,000 characters, or files with or without text.
    on_send: Callback<Draft>,
    /// Called on each keystroke that changes the text (the owner throttles), and with `false`
    /// when typing stops.
    on_typing: Callback<bool>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, default = "Write a message…".into())] placeholder: String,
    /// What may be attached: nothing (the default) hides the paperclip.
    #[prop(into, optional)]
    policy: Signal<AttachmentPolicy>,
    /// Where files go; without one, nothing can be attached.
    #[prop(optional)]
    uploader: Option<Uploader>,
) -> impl IntoView {
    let draft = DraftState::new(Uploads::new(policy, uploader));
    let (text, problem, uploads) = (draft.text, draft.problem, draft.uploads);
    let input = NodeRef::<html::Textarea>::new();
    let focus_input = Callback::new(move |()| focus(input));
    let submit = move || {
        if !disabled.get_untracked() {
            draft.send(on_typing, on_send);
        }
    };
    let typed = move |value: String| draft.typed(value, on_typing);
    let waiting = Signal::derive(move || uploads.busy());
    let can_send = Signal::derive(move || {
        !disabled.get()
            && !waiting.get()
            && (text.with(|t| !t.trim().is_empty()) || uploads.any_finished())
    });
    let zone = DropZone::new(uploads, disabled);
    // Pasted files (a screenshot, a copied file) are attached; pasted text stays text.
    let pasted = move |ev: leptos::ev::ClipboardEvent| {
        if uploads.enabled_untracked() && !disabled.get_untracked() {
            uploads.paste(&ev);
        }
    };

    view! {
        <form
            class="composer"
            class:composer--dragging=move || zone.dragging.get()
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
            on:dragenter=move |ev| zone.enter(ev)
            on:dragover=move |ev| zone.over(ev)
            on:dragleave=move |_| zone.leave()
            on:drop=move |ev| zone.dropped(ev)
        >
            <Files uploads zone disabled on_removed=focus_input />
            <textarea
                class="composer__input"
                aria-label="Message"
                aria-describedby="composer-count"
                rows="1"
                placeholder=placeholder
                node_ref=input
                prop:value=move || text.get()
                on:input=move |ev| typed(event_target_value(&ev))
                on:paste=pasted
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <SendControls can_send waiting text problem />
        </form>
    }
    // Erased: the composer's view type is deep, and the pages that hold it deeper still (the
    // release build's layout queries would pass the recursion limit).
    .into_any()
}

/// What the composer shows of files: the drop hint while dragging, refusals, the tray and the
/// paperclip.
#[component]
fn Files(
    uploads: Uploads,
    zone: DropZone,
    disabled: Signal<bool>,
    on_removed: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || zone.dragging.get()>
            <p class="composer__drop" aria-hidden="true">"Drop files to attach"</p>
        </Show>
        <Refusals uploads />
        <UploadTray uploads on_removed />
        <Show when=move || uploads.enabled()>
            <AttachButton uploads disabled />
        </Show>
    }
}

/// The Send button (and why it waits), the character count near the limit, and why the last
/// message could not go.
#[component]
fn SendControls(
    can_send: Signal<bool>,
    waiting: Signal<bool>,
    text: RwSignal<String>,
    problem: RwSignal<Option<&'static str>>,
) -> impl IntoView {
    let count = move || text.with(|t| t.chars().count());
    view! {
        <button
            type="submit"
            class="composer__send"
            disabled=move || !can_send.get()
            title=move || waiting.get().then_some(WAITING_FOR_UPLOADS)
            aria-describedby=move || waiting.get().then_some("composer-waiting")
        >
            "Send"
        </button>
        <Show when=move || waiting.get()>
            <span id="composer-waiting" class="visually-hidden">{WAITING_FOR_UPLOADS}</span>
        </Show>
        <CharacterCount count=Signal::derive(count) />
        {move || problem.get().map(|p| view! { <p class="composer__problem" role="alert">{p}</p> })}
    }
}

/// What the composer holds of the message being written, for sending it.
#[derive(Clone, Copy)]
struct DraftState {
    text: RwSignal<String>,
    problem: RwSignal<Option<&'static str>>,
    /// Which keystroke is the latest: a pause after it (and only it) ends the typing.
    keystroke: StoredValue<u64>,
    uploads: Uploads,
}

/// Puts the focus back in the message box.
fn focus(input: NodeRef<html::Textarea>) {
    if let Some(input) = input.get() {
        let _ = input.focus();
    }
}

impl DraftState {
    fn new(uploads: Uploads) -> Self {
        Self {
            text: RwSignal::new(String::new()),
            problem: RwSignal::new(None),
            keystroke: StoredValue::new(0),
            uploads,
        }
    }

    /// The text changed: typing starts (or stops when the box is empty), and ends by itself
    /// after a pause.
    fn typed(self, value: String, on_typing: Callback<bool>) {
        let typing = !value.trim().is_empty();
        on_typing.run(typing);
        self.problem.set(None);
        self.text.set(value);
        if typing {
            end_typing_after_a_pause(self.keystroke, on_typing);
        } else {
            self.keystroke.update_value(|k| *k += 1);
        }
    }

    /// Sends the text and the finished files, unless a file is still on its way, there is
    /// nothing to send, or the text is too long (then says why).
    fn send(self, on_typing: Callback<bool>, on_send: Callback<Draft>) {
        let Self {
            text,
            problem,
            keystroke,
            uploads,
        } = self;
        if uploads.busy_untracked() {
            problem.set(Some("Wait for the upload to finish, then send."));
            return;
        }
        let raw = text.get_untracked();
        let trimmed = raw.trim();
        let attachments = uploads.finished_untracked();
        if trimmed.is_empty() && attachments.is_empty() {
            return;
        }
        let content = match trimmed {
            "" => String::new(),
            typed => match MessageContent::parse(typed) {
                Ok(content) => content.into_inner(),
                Err(_) => {
                    problem.set(Some("A message can be at most 10,000 characters."));
                    return;
                }
            },
        };
        problem.set(None);
        uploads.refusals.set(Vec::new());
        text.set(String::new());
        uploads.take_sent();
        keystroke.update_value(|k| *k += 1);
        on_typing.run(false);
        on_send.run(Draft {
            content,
            attachments,
        });
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
