//! The REST calls of history (docs/protocol.md, "History, identity, transcripts, search, data
//! rights"): a visitor's conversations and transcripts, and the agents' search, a visitor's
//! other conversations, transcripts, and the admins' export and erasure.

use super::{
    error::ApiError,
    extract::{ApiJson, AuthedAgent, ClientIp},
};
use crate::protocol::Transcript;
use crate::protocol::{
    ErasureReport, SearchResults, Session, StartSessionResponse, TranscriptFormat,
    VisitorConversations, VisitorEmail, VisitorExport, VisitorRequest, DEFAULT_SEARCH_HITS,
};
use crate::server::{
    history::transcript::{self, TranscriptReader},
    hub::{HubError, HubResult, StartedSession},
    state::AppState,
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/chat/public/visitor", post(visitor_conversations))
        .route(
            "/api/v1/chat/public/conversations/{id}/open",
            post(open_conversation),
        )
        .route(
            "/api/v1/chat/public/session/{session_key}/transcript",
            get(visitor_transcript),
        )
        .route(
            "/api/v1/chat/sessions/{id}/transcript",
            get(agent_transcript),
        )
        .route("/api/v1/chat/search", get(search))
        .route("/api/v1/visitors/{id}/conversations", get(conversations_of))
        .route("/api/v1/visitors/export", get(export))
        .route("/api/v1/visitors/erase", post(erase))
}

type ApiResult<T> = Result<Json<T>, ApiError>;

async fn visitor_conversations(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<VisitorRequest>,
) -> ApiResult<VisitorConversations> {
    state.hub.limits().history(ip).map_err(HubError::from)?;
    Ok(Json(state.hub.visitor_conversations(&request).await?))
}

async fn open_conversation(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<VisitorRequest>,
) -> ApiResult<StartSessionResponse> {
    state.hub.limits().history(ip).map_err(HubError::from)?;
    let opened = state.hub.open_conversation(&id, &request).await?;
    Ok(Json(started(opened)))
}

/// What `public/start` and `…/open` answer.
pub fn started(started: StartedSession) -> StartSessionResponse {
    StartSessionResponse {
        session_id: started.session.id,
        session_key: started.session_key,
        token: started.token,
        visitor_key: started.visitor_key,
        verified: started.verified,
    }
}

/// `?format=txt|json|html`.
#[derive(Debug, Deserialize)]
struct FormatQuery {
    #[serde(default)]
    format: TranscriptFormat,
}

fn format_of(
    query: Result<Query<FormatQuery>, QueryRejection>,
) -> Result<TranscriptFormat, ApiError> {
    query.map(|Query(q)| q.format).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_format",
            "format must be txt, json or html",
        )
    })
}

/// The transcript as a download. An HTML one is sandboxed like an attachment: it is text to
/// read, never a page of this site.
fn download(
    found: HubResult<(Transcript, TranscriptReader)>,
    format: TranscriptFormat,
) -> Result<Response, ApiError> {
    let (transcript, reader) = found?;
    let file = transcript::render(&transcript, reader, format);
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; style-src 'unsafe-inline'".to_string(),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.body,
    )
        .into_response())
}

async fn visitor_transcript(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(session_key): Path<String>,
    query: Result<Query<FormatQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let format = format_of(query)?;
    state.hub.limits().history(ip).map_err(HubError::from)?;
    download(state.hub.visitor_transcript(&session_key).await, format)
}

async fn agent_transcript(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
    query: Result<Query<FormatQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let format = format_of(query)?;
    download(state.hub.agent_transcript(&agent, &id).await, format)
}

/// `?q=…&limit=N`.
#[derive(Debug, Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<u32>,
}

async fn search(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> ApiResult<SearchResults> {
    let Query(query) = query.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            e.body_text(),
        )
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_SEARCH_HITS);
    Ok(Json(state.hub.search(&agent, &query.q, limit).await?))
}

async fn conversations_of(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
) -> ApiResult<Vec<Session>> {
    Ok(Json(state.hub.conversations_of(&agent, &id).await?))
}

/// `?email=…`.
#[derive(Debug, Deserialize)]
struct EmailQuery {
    #[serde(default)]
    email: String,
}

async fn export(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    query: Result<Query<EmailQuery>, QueryRejection>,
) -> ApiResult<VisitorExport> {
    let email = query.map(|Query(q)| q.email).unwrap_or_default();
    Ok(Json(state.hub.export_visitor(&agent, &email).await?))
}

async fn erase(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    ApiJson(request): ApiJson<VisitorEmail>,
) -> ApiResult<ErasureReport> {
    Ok(Json(state.hub.erase_visitor(&agent, &request.email).await?))
}
