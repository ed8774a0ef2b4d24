//! The provider's answer as tokens: server-sent events read as they come, each chunk's
//! `choices[].delta.content` a token (a `null` or missing content, as llama.cpp's server sends
//! in its first and last chunks, is no token), `data: [DONE]` the end. A provider that stalls
//! longer than the stall timeout, answers with an error status or breaks off is one error that
//! ends the stream.

use crate::server::ai::AiError;
use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde::Deserialize;
use std::time::Duration;

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

/// The request's tokens, or one error that ends the stream.
pub fn token_stream(
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
