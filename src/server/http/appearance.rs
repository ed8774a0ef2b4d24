//! The widget's look over HTTP: what every visitor's widget reads (`widget.js` from the shop's
//! own origin, hence open to any origin), the avatar image, and the settings its admins change.

use super::{
    error::ApiError,
    extract::{ApiJson, AuthedAgent},
};
use crate::protocol::{AppearanceRequest, AppearanceSettings, WidgetConfig};
use crate::server::{
    hub::{appearance::AvatarRefused, HubError},
    state::AppState,
};
use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::{get, put},
    Json, Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/chat/public/widget/{widget_key}",
            get(widget_config),
        )
        .route(
            "/api/v1/chat/public/widget/{widget_key}/avatar",
            get(widget_avatar),
        )
        .route("/api/v1/settings/appearance", get(read).put(update))
        .route(
            "/api/v1/settings/appearance/avatar",
            put(upload_avatar).delete(remove_avatar),
        )
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Public, and read by `widget.js` from the shop's pages: any origin may read it (it holds
/// nothing the widget's own page does not show).
async fn widget_config(
    State(state): State<AppState>,
    Path(widget_key): Path<String>,
) -> Result<Response, ApiError> {
    let config: WidgetConfig = state.hub.widget(&widget_key).await?.config;
    let mut response = Json(config).into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

/// The image, as stored: its sniffed type, never run as a document, and cached for good (its
/// address names its version).
async fn widget_avatar(
    State(state): State<AppState>,
    Path(widget_key): Path<String>,
) -> Result<Response, ApiError> {
    let avatar = state.hub.widget_avatar(&widget_key).await?;
    let content_type =
        HeaderValue::from_str(&avatar.content_type).map_err(|_| HubError::NotFound("avatar"))?;
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        ),
    ];
    Ok((headers, avatar.bytes).into_response())
}

async fn read(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> ApiResult<AppearanceSettings> {
    Ok(Json(state.hub.appearance(&agent).await?))
}

async fn update(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    ApiJson(request): ApiJson<AppearanceRequest>,
) -> ApiResult<AppearanceSettings> {
    Ok(Json(state.hub.set_appearance(&agent, request).await?))
}

/// The image is the whole body, whatever its `Content-Type` says: its type is read from it.
/// Reading stops past `--max-avatar-bytes`.
async fn upload_avatar(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    body: Body,
) -> ApiResult<AppearanceSettings> {
    let limit = state.max_avatar_bytes;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| HubError::InvalidAvatar(AvatarRefused::TooLarge(limit)))?;
    Ok(Json(state.hub.set_avatar(&agent, bytes.to_vec()).await?))
}

async fn remove_avatar(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
) -> ApiResult<AppearanceSettings> {
    Ok(Json(state.hub.remove_avatar(&agent).await?))
}
