//! The REST API of docs/protocol.md, under `/api/v1`.

use super::{
    error::ApiError,
    extract::{ApiJson, AuthedAgent},
};
use crate::protocol::{
    AgentMessageRequest, LoginRequest, LoginResponse, MarkReadRequest, MeResponse, Message,
    PublicMessageRequest, Session, SessionHistory, StartSessionRequest, StartSessionResponse,
    WidgetConfig,
};
use crate::server::state::AppState;
use axum::{
    extract::{Path, Query, State},
    http::{StatusCode, Uri},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/me", get(me))
        .route(
            "/api/v1/chat/public/widget/{widget_key}",
            get(widget_config),
        )
        .route("/api/v1/chat/public/start", post(start))
        .route("/api/v1/chat/public/message", post(public_message))
        .route(
            "/api/v1/chat/public/session/{session_key}",
            get(public_session),
        )
        .route("/api/v1/chat/sessions", get(sessions))
        .route("/api/v1/chat/sessions/{id}/messages", get(messages))
        .route("/api/v1/chat/messages", post(agent_message))
        .route("/api/v1/chat/sessions/{id}/assign", post(assign))
        .route("/api/v1/chat/sessions/{id}/close", post(close))
        .route("/api/v1/chat/sessions/{id}/read", post(mark_read))
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// An unknown API path is answered in JSON, not with the 404 page.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no API endpoint at {}", uri.path()),
    )
}

async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<LoginResponse> {
    Ok(Json(
        state.hub.login(&request.email, request.password).await?,
    ))
}

async fn me(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> ApiResult<MeResponse> {
    Ok(Json(state.hub.profile(&agent).await?))
}

async fn widget_config(
    State(state): State<AppState>,
    Path(widget_key): Path<String>,
) -> ApiResult<WidgetConfig> {
    Ok(Json(state.hub.widget(&widget_key).await?.config))
}

async fn start(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<StartSessionRequest>,
) -> ApiResult<StartSessionResponse> {
    let started = state
        .hub
        .start_session(&request.widget_key, request.visitor.unwrap_or_default())
        .await?;
    Ok(Json(StartSessionResponse {
        session_id: started.session.id,
        session_key: started.session_key,
        token: started.token,
    }))
}

async fn public_message(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<PublicMessageRequest>,
) -> ApiResult<Message> {
    let (visitor, _) = state.hub.visitor_by_key(&request.session_key).await?;
    let message = state
        .hub
        .visitor_message(&visitor, request.content, request.client_message_id)
        .await?;
    Ok(Json(message.message))
}

async fn public_session(
    State(state): State<AppState>,
    Path(session_key): Path<String>,
) -> ApiResult<SessionHistory> {
    Ok(Json(state.hub.visitor_history(&session_key).await?))
}

async fn sessions(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> ApiResult<Vec<Session>> {
    Ok(Json(state.hub.sessions_for(&agent).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AfterSeq {
    #[serde(default)]
    after_seq: u64,
}

async fn messages(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
    query: Result<Query<AfterSeq>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Vec<Message>> {
    let Query(AfterSeq { after_seq }) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    Ok(Json(state.hub.messages_for(&agent, &id, after_seq).await?))
}

async fn agent_message(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    ApiJson(request): ApiJson<AgentMessageRequest>,
) -> ApiResult<Message> {
    Ok(Json(
        state
            .hub
            .agent_message(
                &agent,
                &request.session_id,
                request.content,
                request.client_message_id,
            )
            .await?
            .message,
    ))
}

async fn assign(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
) -> ApiResult<Session> {
    Ok(Json(state.hub.assign(&agent, &id).await?))
}

async fn close(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
) -> ApiResult<Session> {
    Ok(Json(state.hub.close(&agent, &id).await?))
}

async fn mark_read(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MarkReadRequest>,
) -> ApiResult<Session> {
    Ok(Json(state.hub.mark_read(&agent, &id, request.seq).await?))
}
