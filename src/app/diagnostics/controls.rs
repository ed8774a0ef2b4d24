//! What both modes show of their socket: the status line, "Disconnect", and the message form.

use super::manual_socket::ManualSocket;
use leptos::prelude::*;

/// "Disconnected", "Connecting…" or "Connected", announced as it changes.
#[component]
pub(super) fn ConnectionStatus(socket: ManualSocket) -> impl IntoView {
    view! {
        <p class=move || socket.status.get().class() role="status" aria-live="polite">
            {move || socket.status.get().label()}
        </p>
    }
}

#[component]
pub(super) fn DisconnectButton(socket: ManualSocket) -> impl IntoView {
    view! {
        <button type="button" class="button" on:click=move |_| socket.close()
            disabled=move || !socket.is_connected()>
            "Disconnect"
        </button>
    }
}

/// The "Message" field and "Send", which works while the socket is connected. `on_send` reads
/// the draft.
#[component]
pub(super) fn MessageForm(
    class: &'static str,
    draft: RwSignal<String>,
    socket: ManualSocket,
    on_send: Callback<()>,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_send.run(());
    };
    view! {
        <form class=class on:submit=submit>
            <label class="field field--grow">
                <span class="field__label">"Message"</span>
                <input type="text" name="message" bind:value=draft autocomplete="off" />
            </label>
            <button type="submit" class="button button--primary" disabled=move || !socket.is_connected()>
                "Send"
            </button>
        </form>
    }
}
