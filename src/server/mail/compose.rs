//! The follow-up email: plain text (nothing an agent wrote is ever rendered as HTML), the
//! replies in order with who wrote them and when in the visitor's own time, and the link that
//! reopens the conversation.

use super::MailError;
use chrono::{DateTime, Utc};
use lettre::message::{header::ContentType, Mailbox};

/// One agent's reply, as the email shows it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub author: String,
    pub content: String,
    /// RFC 3339.
    pub at: String,
}

/// Everything one email says.
#[derive(Debug, Clone)]
pub struct FollowUpEmail {
    pub from: Mailbox,
    pub to: String,
    pub visitor_name: Option<String>,
    pub tenant_name: String,
    pub replies: Vec<Reply>,
    /// Opens the conversation again in the messenger.
    pub link: String,
    /// The visitor's IANA time zone, when their widget told it.
    pub time_zone: Option<String>,
    pub link_days: u64,
}

/// "14:05" in the visitor's time zone (with its abbreviation), or in UTC.
fn when(at: &str, time_zone: Option<&str>) -> String {
    let Ok(at) = DateTime::parse_from_rfc3339(at) else {
        return String::new();
    };
    let at = at.with_timezone(&Utc);
    match time_zone.and_then(|tz| tz.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => at.with_timezone(&tz).format("%-d %b, %H:%M %Z").to_string(),
        None => at.format("%-d %b, %H:%M UTC").to_string(),
    }
}

/// The email's text.
pub fn body(email: &FollowUpEmail) -> String {
    let greeting = match &email.visitor_name {
        Some(name) => format!("Hello {name},"),
        None => "Hello,".to_string(),
    };
    let mut text = format!(
        "{greeting}\n\n{} replied to your conversation while you were away:\n",
        email.tenant_name
    );
    for reply in &email.replies {
        let at = when(&reply.at, email.time_zone.as_deref());
        text.push_str(&format!("\n{} ({at}):\n", reply.author));
        for line in reply.content.lines() {
            text.push_str(&format!("    {line}\n"));
        }
    }
    text.push_str(&format!(
        "\nTo answer, continue the conversation here (the link works for {} days):\n{}\n\n\
         Replies to this email are not read: please answer in the chat.\n",
        email.link_days, email.link
    ));
    text
}

/// The email as lettre sends it.
pub fn compose(email: &FollowUpEmail) -> Result<lettre::Message, MailError> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| MailError::Compose(format!("the visitor's address: {e}")))?;
    let subject = match email.replies.len() {
        1 => format!("{} replied to your message", email.tenant_name),
        n => format!("{n} new replies from {}", email.tenant_name),
    };
    lettre::Message::builder()
        .from(email.from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body(email))
        .map_err(|e| MailError::Compose(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> FollowUpEmail {
        FollowUpEmail {
            from: "Northwind <help@northwind.example>".parse().unwrap(),
            to: "dana@example.com".into(),
            visitor_name: Some("Dana".into()),
            tenant_name: "Northwind".into(),
            replies: vec![
                Reply {
                    author: "Alice Martin".into(),
                    content: "It left this morning.".into(),
                    at: "2026-12-02T09:05:00.000Z".into(),
                },
                Reply {
                    author: "Alice Martin".into(),
                    content: "<b>Tracking</b>: NL123\nSee you!".into(),
                    at: "2026-12-02T09:06:00.000Z".into(),
                },
            ],
            link: "https://chat.example/widget/demo?resume=abc".into(),
            time_zone: Some("Europe/Amsterdam".into()),
            link_days: 7,
        }
    }

    #[test]
    fn the_email_holds_every_reply_in_the_visitors_time_and_the_link() {
        let text = body(&email());
        assert!(text.starts_with("Hello Dana,"), "{text}");
        assert!(
            text.contains("Alice Martin (2 Dec, 10:05 CET):\n    It left this morning."),
            "{text}"
        );
        assert!(
            text.contains("    <b>Tracking</b>: NL123\n    See you!"),
            "as written: {text}"
        );
        assert!(
            text.contains("https://chat.example/widget/demo?resume=abc"),
            "{text}"
        );
        let utc = FollowUpEmail {
            time_zone: None,
            ..email()
        };
        assert!(body(&utc).contains("(2 Dec, 09:05 UTC)"));
    }

    #[test]
    fn the_subject_counts_the_replies_and_a_bad_address_is_refused() {
        let message = compose(&email()).expect("composes");
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(
            raw.contains("Subject: 2 new replies from Northwind"),
            "{raw}"
        );
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        let bad = FollowUpEmail {
            to: "not an address".into(),
            ..email()
        };
        assert!(compose(&bad).is_err());
    }
}
