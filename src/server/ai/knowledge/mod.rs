//! [`KnowledgeBase`]: answers from the shop's own articles, offline.
//!
//! Each markdown article in the knowledge folder is split into passages (one per `##` section)
//! and indexed ([`retrieval`]). A question is answered with the best passage and the name of
//! its article; when no passage ranks and covers the question well enough, the assistant says
//! it does not know and offers a person.

mod retrieval;

use super::{AnswerStream, Answerer, Piece, Question, Source};
use futures::StreamExt;
use retrieval::Index;
use std::{path::Path, time::Duration};

/// What the assistant says when it has nothing good; its message is marked as offering a person,
/// so the hub takes a "yes" after it as a request for one.
pub const OFFER_HUMAN: &str = "I'm not sure I can answer that well. Would you like me to connect you with someone from our team?";

#[derive(Debug, Clone)]
pub struct Passage {
    /// The article's slug (its file name without `.md`).
    pub slug: String,
    pub article: String,
    pub heading: String,
    pub text: String,
}

pub struct KnowledgeBase {
    passages: Vec<Passage>,
    index: Index,
    /// Pause between tokens, so that answers read like an LLM's stream.
    pace: Duration,
}

impl KnowledgeBase {
    /// Reads every `*.md` file of `dir` (as `admin knowledge import` does).
    pub fn load(dir: &Path, pace: Duration) -> anyhow::Result<Self> {
        let articles: Vec<_> = super::read_folder(dir)?
            .into_iter()
            .map(|a| (a.slug, format!("# {}\n{}", a.title, a.body)))
            .collect();
        Ok(Self::from_articles(&articles, pace))
    }

    /// From `(slug, markdown)` pairs.
    pub fn from_articles(articles: &[(String, String)], pace: Duration) -> Self {
        let passages: Vec<Passage> = articles
            .iter()
            .flat_map(|(slug, text)| split(slug, text))
            .collect();
        let mut articles: Vec<&str> = Vec::new();
        let index = Index::new(passages.iter().map(|p| {
            let article = match articles.iter().position(|slug| *slug == p.slug) {
                Some(n) => n,
                None => {
                    articles.push(&p.slug);
                    articles.len() - 1
                }
            };
            (article, p.heading.as_str(), p.text.as_str())
        }));
        Self {
            passages,
            index,
            pace,
        }
    }

    pub fn passage_count(&self) -> usize {
        self.passages.len()
    }

    /// The passages that answer `query` well enough, best first, with their scores.
    pub fn search(&self, query: &str, limit: usize) -> Vec<(&Passage, f32)> {
        self.index
            .rank(query)
            .into_iter()
            .filter(|hit| hit.answers())
            .take(limit)
            .map(|hit| (&self.passages[hit.passage], hit.score))
            .collect()
    }

    /// The slug of the article the best passage comes from; `None` when it would decline.
    pub fn best_article(&self, question: &str) -> Option<String> {
        self.search(question, 1)
            .first()
            .map(|(passage, _)| passage.slug.clone())
    }

    /// The whole answer text for a question.
    pub fn compose(&self, question: &str) -> String {
        self.reply(question).text
    }

    /// The best passage's text and its article; or, when nothing answers the question, the
    /// offer of a person.
    fn reply(&self, question: &str) -> Reply {
        match self.search(question, 1).first() {
            Some((passage, _)) => Reply {
                text: format!(
                    "{}\n\nIs there anything else I can help with?",
                    passage.text
                ),
                source: Some(Source {
                    slug: passage.slug.clone(),
                    title: passage.article.clone(),
                }),
            },
            None => Reply {
                text: OFFER_HUMAN.to_string(),
                source: None,
            },
        }
    }
}

/// What the built-in answerer says: a passage with its article, or (without one) the offer of
/// a person.
struct Reply {
    text: String,
    source: Option<Source>,
}

/// Splits an article into its `##` sections; the `#` line names the article.
fn split(slug: &str, article: &str) -> Vec<Passage> {
    let mut title = String::new();
    let mut passages = Vec::new();
    let mut heading = String::new();
    let mut body = String::new();
    let flush = |heading: &str, body: &mut String, title: &str, passages: &mut Vec<Passage>| {
        let text = body.trim().to_string();
        if !text.is_empty() {
            passages.push(Passage {
                slug: slug.to_string(),
                article: title.to_string(),
                heading: heading.to_string(),
                text,
            });
        }
        body.clear();
    };
    for line in article.lines() {
        if let Some(t) = line.strip_prefix("# ") {
            title = t.trim().to_string();
        } else if let Some(h) = line.strip_prefix("## ") {
            flush(&heading, &mut body, &title, &mut passages);
            heading = h.trim().to_string();
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(&heading, &mut body, &title, &mut passages);
    passages
}

/// Splits text into tokens the way an LLM streams them: each word with the space before it.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch.is_whitespace() && !current.trim().is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        current.push(ch);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

impl Answerer for KnowledgeBase {
    fn answer(&self, question: Question) -> AnswerStream {
        let Reply { text, source } = self.reply(question.latest());
        let pace = self.pace;
        let words = futures::stream::iter(tokenize(&text)).then(move |token| async move {
            if !pace.is_zero() {
                tokio::time::sleep(pace).await;
            }
            Ok(Piece::Token(token))
        });
        let last = match source {
            Some(source) => Piece::Source(source),
            None => Piece::OffersHuman,
        };
        words
            .chain(futures::stream::once(async { Ok(last) }))
            .boxed()
    }

    fn describe(&self) -> String {
        format!("built-in knowledge base ({} passages)", self.passages.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> KnowledgeBase {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        KnowledgeBase::load(&dir, Duration::ZERO).unwrap()
    }

    #[test]
    fn a_question_per_article_finds_it() {
        let kb = shipped();
        for (question, article) in [
            ("When are you open on Sunday?", "Opening hours"),
            (
                "How long does delivery to Germany take?",
                "Shipping and delivery",
            ),
            ("How much does shipping cost?", "Shipping and delivery"),
            (
                "Can I return an unopened bag for a refund?",
                "Returns and refunds",
            ),
            (
                "What does the Daily plan cost?",
                "Pricing and subscription plans",
            ),
            ("Do you accept PayPal or Apple Pay?", "Payment methods"),
            ("I forgot my password", "Your account"),
            ("What is your phone number?", "Contact us"),
            (
                "How do I pause my subscription?",
                "Managing your subscription",
            ),
            (
                "How much coffee should I use for filter brewing?",
                "Grind and brewing",
            ),
            (
                "Do you supply cafés and restaurants?",
                "Wholesale and offices",
            ),
            (
                "Can I buy a gift card?",
                "Gift cards and gift subscriptions",
            ),
            ("Do you sell my data?", "Privacy and data"),
        ] {
            let best = kb.search(question, 1);
            assert_eq!(
                best.first().map(|(p, _)| p.article.as_str()),
                Some(article),
                "{question}: {:?}",
                kb.search(question, 3)
                    .iter()
                    .map(|(p, s)| (&p.article, &p.heading, s))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn an_off_topic_question_offers_a_human() {
        let kb = shipped();
        for question in [
            "What is the capital of France?",
            "Who won the football match yesterday?",
            "asdf qwerty",
        ] {
            assert!(
                kb.search(question, 1).is_empty(),
                "{question}: {:?}",
                kb.search(question, 1).first().map(|(p, s)| (&p.article, s))
            );
            let reply = kb.reply(question);
            assert_eq!(reply.text, OFFER_HUMAN);
            assert!(reply.source.is_none());
        }
    }

    #[test]
    fn answers_name_their_article_and_tokens_rebuild_the_text() {
        let kb = shipped();
        let reply = kb.reply("Do you ship to the United Kingdom?");
        let source = reply.source.expect("an answer has its article");
        assert_eq!(source.title, "Shipping and delivery");
        assert_eq!(source.slug, "shipping");
        let answer = reply.text;
        let tokens = tokenize(&answer);
        assert!(tokens.len() > 10);
        assert_eq!(tokens.concat(), answer);
    }

    #[test]
    fn the_best_section_of_an_article_answers() {
        let kb = shipped();
        for (question, heading) in [
            ("What does the Daily plan cost?", "Plans"),
            (
                "How much is a single bag of espresso?",
                "Prices of single bags",
            ),
            ("How do I track my parcel?", "Tracking your parcel"),
            ("My bag arrived damaged", "Damaged or wrong items"),
        ] {
            let best = kb.search(question, 1);
            assert_eq!(
                best.first().map(|(p, _)| p.heading.as_str()),
                Some(heading),
                "{question}"
            );
        }
    }
}
