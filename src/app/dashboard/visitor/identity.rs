//! Who vouched for the visitor: a shop that verified its signed-in customer (identity
//! verification, docs/protocol.md) shows here with the customer's id in the shop. An anonymous
//! visitor, the usual case, shows nothing.

use leptos::prelude::*;

/// "Verified customer · cust-42" when the shop vouched for who this is.
#[component]
pub fn VerifiedBadge(user_id: Memo<Option<String>>) -> impl IntoView {
    move || {
        user_id.get().map(|id| {
            view! {
                <p class="visitor-panel__verified" title="The shop vouched for who this is">
                    <span class="visitor-panel__badge">"Verified"</span>
                    " customer · "
                    <span class="visitor-panel__user-id">{id}</span>
                </p>
            }
        })
    }
}
