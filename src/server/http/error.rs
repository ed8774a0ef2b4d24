//! The one error type of the REST API: a status and the contract's
//! `{"error": {"code", "message"}}` body.

use crate::protocol::{ErrorBody, ErrorDetail};
use crate::server::{
    auth::TokenError,
    hub::{appearance::AvatarRefused, attachments::AttachmentRefused, HubError},
};
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for `Retry-After`, on a `429`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

impl From<HubError> for ApiError {
    fn from(error: HubError) -> Self {
        let status = match &error {
            HubError::NotFound(_) => StatusCode::NOT_FOUND,
            HubError::InvalidContent(_)
            | HubError::InvalidClientMessageId
            | HubError::InvalidVisitor(_)
            | HubError::InvalidAgent(_)
            | HubError::InvalidArticle(_)
            | HubError::InvalidSettings(_)
            | HubError::InvalidHours(_)
            | HubError::InvalidPage(_)
            | HubError::InvalidQuery(_)
            | HubError::InvalidVisit(_)
            | HubError::SeqOutOfRange => StatusCode::UNPROCESSABLE_ENTITY,
            HubError::SessionClosed | HubError::Conflict(_) => StatusCode::CONFLICT,
            HubError::InvalidAvatar(AvatarRefused::TooLarge(_)) => StatusCode::PAYLOAD_TOO_LARGE,
            HubError::InvalidAvatar(AvatarRefused::NotAnImage) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            HubError::Attachment(AttachmentRefused::TooLarge(_)) => StatusCode::PAYLOAD_TOO_LARGE,
            HubError::Attachment(AttachmentRefused::TypeNotAllowed(_)) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            HubError::Attachment(AttachmentRefused::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            HubError::InvalidCredentials | HubError::SignedOut(_) => StatusCode::UNAUTHORIZED,
            HubError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            HubError::Forbidden(_) => StatusCode::FORBIDDEN,
            HubError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let retry_after = match &error {
            HubError::RateLimited(limited) => Some(limited.retry_after_secs()),
            _ => None,
        };
        Self {
            retry_after,
            ..Self::new(status, error.code(), error.to_string())
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Expired => Self::new(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "your sign-in has expired; sign in again",
            ),
            TokenError::Invalid => Self::unauthorized("the token is not valid"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self
            .retry_after
            .map(|secs| [(header::RETRY_AFTER, secs.to_string())]);
        (
            self.status,
            retry_after,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: self.code.to_string(),
                    message: self.message,
                },
            }),
        )
            .into_response()
    }
}
