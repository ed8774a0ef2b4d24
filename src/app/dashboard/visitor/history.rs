//! "Conversations" in the side panel: the visitor's other conversations (the same browser's
//! earlier ones, or a verified customer's from any device), newest activity first, each a
//! button that opens it in the workspace.

use crate::app::dashboard::desk::Desk;
use crate::app::dashboard::labels::{last_line, status_words};
use crate::client::search::{visitor_conversations, written_at};
use crate::protocol::{ServerEvent, Session};
use leptos::prelude::*;

/// Where the list stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Listed {
    Loading,
    Loaded(Vec<Session>),
    Failed(String),
}

/// The open conversation's id and its visitor's, when the server knows the visitor.
type Whose = Option<(String, String)>;

/// The section, for a conversation whose visitor is known (older ones have none).
#[component]
pub fn OtherConversations(desk: Desk, session: Memo<Option<Session>>) -> impl IntoView {
    let whose = Memo::new(move |_| {
        session.with(|s| {
            let s = s.as_ref()?;
            Some((s.id.clone(), s.visitor_id.clone()?))
        })
    });
    let listed = RwSignal::new(Listed::Loading);
    Effect::new(move |_| {
        if let Some((open_id, visitor_id)) = whose.get() {
            fetch(desk, listed, whose, open_id, visitor_id);
        }
    });
    move || {
        whose.with(Option::is_some).then(|| {
            view! {
                <section class="visitor-history" aria-labelledby="visitor-history-title">
                    <h4 id="visitor-history-title" class="visitor-history__title">"Conversations"</h4>
                    {move || listing(desk, listed.get())}
                </section>
            }
        })
    }
}

/// Fetches the visitor's conversations, all but the open one.
fn fetch(
    desk: Desk,
    listed: RwSignal<Listed>,
    whose: Memo<Whose>,
    open_id: String,
    visitor_id: String,
) {
    listed.set(Listed::Loading);
    let token = desk.token.get_value();
    leptos::task::spawn_local(async move {
        let answer = visitor_conversations(&token, &visitor_id).await;
        // Another conversation opened meanwhile: its own fetch answers for it.
        let still_open =
            whose.try_with_untracked(|w| w.as_ref().is_some_and(|(id, _)| *id == open_id));
        if still_open != Some(true) {
            return;
        }
        let next = match answer {
            Ok(sessions) => Listed::Loaded(
                sessions
                    .into_iter()
                    .filter(|s| s.id != open_id && !s.test)
                    .collect(),
            ),
            Err(error) if error.is_unauthorized() => return desk.fail(error),
            Err(error) => Listed::Failed(format!(
                "Their other conversations could not be loaded: {error}"
            )),
        };
        listed.try_set(next);
    });
}

fn listing(desk: Desk, listed: Listed) -> AnyView {
    match listed {
        Listed::Loading => view! {
            <p class="muted visitor-history__note">"Loading their conversations…"</p>
        }
        .into_any(),
        Listed::Failed(message) => {
            view! { <p class="visitor-history__note" role="alert">{message}</p> }.into_any()
        }
        Listed::Loaded(sessions) if sessions.is_empty() => view! {
            <p class="muted visitor-history__note">"No other conversations."</p>
        }
        .into_any(),
        Listed::Loaded(sessions) => view! {
            <ul class="visitor-history__list">
                {sessions.into_iter().map(|s| row(desk, s)).collect_view()}
            </ul>
        }
        .into_any(),
    }
}

/// One conversation: when it was last active, where it stands, and its last message.
fn row(desk: Desk, session: Session) -> impl IntoView {
    let when = written_at(&session.updated_at.0);
    let datetime = session.updated_at.0.clone();
    let status = status_words(session.status);
    let last = last_line(&session);
    let id = session.id.clone();
    let open = move |_| open_listed(desk, session.clone());
    view! {
        <li>
            <button type="button" class="visitor-history__row" data-session-id=id on:click=open>
                <span class="visitor-history__top">
                    <time datetime=datetime>{when}</time>
                    <span class="visitor-history__status">{status}</span>
                </span>
                <span class="visitor-history__last">{last}</span>
            </button>
        </li>
    }
}

/// Opens one of the listed conversations. One the inbox has not loaded (an old closed one)
/// joins it first, so that its head shows who holds it and its buttons.
fn open_listed(desk: Desk, session: Session) {
    let id = session.id.clone();
    desk.inbox.update(|inbox| {
        if inbox.get(&id).is_none() {
            inbox.apply(&ServerEvent::SessionUpdated { session }, None);
        }
    });
    if let Some(open) = desk.open_conversation.get_value() {
        open.run(id);
    }
}
