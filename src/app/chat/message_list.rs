use super::attached::{attached_files, sending_files};
use super::rich_text::rich_text;
use crate::client::conversation::Entry;
use crate::client::time::short_time;
use crate::protocol::{Attachment, Message, SenderKind};
use leptos::{html, prelude::*};

/// Whose page the list is on: one's own messages sit on the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Visitor,
    Agent,
}

impl Viewer {
    fn owns(self, kind: SenderKind) -> bool {
        match self {
            Viewer::Visitor => kind == SenderKind::Customer,
            Viewer::Agent => matches!(kind, SenderKind::Agent | SenderKind::Ai),
        }
    }
}

/// The conversation, oldest first, kept scrolled to the newest line; scrolled to the top (or
/// with its button), it asks for the messages before the first one shown, and stays where the
/// reader was as they arrive. Every text is a text node: what people type is never read as
/// HTML.
#[component]
pub fn MessageList(
    #[prop(into)] entries: Signal<Vec<Entry>>,
    viewer: Viewer,
    /// The customer's name as agents see it.
    #[prop(into, optional)]
    visitor_name: Signal<Option<String>>,
    /// Shown above the first message (the tenant's greeting).
    #[prop(into, optional)]
    intro: Signal<Option<String>>,
    /// The connection is down: messages typed here wait for it (and say so).
    #[prop(into, optional)]
    offline: Signal<bool>,
    /// The conversation began before the first message shown.
    #[prop(into, optional)]
    has_earlier: Signal<bool>,
    /// Asks for the messages before the first one shown.
    #[prop(optional)]
    on_earlier: Option<Callback<()>>,
    /// How far the other side has seen the conversation (`0`: nothing yet): "Seen" goes under
    /// the viewer's last message up to there.
    #[prop(into, optional)]
    seen_up_to: Signal<u64>,
) -> impl IntoView {
    let list = NodeRef::<html::Ol>::new();
    keep_scrolled(list, entries);
    let seen_at = Memo::new(move |_| {
        let up_to = seen_up_to.get();
        entries.with(|e| last_seen(e, viewer, up_to))
    });
    let earlier = move || {
        if let Some(ask) = on_earlier {
            ask.run(());
        }
    };
    let near_top = move |_| {
        if list.get().is_some_and(|l| l.scroll_top() < 60) && has_earlier.get_untracked() {
            earlier();
        }
    };

    let line = move |entry: Entry| match entry {
        Entry::Stored(message) => stored(message, viewer, visitor_name, seen_at).into_any(),
        Entry::Streaming { text, .. } => streaming(text, viewer).into_any(),
        Entry::Sending {
            content,
            attachments,
            ..
        } => sending(content, attachments, offline).into_any(),
    };

    view! {
        <ol class="messages" node_ref=list aria-label="Conversation" aria-live="polite" on:scroll=near_top>
            {move || has_earlier.get().then(|| view! {
                <li class="messages__earlier">
                    <button type="button" class="button button--quiet" on:click=move |_| earlier()>
                        "Show earlier messages"
                    </button>
                </li>
            })}
            {move || (!has_earlier.get()).then(|| intro.get()).flatten().map(|text| view! {
                <li class="msg msg--theirs msg--intro"><p class="msg__text">{text}</p></li>
            })}
            {move || entries.get().into_iter().map(line).collect_view()}
        </ol>
    }
}

/// The AI's answer as it streams in.
fn streaming(text: String, viewer: Viewer) -> impl IntoView {
    view! {
        <li class=format!("msg {} msg--ai msg--streaming", viewer_side(viewer, SenderKind::Ai))>
            <span class="msg__meta">"AI assistant · typing"</span>
            <p class="msg__text">{text}<span class="cursor" aria-hidden="true"></span></p>
        </li>
    }
}

/// One's own message on its way (or waiting for the connection).
fn sending(content: String, attachments: Vec<Attachment>, offline: Signal<bool>) -> impl IntoView {
    view! {
        <li class="msg msg--mine msg--sending" class:msg--waiting=move || offline.get()>
            {(!content.is_empty()).then(|| view! { <p class="msg__text">{content}</p> })}
            {sending_files(attachments)}
            <span class="msg__meta">
                {move || if offline.get() {
                    "Not sent yet: it goes out when the connection is back"
                } else {
                    "Sending…"
                }}
            </span>
        </li>
    }
}

/// Keeps the list at its newest line as messages arrive; when earlier ones are put above
/// (the first line changed, the last did not), keeps the reader where they were instead.
fn keep_scrolled(list: NodeRef<html::Ol>, entries: Signal<Vec<Entry>>) {
    let before = StoredValue::new((None::<String>, None::<String>, 0));
    Effect::new(move |_| {
        let (first, last) = entries.with(|e| (e.first().map(entry_key), e.last().map(entry_key)));
        let Some(list) = list.get() else { return };
        let (was_first, was_last, was_height) = before.get_value();
        let height = list.scroll_height();
        if first != was_first && last == was_last && was_last.is_some() {
            list.set_scroll_top(list.scroll_top() + height - was_height);
        } else {
            list.set_scroll_top(height);
        }
        before.set_value((first, last, height));
    });
}

/// What identifies an entry across renders.
fn entry_key(entry: &Entry) -> String {
    match entry {
        Entry::Stored(message) => message.id.clone(),
        Entry::Streaming { message_id, .. } => message_id.clone(),
        Entry::Sending {
            client_message_id, ..
        } => client_message_id.clone(),
    }
}

/// The `seq` of the viewer's last message the other side has seen.
fn last_seen(entries: &[Entry], viewer: Viewer, seen_up_to: u64) -> Option<u64> {
    entries.iter().rev().find_map(|entry| match entry {
        Entry::Stored(m) if m.seq <= seen_up_to && viewer.owns(m.sender.kind) => Some(m.seq),
        _ => None,
    })
}

fn viewer_side(viewer: Viewer, kind: SenderKind) -> &'static str {
    if viewer.owns(kind) {
        "msg--mine"
    } else {
        "msg--theirs"
    }
}

fn stored(
    message: Message,
    viewer: Viewer,
    visitor_name: Signal<Option<String>>,
    seen_at: Memo<Option<u64>>,
) -> impl IntoView {
    let kind = message.sender.kind;
    let seq = message.seq;
    let time = short_time(&message.created_at.0);
    if kind == SenderKind::System {
        return view! {
            <li class="msg msg--system" data-seq=message.seq>
                <p class="msg__text">{message.content}</p>
            </li>
        }
        .into_any();
    }
    let who = match kind {
        SenderKind::Ai => "AI assistant".to_string(),
        SenderKind::Agent => message
            .sender
            .name
            .clone()
            .unwrap_or_else(|| "Agent".into()),
        _ => match viewer {
            Viewer::Visitor => "You".to_string(),
            Viewer::Agent => visitor_name
                .get_untracked()
                .or(message.sender.name.clone())
                .unwrap_or_else(|| "Visitor".into()),
        },
    };
    let kind_class = match kind {
        SenderKind::Ai => "msg--ai",
        SenderKind::Agent => "msg--agent",
        _ => "msg--customer",
    };
    let side = viewer_side(viewer, kind);
    view! {
        <li class=format!("msg {side} {kind_class}") data-seq=message.seq>
            <span class="msg__meta">
                <span class="msg__who">{who}</span>
                " · "
                <time datetime=message.created_at.0.clone()>{time}</time>
            </span>
            // A message of files alone has no text to show.
            {(!message.content.is_empty()).then(|| view! {
                <p class="msg__text">{rich_text(message.content)}</p>
            })}
            {attached_files(message.attachments)}
            {message.source.filter(|s| s.url.starts_with('/')).map(|source| view! {
                // The server builds the address (its own help center): never a visitor's link.
                <a class="msg__source" href=source.url target="_blank" rel="noopener">
                    "Read more: " {source.title}
                    <span class="visually-hidden">" (opens in a new tab)"</span>
                </a>
            })}
            {move || (seen_at.get() == Some(seq)).then(|| view! {
                <span class="msg__seen">"Seen"</span>
            })}
        </li>
    }
    .into_any()
}
