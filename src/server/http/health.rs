//! `/healthz` answers while the process runs; `/readyz` only while it can serve requests, which
//! a load balancer uses to stop sending traffic to a node whose database is away.

use crate::protocol::{ErrorBody, ErrorDetail};
use crate::server::state::AppState;
use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};
use serde_json::json;

pub async fn live() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

pub async fn ready(State(state): State<AppState>) -> axum::response::Response {
    match state.hub.store().ping().await {
        Ok(()) => Json(json!({"status": "ready", "checks": {"database": "ok"}})).into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed: database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(ErrorBody {
                    error: ErrorDetail {
                        code: "database_unavailable".into(),
                        message: format!("the database does not answer: {error}"),
                    },
                }),
            )
                .into_response()
        }
    }
}
