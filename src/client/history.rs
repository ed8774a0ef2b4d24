//! The visitor's conversations over time, for the messenger: who the visitor is (their key, or
//! the shop's verified customer), their earlier conversations, and their transcript
//! (docs/protocol.md, "History, identity, transcripts, search, data rights").
//!
//! The calls compile on both targets, as those of `api` do; the I/O happens in the browser
//! only (feature `hydrate`).

use crate::client::api::{send, Method, RequestError};
use crate::protocol::{StartSessionResponse, VisitorConversations, VisitorRequest};

/// The visitor's conversations, newest activity first, and the visitor key to keep (none: a
/// verified customer, or a key the server does not know).
pub async fn visitor_conversations(
    request: &VisitorRequest,
) -> Result<VisitorConversations, RequestError> {
    send(
        Method::Post,
        "/api/v1/chat/public/visitor",
        None,
        Some(request),
    )
    .await
}

/// A new session key for one of the visitor's earlier conversations, which the messenger
/// then holds as its current one.
pub async fn open_conversation(
    session_id: &str,
    request: &VisitorRequest,
) -> Result<StartSessionResponse, RequestError> {
    let path = format!(
        "/api/v1/chat/public/conversations/{}/open",
        path_segment(session_id)
    );
    send(Method::Post, &path, None, Some(request)).await
}

/// Where the conversation's transcript downloads from, as plain text: the session key is the
/// permission, so a plain link works. On the messenger's own origin (the server's), so the
/// path alone is enough.
pub fn transcript_url(session_key: &str) -> String {
    format!(
        "/api/v1/chat/public/session/{}/transcript?format=txt",
        path_segment(session_key)
    )
}

/// `value` as one segment of a path: everything but letters, digits, `-`, `_` and `~`
/// percent-encoded (dots too: a `..` would climb), so that an id never reaches another route.
fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{path_segment, transcript_url};

    #[test]
    fn ids_stay_one_segment() {
        assert_eq!(path_segment("019ab5c1-7e2f"), "019ab5c1-7e2f");
        assert_eq!(path_segment("../admin?x=1"), "%2E%2E%2Fadmin%3Fx%3D1");
        assert_eq!(path_segment("é"), "%C3%A9");
    }

    #[test]
    fn the_transcript_is_the_sessions_text() {
        assert_eq!(
            transcript_url("abc_DEF-1"),
            "/api/v1/chat/public/session/abc_DEF-1/transcript?format=txt"
        );
    }
}
