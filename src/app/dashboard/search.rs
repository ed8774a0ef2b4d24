//! Searching the tenant's messages from the inbox's head: the box (Enter searches, a pause in
//! typing does too, Escape clears), where the search stands ([`Outcome`]), and choosing a
//! result, which opens its conversation at the message found ([`found`]).
//!
//! The state lives in the [`Desk`] (as [`Search`]): the inbox pane is drawn anew as the agent
//! opens conversations, and the results stay until the agent clears them.

mod found;
mod results;

pub use found::{Found, GoToFound};
pub use results::SearchResults;

use super::desk::Desk;
use crate::client::api::RequestError;
use crate::client::search;
use crate::client::typing::later;
use crate::protocol::{SearchHit, DEFAULT_SEARCH_HITS};
use leptos::{html, prelude::*};

/// How long typing pauses before the box searches by itself (Enter does at once).
const PAUSE_MS: u32 = 400;
/// A pause searches only once the box holds this many characters (Enter searches any).
const TYPED_AT_LEAST: usize = 2;

/// Where a search stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No search: the inbox shows its list.
    Idle,
    Searching {
        query: String,
    },
    Done {
        query: String,
        hits: Vec<SearchHit>,
    },
    Failed {
        query: String,
        message: String,
    },
}

impl Outcome {
    pub fn is_idle(&self) -> bool {
        *self == Outcome::Idle
    }

    /// What was searched for.
    pub fn query(&self) -> Option<&str> {
        match self {
            Outcome::Idle => None,
            Outcome::Searching { query }
            | Outcome::Done { query, .. }
            | Outcome::Failed { query, .. } => Some(query),
        }
    }

    /// The sentence under the results' heading (a failure has its own, as an alert).
    pub fn status_line(&self) -> String {
        match self {
            Outcome::Idle | Outcome::Failed { .. } => String::new(),
            Outcome::Searching { .. } => "Searching…".into(),
            Outcome::Done { query, hits } => match hits.len() {
                0 => format!("No messages match “{query}”."),
                1 => "1 message matches.".into(),
                n if n as u32 >= DEFAULT_SEARCH_HITS => {
                    format!("The {n} best matches. Add a word to narrow them down.")
                }
                n => format!("{n} messages match."),
            },
        }
    }
}

/// The search box's text, where the search stands, and the result chosen. All signals: `Copy`.
#[derive(Clone, Copy)]
pub struct Search {
    pub text: RwSignal<String>,
    pub outcome: RwSignal<Outcome>,
    /// The message id of the result the agent chose last.
    pub chosen: RwSignal<Option<String>>,
    /// Counts what the agent did in the box, so that an older answer never replaces a newer
    /// search, and a pause in typing searches only if no key came after it.
    round: StoredValue<u64>,
    /// The box, to give it the focus back once the results are cleared.
    input: NodeRef<html::Input>,
}

impl Default for Search {
    fn default() -> Self {
        Self::new()
    }
}

impl Search {
    pub fn new() -> Self {
        Self {
            text: RwSignal::new(String::new()),
            outcome: RwSignal::new(Outcome::Idle),
            chosen: RwSignal::new(None),
            round: StoredValue::new(0),
            input: NodeRef::new(),
        }
    }

    fn next_round(self) -> u64 {
        self.round
            .try_update_value(|r| {
                *r += 1;
                *r
            })
            .unwrap_or_default()
    }

    fn is_round(self, round: u64) -> bool {
        self.round.try_with_value(|r| *r == round) == Some(true)
    }

    /// The agent typed: a blank box goes back to the inbox; otherwise a pause searches.
    pub fn typed(self, desk: Desk, text: String) {
        let blank = text.trim().is_empty();
        let long_enough = text.trim().chars().count() >= TYPED_AT_LEAST;
        self.text.set(text);
        let round = self.next_round();
        if blank {
            self.outcome.set(Outcome::Idle);
        } else if long_enough {
            later(PAUSE_MS, move || {
                if self.is_round(round) {
                    self.run(desk);
                }
            });
        }
    }

    /// Searches for what the box holds now.
    pub fn run(self, desk: Desk) {
        let query = self.text.get_untracked().trim().to_string();
        let round = self.next_round();
        if query.is_empty() {
            return self.outcome.set(Outcome::Idle);
        }
        self.outcome.set(Outcome::Searching {
            query: query.clone(),
        });
        let token = desk.token.get_value();
        leptos::task::spawn_local(async move {
            let answer = search::search(&token, &query, DEFAULT_SEARCH_HITS).await;
            if !self.is_round(round) {
                return;
            }
            let outcome = match answer {
                Ok(results) => Outcome::Done {
                    query,
                    hits: results.hits,
                },
                Err(error) if error.is_unauthorized() => return desk.fail(error),
                Err(error) => Outcome::Failed {
                    query,
                    message: failure(&error),
                },
            };
            self.outcome.try_set(outcome);
        });
    }

    /// Back to the inbox, with the cursor in the empty box.
    pub fn clear(self) {
        self.next_round();
        self.text.set(String::new());
        self.outcome.set(Outcome::Idle);
        self.chosen.set(None);
        if let Some(input) = self.input.get() {
            let _ = input.focus();
        }
    }
}

/// Why a search did not work: the server's own sentence for a query it cannot read (it says
/// what to change), else what went wrong.
fn failure(error: &RequestError) -> String {
    match error {
        RequestError::Rejected { status: 422, .. } => error.to_string(),
        other => format!("The search did not work: {other}"),
    }
}

/// The search landmark in the inbox's head.
#[component]
pub fn SearchBox(desk: Desk) -> impl IntoView {
    let search = desk.search;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        search.run(desk);
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            search.clear();
        }
    };
    view! {
        <form class="inbox__search" role="search" on:submit=submit>
            <input
                type="search"
                class="inbox__search-input"
                aria-label="Search conversations"
                placeholder="Search messages"
                autocomplete="off"
                node_ref=search.input
                prop:value=move || search.text.get()
                on:input=move |ev| search.typed(desk, event_target_value(&ev))
                on:keydown=keydown
            />
            <button type="submit" class="button inbox__search-go">"Search"</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(query: &str, hits: usize) -> Outcome {
        let hit: SearchHit = serde_json::from_value(serde_json::json!({
            "sessionId": "s", "messageId": "m", "seq": 1,
            "sender": {"kind": "customer"}, "createdAt": "2026-12-02T10:00:00.000Z",
            "visitor": {}, "status": "active", "snippet": [{"text": "kettle", "hit": true}]
        }))
        .unwrap();
        Outcome::Done {
            query: query.into(),
            hits: vec![hit; hits],
        }
    }

    #[test]
    fn the_status_line_says_what_was_found() {
        assert_eq!(
            done("kettle", 0).status_line(),
            "No messages match “kettle”."
        );
        assert_eq!(done("kettle", 1).status_line(), "1 message matches.");
        assert_eq!(done("kettle", 3).status_line(), "3 messages match.");
        assert_eq!(
            done("kettle", DEFAULT_SEARCH_HITS as usize).status_line(),
            "The 20 best matches. Add a word to narrow them down."
        );
        let searching = Outcome::Searching {
            query: "kettle".into(),
        };
        assert_eq!(searching.status_line(), "Searching…");
        assert_eq!(searching.query(), Some("kettle"));
        assert!(Outcome::Idle.is_idle() && Outcome::Idle.query().is_none());
    }
}
