//! The tenant's knowledge base, for its admins: list, read, write and remove articles. An edit
//! is used by the assistant for the next question, on every node (see `ai::Library`).

use super::{AgentActor, Hub, HubError, HubResult};
use crate::protocol::{
    ArticleRequest, KnowledgeArticle, Timestamp, MAX_ARTICLE_BODY_CHARS, MAX_ARTICLE_TITLE_CHARS,
};
use crate::server::store::{Article, ArticleContent, StoreError};

/// The longest slug accepted.
const MAX_SLUG_CHARS: usize = 80;

fn wire(article: Article) -> KnowledgeArticle {
    KnowledgeArticle {
        id: article.id,
        slug: article.slug,
        title: article.title,
        body: article.body,
        updated_at: Timestamp(article.updated_at),
    }
}

/// A slug from a title: lower-case letters and digits, words joined by `-`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-')
        .chars()
        .take(MAX_SLUG_CHARS)
        .collect()
}

/// The request's content, checked.
fn checked(request: ArticleRequest) -> HubResult<ArticleContent> {
    let title = request.title.trim().to_string();
    if title.is_empty() || title.chars().count() > MAX_ARTICLE_TITLE_CHARS {
        return Err(HubError::InvalidArticle(
            "the title must be 1 to 200 characters",
        ));
    }
    if request.body.chars().count() > MAX_ARTICLE_BODY_CHARS {
        return Err(HubError::InvalidArticle(
            "the body must be at most 50,000 characters",
        ));
    }
    let slug = match request.slug {
        Some(slug) => slug.trim().to_string(),
        None => slugify(&title),
    };
    let well_formed = !slug.is_empty()
        && slug.chars().count() <= MAX_SLUG_CHARS
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        return Err(HubError::InvalidArticle(
            "the slug must be 1 to 80 of a-z, 0-9 and -",
        ));
    }
    Ok(ArticleContent {
        slug,
        title,
        body: request.body,
    })
}

fn slug_taken(error: StoreError) -> HubError {
    match error {
        StoreError::Conflict(_) => HubError::Conflict("an article with this slug"),
        other => other.into(),
    }
}

impl Hub {
    /// The help center of the tenant whose widget key this is: its name and articles, for
    /// anyone.
    pub async fn help_center(&self, widget_key: &str) -> HubResult<(String, Vec<Article>)> {
        let tenant = self.tenant_by_widget_key(widget_key).await?;
        let articles = self.timeline.store().articles(&tenant.id).await?;
        Ok((tenant.name, articles))
    }

    /// One article of the help center, by its slug: the tenant's name and the article.
    pub async fn help_article(&self, widget_key: &str, slug: &str) -> HubResult<(String, Article)> {
        let tenant = self.tenant_by_widget_key(widget_key).await?;
        let article = self
            .timeline
            .store()
            .article_by_slug(&tenant.id, slug)
            .await?
            .ok_or(HubError::NotFound("article"))?;
        Ok((tenant.name, article))
    }

    /// Whether this agent may preview this article body: an admin's, of an article's size.
    pub fn check_preview(actor: &AgentActor, body: &str) -> HubResult<()> {
        Self::require_admin(actor)?;
        if body.chars().count() > MAX_ARTICLE_BODY_CHARS {
            return Err(HubError::InvalidArticle(
                "the body must be at most 50,000 characters",
            ));
        }
        Ok(())
    }

    pub async fn articles(&self, actor: &AgentActor) -> HubResult<Vec<KnowledgeArticle>> {
        Self::require_admin(actor)?;
        let articles = self.timeline.store().articles(&actor.tenant_id).await?;
        Ok(articles.into_iter().map(wire).collect())
    }

    pub async fn article(&self, actor: &AgentActor, id: &str) -> HubResult<KnowledgeArticle> {
        Self::require_admin(actor)?;
        self.timeline
            .store()
            .article(&actor.tenant_id, id)
            .await?
            .map(wire)
            .ok_or(HubError::NotFound("article"))
    }

    pub async fn create_article(
        &self,
        actor: &AgentActor,
        request: ArticleRequest,
    ) -> HubResult<KnowledgeArticle> {
        Self::require_admin(actor)?;
        let content = checked(request)?;
        let store = self.timeline.store();
        let article = store
            .create_article(&actor.tenant_id, content)
            .await
            .map_err(slug_taken)?;
        tracing::info!(article = %article.slug, by = %actor.agent_id, "article added");
        Ok(wire(article))
    }

    pub async fn update_article(
        &self,
        actor: &AgentActor,
        id: &str,
        request: ArticleRequest,
    ) -> HubResult<KnowledgeArticle> {
        Self::require_admin(actor)?;
        let content = checked(request)?;
        let store = self.timeline.store();
        store
            .update_article(&actor.tenant_id, id, content)
            .await
            .map_err(slug_taken)?
            .map(wire)
            .ok_or(HubError::NotFound("article"))
    }

    pub async fn delete_article(&self, actor: &AgentActor, id: &str) -> HubResult<()> {
        Self::require_admin(actor)?;
        if !self
            .timeline
            .store()
            .delete_article(&actor.tenant_id, id)
            .await?
        {
            return Err(HubError::NotFound("article"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_made_from_titles_and_checked() {
        assert_eq!(slugify("Shipping & Delivery!"), "shipping-delivery");
        assert_eq!(slugify("  Über uns 2026 "), "ber-uns-2026");
        let request = |slug: Option<&str>, title: &str| ArticleRequest {
            slug: slug.map(str::to_string),
            title: title.into(),
            body: "## A\nB".into(),
        };
        assert_eq!(
            checked(request(None, "Opening hours")).unwrap().slug,
            "opening-hours"
        );
        assert!(checked(request(Some("Bad Slug"), "x")).is_err());
        assert!(checked(request(None, " ")).is_err());
        assert!(checked(request(None, "!!!")).is_err());
    }
}
