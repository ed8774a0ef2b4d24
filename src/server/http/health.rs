//! `/healthz` answers while the process runs; `/readyz` only while it can serve requests, which
//! a load balancer uses to stop sending traffic to a node whose database is away. It also says
//! whether the bus between nodes (Redis) is connected.

use crate::protocol::{ErrorBody, ErrorDetail};
use crate::server::{broker::BusHealth, state::AppState};
use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};
use serde_json::json;

pub async fn live() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

pub async fn ready(State(state): State<AppState>) -> axum::response::Response {
    let readiness = state.hub.readiness().await;
    match readiness.database {
        Ok(()) => {
            // Ready without Redis: the node serves its own sockets, and they resync when it is
            // back. Taking every node out of the load balancer would be worse.
            let bus = match readiness.bus {
                BusHealth::SingleNode => "single-node",
                BusHealth::Connected => "ok",
                BusHealth::Disconnected => "disconnected",
            };
            Json(json!({"status": "ready", "checks": {"database": "ok", "bus": bus}}))
                .into_response()
        }
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
