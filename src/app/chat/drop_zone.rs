//! Files dragged onto the composer: while they are over it, it says it takes them, and it takes
//! them when they are dropped. Text or links dragged over it stay the textarea's own. Entering
//! and leaving the composer's children is counted, so that the state ends only when the drag
//! leaves the whole composer.

use super::uploads::Uploads;
use crate::client::upload;
use leptos::ev::DragEvent;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct DropZone {
    /// Files are over the composer now.
    pub dragging: RwSignal<bool>,
    depth: StoredValue<i32>,
    uploads: Uploads,
    /// The composer takes nothing now.
    disabled: Signal<bool>,
}

impl DropZone {
    pub fn new(uploads: Uploads, disabled: Signal<bool>) -> Self {
        Self {
            dragging: RwSignal::new(false),
            depth: StoredValue::new(0),
            uploads,
            disabled,
        }
    }

    /// Whether these are files the composer takes now.
    fn takes(self, event: &DragEvent) -> bool {
        self.uploads.enabled_untracked()
            && !self.disabled.get_untracked()
            && upload::drags_files(event)
    }

    pub fn enter(self, event: DragEvent) {
        if self.takes(&event) {
            event.prevent_default();
            self.depth.update_value(|d| *d += 1);
            self.dragging.set(true);
        }
    }

    /// Without this the browser would not let the files be dropped here.
    pub fn over(self, event: DragEvent) {
        if self.takes(&event) {
            event.prevent_default();
        }
    }

    pub fn leave(self) {
        self.depth.update_value(|d| *d = (*d - 1).max(0));
        if self.depth.get_value() == 0 {
            self.dragging.set(false);
        }
    }

    pub fn dropped(self, event: DragEvent) {
        self.depth.set_value(0);
        self.dragging.set(false);
        if self.takes(&event) {
            event.prevent_default();
            self.uploads.add(upload::dropped_files(&event));
        }
    }
}
