//! [`Library`]: every tenant's own knowledge base, read from the store and kept per tenant
//! until it changes. Before each answer the tenant's [`KnowledgeVersion`] is asked of the
//! store (one small query); an edit made on any node changes it, so the next question is
//! answered from the edited articles, everywhere, without a restart.
//!
//! As an [`Answerer`] it answers each visitor from their own tenant's articles only; a tenant
//! without articles gets the honest "I'm not sure" and the offer of a person.

use super::{AiError, AnswerStream, Answerer, KnowledgeBase, Question};
use crate::server::store::{Article, ArticleContent, DynStore, KnowledgeVersion};
use futures::StreamExt;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

#[derive(Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

struct Inner {
    store: DynStore,
    /// Pause between the built-in answerer's tokens.
    pace: Duration,
    cached: Mutex<HashMap<String, (KnowledgeVersion, Arc<KnowledgeBase>)>>,
}

/// The markdown the knowledge base reads: the title as its `#` line, then the body.
fn as_markdown(article: &Article) -> (String, String) {
    (
        article.slug.clone(),
        format!("# {}\n{}", article.title, article.body),
    )
}

impl Library {
    pub fn new(store: DynStore, pace: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                pace,
                cached: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The tenant's knowledge base as the store has it now.
    pub async fn for_tenant(&self, tenant_id: &str) -> anyhow::Result<Arc<KnowledgeBase>> {
        let store = &self.inner.store;
        let version = store.knowledge_version(tenant_id).await?;
        if let Some((seen, kb)) = self.cached(tenant_id) {
            if seen == version {
                return Ok(kb);
            }
        }
        let articles: Vec<_> = store
            .articles(tenant_id)
            .await?
            .iter()
            .map(as_markdown)
            .collect();
        let kb = Arc::new(KnowledgeBase::from_articles(&articles, self.inner.pace));
        self.inner
            .cached
            .lock()
            .expect("library lock")
            .insert(tenant_id.to_string(), (version, kb.clone()));
        Ok(kb)
    }

    fn cached(&self, tenant_id: &str) -> Option<(KnowledgeVersion, Arc<KnowledgeBase>)> {
        self.inner
            .cached
            .lock()
            .expect("library lock")
            .get(tenant_id)
            .cloned()
    }
}

impl Answerer for Library {
    fn answer(&self, question: Question) -> AnswerStream {
        let library = self.clone();
        futures::stream::once(async move {
            match library.for_tenant(&question.tenant_id).await {
                Ok(kb) => kb.answer(question),
                Err(error) => {
                    let failed = AiError::Provider(format!("the knowledge base: {error}"));
                    futures::stream::once(async move { Err(failed) }).boxed()
                }
            }
        })
        .flatten()
        .boxed()
    }

    fn describe(&self) -> String {
        "built-in knowledge base (each tenant's own articles)".into()
    }
}

/// The articles of a folder of markdown files: each file's name (without `.md`) is its slug, its
/// `# ` line its title, the rest its body. Files without a title are refused with their name.
pub fn read_folder(dir: &std::path::Path) -> anyhow::Result<Vec<ArticleContent>> {
    use anyhow::Context;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the knowledge folder {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let slug = file
                .file_stem()
                .map(|s| s.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            parse_article(&slug, &text).with_context(|| format!("{}", file.display()))
        })
        .collect()
}

/// An article from markdown whose first `# ` line is its title.
pub fn parse_article(slug: &str, markdown: &str) -> anyhow::Result<ArticleContent> {
    let mut lines = markdown.lines();
    let title = lines
        .by_ref()
        .find_map(|line| line.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| anyhow::anyhow!("the article has no `# Title` line"))?;
    let body = lines.collect::<Vec<_>>().join("\n").trim().to_string();
    Ok(ArticleContent {
        slug: slug.to_string(),
        title,
        body,
    })
}

/// Stores `articles` for the tenant: a new slug is added, a known one replaced. Returns how many
/// were added and how many replaced.
pub async fn import(
    store: &DynStore,
    tenant_id: &str,
    articles: Vec<ArticleContent>,
) -> anyhow::Result<(usize, usize)> {
    let (mut added, mut replaced) = (0, 0);
    for content in articles {
        match store.article_by_slug(tenant_id, &content.slug).await? {
            Some(existing) => {
                store
                    .update_article(tenant_id, &existing.id, content)
                    .await?;
                replaced += 1;
            }
            None => {
                store.create_article(tenant_id, content).await?;
                added += 1;
            }
        }
    }
    Ok((added, replaced))
}
