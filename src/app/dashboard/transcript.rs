//! "Download transcript" in the open conversation's head: the conversation as a file, in the
//! format the agent picks (plain text, JSON, or a web page of its own), as the agents see it.

use super::desk::Desk;
use crate::client::search::{download_transcript, format_value, parse_format};
use crate::protocol::TranscriptFormat;
use leptos::prelude::*;

/// The formats offered, in the order of the menu.
const FORMATS: [(TranscriptFormat, &str); 3] = [
    (TranscriptFormat::Txt, "Text"),
    (TranscriptFormat::Json, "JSON"),
    (TranscriptFormat::Html, "HTML"),
];

/// Where a download stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Download {
    Ready,
    Busy,
    Failed(String),
}

#[component]
pub fn TranscriptDownload(desk: Desk, session_id: String) -> impl IntoView {
    let format = RwSignal::new(TranscriptFormat::Txt);
    let state = RwSignal::new(Download::Ready);
    let session_id = StoredValue::new(session_id);
    let download = move |_| {
        let token = desk.token.get_value();
        let id = session_id.get_value();
        let chosen = format.get_untracked();
        state.set(Download::Busy);
        leptos::task::spawn_local(async move {
            let next = match download_transcript(&token, &id, chosen).await {
                Ok(()) => Download::Ready,
                Err(error) if error.is_unauthorized() => return desk.fail(error),
                Err(error) => {
                    Download::Failed(format!("The transcript could not be downloaded: {error}"))
                }
            };
            // The head may have been drawn anew meanwhile: then nobody is waiting for this.
            state.try_set(next);
        });
    };
    let busy = move || state.with(|s| *s == Download::Busy);
    let problem = move || {
        state.with(|s| match s {
            Download::Failed(message) => Some(message.clone()),
            _ => None,
        })
    };
    view! {
        <span class="conversation__transcript" role="group" aria-label="Transcript">
            <select aria-label="Transcript format" prop:value=move || format_value(format.get())
                on:change=move |ev| {
                    if let Some(chosen) = parse_format(&event_target_value(&ev)) {
                        format.set(chosen);
                    }
                }>
                {FORMATS.iter().map(|(f, label)| view! {
                    <option value=format_value(*f)>{*label}</option>
                }).collect_view()}
            </select>
            <button type="button" class="button" on:click=download disabled=busy aria-describedby="transcript-state">
                "Download transcript"
            </button>
            <span id="transcript-state" class="conversation__transcript-busy" role="status">
                {move || if busy() { "Preparing the file…" } else { "" }}
            </span>
            {move || problem().map(|message| view! {
                <span class="conversation__transcript-problem" role="alert">{message}</span>
            })}
        </span>
    }
}
