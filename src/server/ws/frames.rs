//! Reading client frames: each bad frame gets its own error code, and nothing else happens.

use crate::protocol::{ClientCommand, ClientFrame};
use serde_json::Value;

/// The frame types a client may send.
const KNOWN_TYPES: &[&str] = &["chat", "human-escalation", "typing", "ping"];

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
        assert!(matches!(
            parse(r#"{"type":"chat","content":"hi","clientMessageId":"c1"}"#),
            Ok(ClientCommand::Chat { .. })
        ));
    }
}
