//! The HTTP router: the REST API, WebSocket endpoints and health checks first, then every Leptos
//! page, then static files and the 404 page.

mod api;
pub mod error;
mod extract;
mod health;
mod messenger;

use super::{state::AppState, ws};
use crate::app::{shell, App};
use axum::{
    http::{StatusCode, Uri},
    middleware,
    response::IntoResponse,
    routing::{any, get},
    Router,
};
use error::ApiError;
use leptos_axum::{generate_route_list, LeptosRoutes};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    // WebSocket routes go before `.leptos_routes(…)` (leptos issue #4030).
    Router::new()
        .merge(api::routes())
        .route("/api/{*rest}", any(api_not_found))
        .route("/ws", get(ws::with_token))
        .route("/ws/public/{session_key}", get(ws::with_key))
        .route("/ws/echo", get(ws::echo::upgrade))
        .route("/widget/{widget_key}", get(messenger::page))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ws::root_alias,
        ))
        .with_state(state)
}

/// An unknown API path is answered in JSON, not with the 404 page.
async fn api_not_found(uri: Uri) -> impl IntoResponse {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no API endpoint at {}", uri.path()),
    )
}
