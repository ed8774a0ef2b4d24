//! Every page of Switchboard as Leptos components. The server renders them to HTML; the WASM
//! bundle hydrates the same components in the browser.

mod chat;
mod dashboard;
mod diagnostics;
pub mod help;
pub mod messenger;
mod not_found;
mod widget_demo;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

/// The HTML document around the app: head, hydration scripts, body.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The routes of every page. The `.html` paths are aliases, so that the seeds' addresses
/// still lead to their pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/switchboard.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Router>
            <Routes fallback=not_found::NotFound>
                <ParentRoute path=path!("/") view=dashboard::Dashboard>
                    <Route path=path!("") view=dashboard::DeskPage />
                    <Route path=path!("conversations/:id") view=dashboard::DeskPage />
                    <Route path=path!("knowledge") view=dashboard::KnowledgePage />
                    <Route path=path!("settings") view=dashboard::SettingsPage />
                </ParentRoute>
                <Route path=path!("/widget-demo") view=widget_demo::WidgetDemo />
                <Route path=path!("/widget-demo.html") view=widget_demo::WidgetDemo />
                <Route path=path!("/websocket-test") view=diagnostics::Diagnostics />
                <Route path=path!("/websocket-test.html") view=diagnostics::Diagnostics />
                <Route path=path!("/static/websocket_test.html") view=diagnostics::Diagnostics />
            </Routes>
        </Router>
    }
}
