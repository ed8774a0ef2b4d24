//! The messenger as the visitor sees it: the header, the conversation, and the footer with the
//! composer.

use super::host;
use super::state::MessengerState;
use super::MessengerSetup;
use crate::app::chat::{Composer, MessageList, Viewer};
use crate::appearance::{initials, Palette};
use crate::client::conversation::Conversation;
use crate::protocol::WidgetLook;
use leptos::prelude::*;

#[component]
pub fn Messenger(setup: MessengerSetup) -> impl IntoView {
    let setup_json = serde_json::to_string(&setup).unwrap_or_default();
    let MessengerSetup { widget_key, config } = setup;
    let state = MessengerState::new(widget_key, config.team_available);

    // After hydration: the stored conversation, the read mark, the host page.
    Effect::new(move |_| state.resume());
    let unread = Memo::new(move |_| state.unread());
    Effect::new(move |_| state.mark_seen());
    Effect::new(move |_| host::report_unread(unread.get()));

    let greeting = config
        .greeting
        .clone()
        .or_else(|| Some("Hi! How can we help you today?".into()));
    let colours = Palette::of(Some(&config.look.colour)).css_variables();
    view! {
        <div class="messenger" data-setup=setup_json style=colours>
            <MessengerHeader state look=config.look.clone() ai_enabled=config.ai_enabled />
            <MessageList
                entries=Signal::derive(move || state.conversation.with(Conversation::entries))
                viewer=Viewer::Visitor
                intro=Signal::stored(greeting)
                offline=Signal::derive(move || state.offline())
                has_earlier=Signal::derive(move || state.conversation.with(Conversation::has_earlier))
                on_earlier=Callback::new(move |()| state.load_earlier())
            />
            <MessengerFooter state />
        </div>
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

/// The tenant, who answers, the connection, and the button that minimizes the widget.
#[component]
fn MessengerHeader(state: MessengerState, look: WidgetLook, ai_enabled: bool) -> impl IntoView {
    let title = look.title.clone();
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
            <button
                class="messenger__close"
                type="button"
                aria-label="Minimize chat"
                on:click=move |_| host::ask_to_close()
            >
                "×"
            </button>
        </header>
    }
}

/// Under the conversation: who is typing, the latest notice, "Talk to a human", the composer.
#[component]
fn MessengerFooter(state: MessengerState) -> impl IntoView {
    let send_message = Callback::new(move |content: String| state.send_message(content));
    let send_typing = Callback::new(move |typing: bool| state.send_typing(typing));
    view! {
        <div class="messenger__footer">
            {move || state.agent_typing.get().map(|name| view! {
                <p class="typing" aria-live="polite">{format!("{name} is typing…")}</p>
            })}
            {move || state.notice.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <Show when=move || state.offers_human()>
                <button class="talk-to-human" type="button" on:click=move |_| state.talk_to_human()>
                    "Talk to a human"
                </button>
            </Show>
            <Composer on_send=send_message on_typing=send_typing placeholder="Type your message…" />
            <p class="messenger__brand">"Powered by Switchboard"</p>
        </div>
    }
}
