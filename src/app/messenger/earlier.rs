//! The visitor's earlier conversations: the list "Your conversations" opens in place of the
//! conversation, and its three newest on the start screen. Choosing one makes it the current
//! conversation, to read and to write in.

use super::state::{Listing, MessengerState};
use crate::client::time::short_time;
use crate::protocol::{ConversationSummary, Message, SenderKind, SessionStatus};
use leptos::{html, prelude::*};

/// How many conversations the start screen shows before "See all".
const ON_START_SCREEN: usize = 3;
/// A preview longer than this is cut here (the CSS cuts it again to one line).
const PREVIEW_CHARS: usize = 160;

/// The list of the visitor's other conversations, with the way back. It takes the focus when
/// it opens (its heading); Escape or "Back" gives it back to the header's button.
#[component]
pub fn EarlierConversations(
    state: MessengerState,
    /// The header's "Your conversations" button, where the focus returns.
    opener: NodeRef<html::Button>,
) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let back = move || {
        state.show_history(false);
        if let Some(button) = opener.get() {
            let _ = button.focus();
        }
    };
    // Escape is taken here (marked handled), so the page-wide Escape does not also minimize
    // the widget.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            back();
        }
    };
    view! {
        <section class="earlier" aria-labelledby="earlier-title" on:keydown=on_key>
            <div class="earlier__head">
                <button type="button" class="earlier__back" on:click=move |_| back()>
                    <span aria-hidden="true">"‹ "</span>
                    "Back"
                </button>
                <h2 id="earlier-title" class="earlier__title" tabindex="-1" node_ref=heading>
                    "Your conversations"
                </h2>
            </div>
            {move || state.history.problem.get().map(|text| view! {
                <p class="earlier__problem" role="alert">{text}</p>
            })}
            {move || listing(state, state.earlier())}
        </section>
    }
}

/// What the list holds, or why it holds nothing.
fn listing(state: MessengerState, earlier: Listing) -> AnyView {
    match earlier {
        Listing::NotYet | Listing::Loading => view! {
            <p class="earlier__note" role="status">"Loading your conversations…"</p>
        }
        .into_any(),
        Listing::Failed => view! {
            <div class="earlier__failed">
                <p class="earlier__note" role="alert">
                    "Your conversations could not be loaded. Check your connection, then try again."
                </p>
                <button type="button" class="earlier__retry" on:click=move |_| state.list_conversations()>
                    "Try again"
                </button>
            </div>
        }
        .into_any(),
        Listing::Loaded(found) if found.is_empty() => view! {
            <p class="earlier__note">"No earlier conversations yet."</p>
        }
        .into_any(),
        Listing::Loaded(found) => view! {
            <ul class="earlier__list" aria-labelledby="earlier-title">
                {found
                    .into_iter()
                    .map(|summary| view! { <li><ConversationButton state summary /></li> })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
}

/// On the start screen (no conversation yet), when the visitor has earlier ones: the newest
/// three, and "See all".
#[component]
pub fn RecentConversations(state: MessengerState) -> impl IntoView {
    let recent = move || match state.earlier() {
        Listing::Loaded(found) if !state.has_conversation() && !found.is_empty() => Some(found),
        _ => None,
    };
    move || {
        recent().map(|found| {
            let more = found.len() > ON_START_SCREEN;
            view! {
                <section class="recent" aria-labelledby="recent-title">
                    <div class="recent__head">
                        <h2 id="recent-title" class="recent__title">"Your conversations"</h2>
                        <Show when=move || more>
                            <button type="button" class="recent__all" on:click=move |_| state.show_history(true)>
                                "See all"
                            </button>
                        </Show>
                    </div>
                    <ul class="earlier__list" aria-labelledby="recent-title">
                        {found
                            .into_iter()
                            .take(ON_START_SCREEN)
                            .map(|summary| view! { <li><ConversationButton state summary /></li> })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

/// One earlier conversation: when it was last active, whether it has ended, and its last
/// message (text nodes only). Choosing it opens it.
#[component]
fn ConversationButton(state: MessengerState, summary: ConversationSummary) -> impl IntoView {
    let id = StoredValue::new(summary.session_id.clone());
    let when = conversation_date(&summary.updated_at.0);
    let (status, tone) = match summary.status {
        SessionStatus::Closed => ("Ended", "ended"),
        _ => ("Open", "open"),
    };
    let text = preview(summary.last_message.as_ref());
    let opening = move || {
        state
            .history
            .opening
            .with(|o| id.with_value(|id| o.as_ref() == Some(id)))
    };
    view! {
        <button
            type="button"
            class="earlier__item"
            aria-busy=move || if opening() { "true" } else { "false" }
            on:click=move |_| state.open_earlier(id.get_value())
        >
            <span class="earlier__meta">
                <span class="earlier__when">{when}</span>
                <span class=format!("earlier__status earlier__status--{tone}")>{status}</span>
                <Show when=opening>
                    <span class="earlier__opening">"Opening…"</span>
                </Show>
            </span>
            <span class="earlier__preview">{text}</span>
        </button>
    }
}

/// The last message as one line: the visitor's own marked "You:", files by name when it has
/// no text.
fn preview(message: Option<&Message>) -> String {
    let Some(message) = message else {
        return "No messages yet".to_string();
    };
    let text = message
        .content
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text = if text.is_empty() {
        let names: Vec<&str> = message
            .attachments
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        format!("📎 {}", names.join(", "))
    } else {
        text
    };
    let text: String = text.chars().take(PREVIEW_CHARS).collect();
    match message.sender.kind {
        SenderKind::Customer => format!("You: {text}"),
        _ => text,
    }
}

/// "Today at 14:05", "Yesterday at 09:30", "2 Dec at 16:00", "2 Dec 2025 at 16:00", in the
/// visitor's own time.
fn conversation_date(rfc3339: &str) -> String {
    let time = short_time(rfc3339);
    match day(rfc3339) {
        Some(day) if !time.is_empty() => format!("{day} at {time}"),
        Some(day) => day,
        None => time,
    }
}

#[cfg(feature = "hydrate")]
fn day(rfc3339: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if at.get_time().is_nan() {
        return None;
    }
    let now = js_sys::Date::new_0();
    let yesterday = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        now.get_time() - 86_400_000.0,
    ));
    let date = |d: &js_sys::Date| (d.get_full_year(), d.get_month(), d.get_date());
    let month = MONTHS[at.get_month() as usize % 12];
    Some(if date(&at) == date(&now) {
        "Today".to_string()
    } else if date(&at) == date(&yesterday) {
        "Yesterday".to_string()
    } else if at.get_full_year() == now.get_full_year() {
        format!("{} {month}", at.get_date())
    } else {
        format!("{} {month} {}", at.get_date(), at.get_full_year())
    })
}

/// Where there is no browser (the list is only ever filled in one): the UTC date.
#[cfg(not(feature = "hydrate"))]
fn day(rfc3339: &str) -> Option<String> {
    rfc3339.get(..10).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::preview;
    use crate::protocol::{Attachment, Message, Sender, SenderKind, Timestamp};

    fn message(kind: SenderKind, content: &str) -> Message {
        Message {
            id: "m".into(),
            session_id: "s".into(),
            seq: 1,
            client_message_id: None,
            sender: Sender {
                kind,
                id: None,
                name: None,
            },
            content: content.into(),
            created_at: Timestamp("2026-12-02T10:00:00.000Z".into()),
            offers_human: false,
            source: None,
            attachments: Vec::new(),
        }
    }

    #[test]
    fn a_preview_is_one_line_and_says_who() {
        assert_eq!(
            preview(Some(&message(SenderKind::Customer, "Where is\nmy order?"))),
            "You: Where is my order?"
        );
        assert_eq!(
            preview(Some(&message(SenderKind::Agent, "On its way"))),
            "On its way"
        );
        assert_eq!(preview(None), "No messages yet");
    }

    #[test]
    fn a_message_of_files_shows_their_names() {
        let mut only_files = message(SenderKind::Customer, "");
        only_files.attachments.push(Attachment {
            id: "a".into(),
            name: "receipt.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1200,
            url: "/api/v1/attachments/a".into(),
            width: None,
            height: None,
        });
        assert_eq!(preview(Some(&only_files)), "You: 📎 receipt.pdf");
    }
}
