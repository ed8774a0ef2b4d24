//! Reading client frames: each bad frame gets its own error code, and nothing else happens.

use crate::protocol::{ClientCommand, ClientFrame};
use serde_json::Value;

/// The frame types a client may send.
const KNOWN_TYPES: &[&str] = &[
    "chat",
    "human-escalation",
    "typing",
    "read",
    "visit",
    "ping",
    "activity",
];

/// Why a frame was refused: a code for programs and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub code: &'static str,
    pub message: String,
}

pub fn parse(text: &str) -> Result<ClientCommand, FrameError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FrameError {
        code: "invalid_json",
        message: format!("the frame is not JSON: {e}"),
    })?;
    let kind = match value.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(_) => {
            return Err(FrameError {
                code: "invalid_frame",
                message: "`type` must be a string".into(),
            })
        }
        None if value.is_object() => {
            return Err(FrameError {
                code: "invalid_frame",
                message: "the frame has no `type`".into(),
            })
        }
        None => {
            return Err(FrameError {
                code: "invalid_frame",
                message: "a frame must be a JSON object".into(),
            })
        }
    };
    if !KNOWN_TYPES.contains(&kind.as_str()) {
        return Err(FrameError {
            code: "unknown_type",
            message: format!(
                "unknown frame type `{kind}`; expected one of {}",
                KNOWN_TYPES.join(", ")
            ),
        });
    }
    serde_json::from_value::<ClientFrame>(value)
        .map(|frame| frame.command)
        .map_err(|e| FrameError {
            code: "invalid_frame",
            message: format!("invalid `{kind}` frame: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_bad_frame_has_its_code() {
        assert_eq!(parse("{not json").unwrap_err().code, "invalid_json");
        assert_eq!(parse("[1,2]").unwrap_err().code, "invalid_frame");
        assert_eq!(
            parse(r#"{"content":"x"}"#).unwrap_err().code,
            "invalid_frame"
        );
        assert_eq!(parse(r#"{"type":7}"#).unwrap_err().code, "invalid_frame");
        assert_eq!(
            parse(r#"{"type":"teleport"}"#).unwrap_err().code,
            "unknown_type"
        );
        let missing = parse(r#"{"type":"chat"}"#).unwrap_err();
        assert_eq!(missing.code, "invalid_frame");
        assert!(missing.message.contains("content"), "{}", missing.message);
        assert_eq!(
            parse(r#"{"type":"typing","isTyping":"yes"}"#)
                .unwrap_err()
                .code,
            "invalid_frame"
        );
    }

    #[test]
    fn good_frames_parse() {
        assert_eq!(
            parse(r#"{"type":"ping","timestamp":"2025-09-12T10:00:00Z"}"#),
            Ok(ClientCommand::Ping)
        );
        assert_eq!(parse(r#"{"type":"activity"}"#), Ok(ClientCommand::Activity));
        assert!(matches!(
            parse(r#"{"type":"chat","content":"hi","clientMessageId":"c1"}"#),
            Ok(ClientCommand::Chat { .. })
        ));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever arrives, the parser answers: a command or one of its three codes.
            #[test]
            fn any_text_parses_or_gets_a_known_code(text in any::<String>()) {
                if let Err(e) = parse(&text) {
                    prop_assert!(["invalid_json", "invalid_frame", "unknown_type"].contains(&e.code));
                }
            }

            /// Any JSON object gets an answer too, with any `type` and fields.
            #[test]
            fn any_object_parses_or_gets_a_known_code(
                kind in prop_oneof![Just("chat".to_string()), Just("typing".to_string()), Just("ping".to_string()), Just("human-escalation".to_string()), any::<String>()],
                content in proptest::option::of(any::<String>()),
                session in proptest::option::of(any::<String>()),
                flag in proptest::option::of(any::<bool>()),
            ) {
                let frame = serde_json::json!({"type": kind, "content": content, "sessionId": session, "isTyping": flag});
                if let Err(e) = parse(&frame.to_string()) {
                    prop_assert!(["invalid_frame", "unknown_type"].contains(&e.code), "{}", e.code);
                }
            }

            /// A chat frame carries its content exactly, whatever characters it holds.
            #[test]
            fn chat_content_survives_parsing(content in any::<String>(), id in "[a-z0-9-]{1,64}") {
                let frame = serde_json::json!({"type": "chat", "content": content, "clientMessageId": id});
                match parse(&frame.to_string()) {
                    Ok(ClientCommand::Chat { content: parsed, client_message_id, session_id, .. }) => {
                        prop_assert_eq!(parsed, content);
                        prop_assert_eq!(client_message_id, Some(id));
                        prop_assert_eq!(session_id, None);
                    }
                    other => prop_assert!(false, "{:?}", other),
                }
            }
        }
    }
}
