//! The typed REST client: components call these functions and never build URLs or parse JSON.

use crate::protocol::{ErrorBody, LoginRequest, LoginResponse};

/// Why a request did not succeed, worded for the person who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error body.
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// The request never got an answer (offline, server down).
    Unreachable(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rejected { message, .. } => f.write_str(message),
            Self::Unreachable(why) => write!(f, "The server cannot be reached ({why})."),
        }
    }
}

pub async fn login(request: &LoginRequest) -> Result<LoginResponse, ApiError> {
    post_json("/api/v1/auth/login", request).await
}

#[cfg(feature = "hydrate")]
async fn post_json<B, R>(path: &str, body: &B) -> Result<R, ApiError>
where
    B: serde::Serialize,
    R: serde::de::DeserializeOwned,
{
    use gloo_net::http::Request;

    let response = Request::post(path)
        .json(body)
        .map_err(|e| ApiError::Unreachable(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Unreachable(e.to_string()))?;
    if response.ok() {
        return response
            .json::<R>()
            .await
            .map_err(|e| ApiError::Unreachable(e.to_string()));
    }
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Rejected {
            status,
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(ApiError::Rejected {
            status,
            code: "http_error".into(),
            message: format!("The server answered {status}."),
        }),
    }
}

#[cfg(not(feature = "hydrate"))]
async fn post_json<B, R>(_path: &str, _body: &B) -> Result<R, ApiError> {
    let _ = std::marker::PhantomData::<ErrorBody>;
    Err(ApiError::Unreachable(
        "requests are made in the browser only".into(),
    ))
}
