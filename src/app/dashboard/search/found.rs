//! Going to a message a search found: its conversation opens (at its newest page, as always),
//! earlier pages load one after the other until the message is there, and then it is scrolled
//! into view, outlined for a moment (`message--found`, public/chat.css) and focused, so that a
//! keyboard or screen-reader user lands on it. A message more than [`MAX_REACH`] messages
//! before the newest page is not chased: the agent is told how to reach it.
//!
//! The message list is shared with the widget and draws its lines itself; its lines carry
//! `data-seq`, which is how the message is found on the page.

use crate::app::dashboard::desk::Desk;
use crate::client::conversation::Conversation;
use crate::client::typing::later;
use leptos::prelude::*;

/// A message to go to, in its conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub session_id: String,
    pub seq: u64,
}

/// How far back (in messages before the first one shown) earlier pages are loaded to reach a
/// message: 20 pages.
const MAX_REACH: u64 = 2000;
/// How long the outline stays on the message.
const OUTLINED_FOR_MS: u32 = 8000;
/// The class of the outlined line.
const MARK: &str = "message--found";
const TOO_FAR: &str = "That message is more than 2,000 messages back in the conversation. \
    Use “Show earlier messages” to reach it, or download the transcript.";

/// What stands between the messages shown and the one to go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    There,
    Earlier,
    TooFar,
}

/// `first_shown`: the first `seq` on the page.
fn reach(first_shown: u64, seq: u64) -> Reach {
    if first_shown <= seq {
        Reach::There
    } else if first_shown - seq > MAX_REACH {
        Reach::TooFar
    } else {
        Reach::Earlier
    }
}

impl Desk {
    /// Opens a conversation at one of its messages (a chosen search result); [`GoToFound`]
    /// does the rest once it is open.
    pub fn open_at(self, session_id: String, seq: u64) {
        let open_already = self.selected.get_untracked().as_deref() == Some(session_id.as_str());
        self.found.set(Some(Found {
            session_id: session_id.clone(),
            seq,
        }));
        if !open_already {
            if let Some(open) = self.open_conversation.get_value() {
                open.run(session_id);
            }
        }
    }
}

/// Follows the message to go to while its conversation loads, and keeps its outline on it
/// while the list draws its lines anew. Draws nothing itself.
#[component]
pub fn GoToFound(desk: Desk) -> impl IntoView {
    // The outline on now: a count (a newer one outlives an older one's timer) and the message.
    let outlined = StoredValue::new(None::<(u64, u64)>);
    // The earlier page last asked for: the message to go to, and the first `seq` shown then.
    // Each page is asked for once, so that a page that comes back empty ends the chase.
    let asked = StoredValue::new(None::<(Found, u64)>);
    Effect::new(move |_| {
        let Some(found) = desk.found.get() else {
            return;
        };
        if desk.selected.get().as_deref() != Some(found.session_id.as_str()) {
            return;
        }
        // Nothing shown yet: the first page is on its way.
        let Some(first) = desk.conversation.with(Conversation::first_seq) else {
            return;
        };
        match reach(first, found.seq) {
            // One page at a time: each one that arrives runs this again.
            Reach::Earlier => {
                let page = Some((found, first));
                if asked.with_value(|a| *a != page) {
                    asked.set_value(page);
                    desk.load_earlier();
                }
            }
            Reach::TooFar => {
                asked.set_value(None);
                desk.found.set(None);
                desk.problem.set(Some(TOO_FAR.into()));
            }
            Reach::There => {
                asked.set_value(None);
                desk.found.set(None);
                outline(outlined, found.seq);
            }
        }
    });
    Effect::new(move |_| {
        desk.conversation.track();
        // While an outline is on: after the list has drawn the change, it is on its message.
        if let Some(seq) = outlined.try_with_value(|o| o.map(|(_, seq)| seq)).flatten() {
            later(0, move || place_outline(Some(seq)));
        }
    });
}

/// Outlines message `seq`, brings it into view and focuses it; the outline goes after a while.
fn outline(outlined: StoredValue<Option<(u64, u64)>>, seq: u64) {
    let count = outlined.with_value(|o| o.map_or(0, |(count, _)| count)) + 1;
    outlined.set_value(Some((count, seq)));
    // After the list has drawn the page that holds it.
    later(50, move || {
        place_outline(Some(seq));
        bring_into_view(seq);
    });
    later(OUTLINED_FOR_MS, move || {
        if outlined.try_with_value(|o| o.map(|(c, _)| c)) == Some(Some(count)) {
            outlined.set_value(None);
            place_outline(None);
        }
    });
}

/// Puts the outline on message `seq`'s line (`None`: on no line) and takes it off any other.
fn place_outline(seq: Option<u64>) {
    #[cfg(feature = "hydrate")]
    {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let others = match seq {
            Some(seq) => format!(".conversation__thread .{MARK}:not([data-seq=\"{seq}\"])"),
            None => format!(".conversation__thread .{MARK}"),
        };
        // One at a time (this crate's web-sys has no `NodeList`); there is one at most, but
        // a list drawn anew may have left one behind.
        for _ in 0..8 {
            let Some(line) = document.query_selector(&others).ok().flatten() else {
                break;
            };
            line.set_class_name(&without_mark(&line.class_name()));
        }
        if let Some(line) = seq.and_then(|seq| line_of(&document, seq)) {
            let class = line.class_name();
            if !has_mark(&class) {
                line.set_class_name(&format!("{class} {MARK}"));
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seq;
}

/// Scrolls message `seq` into view and gives it the focus (it takes it, but is no tab stop).
fn bring_into_view(seq: u64) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let document = web_sys::window().and_then(|w| w.document());
        let Some(line) = document.and_then(|d| line_of(&d, seq)) else {
            return;
        };
        line.scroll_into_view();
        let _ = line.set_attribute("tabindex", "-1");
        if let Some(line) = line.dyn_ref::<web_sys::HtmlElement>() {
            let _ = line.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seq;
}

/// The open conversation's line of message `seq`.
#[cfg(feature = "hydrate")]
fn line_of(document: &web_sys::Document, seq: u64) -> Option<web_sys::Element> {
    let selector = format!(".conversation__thread .messages > [data-seq=\"{seq}\"]");
    document.query_selector(&selector).ok().flatten()
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn has_mark(class: &str) -> bool {
    class.split_whitespace().any(|c| c == MARK)
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn without_mark(class: &str) -> String {
    class
        .split_whitespace()
        .filter(|c| *c != MARK)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_pages_load_until_the_message_is_there_within_reach() {
        assert_eq!(reach(31, 1), Reach::Earlier);
        assert_eq!(reach(31, 31), Reach::There);
        assert_eq!(reach(1, 12), Reach::There);
        assert_eq!(reach(2001, 1), Reach::Earlier);
        assert_eq!(reach(2002, 1), Reach::TooFar);
    }

    #[test]
    fn the_outline_is_one_class_among_the_others() {
        let class = "msg msg--theirs msg--customer";
        assert!(!has_mark(class));
        let marked = format!("{class} {MARK}");
        assert!(has_mark(&marked));
        assert_eq!(without_mark(&marked), class);
        assert_eq!(without_mark(class), class);
    }
}
