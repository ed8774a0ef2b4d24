//! One article being written: title, address, markdown body, a preview rendered by the server's
//! own safe renderer (the help center's, so what the admin sees is what visitors get), save and
//! delete. The server checks everything; its answer is shown as it words it.

use crate::client::api::{self, RequestError};
use crate::protocol::{ArticleRequest, KnowledgeArticle};
use leptos::{ev, html, prelude::*};

/// The article as the editor opened it; a new article has no id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub id: Option<String>,
    pub title: String,
    pub slug: String,
    pub body: String,
}

impl Draft {
    pub fn of(article: &KnowledgeArticle) -> Self {
        Self {
            id: Some(article.id.clone()),
            title: article.title.clone(),
            slug: article.slug.clone(),
            body: article.body.clone(),
        }
    }

    fn request(&self) -> ArticleRequest {
        let slug = self.slug.trim();
        ArticleRequest {
            slug: (!slug.is_empty()).then(|| slug.to_string()),
            title: self.title.clone(),
            body: self.body.clone(),
        }
    }
}

/// What the body pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pane {
    Write,
    /// The server's rendering, or why there is none.
    Preview(Option<Result<String, String>>),
}

/// Where the last save or delete stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Saved,
    Failed(String),
}

#[component]
pub fn ArticleEditor(
    draft: Draft,
    token: String,
    widget_key: RwSignal<Option<String>>,
    on_saved: Callback<KnowledgeArticle>,
    on_deleted: Callback<String>,
    /// Whether this editor opened right after a save (to say so).
    #[prop(optional)]
    just_saved: bool,
) -> impl IntoView {
    let opened = StoredValue::new(draft.clone());
    let current = RwSignal::new(draft.clone());
    let pane = RwSignal::new(Pane::Write);
    let outcome = RwSignal::new(just_saved.then_some(Outcome::Saved));
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);
    let changed = move || current.with(|c| opened.with_value(|o| c != o));
    let title_input = NodeRef::<html::Input>::new();
    focus_title_of_a_new_article(opened, title_input);

    let save = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let (id, request) = (opened.with_value(|o| o.id.clone()), current.get().request());
        leptos::task::spawn_local(async move {
            match api::save_article(&token.get_value(), id.as_deref(), &request).await {
                Ok(article) => on_saved.run(article),
                Err(error) => outcome.set(Some(Outcome::Failed(worded(error)))),
            }
            busy.set(false);
        });
    };
    let show_preview = move |_| preview(token, current.with(|c| c.body.clone()), pane);
    let heading = if draft.id.is_some() {
        "Edit article"
    } else {
        "New article"
    };

    view! {
        <form class="editor" on:submit=save aria-label=heading>
            <EditorHead heading opened widget_key />
            <label class="field">
                <span class="field__label">"Title"</span>
                <input
                    node_ref=title_input
                    type="text"
                    required
                    maxlength="200"
                    prop:value=move || current.with(|c| c.title.clone())
                    on:input=move |ev| current.update(|c| c.title = event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span class="field__label">"Address in the help center"</span>
                <input
                    type="text"
                    maxlength="80"
                    placeholder="made from the title"
                    aria-describedby="slug-hint"
                    prop:value=move || current.with(|c| c.slug.clone())
                    on:input=move |ev| current.update(|c| c.slug = event_target_value(&ev))
                />
                <span id="slug-hint" class="field__hint">"Small letters a–z, digits and dashes, for example opening-hours."</span>
            </label>
            <BodyPane current pane show_preview=Callback::new(show_preview) />
            <EditorActions opened current busy outcome changed=Signal::derive(changed) token on_deleted />
        </form>
    }
}

/// A new article starts with the cursor in its title.
fn focus_title_of_a_new_article(opened: StoredValue<Draft>, title: NodeRef<html::Input>) {
    Effect::new(move |_| {
        if opened.with_value(|o| o.id.is_none()) {
            if let Some(input) = title.get() {
                let _ = input.focus();
            }
        }
    });
}

/// Shows the server's rendering of `body`, unless the admin went back to writing meanwhile.
fn preview(token: StoredValue<String>, body: String, pane: RwSignal<Pane>) {
    pane.set(Pane::Preview(None));
    leptos::task::spawn_local(async move {
        let rendered = api::preview(&token.get_value(), &body).await;
        if matches!(pane.get_untracked(), Pane::Preview(_)) {
            pane.set(Pane::Preview(Some(
                rendered.map(|r| r.html).map_err(worded),
            )));
        }
    });
}

/// "New article" or "Edit article", and a saved article's page in the help center.
#[component]
fn EditorHead(
    heading: &'static str,
    opened: StoredValue<Draft>,
    widget_key: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="editor__head">
            <h2>{heading}</h2>
            {move || {
                let slug = opened.with_value(|o| o.id.is_some().then(|| o.slug.clone()))?;
                let key = widget_key.get()?;
                Some(view! {
                    <a class="editor__view" href=format!("/help/{key}/{slug}") target="_blank" rel="noopener">
                        "View in the help center"
                        <span class="visually-hidden">" (opens in a new tab)"</span>
                    </a>
                })
            }}
        </div>
    }
}

/// The markdown, or its preview, with the two tabs that switch between them.
#[component]
fn BodyPane(
    current: RwSignal<Draft>,
    pane: RwSignal<Pane>,
    show_preview: Callback<ev::MouseEvent>,
) -> impl IntoView {
    let writing = move || pane.with(|p| *p == Pane::Write);
    view! {
        <div class="field">
            <div class="editor__tabs">
                <span class="field__label" id="body-label">"Article"</span>
                <div class="tabs" role="group" aria-label="Article view">
                    <button type="button" class="tab" aria-pressed=move || writing().to_string()
                        on:click=move |_| pane.set(Pane::Write)>"Write"</button>
                    <button type="button" class="tab" aria-pressed=move || (!writing()).to_string()
                        on:click=move |ev| show_preview.run(ev)>"Preview"</button>
                </div>
            </div>
            {move || match pane.get() {
                Pane::Write => view! {
                    <textarea
                        class="editor__body"
                        aria-labelledby="body-label"
                        aria-describedby="body-hint"
                        rows="16"
                        prop:value=move || current.with(|c| c.body.clone())
                        on:input=move |ev| current.update(|c| c.body = event_target_value(&ev))
                    ></textarea>
                    <span id="body-hint" class="field__hint">
                        "Markdown. Start each question visitors ask with a "<code>"## heading"</code>
                        "; the assistant answers with the best section and links to this article."
                    </span>
                }.into_any(),
                Pane::Preview(None) => view! { <p class="muted" role="status">"Rendering the preview…"</p> }.into_any(),
                Pane::Preview(Some(Err(why))) => view! { <p class="form__problem" role="alert">{why}</p> }.into_any(),
                // HTML from the help center's renderer, in which no raw HTML survives.
                Pane::Preview(Some(Ok(html))) => view! {
                    <div class="editor__preview help__article" aria-label="Preview" inner_html=html></div>
                }.into_any(),
            }}
        </div>
    }
}

/// Save, the state of the last save, and delete with a confirmation.
#[component]
fn EditorActions(
    opened: StoredValue<Draft>,
    current: RwSignal<Draft>,
    busy: RwSignal<bool>,
    outcome: RwSignal<Option<Outcome>>,
    changed: Signal<bool>,
    token: StoredValue<String>,
    on_deleted: Callback<String>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let delete = move |_| {
        let Some(id) = opened.with_value(|o| o.id.clone()) else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::delete_article(&token.get_value(), &id).await {
                Ok(()) => on_deleted.run(id),
                Err(error) => outcome.set(Some(Outcome::Failed(worded(error)))),
            }
            busy.set(false);
        });
    };
    let status = move || match (outcome.get(), changed.get()) {
        (Some(Outcome::Failed(why)), _) => {
            view! { <p class="form__problem" role="alert">{why}</p> }.into_any()
        }
        (_, true) => {
            view! { <p class="editor__status" role="status">"Unsaved changes"</p> }.into_any()
        }
        (Some(Outcome::Saved), false) => view! {
            <p class="editor__status editor__status--ok" role="status">
                "Saved. The assistant answers from it from the next question on."
            </p>
        }
        .into_any(),
        (None, false) => view! { <p class="editor__status" role="status"></p> }.into_any(),
    };
    let title = move || current.with(|c| c.title.clone());
    view! {
        <div class="editor__actions">
            <button type="submit" class="button button--primary" disabled=move || busy.get()>
                {move || if busy.get() { "Saving…" } else { "Save article" }}
            </button>
            {status}
            <Show when=move || opened.with_value(|o| o.id.is_some())>
                {move || if confirming.get() {
                    view! {
                        <span class="editor__confirm" role="group" aria-label="Confirm deletion">
                            <span>{format!("Delete \u{201c}{}\u{201d} for good?", title())}</span>
                            <button type="button" class="button button--danger" on:click=delete disabled=move || busy.get()>"Delete"</button>
                            <button type="button" class="button button--quiet" on:click=move |_| confirming.set(false)>"Keep it"</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button button--quiet editor__delete" on:click=move |_| confirming.set(true)>
                            "Delete article"
                        </button>
                    }.into_any()
                }}
            </Show>
        </div>
    }
}

/// The server's words for a refusal, or a sentence for a request that never arrived.
fn worded(error: RequestError) -> String {
    match error {
        RequestError::Rejected { message, .. } => sentence(&message),
        RequestError::Unreachable(_) => {
            "The server cannot be reached. Your text is still here: try again in a moment.".into()
        }
    }
}

/// "the slug must be …" → "The slug must be ….".
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut worded: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return "The server refused this.".into(),
    };
    if !worded.ends_with('.') {
        worded.push('.');
    }
    worded
}
