//! The one axum router: the REST API, the WebSocket endpoints and the health checks first, then
//! every Leptos page, then static files and the 404 page. It only puts together what [`http`]
//! and [`ws`] handle, so that neither of them needs the other's routes.

use super::{
    http::{self, csp},
    hub::{attachments::AttachmentRefused, HubError},
    state::AppState,
    ws,
};
use crate::app::{shell, App};
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
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
        .merge(http::appearance::routes())
        .merge(http::attachments::routes())
        .merge(http::history::routes())
        .route("/api/{*rest}", any(http::api::not_found))
        .route("/ws", get(ws::with_token))
        .route("/ws/public/{session_key}", get(ws::with_key))
        .route("/ws/echo", get(ws::echo::upgrade))
        .route("/widget/{widget_key}", get(http::messenger::page))
        .route("/help/{widget_key}", get(http::help::index))
        .route("/help/{widget_key}/{slug}", get(http::help::article))
        .route("/healthz", get(http::health::live))
        .route("/readyz", get(http::health::ready))
        .leptos_routes_with_context(&state, routes, csp::provide_request_nonce, move || {
            shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(csp::provide_request_nonce, shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ws::root_alias,
        ))
        .layer(middleware::from_fn(reads_only_outside_the_api))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_oversized_bodies,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            safety_headers,
        ))
        .with_state(state)
}

/// Headers every answer carries: browsers never guess a type other than the one sent, links
/// tell other sites only this origin, scripts run only from this server or with the request's
/// nonce, and no page may be framed unless it says otherwise (the messenger page lists the
/// tenant's sites in its own policy). HSTS when the public URL is https.
async fn safety_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = csp::CspNonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(hsts) = state.edge.hsts() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(hsts),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&csp::policy(&nonce, "'none'")) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    response
}

/// The largest request body the API reads (axum's default limit, checked again by each JSON
/// extractor as the body arrives).
const MAX_BODY_BYTES: u64 = 2 * 1024 * 1024;

/// What a form carries besides its file (boundaries, headers, the session field), at most.
const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;

/// A request that announces a body over the limit is refused before any of it is read: an
/// upload's limit is the largest attachment's (its handler counts again as it reads).
async fn refuse_oversized_bodies(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let error = if http::attachments::is_upload(request.uri().path()) {
        let max = state.hub.attachment_rules().max_bytes;
        let over = announced.is_some_and(|bytes| bytes > max + FORM_OVERHEAD_BYTES);
        over.then(|| HubError::Attachment(AttachmentRefused::TooLarge(max)).into())
    } else {
        announced
            .is_some_and(|bytes| bytes > MAX_BODY_BYTES)
            .then(|| {
                http::error::ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "the request body is larger than this server accepts",
                )
            })
    };
    match error {
        Some(error) => error.into_response(),
        None => next.run(request).await,
    }
}

/// A request that takes longer than its limit (a body trickling in, say) ends with 408: an
/// upload gets `--upload-timeout-secs`, anything else `--request-timeout-secs`. (Until the
/// response starts: a download streams as long as it needs.)
async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let config = state.edge.config();
    let limit = if http::attachments::is_upload(request.uri().path()) {
        config.upload_timeout
    } else {
        config.request_timeout
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// Pages, static files and socket upgrades answer GET and HEAD only; the API has its own
/// methods per route.
async fn reads_only_outside_the_api(request: Request, next: Next) -> Response {
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    if reading || request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "GET, HEAD")],
        "This address answers GET and HEAD only.",
    )
        .into_response()
}
