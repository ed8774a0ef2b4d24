//! Who is connecting, checked before the upgrade completes: a missing, forged or expired token
//! (or an unknown session key) is refused with HTTP 401 and never sees an event; a browser page
//! from an origin that may not connect gets the socket only to be told 4403 and closed.

use super::{close_code, socket};
use crate::server::{
    auth::Role,
    edge::{Edge, SocketSlot},
    http::{error::ApiError, extract::ClientIp},
    hub::{check_seq, AgentActor, Device, VisitorActor},
    state::AppState,
};
use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocketUpgrade},
        FromRequestParts, Path, Query, Request, State,
    },
    handler::Handler,
    http::{
        header::{ORIGIN, UPGRADE, USER_AGENT},
        request::Parts,
        HeaderMap, StatusCode,
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocketQuery {
    token: Option<String>,
    /// Resume: replay the session's messages after this `seq` first.
    last_seq: Option<u64>,
}

/// Who is on the other end of a socket.
#[derive(Debug, Clone)]
pub enum Peer {
    Agent(AgentActor),
    Visitor {
        visitor: VisitorActor,
        name: Option<String>,
        /// Their browser and system, from the User-Agent the socket opened with.
        device: Device,
    },
}

impl<S: Send + Sync> FromRequestParts<S> for SocketQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let query = Query::<SocketQuery>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| q)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
        if let Some(seq) = query.last_seq {
            check_seq(seq)?;
        }
        Ok(query)
    }
}

/// The origins a tenant allows to open visitor sockets (none, if they cannot be read).
async fn tenant_origins(state: &AppState, tenant_id: &str) -> Vec<String> {
    state
        .hub
        .allowed_origins(tenant_id)
        .await
        .unwrap_or_default()
}

/// `GET /ws?token=JWT[&lastSeq=N]`: an agent's or a visitor's socket.
pub async fn with_token(
    upgrade: WebSocketUpgrade,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    query: SocketQuery,
    State(state): State<AppState>,
) -> Response {
    let Some(slot) = state.edge.open_socket(ip) else {
        return too_many_sockets();
    };
    let Some(token) = query.token.as_deref() else {
        return ApiError::unauthorized("connect with ?token=<JWT>").into_response();
    };
    let claims = match state.hub.verify_token(token) {
        Ok(claims) => claims,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (peer, allowed) = match claims.role {
        Role::Agent => match state.hub.agent_by_claims(&claims).await {
            Ok(agent) => (Peer::Agent(agent), Vec::new()),
            Err(e) => return ApiError::from(e).into_response(),
        },
        Role::Visitor => {
            let Ok((visitor, session)) = state.hub.visitor_by_token(&claims).await else {
                return ApiError::unauthorized("this conversation no longer exists")
                    .into_response();
            };
            let origins = tenant_origins(&state, &claims.tid).await;
            (
                Peer::Visitor {
                    visitor,
                    name: session.visitor.name,
                    device: device_of(&headers),
                },
                origins,
            )
        }
    };
    let socket = Accepted {
        peer,
        expires_in: Some(claims.remaining()),
        last_seq: query.last_seq,
        slot,
    };
    accept(upgrade, &headers, &allowed, state, socket)
}

/// `GET /ws/public/{sessionKey}[?lastSeq=N]`: a visitor's socket, by session key.
pub async fn with_key(
    upgrade: WebSocketUpgrade,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(session_key): Path<String>,
    query: SocketQuery,
    State(state): State<AppState>,
) -> Response {
    let Some(slot) = state.edge.open_socket(ip) else {
        return too_many_sockets();
    };
    let Ok((visitor, session)) = state.hub.visitor_by_key(&session_key).await else {
        return ApiError::unauthorized("unknown session key").into_response();
    };
    let allowed = tenant_origins(&state, &visitor.tenant_id).await;
    let peer = Peer::Visitor {
        visitor,
        name: session.visitor.name,
        device: device_of(&headers),
    };
    let socket = Accepted {
        peer,
        expires_in: None,
        last_seq: query.last_seq,
        slot,
    };
    accept(upgrade, &headers, &allowed, state, socket)
}

/// The visitor's browser and system, from the User-Agent the socket opened with.
fn device_of(headers: &HeaderMap) -> Device {
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    Device::from_user_agent(user_agent)
}

/// The refusal of a socket from an address that holds as many as it may.
pub(super) fn too_many_sockets() -> Response {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_sockets",
        "this address has as many sockets open as it may; close one first",
    )
    .into_response()
}

/// A socket that passed its checks, and what it runs with.
pub struct Accepted {
    pub peer: Peer,
    pub expires_in: Option<Duration>,
    pub last_seq: Option<u64>,
    /// Its place among its address's sockets, given back when it closes.
    pub slot: SocketSlot,
}

/// Routes `GET /?token=…` with an `Upgrade: websocket` header to [`with_token`], for clients
/// written to the chat API integration guide (`ws://host:port?token=…`); every other request goes on.
pub async fn root_alias(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let upgrading = request.uri().path() == "/"
        && request
            .headers()
            .get(UPGRADE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if upgrading {
        return with_token.call(request, state).await;
    }
    next.run(request).await
}

/// True when the request comes from no browser page (no `Origin`), from a page of this server
/// (by `--public-url`, not by the `Host` header a client writes), or from one of the tenant's
/// allowed origins.
fn origin_allowed(edge: &Edge, headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if edge.same_origin(headers) {
        return true;
    }
    allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

fn accept(
    upgrade: WebSocketUpgrade,
    headers: &HeaderMap,
    allowed: &[String],
    state: AppState,
    socket: Accepted,
) -> Response {
    let upgrade = super::configured(upgrade);
    if !origin_allowed(&state.edge, headers, allowed) {
        let origin = headers
            .get(ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        tracing::warn!(%origin, "socket refused: origin not allowed");
        return upgrade.on_upgrade(|mut socket| async move {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code: close_code::ORIGIN_NOT_ALLOWED,
                    reason: "origin not allowed".into(),
                })))
                .await;
        });
    }
    upgrade.on_upgrade(move |ws| socket::run(ws, state, socket))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::EdgeConfig;
    use axum::http::{header::HOST, HeaderValue};

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn origins() {
        let edge = Edge::new(EdgeConfig {
            public_origin: Some("https://chat.example".into()),
            trust_proxy: false,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            upload_timeout: Duration::from_secs(10),
            sockets_per_ip: 10,
        });
        let shop = vec!["https://shop.example".to_string()];
        assert!(origin_allowed(&edge, &headers(None, "chat.example"), &[]));
        assert!(origin_allowed(
            &edge,
            &headers(Some("https://chat.example"), "chat.example"),
            &[]
        ));
        assert!(origin_allowed(
            &edge,
            &headers(Some("https://shop.example"), "chat.example"),
            &shop
        ));
        assert!(!origin_allowed(
            &edge,
            &headers(Some("https://evil.example"), "evil.example"),
            &shop
        ));
        assert!(!origin_allowed(
            &edge,
            &headers(Some("null"), "chat.example"),
            &shop
        ));
    }
}
