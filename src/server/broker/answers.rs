//! The AI answers being streamed, as this node knows them.

use serde::{Deserialize, Serialize};
use std::{collections::HashMap, sync::Mutex};

/// The answer being streamed in a session: its id, the text so far and how many tokens made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InFlight {
    pub message_id: String,
    pub text: String,
    pub tokens: usize,
    /// In a test conversation (`Session::test`): its visitor alone may see it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
}

/// Answers by session id, with the tenant each belongs to.
#[derive(Default)]
pub(super) struct LocalAnswers {
    answers: Mutex<HashMap<String, (String, InFlight)>>,
}

impl LocalAnswers {
    pub fn record(&self, tenant_id: &str, session_id: &str, answer: Option<InFlight>) {
        let mut answers = self.answers.lock().expect("answers lock");
        match answer {
            Some(answer) => {
                answers.insert(session_id.to_string(), (tenant_id.to_string(), answer));
            }
            None => {
                answers.remove(session_id);
            }
        }
    }

    pub fn get(&self, tenant_id: &str, session_id: &str) -> Option<InFlight> {
        let answers = self.answers.lock().expect("answers lock");
        answers
            .get(session_id)
            .filter(|(tenant, _)| tenant == tenant_id)
            .map(|(_, answer)| answer.clone())
    }

    pub fn for_tenant(&self, tenant_id: &str) -> Vec<(String, InFlight)> {
        let answers = self.answers.lock().expect("answers lock");
        answers
            .iter()
            .filter(|(_, (tenant, _))| tenant == tenant_id)
            .map(|(session, (_, answer))| (session.clone(), answer.clone()))
            .collect()
    }
}
