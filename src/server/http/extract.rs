//! Extractors that turn every bad request into the contract's error body.

use super::error::ApiError;
use crate::server::{hub::AgentActor, state::AppState};
use axum::{
    extract::{rejection::JsonRejection, ConnectInfo, FromRequest, FromRequestParts, Request},
    http::{header::AUTHORIZATION, request::Parts, StatusCode},
};
use serde::de::DeserializeOwned;

/// A JSON body; a malformed one is answered `400 invalid_json` or `422 invalid_body`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                e.body_text(),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_content_type",
                "send the body as JSON with Content-Type: application/json",
            )),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than this server accepts",
            )),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                e.body_text(),
            )),
        }
    }
}

/// The agent an `Authorization: Bearer <agent JWT>` header names, still existing.
pub struct AuthedAgent(pub AgentActor);

impl FromRequestParts<AppState> for AuthedAgent {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("sign in first: no Authorization header"))?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
        let claims = state.hub.verify_token(token.trim())?;
        Ok(Self(state.hub.agent_by_claims(&claims).await?))
    }
}

/// The address the request comes from, as the rate limits count it (see [`crate::server::edge`]).
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr)
            .unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
        Ok(Self(state.edge.client_ip(peer, &parts.headers)))
    }
}
