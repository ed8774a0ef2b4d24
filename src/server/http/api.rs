//! The REST API of docs/protocol.md, under `/api/v1`.

use super::{
    error::ApiError,
    extract::{ApiJson, AuthedAgent, ClientIp},
};
use crate::protocol::{
    AgentMessageRequest, ContactRequest, LoginRequest, LoginResponse, MarkReadRequest, MeResponse,
    Message, NewAgentRequest, PresenceRequest, PublicMessageRequest, Session, SessionHistory,
    SessionView, StartSessionRequest, StartSessionResponse, TeamMember, TransferRequest,
    VisitorPresence, DEFAULT_SESSIONS_PAGE, MAX_SESSIONS_PAGE,
};
use crate::server::{
    hub::{Draft, HistoryFrom, HistoryPage, HubError},
    state::AppState,
    store::SessionPage,
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Json, Router,
};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/me", get(me))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/agents", get(team).post(add_agent))
        .route("/api/v1/agents/me/presence", put(set_presence))
        .route("/api/v1/visitors", get(visitors))
        .route("/api/v1/agents/{id}/disable", post(disable_agent))
        .route("/api/v1/agents/{id}/enable", post(enable_agent))
        .route(
            "/api/v1/knowledge/articles",
            get(knowledge::list).post(knowledge::create),
        )
        .route(
            "/api/v1/knowledge/articles/{id}",
            get(knowledge::read)
                .put(knowledge::update)
                .delete(knowledge::remove),
        )
        .route("/api/v1/knowledge/preview", post(knowledge::preview))
        .route(
            "/api/v1/settings/assistant",
            get(settings::read).put(settings::update),
        )
        .route(
            "/api/v1/settings/routing",
            get(settings::routing).put(settings::set_routing),
        )
        .route(
            "/api/v1/settings/hours",
            get(settings::hours).put(settings::set_hours),
        )
        .route("/api/v1/chat/public/start", post(start))
        .route("/api/v1/chat/public/message", post(public_message))
        .route("/api/v1/chat/public/contact", post(public_contact))
        .route(
            "/api/v1/chat/public/session/{session_key}",
            get(public_session),
        )
        .route("/api/v1/chat/sessions", get(sessions))
        .route("/api/v1/chat/sessions/{id}/messages", get(messages))
        .route("/api/v1/chat/messages", post(agent_message))
        .route("/api/v1/chat/sessions/{id}/assign", post(assign))
        .route("/api/v1/chat/sessions/{id}/unassign", post(unassign))
        .route("/api/v1/chat/sessions/{id}/transfer", post(transfer))
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
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<LoginResponse> {
    Ok(Json(
        state
            .hub
            .login(&request.email, request.password, ip)
            .await?,
    ))
}

async fn me(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> ApiResult<MeResponse> {
    Ok(Json(state.hub.profile(&agent).await?))
}

/// Ends the caller's sign-in, on every node: `204`.
async fn logout(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> Result<StatusCode, ApiError> {
    state.hub.logout(&agent).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn team(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> ApiResult<Vec<TeamMember>> {
    Ok(Json(state.hub.team(&agent).await?))
}

/// The tenant's visitors on the site now: whose page is in use (`online`) or not (`away`).
async fn visitors(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> ApiResult<Vec<VisitorPresence>> {
    Ok(Json(state.hub.visitors_present(&agent.tenant_id).await))
}

/// The signed-in agent is away (or back), or available or busy.
async fn set_presence(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    ApiJson(request): ApiJson<PresenceRequest>,
) -> ApiResult<TeamMember> {
    Ok(Json(state.hub.set_presence(&agent, request).await?))
}

async fn add_agent(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    ApiJson(request): ApiJson<NewAgentRequest>,
) -> Result<(StatusCode, Json<TeamMember>), ApiError> {
    let member = state.hub.add_agent(&agent, request).await?;
    Ok((StatusCode::CREATED, Json(member)))
}

async fn disable_agent(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
) -> ApiResult<TeamMember> {
    Ok(Json(state.hub.set_agent_enabled(&agent, &id, false).await?))
}

async fn enable_agent(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
) -> ApiResult<TeamMember> {
    Ok(Json(state.hub.set_agent_enabled(&agent, &id, true).await?))
}

async fn start(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<StartSessionRequest>,
) -> ApiResult<StartSessionResponse> {
    state
        .hub
        .limits()
        .start_session(ip, &request.widget_key)
        .map_err(HubError::from)?;
    let started = state
        .hub
        .start_session(
            &request.widget_key,
            request.visitor.unwrap_or_default(),
            request.test,
            &request.credentials,
        )
        .await?;
    Ok(Json(super::history::started(started)))
}

async fn public_message(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<PublicMessageRequest>,
) -> ApiResult<Message> {
    let (visitor, _) = state.hub.visitor_by_key(&request.session_key).await?;
    state
        .hub
        .limits()
        .public_message(ip, &visitor.tenant_id)
        .map_err(HubError::from)?;
    let message = state
        .hub
        .visitor_message(
            &visitor,
            Draft {
                content: request.content,
                client_message_id: request.client_message_id,
                attachments: request.attachments,
            },
        )
        .await?;
    Ok(Json(message.message))
}

async fn public_contact(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ContactRequest>,
) -> ApiResult<Session> {
    Ok(Json(
        state
            .hub
            .leave_contact(&request.session_key, &request.email)
            .await?,
    ))
}

/// The visitor's conversation opens at its newest messages; `?beforeSeq=` pages back.
async fn public_session(
    State(state): State<AppState>,
    Path(session_key): Path<String>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<SessionHistory> {
    let page = history_page(query, HistoryPage::LATEST.from)?;
    Ok(Json(state.hub.visitor_history(&session_key, page).await?))
}

/// `?view=…&before=CURSOR&limit=N`; without `view`, every session, open or closed.
#[derive(Debug, Deserialize)]
struct SessionsQuery {
    #[serde(default)]
    view: Option<SessionView>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

/// A page of sessions, newest activity first. When there may be more, `Link: <…>; rel="next"`
/// names the next page (its `before` cursor is the last session's `updatedAt` and id).
async fn sessions(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Query(query): Query<SessionsQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_SESSIONS_PAGE);
    if !(1..=MAX_SESSIONS_PAGE).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_page",
            format!("limit must be 1 to {MAX_SESSIONS_PAGE}"),
        ));
    }
    let before = match &query.before {
        None => None,
        Some(cursor) => Some(
            cursor
                .split_once('~')
                .map(|(at, id)| (at.to_string(), id.to_string()))
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_page",
                        "before is not a cursor this server gave",
                    )
                })?,
        ),
    };
    let page = SessionPage {
        view: query.view,
        before,
        limit,
    };
    let sessions = state.hub.sessions_for(&agent, &page).await?;
    let next = (sessions.len() == limit as usize)
        .then(|| sessions.last())
        .flatten()
        .map(|last| next_link(&query, limit, &format!("{}~{}", last.updated_at.0, last.id)));
    let mut response = Json(sessions).into_response();
    if let Some(link) = next.and_then(|l| l.parse().ok()) {
        response
            .headers_mut()
            .insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

/// The `Link` header's value for the page after `cursor` (a timestamp and an id: nothing in
/// it needs escaping in a query).
fn next_link(query: &SessionsQuery, limit: u32, cursor: &str) -> String {
    let view = query
        .view
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| v.as_str().map(|v| format!("view={v}&")))
        .unwrap_or_default();
    format!("</api/v1/chat/sessions?{view}before={cursor}&limit={limit}>; rel=\"next\"")
}

/// `?afterSeq=N` or `?beforeSeq=N`, and `&limit=L` (1 to 500).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HistoryQuery {
    after_seq: Option<u64>,
    before_seq: Option<u64>,
    limit: Option<u32>,
}

fn history_page(
    query: Result<Query<HistoryQuery>, QueryRejection>,
    default: HistoryFrom,
) -> Result<HistoryPage, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    Ok(HistoryPage::asked(
        query.after_seq,
        query.before_seq,
        query.limit,
        default,
    )?)
}

/// From the first message unless asked otherwise.
async fn messages(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<Vec<Message>> {
    let page = history_page(query, HistoryFrom::After(0))?;
    Ok(Json(state.hub.messages_for(&agent, &id, page).await?))
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
                Draft {
                    content: request.content,
                    client_message_id: request.client_message_id,
                    attachments: request.attachments,
                },
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

async fn unassign(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
) -> ApiResult<Session> {
    Ok(Json(state.hub.unassign(&agent, &id).await?))
}

async fn transfer(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<TransferRequest>,
) -> ApiResult<Session> {
    Ok(Json(
        state.hub.transfer(&agent, &id, &request.agent_id).await?,
    ))
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

/// `/api/v1/settings…`: the tenant's settings, for its admins.
mod settings {
    use super::{ApiJson, ApiResult, AuthedAgent};
    use crate::protocol::{
        AssistantSettings, AssistantSettingsRequest, OfficeHoursSettings, RoutingSettings,
    };
    use crate::server::state::AppState;
    use axum::{extract::State, Json};

    pub async fn read(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
    ) -> ApiResult<AssistantSettings> {
        Ok(Json(state.hub.assistant_settings(&agent).await?))
    }

    pub async fn update(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
        ApiJson(request): ApiJson<AssistantSettingsRequest>,
    ) -> ApiResult<AssistantSettings> {
        Ok(Json(
            state.hub.set_assistant_settings(&agent, request).await?,
        ))
    }

    pub async fn routing(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
    ) -> ApiResult<RoutingSettings> {
        Ok(Json(state.hub.routing_settings(&agent).await?))
    }

    pub async fn hours(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
    ) -> ApiResult<OfficeHoursSettings> {
        Ok(Json(state.hub.hours_settings(&agent).await?))
    }

    pub async fn set_hours(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
        ApiJson(request): ApiJson<OfficeHoursSettings>,
    ) -> ApiResult<OfficeHoursSettings> {
        Ok(Json(state.hub.set_hours_settings(&agent, request).await?))
    }

    pub async fn set_routing(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
        ApiJson(request): ApiJson<RoutingSettings>,
    ) -> ApiResult<RoutingSettings> {
        Ok(Json(state.hub.set_routing_settings(&agent, request).await?))
    }
}

/// `/api/v1/knowledge/articles…`: the tenant's knowledge base, for its admins.
mod knowledge {
    use super::{ApiError, ApiJson, ApiResult, AuthedAgent};
    use crate::protocol::{ArticleRequest, KnowledgeArticle, PreviewRequest, PreviewResponse};
    use crate::server::{http::markdown, hub::Hub, state::AppState};
    use axum::{
        extract::{Path, State},
        http::StatusCode,
        Json,
    };

    pub async fn list(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
    ) -> ApiResult<Vec<KnowledgeArticle>> {
        Ok(Json(state.hub.articles(&agent).await?))
    }

    pub async fn read(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
        Path(id): Path<String>,
    ) -> ApiResult<KnowledgeArticle> {
        Ok(Json(state.hub.article(&agent, &id).await?))
    }

    pub async fn create(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
        ApiJson(request): ApiJson<ArticleRequest>,
    ) -> Result<(StatusCode, Json<KnowledgeArticle>), ApiError> {
        let article = state.hub.create_article(&agent, request).await?;
        Ok((StatusCode::CREATED, Json(article)))
    }

    pub async fn update(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
        Path(id): Path<String>,
        ApiJson(request): ApiJson<ArticleRequest>,
    ) -> ApiResult<KnowledgeArticle> {
        Ok(Json(state.hub.update_article(&agent, &id, request).await?))
    }

    /// The body as the help center will show it, rendered by the same safe renderer.
    pub async fn preview(
        AuthedAgent(agent): AuthedAgent,
        ApiJson(request): ApiJson<PreviewRequest>,
    ) -> ApiResult<PreviewResponse> {
        Hub::check_preview(&agent, &request.body)?;
        Ok(Json(PreviewResponse {
            html: markdown::to_safe_html(&request.body),
        }))
    }

    pub async fn remove(
        State(state): State<AppState>,
        AuthedAgent(agent): AuthedAgent,
        Path(id): Path<String>,
    ) -> Result<StatusCode, ApiError> {
        state.hub.delete_article(&agent, &id).await?;
        Ok(StatusCode::NO_CONTENT)
    }
}
