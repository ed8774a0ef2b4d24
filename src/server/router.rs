//! The one axum router: the REST API, the WebSocket endpoints and the health checks first, then
//! every Leptos page, then static files and the 404 page. It only puts together what [`http`]
//! and [`ws`] handle, so that neither of them needs the other's routes.

use super::{http, state::AppState, ws};
use crate::app::{shell, App};
use axum::{
    middleware,
    routing::{any, get},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    // WebSocket routes go before `.leptos_routes(…)` (leptos issue #4030).
    Router::new()
        .merge(http::api::routes())
        .route("/api/{*rest}", any(http::api::not_found))
        .route("/ws", get(ws::with_token))
        .route("/ws/public/{session_key}", get(ws::with_key))
        .route("/ws/echo", get(ws::echo::upgrade))
        .route("/widget/{widget_key}", get(http::messenger::page))
        .route("/healthz", get(http::health::live))
        .route("/readyz", get(http::health::ready))
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ws::root_alias,
        ))
        .with_state(state)
}
