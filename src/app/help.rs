//! The public help center: a tenant's articles at `/help/{widgetKey}`, one at
//! `/help/{widgetKey}/{slug}`. Rendered by the server only (no script needed to read it); the
//! article's HTML comes from `server::http::markdown`, which lets no raw HTML through.

use leptos::prelude::*;

/// One article in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub slug: String,
    pub title: String,
}

/// The document around a help page.
#[component]
fn HelpShell(title: String, children: Children) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{title}</title>
                <link rel="stylesheet" href="/pkg/switchboard.css" />
            </head>
            <body class="help">
                <main class="help__page">{children()}</main>
            </body>
        </html>
    }
}

/// `/help/{widgetKey}`: the tenant's articles.
pub fn help_index(widget_key: String, tenant: String, entries: Vec<HelpEntry>) -> impl IntoView {
    let heading = format!("{tenant} help center");
    let empty = entries.is_empty();
    view! {
        <HelpShell title=heading.clone()>
            <h1>{heading}</h1>
            <p class="help__lead">"Answers to common questions. Still stuck? Open the chat on our site."</p>
            {empty.then(|| view! { <p>"There are no articles yet."</p> })}
            <ul class="help__list">
                {entries
                    .into_iter()
                    .map(|entry| {
                        let href = format!("/help/{widget_key}/{}", entry.slug);
                        view! { <li><a href=href>{entry.title}</a></li> }
                    })
                    .collect_view()}
            </ul>
        </HelpShell>
    }
}

/// `/help/{widgetKey}/{slug}`: one article, its markdown already made safe HTML.
pub fn help_article(
    widget_key: String,
    tenant: String,
    title: String,
    html: String,
) -> impl IntoView {
    let page_title = format!("{title} · {tenant} help center");
    let back = format!("/help/{widget_key}");
    view! {
        <HelpShell title=page_title>
            <nav aria-label="Breadcrumb"><a href=back>{format!("{tenant} help center")}</a></nav>
            <article class="help__article">
                <h1>{title}</h1>
                <div inner_html=html></div>
            </article>
        </HelpShell>
    }
}
