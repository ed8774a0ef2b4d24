//! [`OpenAiCompatible`]: streaming chat completions over server-sent events, as OpenAI, Ollama,
//! vLLM, llama.cpp's server and Gemini's OpenAI-compatible endpoint all speak them.
//!
//! `POST {base}/chat/completions` with `stream: true` ([`request`]); the answer's tokens are
//! read as they come ([`stream`]). The tenant's passages that answer the question go into the
//! system prompt, found by the same retrieval as the built-in answerer's, and the model is told
//! to answer only from them. Its offer of a person is a typed fact: the model ends such a reply
//! with a mark that [`marker`] takes out of the stream; and when no passage answers the
//! question the answer offers a person whatever the model wrote.

mod marker;
mod request;
mod stream;

use super::{AiError, AnswerStream, Answerer, KnowledgeBase, Library, Piece, Question, Source};
use crate::server::config::OpenAiConfig;
use futures::{stream::BoxStream, StreamExt};
use marker::MarkFilter;
use request::{ChatRequest, Context};
use std::{collections::VecDeque, sync::Arc, time::Duration};

/// How many of the tenant's passages the model is given.
const PASSAGES: usize = 3;

pub struct OpenAiCompatible {
    config: OpenAiConfig,
    client: reqwest::Client,
    /// Each tenant's articles, whose best passages go into the prompt.
    knowledge: Option<Library>,
}

impl OpenAiCompatible {
    pub fn new(config: OpenAiConfig, knowledge: Option<Library>) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            config,
            client,
            knowledge,
        })
    }
}

/// The tenant's knowledge base, or an empty one (the model then hears there is nothing).
async fn knowledge_of(knowledge: Option<Library>, tenant_id: &str) -> Arc<KnowledgeBase> {
    let found = match knowledge {
        Some(library) => library.for_tenant(tenant_id).await,
        None => return Arc::new(KnowledgeBase::from_articles(&[], Duration::ZERO)),
    };
    found.unwrap_or_else(|error| {
        tracing::warn!(%error, "answering without the tenant's articles");
        Arc::new(KnowledgeBase::from_articles(&[], Duration::ZERO))
    })
}

impl Answerer for OpenAiCompatible {
    fn answer(&self, question: Question) -> AnswerStream {
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let (client, config) = (self.client.clone(), self.config.clone());
        let knowledge = self.knowledge.clone();
        futures::stream::once(async move {
            let kb = knowledge_of(knowledge, &question.tenant_id).await;
            let context = Context {
                passages: kb
                    .search(question.latest(), PASSAGES)
                    .into_iter()
                    .map(|(passage, _)| passage)
                    .collect(),
            };
            let body = ChatRequest {
                model: &config.model,
                stream: true,
                messages: request::messages(context.system_prompt(), &question),
            };
            let mut request = client.post(url).json(&body);
            if let Some(key) = &config.api_key {
                request = request.bearer_auth(key);
            }
            let tokens = stream::token_stream(request, config.stall_timeout).boxed();
            pieces(tokens, context.source())
        })
        .flatten()
        .boxed()
    }

    fn describe(&self) -> String {
        format!(
            "OpenAI-compatible model {} at {}",
            self.config.model, self.config.base_url
        )
    }
}

/// The model's tokens as the answer's pieces, without the hand-over mark; at the end, the offer
/// of a person (the mark came, or no passage answered) or else the article it answered from.
fn pieces(
    tokens: BoxStream<'static, Result<String, AiError>>,
    source: Option<Source>,
) -> AnswerStream {
    struct State {
        tokens: BoxStream<'static, Result<String, AiError>>,
        filter: MarkFilter,
        source: Option<Source>,
        queued: VecDeque<Piece>,
        ended: bool,
    }
    let state = State {
        tokens,
        filter: MarkFilter::default(),
        source,
        queued: VecDeque::new(),
        ended: false,
    };
    futures::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(piece) = s.queued.pop_front() {
                return Some((Ok(piece), s));
            }
            if s.ended {
                return None;
            }
            match s.tokens.next().await {
                Some(Ok(token)) => {
                    let shown = s.filter.push(&token);
                    if !shown.is_empty() {
                        return Some((Ok(Piece::Token(shown)), s));
                    }
                }
                Some(Err(error)) => {
                    s.ended = true;
                    return Some((Err(error), s));
                }
                None => {
                    s.ended = true;
                    let (rest, offered) = std::mem::take(&mut s.filter).finish();
                    if !rest.is_empty() {
                        s.queued.push_back(Piece::Token(rest));
                    }
                    s.queued.push_back(match s.source.take() {
                        Some(source) if !offered => Piece::Source(source),
                        _ => Piece::OffersHuman,
                    });
                }
            }
        }
    })
    .boxed()
}
