//! The header's "More options" menu: the conversation's transcript, the visitor's earlier
//! conversations, and a new conversation. A menu button as WAI-ARIA describes it: the first
//! item takes the focus, the arrow keys (and Home, End) move between the items, Escape closes
//! the menu and gives the focus back to the button, and leaving it closes it.

use super::host;
use super::state::MessengerState;
use crate::client::typing::later;
use leptos::{html, prelude::*};

/// What the menu offers, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Transcript,
    Conversations,
    StartNew,
}

#[component]
pub fn OptionsMenu(state: MessengerState) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let wrapper = NodeRef::<html::Div>::new();
    let close = Callback::new(move |to_button: bool| {
        open.set(false);
        if to_button {
            if let Some(button) = button.get() {
                let _ = button.focus();
            }
        }
    });
    let on_button_key = move |ev: leptos::ev::KeyboardEvent| {
        if matches!(ev.key().as_str(), "ArrowDown" | "ArrowUp") {
            ev.prevent_default();
            open.set(true);
        }
    };
    view! {
        <div
            class="menu"
            node_ref=wrapper
            on:focusout=move |ev| {
                if open.get_untracked() && focus_left(&ev, wrapper) {
                    close.run(false);
                }
            }
        >
            <button
                class="messenger__action"
                type="button"
                node_ref=button
                aria-label="More options"
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |_| open.update(|o| *o = !*o)
                on:keydown=on_button_key
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="currentColor">
                    <circle cx="5" cy="12" r="2" />
                    <circle cx="12" cy="12" r="2" />
                    <circle cx="19" cy="12" r="2" />
                </svg>
            </button>
            <Show when=move || open.get()>
                <MenuItems state close />
            </Show>
        </div>
    }
}

/// The open menu. Its items are the ones that make sense now: a transcript and a new
/// conversation only while there is a conversation.
#[component]
fn MenuItems(state: MessengerState, close: Callback<bool>) -> impl IntoView {
    let held = untrack(move || state.has_conversation());
    let roving = Roving::new(held);
    roving.focus_first_when_shown();
    let Roving {
        transcript,
        conversations,
        start_new,
        ..
    } = roving;
    // Escape is taken here (marked handled), so the page-wide Escape does not also minimize
    // the widget.
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            close.run(true);
        }
        // From the menu's button, the browser's Tab goes on to what follows it.
        "Tab" => close.run(true),
        key => {
            if roving.follow_key(key) {
                ev.prevent_default();
            }
        }
    };
    let transcript_url = untrack(move || state.transcript_url()).unwrap_or_default();
    // The link closes the menu only after the click: a link taken out of the page before
    // the browser follows it downloads nothing.
    let downloaded = move |_| later(0, move || close.run(true));
    let show_conversations = move |_| {
        close.run(false);
        state.show_history(true);
    };
    let start_new_one = move |_| {
        close.run(false);
        state.start_new();
        later(0, host::focus_composer);
    };
    view! {
        <div class="menu__list" role="menu" aria-label="More options" on:keydown=on_key>
            <Show when=move || held>
                <a class="menu__item" role="menuitem" tabindex="-1" node_ref=transcript
                    href=transcript_url.clone() download="" on:click=downloaded>
                    "Download transcript"
                </a>
            </Show>
            <button class="menu__item" type="button" role="menuitem" tabindex="-1"
                node_ref=conversations on:click=show_conversations>
                "Your conversations"
            </button>
            <Show when=move || held>
                <button class="menu__item" type="button" role="menuitem" tabindex="-1"
                    node_ref=start_new on:click=start_new_one>
                    "Start a new conversation"
                </button>
            </Show>
        </div>
    }
}

/// The menu's items and which one has the focus (a roving focus: the items are no tab stops,
/// the arrow keys move between them).
#[derive(Clone, Copy)]
struct Roving {
    items: StoredValue<Vec<Item>>,
    at: StoredValue<usize>,
    transcript: NodeRef<html::A>,
    conversations: NodeRef<html::Button>,
    start_new: NodeRef<html::Button>,
}

impl Roving {
    fn new(held: bool) -> Self {
        let items = if held {
            vec![Item::Transcript, Item::Conversations, Item::StartNew]
        } else {
            vec![Item::Conversations]
        };
        Self {
            items: StoredValue::new(items),
            at: StoredValue::new(0),
            transcript: NodeRef::new(),
            conversations: NodeRef::new(),
            start_new: NodeRef::new(),
        }
    }

    fn item(self, index: usize) -> Item {
        self.items
            .with_value(|items| items.get(index).copied())
            .unwrap_or(Item::Conversations)
    }

    /// Gives the focus to the item at `index`; `false` while it is not on the page yet.
    fn focus(self, index: usize) -> bool {
        self.at.set_value(index);
        let focused = match self.item(index) {
            Item::Transcript => self.transcript.get().map(|a| a.focus()),
            Item::Conversations => self.conversations.get().map(|b| b.focus()),
            Item::StartNew => self.start_new.get().map(|b| b.focus()),
        };
        focused.is_some()
    }

    /// Opened: the first item takes the focus, once it is on the page (following its
    /// element's arrival).
    fn focus_first_when_shown(self) {
        Effect::new(move |done: Option<bool>| done == Some(true) || self.focus(0));
    }

    /// Moves the focus for an arrow key, Home or End; `false` for any other key.
    fn follow_key(self, key: &str) -> bool {
        let count = self.items.with_value(Vec::len).max(1);
        let at = self.at.get_value();
        let next = match key {
            "ArrowDown" => (at + 1) % count,
            "ArrowUp" => (at + count - 1) % count,
            "Home" => 0,
            "End" => count - 1,
            _ => return false,
        };
        self.focus(next);
        true
    }
}

/// The focus went somewhere outside the menu and its button (or nowhere: a click beside it).
fn focus_left(ev: &leptos::ev::FocusEvent, wrapper: NodeRef<html::Div>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let target = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        match (wrapper.get(), target) {
            (Some(wrapper), Some(target)) => !wrapper.contains(Some(&target)),
            _ => true,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, wrapper);
        false
    }
}
