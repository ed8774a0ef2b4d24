//! What the person sees of the files a message will carry: the attach button (with its hidden
//! file picker), the tray of files above the message box (name, size, progress, cancel or
//! remove), and why a file was refused.

use super::uploads::{Item, Stage, Uploads};
use crate::client::attachments::size_in_words;
use crate::client::upload;
use leptos::{html, prelude::*};

/// "Attach a file": opens the browser's file picker, for the types the policy accepts.
#[component]
pub fn AttachButton(uploads: Uploads, #[prop(into)] disabled: Signal<bool>) -> impl IntoView {
    let picker = NodeRef::<html::Input>::new();
    let open = move |_| {
        if let Some(input) = picker.get() {
            input.click();
        }
    };
    view! {
        <button
            type="button"
            class="composer__attach"
            aria-label="Attach a file"
            title="Attach a file"
            disabled=move || disabled.get()
            on:click=open
        >
            <PaperclipIcon />
        </button>
        <input
            type="file"
            multiple
            hidden
            node_ref=picker
            accept=move || uploads.accepted()
            on:change=move |ev| uploads.add(upload::chosen_files(&ev))
        />
    }
}

/// A paperclip, drawn in the text's colour. Decoration: the button's name says what it does.
#[component]
fn PaperclipIcon() -> impl IntoView {
    view! {
        <svg class="composer__attach-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"
            focusable="false" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round">
            <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48" />
        </svg>
    }
}

/// The files of the message being written, each with its size and where it stands. Removing
/// one puts the focus back in the message box (`on_removed`), so the keyboard never loses it.
#[component]
pub fn UploadTray(uploads: Uploads, on_removed: Callback<()>) -> impl IntoView {
    let any = move || uploads.items.with(|items| !items.is_empty());
    view! {
        <Show when=any>
            <ul class="tray" aria-label="Files to send">
                <For
                    each=move || uploads.items.get()
                    key=|item: &Item| item.key
                    children=move |item: Item| view! { <TrayItem uploads item on_removed /> }
                />
            </ul>
        </Show>
    }
}

/// One file in the tray. Drawn once; only where it stands changes (the focus on its button
/// survives the progress).
#[component]
fn TrayItem(uploads: Uploads, item: Item, on_removed: Callback<()>) -> impl IntoView {
    let key = item.key;
    let stage = Memo::new(move |_| {
        uploads
            .items
            .with(|items| items.iter().find(|i| i.key == key).map(|i| i.stage.clone()))
    });
    let done = move || matches!(stage.get(), Some(Stage::Done(_)));
    let share = move || match stage.get() {
        Some(Stage::Uploading(share)) => share,
        _ => 0.0,
    };
    let name = item.name.clone();
    let button_label = {
        let name = name.clone();
        move || {
            if done() {
                format!("Remove {name}")
            } else {
                format!("Cancel upload of {name}")
            }
        }
    };
    let status = move || match stage.get() {
        Some(Stage::Waiting) => "Waiting for the conversation to start…".to_string(),
        Some(Stage::Uploading(share)) => format!("Uploading, {}%", (share * 100.0).round() as u32),
        Some(Stage::Done(_)) => "Ready to send".to_string(),
        None => String::new(),
    };
    let remove_title = button_label.clone();
    let remove = move |_| {
        uploads.remove(key);
        on_removed.run(());
    };
    // The image itself where the page may show it (a `blob:` address), else a sheet of paper.
    let preview = item.preview.clone();
    let broken = RwSignal::new(false);
    let thumbnail = move || match preview.clone().filter(|_| !broken.get()) {
        Some(src) => view! {
            <img class="tray__thumb" src=src alt="" on:error=move |_| broken.set(true) />
        }
        .into_any(),
        None => view! {
            <span class="tray__thumb tray__thumb--file" aria-hidden="true"><FileIcon /></span>
        }
        .into_any(),
    };
    let progress_label = format!("Uploading {name}");
    view! {
        <li class="tray__item" class:tray__item--done=done>
            {thumbnail}
            <span class="tray__about">
                <span class="tray__name">{name}</span>
                <span class="tray__size">
                    {size_in_words(item.size)}
                    " · "
                    <span class="tray__status">{status}</span>
                </span>
                <Show when=move || !done()>
                    // Without a value while it waits: the browser shows it as indeterminate.
                    <progress
                        class="tray__progress"
                        max="1"
                        value=move || match stage.get() {
                            Some(Stage::Uploading(_)) => Some(share().to_string()),
                            _ => None,
                        }
                        aria-label=progress_label.clone()
                    ></progress>
                </Show>
            </span>
            <button type="button" class="tray__remove" aria-label=button_label title=remove_title
                on:click=remove>
                <span aria-hidden="true">"×"</span>
            </button>
        </li>
    }
}

/// A sheet of paper, for a file that is not an image. Decoration.
#[component]
pub fn FileIcon() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none"
            stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z" />
            <path d="M14 2v6h6" />
        </svg>
    }
}

/// Why files were refused, until the person dismisses it (or attaches or sends again).
#[component]
pub fn Refusals(uploads: Uploads) -> impl IntoView {
    move || {
        let lines = uploads.refusals.get();
        (!lines.is_empty()).then(|| {
            view! {
                <div class="composer__refusals" role="alert">
                    <ul class="composer__refusal-list">
                        {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                    </ul>
                    <button type="button" class="composer__dismiss"
                        on:click=move |_| uploads.refusals.set(Vec::new())>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}
