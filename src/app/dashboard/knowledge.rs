//! `/knowledge`: the articles the assistant answers from and the help center shows, for admins
//! to write and edit. The list on the left, the open article on the right ([`editor`]).

mod editor;

use super::desk::Desk;
use crate::client::api;
use crate::protocol::{AgentRole, KnowledgeArticle};
use editor::{ArticleEditor, Draft};
use leptos::prelude::*;

/// The page's shared state. All signals: `Copy`, so every closure can hold it.
#[derive(Clone, Copy)]
struct Shelf {
    desk: Desk,
    articles: RwSignal<Option<Vec<KnowledgeArticle>>>,
    /// The article being edited (a new one has no id).
    open: RwSignal<Option<Draft>>,
    /// The tenant's widget key, for links to the help center.
    widget_key: RwSignal<Option<String>>,
    /// The open article was just saved (its editor says so).
    just_saved: RwSignal<bool>,
}

impl Shelf {
    fn load(self) {
        let token = self.desk.token.get_value();
        leptos::task::spawn_local(async move {
            match api::articles(&token).await {
                Ok(articles) => self.articles.set(Some(articles)),
                Err(error) => self.desk.fail(error),
            }
            if let Ok(me) = api::me(&token).await {
                self.widget_key.set(Some(me.tenant.widget_key));
            }
        });
    }

    /// After a save: the article in the list, in title order, and open as saved.
    fn saved(self, article: KnowledgeArticle) {
        self.articles.update(|list| {
            let list = list.get_or_insert_with(Vec::new);
            list.retain(|a| a.id != article.id);
            list.push(article.clone());
            list.sort_by_key(|a| a.title.to_lowercase());
        });
        self.just_saved.set(true);
        self.open.set(Some(Draft::of(&article)));
    }

    /// Opens an article (or a new one) to edit.
    fn edit(self, draft: Draft) {
        self.just_saved.set(false);
        self.open.set(Some(draft));
    }

    fn deleted(self, id: &str) {
        self.articles.update(|list| {
            if let Some(list) = list {
                list.retain(|a| a.id != id);
            }
        });
        self.open.set(None);
    }
}

#[component]
pub fn KnowledgePage() -> impl IntoView {
    let desk = expect_context::<Desk>();
    if desk.me.with_value(|me| me.role) != AgentRole::Admin {
        return view! { <AdminsOnly what="the knowledge base" /> }.into_any();
    }
    let shelf = Shelf {
        desk,
        articles: RwSignal::new(None),
        open: RwSignal::new(None),
        widget_key: RwSignal::new(None),
        just_saved: RwSignal::new(false),
    };
    Effect::new(move |_| shelf.load());
    view! {
        <main class="admin">
            <ArticleList shelf />
            <section class="admin__main" aria-label="Article">
                {move || match shelf.open.get() {
                    Some(draft) => view! {
                        <ArticleEditor
                            draft
                            token=desk.token.get_value()
                            widget_key=shelf.widget_key
                            on_saved=Callback::new(move |a| shelf.saved(a))
                            on_deleted=Callback::new(move |id: String| shelf.deleted(&id))
                            just_saved=shelf.just_saved.get_untracked()
                        />
                    }.into_any(),
                    None => view! { <NothingOpen shelf /> }.into_any(),
                }}
            </section>
        </main>
    }
    .into_any()
}

/// What an agent who is not an admin sees on an admin's page.
#[component]
pub fn AdminsOnly(what: &'static str) -> impl IntoView {
    view! {
        <main class="admin admin--single">
            <div class="admin__main admin__note">
                <h1>"Only admins can change this"</h1>
                <p class="muted">{format!("Ask an admin of your team to change {what}.")}</p>
                <a class="button button--quiet" href="/">"Back to the inbox"</a>
            </div>
        </main>
    }
}

#[component]
fn ArticleList(shelf: Shelf) -> impl IntoView {
    let new_article = move |_| shelf.edit(Draft::default());
    let rows = move || {
        match shelf.articles.get() {
        None => view! { <p class="admin__empty muted">"Loading the articles…"</p> }.into_any(),
        Some(list) if list.is_empty() => view! {
            <p class="admin__empty muted">
                "No articles yet. Write one for each topic visitors ask about: the assistant answers from them."
            </p>
        }
        .into_any(),
        Some(list) => view! {
            <ul class="admin__items">
                {list.into_iter().map(|article| article_row(shelf, article)).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };
    view! {
        <aside class="admin__list" aria-label="Articles">
            <div class="admin__head">
                <h1>"Knowledge base"</h1>
                <button type="button" class="button button--primary" on:click=new_article>
                    "New article"
                </button>
            </div>
            {move || shelf.widget_key.get().map(|key| view! {
                <a class="admin__help-link" href=format!("/help/{key}") target="_blank" rel="noopener">
                    "Open the help center"
                    <span class="visually-hidden">" (opens in a new tab)"</span>
                </a>
            })}
            {rows}
        </aside>
    }
}

fn article_row(shelf: Shelf, article: KnowledgeArticle) -> impl IntoView {
    let id = article.id.clone();
    let current = move || {
        shelf
            .open
            .with(|open| open.as_ref().and_then(|d| d.id.as_deref()) == Some(id.as_str()))
    };
    let updated = crate::client::time::short_time(&article.updated_at.0);
    let open = article.clone();
    view! {
        <li>
            <button
                type="button"
                class="admin__item"
                aria-current=move || current().then_some("true")
                on:click=move |_| shelf.edit(Draft::of(&open))
            >
                <span class="admin__item-title">{article.title}</span>
                <span class="admin__item-meta muted">{format!("/{} · edited {updated}", article.slug)}</span>
            </button>
        </li>
    }
}

#[component]
fn NothingOpen(shelf: Shelf) -> impl IntoView {
    view! {
        <div class="admin__note">
            <h2>"No article open"</h2>
            <p class="muted">
                "Pick an article to edit it, or write a new one. Each "<code>"##"</code>
                " section answers one question; the assistant answers a visitor with the best section and links to the article."
            </p>
            <button type="button" class="button button--quiet" on:click=move |_| shelf.edit(Draft::default())>
                "New article"
            </button>
        </div>
    }
}
