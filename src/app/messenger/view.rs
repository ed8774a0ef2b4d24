//! The messenger as the visitor sees it: the header, the conversation (or the list of the
//! visitor's earlier ones), and the footer with the composer.

use super::earlier::{EarlierConversations, RecentConversations};
use super::host;
use super::menu::OptionsMenu;
use super::state::MessengerState;
use super::MessengerSetup;
use crate::app::chat::{Composer, Draft, MessageList, Uploader, Viewer};
use crate::appearance::{initials, Palette};
use crate::client::conversation::Conversation;
use crate::client::typing::later;
use crate::client::upload::Destination;
use crate::protocol::{AttachmentPolicy, TeamState, WidgetLook};
use leptos::{html, prelude::*};

/// The greeting when the tenant set none.
const DEFAULT_GREETING: &str = "How can we help you today?";

#[component]
pub fn Messenger(setup: MessengerSetup) -> impl IntoView {
    let setup_json = serde_json::to_string(&setup).unwrap_or_default();
    let MessengerSetup {
        widget_key,
        config,
        link,
    } = setup;
    let team = TeamState {
        available: config.team_available,
        back_at: config.back_at.clone(),
    };
    let state = MessengerState::new(widget_key, team);

    // After hydration: the stored conversation, the read mark, the host page.
    let link = StoredValue::new(link);
    Effect::new(move |_| {
        if let Some(link) = link.get_value() {
            state.follow_link(link);
        }
        state.resume();
    });
    let unread = Memo::new(move |_| state.unread());
    Effect::new(move |_| state.mark_seen());
    Effect::new(move |_| host::report_unread(unread.get()));

    let greeting = greeting_for(state, config.greeting.clone());
    let colours = Palette::of(Some(&config.look.colour)).css_variables();
    let opener = NodeRef::<html::Button>::new();
    focus_opener_when_closed(state, opener);
    view! {
        <div class="messenger" data-setup=setup_json style=colours>
            <MessengerHeader state look=config.look.clone() ai_enabled=config.ai_enabled opener />
            // Hidden, not removed, while the list is shown: a message being written stays.
            <div class="messenger__thread" hidden=move || state.history.shown.get()>
                <MessageList
                    entries=Signal::derive(move || state.conversation.with(Conversation::entries))
                    viewer=Viewer::Visitor
                    intro=greeting
                    offline=Signal::derive(move || state.offline())
                    has_earlier=Signal::derive(move || state.conversation.with(Conversation::has_earlier))
                    on_earlier=Callback::new(move |()| state.load_earlier())
                    seen_up_to=state.team_read_seq
                />
                <ConversationEnded state />
                <RecentConversations state />
                <MessengerFooter state by_email=config.replies_by_email policy=config.attachments.clone() />
            </div>
            <Show when=move || state.history.shown.get()>
                <EarlierConversations state opener />
            </Show>
        </div>
    }
}

/// Above the first message: the tenant's greeting, or the built-in one, with a signed-in
/// customer's name when the shop gives it.
fn greeting_for(state: MessengerState, tenant_greeting: Option<String>) -> Signal<Option<String>> {
    Signal::derive(move || {
        tenant_greeting.clone().or_else(|| {
            Some(match state.customer_name() {
                Some(name) => format!("Hi {name}! {DEFAULT_GREETING}"),
                None => format!("Hi! {DEFAULT_GREETING}"),
            })
        })
    })
}

/// When the list of conversations closes (Back, Escape, or one of them opened), the focus
/// goes back to the header's button that opens it.
fn focus_opener_when_closed(state: MessengerState, opener: NodeRef<html::Button>) {
    Effect::new(move |was_shown: Option<bool>| {
        let shown = state.history.shown.get();
        if was_shown == Some(true) && !shown {
            if let Some(button) = opener.get_untracked() {
                let _ = button.focus();
            }
        }
        shown
    });
}

/// Under a conversation an agent closed: that it has ended, and a fresh start (writing in it
/// still works: it reopens).
#[component]
fn ConversationEnded(state: MessengerState) -> impl IntoView {
    let start_new = move |_| {
        state.start_new();
        later(0, host::focus_composer);
    };
    view! {
        <Show when=move || state.is_closed()>
            <div class="ended">
                <p class="ended__text" role="status">"This conversation has ended."</p>
                <p class="ended__hint">"Writing here reopens it."</p>
                <button type="button" class="ended__new" on:click=start_new>
                    "Start a new conversation"
                </button>
            </div>
        </Show>
    }
}

/// The tenant's avatar: its uploaded image, or its title's initials. Decoration: the title
/// beside it says who this is.
#[component]
pub fn WidgetAvatar(#[prop(into)] look: Signal<WidgetLook>) -> impl IntoView {
    move || {
        let look = look.get();
        match look.avatar_url {
            Some(url) => view! { <img class="messenger__avatar" src=url alt="" /> }.into_any(),
            None => view! {
                <span class="messenger__avatar" aria-hidden="true">{initials(&look.title)}</span>
            }
            .into_any(),
        }
    }
}

/// The tenant, who answers, the connection, the visitor's conversations, more options, and
/// the button that minimizes the widget.
#[component]
fn MessengerHeader(
    state: MessengerState,
    look: WidgetLook,
    ai_enabled: bool,
    /// The "Your conversations" button, where the focus returns when the list closes.
    opener: NodeRef<html::Button>,
) -> impl IntoView {
    let title = look.title.clone();
    let shown = state.history.shown;
    view! {
        <header class="messenger__header">
            <WidgetAvatar look=Signal::stored(look) />
            <div class="messenger__title">
                <h1>{title}</h1>
                <p class="messenger__subtitle">{move || state.subtitle(ai_enabled)}</p>
            </div>
            // Only trouble is shown: a green "Online" read as "the team is online", which the
            // socket's state cannot say.
            <span
                class=move || format!("link link--{}", state.connection().tone)
                role="status"
                title="Connection"
                hidden=move || state.connection().tone == "online"
            >
                {move || state.connection().label}
            </span>
            <div class="messenger__actions">
                <button
                    class="messenger__action"
                    type="button"
                    node_ref=opener
                    aria-label="Your conversations"
                    aria-expanded=move || if shown.get() { "true" } else { "false" }
                    on:click=move |_| state.show_history(!shown.get_untracked())
                >
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none"
                        stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                        <path d="M3 12a9 9 0 1 0 2.64-6.36L3 8" />
                        <path d="M3 3v5h5" />
                        <path d="M12 7v5l3 3" />
                    </svg>
                </button>
                <OptionsMenu state />
                <button
                    class="messenger__close"
                    type="button"
                    aria-label="Minimize chat"
                    on:click=move |_| host::ask_to_close()
                >
                    "×"
                </button>
            </div>
        </header>
    }
}

/// Under the conversation: who is typing, the latest notice, "Talk to a human", the composer.
/// The visitor's files go to their conversation, which a file starts if it comes first.
#[component]
fn MessengerFooter(
    state: MessengerState,
    by_email: bool,
    policy: AttachmentPolicy,
) -> impl IntoView {
    let send_message = Callback::new(move |draft: Draft| state.send_message(draft));
    let send_typing = Callback::new(move |typing: bool| state.send_typing(typing));
    let uploader = Uploader {
        destination: Signal::derive(move || state.session_key().map(Destination::visitor)),
        prepare: Some(Callback::new(move |()| state.start())),
        signed_out: None,
    };
    view! {
        <div class="messenger__footer">
            {move || state.agent_typing.get().map(|name| view! {
                <p class="typing" aria-live="polite">{format!("{name} is typing…")}</p>
            })}
            {move || state.notice.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <ContactForm state by_email />
            <Show when=move || state.offers_human()>
                <button class="talk-to-human" type="button" on:click=move |_| state.talk_to_human()>
                    "Talk to a human"
                </button>
            </Show>
            <Composer
                on_send=send_message
                on_typing=send_typing
                placeholder="Type your message…"
                policy=Signal::stored(policy)
                uploader
            />
            <p class="messenger__brand">"Powered by Switchboard"</p>
        </div>
    }
}

/// While nobody can join: where the visitor wants the reply, and, once given, that it is noted
/// (and, when the server sends email, that a reply reaches them there if they have left).
#[component]
fn ContactForm(state: MessengerState, by_email: bool) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        state.leave_contact(email.get());
    };
    move || {
        if let Some(address) = state.contact.get() {
            return (!state.team_available.get())
                .then(|| view! {
                    <p class="contact__given" role="status">
                        {if by_email {
                            format!("Thanks: if you have left when the team replies, the reply goes to {address}.")
                        } else {
                            format!("Thanks: the team has your email, {address}, with this conversation.")
                        }}
                    </p>
                })
                .into_any();
        }
        state.asks_for_contact().then(|| view! {
            <form class="contact" on:submit=send aria-label="Leave your email">
                <label class="contact__label" for="contact-email">
                    "Nobody can answer right now. Leave your email so the team can reach you:"
                </label>
                <div class="contact__row">
                    <input id="contact-email" class="contact__input" type="email" required
                        autocomplete="email" maxlength="254" placeholder="you@example.com"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                    <button class="contact__send" type="submit" disabled=move || state.sending_contact.get()>
                        {move || if state.sending_contact.get() { "Sending…" } else { "Send" }}
                    </button>
                </div>
            </form>
        })
        .into_any()
    }
}
