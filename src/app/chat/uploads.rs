//! The files a message being written will carry: each one checked (size, how many), sent to the
//! server at once with its progress, cancelled or removed at will, and handed to the message
//! when it is sent. What the person sees of them is the tray (`tray.rs`).

use crate::client::attachments::{too_large, too_many};
use crate::client::upload::{self, Destination, PickedFile, Upload, UploadError};
use crate::protocol::{
    Attachment, AttachmentPolicy, INLINE_IMAGE_TYPES, MAX_ATTACHMENTS_PER_MESSAGE,
};
use leptos::prelude::*;
use std::collections::HashMap;

/// Where a composer's files go; each page passes its own.
#[derive(Clone, Copy)]
pub struct Uploader {
    /// The endpoint and conversation of the next upload; `None` while there is no conversation
    /// yet (the visitor's starts with their first message or file).
    pub destination: Signal<Option<Destination>>,
    /// Asked for a conversation when a file comes before there is one: the files wait, and go
    /// once `destination` names it.
    pub prepare: Option<Callback<()>>,
    /// The server no longer accepts the agent's token.
    pub signed_out: Option<Callback<()>>,
}

/// Where one file stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Waiting for the conversation to exist.
    Waiting,
    /// On its way: the share sent so far, 0 to 1.
    Uploading(f64),
    /// Stored: it goes with the message.
    Done(Attachment),
}

/// One file in the tray.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub key: u64,
    pub name: String,
    pub size: u64,
    /// The image's own thumbnail, from the person's device (a `blob:` address).
    pub preview: Option<String>,
    pub stage: Stage,
}

/// The browser's side of an item: its file, and its request while one is on its way.
struct Held {
    file: PickedFile,
    request: Option<Upload>,
}

/// Browser objects stay on the page's one thread. On the server no file is ever held (and a
/// thread-bound value there could be dropped on another of the server's threads).
#[cfg(feature = "hydrate")]
type HeldStorage = LocalStorage;
#[cfg(not(feature = "hydrate"))]
type HeldStorage = SyncStorage;

/// The composer's files. Signals only: `Copy`, so every handler can hold it.
#[derive(Clone, Copy)]
pub struct Uploads {
    pub items: RwSignal<Vec<Item>>,
    /// Why files were refused (too large, too many, or the server's reason), until the person
    /// dismisses them or does something else.
    pub refusals: RwSignal<Vec<String>>,
    held: StoredValue<HashMap<u64, Held>, HeldStorage>,
    next_key: StoredValue<u64>,
    policy: Signal<AttachmentPolicy>,
    uploader: Option<Uploader>,
}

impl Uploads {
    pub fn new(policy: Signal<AttachmentPolicy>, uploader: Option<Uploader>) -> Self {
        let uploads = Self {
            items: RwSignal::new(Vec::new()),
            refusals: RwSignal::new(Vec::new()),
            held: StoredValue::new_with_storage(HashMap::new()),
            next_key: StoredValue::new(0),
            policy,
            uploader,
        };
        if let Some(uploader) = uploader {
            uploads.follow(uploader.destination);
        }
        on_cleanup(move || uploads.clear(|_| true));
        uploads
    }

    /// Files can be attached here: the policy allows some, and there is somewhere to send them.
    pub fn enabled(self) -> bool {
        self.uploader.is_some() && self.policy.with(AttachmentPolicy::enabled)
    }

    /// [`Uploads::enabled`], for event handlers.
    pub fn enabled_untracked(self) -> bool {
        self.uploader.is_some() && self.policy.with_untracked(AttachmentPolicy::enabled)
    }

    /// The types the file picker offers (`accept`).
    pub fn accepted(self) -> String {
        self.policy.with(|p| p.accepted.join(","))
    }

    /// Attaches the files a paste carries (a screenshot, a copied file) instead of pasting
    /// them; any other paste goes into the box as usual.
    pub fn paste(self, event: &leptos::ev::ClipboardEvent) {
        let files = upload::pasted_files(event);
        if !files.is_empty() {
            event.prevent_default();
            self.add(files);
        }
    }

    /// Some file is still on its way (or waiting to go): the message waits for it.
    pub fn busy(self) -> bool {
        self.items.with(|items| busy_of(items))
    }

    pub fn busy_untracked(self) -> bool {
        self.items.with_untracked(|items| busy_of(items))
    }

    /// Some file is stored and ready to go with the message.
    pub fn any_finished(self) -> bool {
        self.items
            .with(|items| items.iter().any(|i| matches!(i.stage, Stage::Done(_))))
    }

    /// The stored files, in the order they were added.
    pub fn finished_untracked(self) -> Vec<Attachment> {
        self.items.with_untracked(|items| finished_of(items))
    }

    /// Takes files the person picked, pasted or dropped: checks each, and sends those that pass.
    pub fn add(self, files: Vec<PickedFile>) {
        if files.is_empty() || !self.enabled_untracked() {
            return;
        }
        self.refusals.set(Vec::new());
        let policy = self.policy.get_untracked();
        let mut count = self.items.with_untracked(Vec::len);
        let mut refused = Vec::new();
        let mut left_out = Vec::new();
        for file in files {
            let name = file.name();
            let size = file.size().max(0.0) as u64;
            if count >= MAX_ATTACHMENTS_PER_MESSAGE {
                left_out.push(name);
                continue;
            }
            if let Some(why) = too_large(&name, size, &policy) {
                refused.push(why);
                continue;
            }
            count += 1;
            self.hold(file, name, size);
        }
        refused.extend(too_many(&left_out));
        if !refused.is_empty() {
            self.refusals.set(refused);
        }
        self.start_waiting();
    }

    /// Puts a file in the tray, waiting to go.
    fn hold(self, file: PickedFile, name: String, size: u64) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let image = INLINE_IMAGE_TYPES.contains(&file.type_().as_str());
        let preview = if image {
            upload::preview_url(&file)
        } else {
            None
        };
        self.held.update_value(|held| {
            held.insert(
                key,
                Held {
                    file,
                    request: None,
                },
            );
        });
        self.items.update(|items| {
            items.push(Item {
                key,
                name,
                size,
                preview,
                stage: Stage::Waiting,
            })
        });
    }

    /// Sends every waiting file, if there is a conversation to send it to (or asks for one).
    fn start_waiting(self) {
        let Some(uploader) = self.uploader else {
            return;
        };
        let waiting: Vec<u64> = self.items.with_untracked(|items| {
            items
                .iter()
                .filter(|i| i.stage == Stage::Waiting)
                .map(|i| i.key)
                .collect()
        });
        if waiting.is_empty() {
            return;
        }
        let Some(destination) = uploader.destination.get_untracked() else {
            if let Some(prepare) = uploader.prepare {
                prepare.run(());
            }
            return;
        };
        for key in waiting {
            self.send(key, &destination);
        }
    }

    fn send(self, key: u64, to: &Destination) {
        // A copy of the browser's handle: nothing stays borrowed while the request starts,
        // since `on_done` may run at once (a request that could not even be sent).
        let Some(file) = self
            .held
            .try_with_value(|held| held.get(&key).map(|h| h.file.clone()))
            .flatten()
        else {
            return;
        };
        self.set_stage(key, Stage::Uploading(0.0));
        let on_progress = move |share: f64| self.set_stage(key, Stage::Uploading(share));
        let on_done = move |outcome: Result<Attachment, UploadError>| self.finish(key, outcome);
        let request = upload::start(&file, to, on_progress, on_done);
        self.held.try_update_value(|held| {
            if let Some(h) = held.get_mut(&key) {
                h.request = Some(request);
            }
        });
    }

    fn set_stage(self, key: u64, stage: Stage) {
        self.items.try_update(|items| {
            if let Some(item) = items.iter_mut().find(|i| i.key == key) {
                item.stage = stage;
            }
        });
    }

    /// What the server said about one file: stored, or refused (and out of the tray).
    fn finish(self, key: u64, outcome: Result<Attachment, UploadError>) {
        match outcome {
            Ok(attachment) => {
                self.set_stage(key, Stage::Done(attachment));
                self.held.try_update_value(|held| {
                    held.remove(&key);
                });
            }
            // Whoever cancelled it has already taken it out.
            Err(UploadError::Cancelled) => {}
            Err(error) => {
                let name = self
                    .items
                    .try_with_untracked(|items| {
                        items.iter().find(|i| i.key == key).map(|i| i.name.clone())
                    })
                    .flatten()
                    .unwrap_or_default();
                // The request is over: out of the tray without cancelling anything.
                self.held.try_update_value(|held| {
                    held.remove(&key);
                });
                self.remove(key);
                if error.is_unauthorized() {
                    if let Some(signed_out) = self.uploader.and_then(|u| u.signed_out) {
                        signed_out.run(());
                    }
                }
                self.refusals
                    .try_update(|r| r.push(format!("{name} was not sent: {}", error.words())));
            }
        }
    }

    /// Takes a file out of the tray, cancelling its upload if it is still on its way.
    pub fn remove(self, key: u64) {
        self.clear(|item| item.key == key);
    }

    /// After the message is sent: its files leave the tray.
    pub fn take_sent(self) {
        self.clear(|item| matches!(item.stage, Stage::Done(_)));
    }

    /// Takes out the items `which` picks: their requests are cancelled and their thumbnails
    /// freed. (Cancelling calls back at once, so nothing is borrowed meanwhile.)
    fn clear(self, which: impl Fn(&Item) -> bool) {
        let gone: Vec<Item> = self
            .items
            .try_update(|items| {
                let (gone, kept): (Vec<Item>, Vec<Item>) =
                    std::mem::take(items).into_iter().partition(|i| which(i));
                *items = kept;
                gone
            })
            .unwrap_or_default();
        for item in gone {
            let held = self
                .held
                .try_update_value(|held| held.remove(&item.key))
                .flatten();
            if let Some(request) = held.and_then(|h| h.request) {
                request.abort();
            }
            if let Some(preview) = &item.preview {
                upload::forget_preview(preview);
            }
        }
    }

    /// Follows the conversation the files go to: waiting files go once there is one; another
    /// conversation (the agent opened a different one) starts the tray afresh, since files
    /// belong to the conversation they were sent to.
    fn follow(self, destination: Signal<Option<Destination>>) {
        Effect::new(move |before: Option<Option<Destination>>| {
            let now = destination.get();
            if let (Some(Some(was)), Some(is)) = (&before, &now) {
                if was != is {
                    self.clear(|_| true);
                    self.refusals.set(Vec::new());
                }
            }
            if now.is_some() {
                self.start_waiting();
            }
            now
        });
    }
}

fn busy_of(items: &[Item]) -> bool {
    items.iter().any(|i| !matches!(i.stage, Stage::Done(_)))
}

fn finished_of(items: &[Item]) -> Vec<Attachment> {
    items
        .iter()
        .filter_map(|i| match &i.stage {
            Stage::Done(attachment) => Some(attachment.clone()),
            _ => None,
        })
        .collect()
}
