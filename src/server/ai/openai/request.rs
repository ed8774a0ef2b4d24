//! What the model is sent: the instructions, the tenant's passages that answer the question,
//! and the conversation, in the shape every OpenAI-compatible server accepts. Chat templates of
//! many local models (Gemma, Mistral, Llama 2 in llama.cpp, vLLM and Ollama) refuse a
//! conversation whose turns do not alternate or that opens with the assistant, so turns of one
//! side in a row are joined and the opening is the visitor's.

use super::marker::MARK;
use crate::protocol::SenderKind;
use crate::server::ai::{knowledge::Passage, Question, Source};
use serde::Serialize;

#[derive(Serialize)]
pub struct ChatRequest<'a> {
    pub model: &'a str,
    pub stream: bool,
    pub messages: Vec<ChatMessage>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: &'static str,
    pub content: String,
}

const INSTRUCTIONS: &str = "You are the customer-support assistant of an online shop, \
answering in a chat widget. Answer briefly and kindly, in the customer's language, using only \
the shop information below. Never invent prices, dates or policies. If the shop information \
does not answer the question, say that you are not sure, offer to connect the customer with a \
person from the team, and end your reply with the exact mark";

/// What the prompt is built from: the passages that answer the latest question, best first.
pub struct Context<'a> {
    pub passages: Vec<&'a Passage>,
}

impl Context<'_> {
    /// The article the answer comes from: the best passage's.
    pub fn source(&self) -> Option<Source> {
        self.passages.first().map(|p| Source {
            slug: p.slug.clone(),
            title: p.article.clone(),
        })
    }

    pub fn system_prompt(&self) -> String {
        let mut system = format!("{INSTRUCTIONS} {MARK}");
        if self.passages.is_empty() {
            system.push_str("\n\nThere is no shop information about this question.");
            return system;
        }
        system.push_str("\n\nShop information:\n");
        for passage in &self.passages {
            system.push_str(&format!(
                "\n[{} / {}]\n{}\n",
                passage.article, passage.heading, passage.text
            ));
        }
        system
    }
}

/// The messages: the system prompt, then the conversation with each side's turns in a row
/// joined, opening with the visitor's.
pub fn messages(system: String, question: &Question) -> Vec<ChatMessage> {
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
        let last = messages.last_mut().expect("the system prompt");
        if last.role == role {
            last.content.push_str("\n\n");
            last.content.push_str(&turn.content);
        } else if last.role == "system" && role == "assistant" {
            // What was said before the visitor's first words is not the model's to continue.
            continue;
        } else {
            messages.push(ChatMessage {
                role,
                content: turn.content.clone(),
            });
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::ai::Turn;

    fn turn(speaker: SenderKind, content: &str) -> Turn {
        Turn {
            speaker,
            content: content.into(),
        }
    }

    #[test]
    fn turns_alternate_and_open_with_the_visitor() {
        let question = Question {
            tenant_id: "t".into(),
            conversation: vec![
                turn(SenderKind::Agent, "Hello from the team"),
                turn(SenderKind::Customer, "Hi"),
                turn(SenderKind::Customer, "Do you ship to Spain?"),
                turn(SenderKind::System, "Alice joined the conversation"),
                turn(SenderKind::Ai, "Yes, in 3–5 days."),
                turn(SenderKind::Agent, "And for free above €35."),
                turn(SenderKind::Customer, "Great"),
            ],
        };
        let roles_and_texts: Vec<_> = messages("rules".into(), &question)
            .into_iter()
            .map(|m| (m.role, m.content))
            .collect();
        assert_eq!(
            roles_and_texts,
            [
                ("system", "rules".to_string()),
                ("user", "Hi\n\nDo you ship to Spain?".to_string()),
                (
                    "assistant",
                    "Yes, in 3–5 days.\n\nAnd for free above €35.".to_string()
                ),
                ("user", "Great".to_string()),
            ]
        );
    }

    #[test]
    fn without_passages_the_model_is_told_there_is_nothing() {
        let context = Context { passages: vec![] };
        assert!(context.source().is_none());
        let prompt = context.system_prompt();
        assert!(prompt.contains(MARK) && prompt.contains("no shop information"));
    }
}
