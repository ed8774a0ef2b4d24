use leptos::prelude::*;
use leptos_meta::Title;

/// What an unknown path shows. The server's fallback handler answers it with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found · Switchboard" />
        <main class="page page--centered">
            <section class="card not-found">
                <p class="not-found__code">"404"</p>
                <h1>"This page does not exist"</h1>
                <p>"The address may be mistyped, or the page may have moved."</p>
                <nav class="not-found__links">
                    <a href="/">"Agent dashboard"</a>
                    <a href="/widget-demo">"Demo shop"</a>
                    <a href="/websocket-test">"WebSocket diagnostics"</a>
                </nav>
            </section>
        </main>
    }
}
