//! The one error type of the REST API: a status and the contract's
//! `{"error": {"code", "message"}}` body.

use crate::protocol::{ErrorBody, ErrorDetail};
use crate::server::{auth::TokenError, hub::HubError};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
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
            | HubError::SeqOutOfRange => StatusCode::UNPROCESSABLE_ENTITY,
            HubError::SessionClosed => StatusCode::CONFLICT,
            HubError::InvalidCredentials | HubError::SignedOut(_) => StatusCode::UNAUTHORIZED,
            HubError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, error.code(), error.to_string())
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
        (
            self.status,
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
