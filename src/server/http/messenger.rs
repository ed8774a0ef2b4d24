//! `GET /widget/{widgetKey}`: the messenger page that `widget.js` opens in an iframe.
//!
//! Rendered with the tenant's name and greeting, hydrated by the messenger's own bundle
//! (`/messenger/switchboard.js`, built by Trunk), and framed only by the tenant's own sites: the
//! `Content-Security-Policy: frame-ancestors` header lists this server and the tenant's
//! allowed origins, the same list the sockets check.

use super::csp::{policy, provide_request_nonce, CspNonce};
use crate::app::messenger::{messenger_shell, MessengerSetup};
use crate::server::{hub::HubError, state::AppState};
use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, HeaderValue, Request, StatusCode},
    response::{IntoResponse, Response},
};

/// `?resume=KEY`: the key in a follow-up email's link.
fn resume_key(request: &Request<Body>) -> Option<String> {
    let query = request.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "resume")
        .map(|(_, key)| key.into_owned())
        .filter(|key| !key.is_empty())
}

pub async fn page(
    State(state): State<AppState>,
    Path(widget_key): Path<String>,
    request: Request<Body>,
) -> Response {
    let widget = match state.hub.widget(&widget_key).await {
        Ok(widget) => widget,
        Err(HubError::NotFound(_)) => {
            return (StatusCode::NOT_FOUND, "No chat has this widget key.").into_response()
        }
        Err(_) => {
            return (StatusCode::SERVICE_UNAVAILABLE, "The chat is unavailable.").into_response()
        }
    };
    let link = match resume_key(&request) {
        Some(key) => Some(state.hub.email_link(&widget_key, &key).await),
        None => None,
    };
    let has_link = link.is_some();
    let setup = MessengerSetup {
        widget_key,
        config: widget.config,
        link,
    };
    let frame_ancestors = std::iter::once("'self'".to_string())
        .chain(
            widget
                .allowed_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_string()),
        )
        .collect::<Vec<_>>()
        .join(" ");

    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .cloned()
        .unwrap_or_default();
    let render = leptos_axum::render_app_to_stream_with_context(provide_request_nonce, move || {
        messenger_shell(setup.clone())
    });
    let mut response = render(request).await;
    if has_link {
        // The page holds the link's key: no cache keeps it.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(policy) = HeaderValue::from_str(&policy(&nonce, &frame_ancestors)) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}
