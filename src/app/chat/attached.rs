//! The files a message carries, as the conversation shows them: an image as its thumbnail (a
//! link to the full size), any other file as a card to download (its name, kind and size).
//! Names are text nodes and `alt` text: never read as HTML.

use super::tray::FileIcon;
use crate::client::attachments::{kind_in_words, size_in_words};
use crate::protocol::Attachment;
use leptos::prelude::*;

/// The message's files, in the order they were sent (nothing when it has none).
pub fn attached_files(attachments: Vec<Attachment>) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        view! {
            <ul class="attachments" aria-label="Files">
                {attachments.into_iter().map(attached_file).collect_view()}
            </ul>
        }
    })
}

fn attached_file(attachment: Attachment) -> AnyView {
    if !own_address(&attachment.url) {
        unavailable(attachment).into_any()
    } else if attachment.is_image() {
        image(attachment).into_any()
    } else {
        file_card(attachment).into_any()
    }
}

/// Only this server's own signed addresses are links: never one from elsewhere. (A message
/// may also come without one, where the server does not give it out.)
fn own_address(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

/// The thumbnail keeps its place before it loads: the server measured the image.
fn image(attachment: Attachment) -> impl IntoView {
    let Attachment {
        name,
        url,
        width,
        height,
        ..
    } = attachment;
    let full_size = url.clone();
    let label = format!("Open {name} full size");
    view! {
        <li class="attachment attachment--image">
            <a class="attachment__open" href=full_size target="_blank" rel="noopener" aria-label=label>
                <img class="attachment__thumb" src=url alt=name
                    width=width.map(|w| w.to_string()) height=height.map(|h| h.to_string())
                    loading="lazy" decoding="async" />
            </a>
        </li>
    }
}

fn file_card(attachment: Attachment) -> impl IntoView {
    let kind = kind_in_words(&attachment.content_type, &attachment.name);
    let about = format!("{kind} · {}", size_in_words(attachment.size));
    let Attachment { name, url, .. } = attachment;
    let saved_as = name.clone();
    view! {
        <li class="attachment attachment--file">
            <a class="attachment__card" href=url download=saved_as>
                <span class="attachment__icon" aria-hidden="true"><FileIcon /></span>
                <span class="attachment__about">
                    <span class="visually-hidden">"Download "</span>
                    <span class="attachment__name">{name}</span>
                    <span class="attachment__kind">{about}</span>
                </span>
            </a>
        </li>
    }
}

/// A file whose address this page does not have: its name, kind and size, without a link.
fn unavailable(attachment: Attachment) -> impl IntoView {
    let kind = kind_in_words(&attachment.content_type, &attachment.name);
    let about = format!("{kind} · {}", size_in_words(attachment.size));
    view! {
        <li class="attachment attachment--file">
            <span class="attachment__card attachment__card--unavailable">
                <span class="attachment__icon" aria-hidden="true"><FileIcon /></span>
                <span class="attachment__about">
                    <span class="attachment__name">{attachment.name}</span>
                    <span class="attachment__kind">{about}</span>
                </span>
            </span>
        </li>
    }
}

/// The names of the files a message on its way carries ("Sending…" stands under them).
pub fn sending_files(attachments: Vec<Attachment>) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        view! {
            <ul class="attachments attachments--sending" aria-label="Files">
                {attachments.into_iter().map(|a| view! {
                    <li class="attachment attachment--sending">
                        <span class="attachment__icon" aria-hidden="true"><FileIcon /></span>
                        <span class="attachment__name">{a.name}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}
