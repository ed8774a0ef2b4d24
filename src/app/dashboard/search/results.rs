//! The results of a search, in the inbox's place: a heading with what was searched for, where
//! the search stands in words, and each message found as a button that opens its conversation
//! at it. The snippet's matching words are `<mark>`ed; every text is a text node, never HTML.

use super::{Outcome, Search};
use crate::app::dashboard::desk::Desk;
use crate::app::dashboard::labels::{visitor_label, StatusPill};
use crate::client::search::written_at;
use crate::protocol::{SearchHit, Sender, SenderKind, SnippetPart};
use leptos::prelude::*;

#[component]
pub fn SearchResults(desk: Desk) -> impl IntoView {
    let search = desk.search;
    let heading = move || {
        let query = search
            .outcome
            .with(|o| o.query().unwrap_or_default().to_string());
        format!("Results for “{query}”")
    };
    let problem = move || {
        search.outcome.with(|o| match o {
            Outcome::Failed { message, .. } => Some(message.clone()),
            _ => None,
        })
    };
    view! {
        <section class="search-results" aria-labelledby="search-results-title">
            <div class="search-results__head">
                <h3 id="search-results-title">{heading}</h3>
                <button type="button" class="button button--quiet" on:click=move |_| search.clear()>
                    "Clear search"
                </button>
            </div>
            // Always there, so that screen readers hear each change of its words.
            <p class="search-results__status" role="status">
                {move || search.outcome.with(Outcome::status_line)}
            </p>
            {move || problem().map(|message| view! {
                <p class="search-results__problem" role="alert">{message}</p>
            })}
            <HitList desk search />
        </section>
    }
}

/// The messages found, best first.
#[component]
fn HitList(desk: Desk, search: Search) -> impl IntoView {
    let hits = move || {
        search.outcome.with(|o| match o {
            Outcome::Done { hits, .. } => hits.clone(),
            _ => Vec::new(),
        })
    };
    view! {
        <ul class="search-results__list" aria-labelledby="search-results-title"
            hidden=move || hits().is_empty()>
            {move || hits().into_iter().map(|hit| hit_row(desk, hit)).collect_view()}
        </ul>
    }
}

/// One message found: whose conversation, when, who wrote it, the words around the match,
/// and where the conversation stands.
fn hit_row(desk: Desk, hit: SearchHit) -> impl IntoView {
    let search = desk.search;
    let SearchHit {
        session_id,
        message_id,
        seq,
        sender,
        created_at,
        visitor,
        status,
        snippet,
    } = hit;
    let name = visitor_label(&visitor, &session_id);
    let when = written_at(&created_at.0);
    let who = format!("{}: ", sender_words(&sender));
    let chosen = {
        let id = message_id.clone();
        move || search.chosen.with(|c| c.as_deref() == Some(id.as_str()))
    };
    let session = session_id.clone();
    let choose = move |_| {
        search.chosen.set(Some(message_id.clone()));
        desk.open_at(session.clone(), seq);
    };
    view! {
        <li>
            <button type="button" class="search-result" data-session-id=session_id
                aria-current=move || chosen().then_some("true") on:click=choose>
                <span class="search-result__top">
                    <span class="search-result__visitor">{name}</span>
                    <time class="search-result__time" datetime=created_at.0>{when}</time>
                </span>
                <span class="search-result__snippet">
                    <span class="search-result__who">{who}</span>
                    {marked(snippet)}
                </span>
                <span class="search-result__tags"><StatusPill status /></span>
            </button>
        </li>
    }
}

/// Who wrote a message, in words.
fn sender_words(sender: &Sender) -> String {
    match sender.kind {
        SenderKind::Customer => "Visitor".into(),
        SenderKind::Ai => "AI assistant".into(),
        SenderKind::Agent => sender.name.clone().unwrap_or_else(|| "Agent".into()),
        SenderKind::System => "Note in the thread".into(),
    }
}

/// The snippet as text nodes, the matching words in `<mark>`.
fn marked(parts: Vec<SnippetPart>) -> impl IntoView {
    parts
        .into_iter()
        .map(|part| {
            if part.hit {
                view! { <mark>{part.text}</mark> }.into_any()
            } else {
                part.text.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sender_is_said_in_words() {
        let sender = |kind, name: Option<&str>| Sender {
            kind,
            id: None,
            name: name.map(str::to_string),
        };
        assert_eq!(
            sender_words(&sender(SenderKind::Customer, Some("Dana"))),
            "Visitor"
        );
        assert_eq!(sender_words(&sender(SenderKind::Ai, None)), "AI assistant");
        assert_eq!(
            sender_words(&sender(SenderKind::Agent, Some("Alice Martin"))),
            "Alice Martin"
        );
        assert_eq!(sender_words(&sender(SenderKind::Agent, None)), "Agent");
    }
}
