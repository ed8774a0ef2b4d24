//! The lists the modes grow as frames come and go (the echo's history, the session's
//! WebSocket events): each line numbered, for `<For>`, and stamped with the local time.

use crate::client::transport;
use leptos::prelude::*;

#[derive(Debug, Clone)]
pub(super) struct Logged<T> {
    pub(super) id: usize,
    pub(super) at: String,
    pub(super) line: T,
}

pub(super) struct Log<T: 'static> {
    pub(super) lines: RwSignal<Vec<Logged<T>>>,
    next_id: StoredValue<usize>,
}

// Signals are `Copy` whatever they hold; a derive would ask the same of `T`.
impl<T: 'static> Clone for Log<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Log<T> {}

impl<T: Send + Sync + 'static> Log<T> {
    pub(super) fn new() -> Self {
        Self {
            lines: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
        }
    }

    pub(super) fn push(self, line: T) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.lines.update(|lines| {
            lines.push(Logged {
                id,
                at: transport::clock_time(),
                line,
            })
        });
    }

    /// Empties the list; the numbers go on, so `<For>` never mistakes a new line for an old one.
    pub(super) fn clear(self) {
        self.lines.set(Vec::new());
    }
}
