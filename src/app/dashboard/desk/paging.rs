//! What the desk fetches a page at a time: the inbox (its first pages after every
//! (re)connection, the next as the agent scrolls) and the open conversation's history (its
//! newest page when opened, what it missed after a reconnect, earlier pages as the agent
//! scrolls back).

use super::Desk;
use crate::client::api::{self, HistoryPage, CATCH_UP_PAGE};
use crate::client::conversation::Conversation;
use crate::client::inbox::Filter;
use leptos::prelude::*;

impl Desk {
    pub fn refresh_inbox(self) {
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            match api::inbox(&token).await {
                Ok(pages) => self.inbox.update(|i| i.replace_all(pages)),
                Err(error) => self.fail(error),
            }
        });
    }

    /// The next page of the list `filter` shows, unless one is on its way or there is none.
    pub fn load_more(self, filter: Filter) {
        let Some(path) = self.inbox.with_untracked(|i| {
            (!i.loading)
                .then(|| i.next_page(filter).map(str::to_string))
                .flatten()
        }) else {
            return;
        };
        self.inbox.update(|i| i.loading = true);
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            let page = api::sessions_page(&token, &path).await;
            self.inbox.update(|i| i.loading = false);
            match page {
                Ok((sessions, next)) => {
                    self.inbox.update(|i| i.append_page(filter, sessions, next))
                }
                Err(error) => self.fail(error),
            }
        });
    }

    /// Fetches what the open conversation lacks (its newest page when just opened, the tail
    /// after a reconnect) and marks it read.
    pub fn catch_up(self) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        let page = match self.conversation.with_untracked(Conversation::last_seq) {
            0 => HistoryPage::LATEST,
            last => HistoryPage::After(last),
        };
        self.fetch_history(id, page, true);
    }

    /// The page before the first message shown.
    pub fn load_earlier(self) {
        let (Some(id), Some(first)) = (
            self.selected.get_untracked(),
            self.conversation.with_untracked(Conversation::first_seq),
        ) else {
            return;
        };
        if self.loading_earlier.get_value() {
            return;
        }
        self.loading_earlier.set_value(true);
        self.fetch_history(id, HistoryPage::Before(first), false);
    }

    /// Fetches a page of the conversation `id` into it, if it is still the open one; a
    /// catch-up that came back full asks for the next page.
    fn fetch_history(self, id: String, page: HistoryPage, catching_up: bool) {
        let token = self.token.get_value();
        leptos::task::spawn_local(async move {
            let fetched = api::messages(&token, &id, page).await;
            if !catching_up {
                self.loading_earlier.set_value(false);
            }
            let messages = match fetched {
                Ok(messages) => messages,
                Err(error) => return self.fail(error),
            };
            if self.selected.get_untracked().as_deref() != Some(id.as_str()) {
                return;
            }
            let full = matches!(page, HistoryPage::After(_)) && messages.len() >= CATCH_UP_PAGE;
            self.conversation.update(|c| c.load(messages));
            if catching_up {
                self.mark_read();
            }
            if full {
                self.catch_up();
            }
        });
    }
}
