//! A conversation as a file to keep: plain text, JSON or a page of HTML. Each shows the messages
//! its reader may see, in order, with who wrote them and when (UTC), and files by name and
//! size; the HTML escapes every text, so nothing anyone wrote becomes markup.

use crate::protocol::{Message, SenderKind, Session, SessionStatus, Transcript, TranscriptFormat};
use crate::server::attachments::size_in_words;
use chrono::{DateTime, Utc};

/// Who reads a transcript: a visitor sees their own words as "You".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptReader {
    Visitor,
    Agent,
}

/// A transcript's file: its type, name and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptFile {
    pub content_type: &'static str,
    pub file_name: String,
    pub body: String,
}

/// The transcript in `format`.
pub fn render(
    transcript: &Transcript,
    reader: TranscriptReader,
    format: TranscriptFormat,
) -> TranscriptFile {
    let day = transcript
        .session
        .created_at
        .0
        .get(..10)
        .unwrap_or("conversation");
    let (content_type, extension, body) = match format {
        TranscriptFormat::Txt => ("text/plain; charset=utf-8", "txt", text(transcript, reader)),
        TranscriptFormat::Json => (
            "application/json",
            "json",
            serde_json::to_string_pretty(transcript).unwrap_or_default(),
        ),
        TranscriptFormat::Html => ("text/html; charset=utf-8", "html", html(transcript, reader)),
    };
    TranscriptFile {
        content_type,
        file_name: format!("conversation-{day}.{extension}"),
        body,
    }
}

/// "2 Dec 2026, 14:05 UTC".
fn when(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|at| {
            at.with_timezone(&Utc)
                .format("%-d %b %Y, %H:%M UTC")
                .to_string()
        })
        .unwrap_or_default()
}

fn status_words(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Bot => "answered by the assistant",
        SessionStatus::Pending => "waiting for the team",
        SessionStatus::Active => "open",
        SessionStatus::Closed => "ended",
    }
}

/// Who wrote a message, as its reader calls them; `None` for the system's own lines.
fn author(message: &Message, session: &Session, reader: TranscriptReader) -> Option<String> {
    Some(match message.sender.kind {
        SenderKind::System => return None,
        SenderKind::Ai => "AI assistant".to_string(),
        SenderKind::Agent => message
            .sender
            .name
            .clone()
            .unwrap_or_else(|| "Agent".into()),
        SenderKind::Customer => match reader {
            TranscriptReader::Visitor => "You".to_string(),
            TranscriptReader::Agent => session
                .visitor
                .name
                .clone()
                .or_else(|| message.sender.name.clone())
                .unwrap_or_else(|| "Visitor".into()),
        },
    })
}

/// The heading's lines: whose conversation, with whom, when it started and where it stands.
fn heading(transcript: &Transcript, reader: TranscriptReader) -> (String, String) {
    let session = &transcript.session;
    let title = match (reader, &session.visitor.name, &session.visitor.email) {
        (TranscriptReader::Visitor, ..) => {
            format!("Your conversation with {}", transcript.tenant_name)
        }
        (TranscriptReader::Agent, Some(name), Some(email)) => {
            format!("Conversation with {name} <{email}>")
        }
        (TranscriptReader::Agent, Some(who), None) | (TranscriptReader::Agent, None, Some(who)) => {
            format!("Conversation with {who}")
        }
        (TranscriptReader::Agent, None, None) => "Conversation with a visitor".to_string(),
    };
    let about = format!(
        "Started {} · {} · {} messages · exported {}",
        when(&session.created_at.0),
        status_words(session.status),
        transcript.messages.len(),
        when(&transcript.exported_at.0),
    );
    (title, about)
}

/// The files of a message as lines: "📎 shot.png (47 KB)".
fn file_lines(message: &Message) -> impl Iterator<Item = String> + '_ {
    message
        .attachments
        .iter()
        .map(|a| format!("📎 {} ({})", a.name, size_in_words(a.size)))
}

fn text(transcript: &Transcript, reader: TranscriptReader) -> String {
    let (title, about) = heading(transcript, reader);
    let mut out = format!("{title}\n{about}\n\n");
    for message in &transcript.messages {
        let at = when(&message.created_at.0);
        match author(message, &transcript.session, reader) {
            None => out.push_str(&format!("— {} ({at})\n\n", message.content)),
            Some(who) => {
                out.push_str(&format!("{who}, {at}:\n"));
                let lines = message.content.lines().map(str::to_string);
                for line in lines.chain(file_lines(message)) {
                    out.push_str(&format!("    {line}\n"));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// Text made safe to place in HTML, between tags or in a quoted attribute.
fn escaped(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

const PAGE_STYLE: &str =
    "body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;\
padding:0 1rem;color:#1d2433}header p{color:#4a5366}ol{list-style:none;padding:0}\
li{margin:0 0 1rem}.who{font-weight:600}.at{color:#4a5366;font-size:.875rem}\
.text{white-space:pre-wrap;margin:.25rem 0}.system{color:#4a5366;font-style:italic}";

fn html(transcript: &Transcript, reader: TranscriptReader) -> String {
    let (title, about) = heading(transcript, reader);
    let mut items = String::new();
    for message in &transcript.messages {
        let at = escaped(&when(&message.created_at.0));
        let item = match author(message, &transcript.session, reader) {
            None => format!(
                "<li class=\"system\">{} <span class=\"at\">({at})</span></li>\n",
                escaped(&message.content)
            ),
            Some(who) => {
                let files: String = file_lines(message)
                    .map(|line| format!("<p class=\"text\">{}</p>", escaped(&line)))
                    .collect();
                format!(
                    "<li><span class=\"who\">{}</span> <span class=\"at\">{at}</span>\
                     <p class=\"text\">{}</p>{files}</li>\n",
                    escaped(&who),
                    escaped(&message.content)
                )
            }
        };
        items.push_str(&item);
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{PAGE_STYLE}</style></head>\n\
         <body><header><h1>{title}</h1><p>{about}</p></header>\n<ol>\n{items}</ol></body></html>\n",
        title = escaped(&title),
        about = escaped(&about),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Attachment, Sender, Timestamp, Visitor};

    fn message(seq: u64, sender: Sender, content: &str) -> Message {
        Message {
            id: format!("m{seq}"),
            session_id: "s1".into(),
            seq,
            client_message_id: None,
            sender,
            content: content.into(),
            created_at: Timestamp("2026-12-02T14:05:00.000Z".into()),
            offers_human: false,
            source: None,
            attachments: vec![],
        }
    }

    fn transcript() -> Transcript {
        let mut with_file = message(2, Sender::agent("a1", "Alice"), "Here is the label");
        with_file.attachments.push(Attachment {
            id: "f1".into(),
            name: "label.pdf".into(),
            content_type: "application/pdf".into(),
            size: 48_213,
            url: String::new(),
            width: None,
            height: None,
        });
        Transcript {
            tenant_name: "Demo Shop".into(),
            session: Session {
                id: "s1".into(),
                status: SessionStatus::Closed,
                assigned_agent: None,
                visitor: Visitor {
                    name: Some("Dana".into()),
                    email: None,
                },
                last_message: None,
                unread_count: 0,
                visitor_read_seq: 0,
                team_read_seq: 0,
                visit: None,
                created_at: Timestamp("2026-12-02T14:00:00.000Z".into()),
                updated_at: Timestamp("2026-12-02T14:06:00.000Z".into()),
                test: false,
                visitor_id: None,
                verified_user_id: None,
            },
            messages: vec![
                message(
                    1,
                    Sender::visitor(Some("Dana".into())),
                    "<b>Where</b> is\nmy parcel?",
                ),
                with_file,
                message(3, Sender::system(), "Closed by Alice"),
            ],
            exported_at: Timestamp("2026-12-02T15:00:00.000Z".into()),
        }
    }

    #[test]
    fn text_names_who_wrote_what_and_lists_files() {
        let file = render(
            &transcript(),
            TranscriptReader::Agent,
            TranscriptFormat::Txt,
        );
        assert_eq!(file.file_name, "conversation-2026-12-02.txt");
        assert!(file.body.starts_with(
            "Conversation with Dana\nStarted 2 Dec 2026, 14:00 UTC · ended · 3 messages"
        ));
        assert!(file
            .body
            .contains("Dana, 2 Dec 2026, 14:05 UTC:\n    <b>Where</b> is\n    my parcel?\n"));
        assert!(file.body.contains(
            "Alice, 2 Dec 2026, 14:05 UTC:\n    Here is the label\n    📎 label.pdf (47 KB)\n"
        ));
        assert!(file
            .body
            .contains("— Closed by Alice (2 Dec 2026, 14:05 UTC)"));
        let visitor = render(
            &transcript(),
            TranscriptReader::Visitor,
            TranscriptFormat::Txt,
        );
        assert!(visitor
            .body
            .starts_with("Your conversation with Demo Shop\n"));
        assert!(visitor.body.contains("You, 2 Dec 2026, 14:05 UTC:"));
    }

    #[test]
    fn html_escapes_every_text() {
        let file = render(
            &transcript(),
            TranscriptReader::Agent,
            TranscriptFormat::Html,
        );
        assert_eq!(file.content_type, "text/html; charset=utf-8");
        assert!(file
            .body
            .contains("&lt;b&gt;Where&lt;/b&gt; is\nmy parcel?"));
        assert!(!file.body.contains("<b>Where"));
        assert!(file.body.contains("📎 label.pdf (47 KB)"));
    }

    #[test]
    fn json_is_the_transcript_itself() {
        let file = render(
            &transcript(),
            TranscriptReader::Agent,
            TranscriptFormat::Json,
        );
        let back: Transcript = serde_json::from_str(&file.body).expect("parses");
        assert_eq!(back, transcript());
    }
}
