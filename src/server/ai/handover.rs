//! What a visitor reads when the assistant hands them to a person: why, then the tenant's own
//! sentence for it (`admin tenant set --handover`, the dashboard's settings), or the built-in one.

use crate::server::store::TenantAi;

/// The sentence a tenant gets unless it wrote its own.
pub const DEFAULT_SENTENCE: &str = "A human agent will join this conversation shortly.";

/// The longest hand-over sentence (and greeting) a tenant may set.
pub const MAX_SENTENCE_CHARS: usize = 300;

/// A greeting or hand-over sentence as given, trimmed (blank means none), or why it cannot be
/// used.
pub fn checked_sentence(given: &str) -> Result<Option<String>, &'static str> {
    let given = given.trim();
    if given.chars().count() > MAX_SENTENCE_CHARS {
        return Err("the greeting and the hand-over sentence must be at most 300 characters");
    }
    if given.chars().any(char::is_control) {
        return Err(
            "the greeting and the hand-over sentence must be one line, without control characters",
        );
    }
    Ok((!given.is_empty()).then(|| given.to_string()))
}

/// Why the visitor is handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The visitor asked for a person, or said yes to the offer of one.
    Asked,
    /// The AI provider failed or stalled.
    Failed,
    /// Every answer slot stayed busy for the whole queue wait.
    Busy,
}

/// What the hand-over says while nobody can join (out of hours, nobody online and available),
/// instead of the built-in sentence, which promises someone shortly.
pub const AWAY_SENTENCE: &str =
    "No human agent is available right now: one will reply here as soon as the team is back.";

/// The whole message while nobody can join: why, then the tenant's own sentence if it set one
/// (its words are its to choose), else [`AWAY_SENTENCE`].
pub fn words_while_away(why: Why, settings: &TenantAi) -> String {
    match settings.handover {
        Some(_) => words(why, settings),
        None => format!("{} {AWAY_SENTENCE}", opening(why)),
    }
}

/// The whole message: why, then the tenant's sentence.
pub fn words(why: Why, settings: &TenantAi) -> String {
    let sentence = settings.handover.as_deref().unwrap_or(DEFAULT_SENTENCE);
    format!("{} {sentence}", opening(why))
}

fn opening(why: Why) -> &'static str {
    match why {
        Why::Asked => "Thanks, we've let the team know.",
        Why::Failed => "Sorry, I'm having trouble answering right now.",
        Why::Busy => "Sorry, our assistant is busy right now.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenants_sentence_follows_the_reason() {
        let mut settings = TenantAi::default();
        assert_eq!(
            words(Why::Asked, &settings),
            "Thanks, we've let the team know. A human agent will join this conversation shortly."
        );
        settings.handover =
            checked_sentence(" Anna from the roastery will be right with you. ").unwrap();
        assert_eq!(
            words(Why::Failed, &settings),
            "Sorry, I'm having trouble answering right now. Anna from the roastery will be right with you."
        );
        assert_eq!(
            words_while_away(Why::Asked, &TenantAi::default()),
            "Thanks, we've let the team know. No human agent is available right now: one will reply here as soon as the team is back."
        );
        assert!(words_while_away(Why::Asked, &settings)
            .ends_with("Anna from the roastery will be right with you."));
        assert_eq!(checked_sentence("  "), Ok(None));
        assert!(checked_sentence("two\nlines").is_err());
        assert!(checked_sentence(&"a".repeat(301)).is_err());
    }
}
