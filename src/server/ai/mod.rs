//! The AI assistant that answers first.
//!
//! - [`Answerer`]: given the conversation so far, a stream of tokens; dropping the stream
//!   cancels the answer. [`KnowledgeBase`] is the embedded default; [`OpenAiCompatible`]
//!   streams from any server that speaks OpenAI's chat completions.
//! - [`intent`]: whether a visitor is asking for a human.

pub mod evaluation;
pub mod handover;
pub mod intent;
mod knowledge;
mod library;
mod openai;

pub use knowledge::KnowledgeBase;
pub use library::{import, parse_article, read_folder, Library};
pub use openai::OpenAiCompatible;

use crate::protocol::SenderKind;
use futures::stream::BoxStream;
use std::sync::Arc;

/// One turn of the conversation, as the answerer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub speaker: SenderKind,
    pub content: String,
}

/// What the answerer is asked: the conversation so far; the last turn is the visitor's.
#[derive(Debug, Clone)]
pub struct Question {
    pub tenant_id: String,
    pub conversation: Vec<Turn>,
}

impl Question {
    /// The visitor's latest words.
    pub fn latest(&self) -> &str {
        self.conversation
            .iter()
            .rev()
            .find(|t| t.speaker == SenderKind::Customer)
            .map(|t| t.content.as_str())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AiError {
    #[error("the AI provider failed: {0}")]
    Provider(String),
    #[error("the AI provider stopped answering (timeout)")]
    Timeout,
}

/// One piece of a streamed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// The next words, shown as they come.
    Token(String),
    /// The answer offers to bring in a person: a "yes" to it asks for one.
    OffersHuman,
    /// The answer comes from this article (at most one per answer; the last one counts).
    Source(Source),
}

/// The tenant's article an answer comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub slug: String,
    pub title: String,
}

/// An answer as it is produced; dropping it cancels the answer.
pub type AnswerStream = BoxStream<'static, Result<Piece, AiError>>;

pub trait Answerer: Send + Sync + 'static {
    /// Starts answering; the stream yields the answer's pieces in order.
    fn answer(&self, question: Question) -> AnswerStream;
    /// For the start-up log.
    fn describe(&self) -> String;
}

pub type DynAnswerer = Arc<dyn Answerer>;
