//! The HTTP router: WebSocket endpoints and health checks first, then every Leptos page, then
//! static files and the 404 page.

mod health;

use super::{state::AppState, ws};
use crate::app::{shell, App};
use axum::{routing::get, Router};
use leptos_axum::{generate_route_list, LeptosRoutes};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    // WebSocket routes go before `.leptos_routes(…)` (leptos issue #4030).
    Router::new()
        .route("/ws/echo", get(ws::echo::upgrade))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
}
