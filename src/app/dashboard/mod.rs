//! The agent dashboard at `/`: sign-in now; the live inbox and conversation view grow here.

mod sign_in;

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Dashboard() -> impl IntoView {
    view! {
        <Title text="Switchboard · Agent dashboard" />
        <sign_in::SignIn />
    }
}
