//! Recognising a visitor who wants a person, in their own words.

/// Phrases that ask for a person. Matched on lower-cased text with collapsed white space.
const HUMAN_PHRASES: &[&str] = &[
    "talk to a human",
    "speak to a human",
    "talk to a person",
    "speak to a person",
    "talk to someone",
    "speak to someone",
    "speak with someone",
    "talk with someone",
    "real person",
    "real human",
    "human agent",
    "live agent",
    "live person",
    "a human please",
    "human please",
    "customer service agent",
    "representative",
    "operator",
];

/// Answers that accept the assistant's offer of a person.
const ACCEPTANCES: &[&str] = &[
    "yes",
    "yes please",
    "yes, please",
    "yeah",
    "yep",
    "sure",
    "ok",
    "okay",
    "please",
    "please do",
    "yes i would",
    "i would",
    "that would be great",
];

fn normalise(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when the visitor asks for a person.
pub fn asks_for_human(text: &str) -> bool {
    let text = normalise(text);
    HUMAN_PHRASES.iter().any(|p| text.contains(p))
}

/// True when `reply` accepts an offer of a person that the assistant just made.
pub fn accepts_offer(reply: &str) -> bool {
    let reply = normalise(reply);
    let reply = reply.trim_end_matches(['.', '!']);
    ACCEPTANCES.contains(&reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_requests() {
        assert!(asks_for_human("Can I talk to a human?"));
        assert!(asks_for_human("I want a REAL   person"));
        assert!(asks_for_human("get me a live agent"));
        assert!(!asks_for_human("What are your opening hours?"));
        assert!(!asks_for_human("Is this coffee humanely sourced?"));
    }

    #[test]
    fn acceptances() {
        assert!(accepts_offer("Yes please!"));
        assert!(accepts_offer("sure"));
        assert!(!accepts_offer("yes, but what about shipping to Norway?"));
    }
}
