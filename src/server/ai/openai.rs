//! [`OpenAiCompatible`]: streaming chat completions over server-sent events, as OpenAI, Ollama,
//! vLLM, llama.cpp's server and Gemini's OpenAI-compatible endpoint all speak them.
//!
//! `POST {base}/chat/completions` with `stream: true`; each event's
//! `choices[0].delta.content` is a token; `data: [DONE]` ends the answer. The knowledge base's
//! best passages go into the system prompt, so the model answers from the shop's own articles.

use super::{AiError, AnswerStream, Answerer, Library, Piece, Question};
use crate::protocol::SenderKind;
use crate::server::config::OpenAiConfig;
use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub struct OpenAiCompatible {
    config: OpenAiConfig,
    client: reqwest::Client,
    /// Each tenant's articles, whose best passages go into the prompt.
    knowledge: Option<Library>,
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    stream: bool,
    messages: Vec<ChatMessage>,
}

#[derive(Serialize)]
struct ChatMessage {
    role: &'static str,
    content: String,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
}

const SYSTEM_PROMPT: &str = "You are the customer-support assistant of an online shop, answering \
in a chat widget. Answer briefly and kindly, in the customer's language, using only the shop \
information below. If it does not answer the question, say you are not sure and offer to connect \
the customer with a person from the team. Never invent prices, dates or policies.";

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

    /// The system prompt: the instructions and the tenant's passages that fit the question.
    async fn system_prompt(knowledge: Option<Library>, question: &Question) -> String {
        let mut system = SYSTEM_PROMPT.to_string();
        let Some(library) = knowledge else {
            return system;
        };
        let kb = match library.for_tenant(&question.tenant_id).await {
            Ok(kb) => kb,
            Err(error) => {
                tracing::warn!(%error, "answering without the tenant's articles");
                return system;
            }
        };
        let passages = kb.search(question.latest(), 3);
        if !passages.is_empty() {
            system.push_str("\n\nShop information:\n");
            for (passage, _) in passages {
                system.push_str(&format!(
                    "\n[{} / {}]\n{}\n",
                    passage.article, passage.heading, passage.text
                ));
            }
        }
        system
    }

    fn messages(system: String, question: &Question) -> Vec<ChatMessage> {
        let mut messages = vec![ChatMessage {
            role: "system",
            content: system,
        }];
        for turn in &question.conversation {
            let role = match turn.speaker {
                SenderKind::Customer => "user",
                SenderKind::Ai | SenderKind::Agent => "assistant",
                SenderKind::System => continue,
            };
            messages.push(ChatMessage {
                role,
                content: turn.content.clone(),
            });
        }
        messages
    }
}

impl Answerer for OpenAiCompatible {
    fn answer(&self, question: Question) -> AnswerStream {
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let (client, config) = (self.client.clone(), self.config.clone());
        let knowledge = self.knowledge.clone();
        let stall = self.config.stall_timeout;
        futures::stream::once(async move {
            let system = Self::system_prompt(knowledge, &question).await;
            let body = ChatRequest {
                model: &config.model,
                stream: true,
                messages: Self::messages(system, &question),
            };
            let mut request = client.post(url).json(&body);
            if let Some(key) = &config.api_key {
                request = request.bearer_auth(key);
            }
            token_stream(request, stall)
        })
        .flatten()
        .map(|token| token.map(Piece::Token))
        .boxed()
    }

    fn describe(&self) -> String {
        format!(
            "OpenAI-compatible model {} at {}",
            self.config.model, self.config.base_url
        )
    }
}

/// The request's tokens, or one error that ends the stream.
fn token_stream(
    request: reqwest::RequestBuilder,
    stall: Duration,
) -> impl futures::Stream<Item = Result<String, AiError>> + Send + 'static {
    enum State {
        Start(Box<reqwest::RequestBuilder>),
        Streaming(futures::stream::BoxStream<'static, Result<eventsource_stream::Event, String>>),
        Done,
    }
    futures::stream::unfold(State::Start(Box::new(request)), move |state| async move {
        let mut events = match state {
            State::Done => return None,
            State::Streaming(events) => events,
            State::Start(request) => {
                let response = match tokio::time::timeout(stall, (*request).send()).await {
                    Err(_) => return Some((Err(AiError::Timeout), State::Done)),
                    Ok(Err(e)) => {
                        return Some((Err(AiError::Provider(e.to_string())), State::Done))
                    }
                    Ok(Ok(response)) => response,
                };
                let status = response.status();
                if !status.is_success() {
                    let text = response.text().await.unwrap_or_default();
                    let detail: String = text.chars().take(300).collect();
                    return Some((
                        Err(AiError::Provider(format!("HTTP {status}: {detail}"))),
                        State::Done,
                    ));
                }
                response
                    .bytes_stream()
                    .eventsource()
                    .map(|event| event.map_err(|e| e.to_string()))
                    .boxed()
            }
        };
        loop {
            let event = match tokio::time::timeout(stall, events.next()).await {
                Err(_) => return Some((Err(AiError::Timeout), State::Done)),
                Ok(None) => {
                    return Some((
                        Err(AiError::Provider("the stream ended without [DONE]".into())),
                        State::Done,
                    ))
                }
                Ok(Some(Err(e))) => return Some((Err(AiError::Provider(e)), State::Done)),
                Ok(Some(Ok(event))) => event,
            };
            if event.data.trim() == "[DONE]" {
                return None;
            }
            let chunk: Chunk = match serde_json::from_str(&event.data) {
                Ok(chunk) => chunk,
                Err(e) => {
                    return Some((
                        Err(AiError::Provider(format!("unreadable event: {e}"))),
                        State::Done,
                    ))
                }
            };
            let token: String = chunk
                .choices
                .into_iter()
                .filter_map(|c| c.delta.content)
                .collect();
            if !token.is_empty() {
                return Some((Ok(token), State::Streaming(events)));
            }
        }
    })
}
