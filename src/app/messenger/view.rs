//! The messenger as the visitor sees it: the header, the conversation, and the footer with the
//! composer.

use super::host;
use super::state::MessengerState;
use super::MessengerSetup;
use crate::app::chat::{Composer, Draft, MessageList, Uploader, Viewer};
use crate::appearance::{initials, Palette};
use crate::client::conversation::Conversation;
use crate::client::upload::Destination;
use crate::protocol::{AttachmentPolicy, TeamState, WidgetLook};
use leptos::prelude::*;

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
                seen_up_to=state.team_read_seq
            />
            <MessengerFooter state by_email=config.replies_by_email policy=config.attachments.clone() />
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
