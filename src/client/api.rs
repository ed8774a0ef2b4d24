//! The typed REST client: components call these functions and never build URLs or parse JSON.

use crate::client::inbox::InboxPages;
use crate::protocol::{
    AppearanceRequest, AppearanceSettings, ArticleRequest, AssistantSettings,
    AssistantSettingsRequest, ErrorBody, KnowledgeArticle, LoginRequest, LoginResponse,
    MarkReadRequest, MeResponse, Message, OfficeHoursSettings, PresenceRequest, PreviewRequest,
    PreviewResponse, RoutingSettings, Session, SessionHistory, StartSessionRequest,
    StartSessionResponse, TeamMember, TransferRequest, VisitorPresence,
};

/// Why a request did not succeed, worded for the person who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The server answered with an error body.
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// The request never got an answer (offline, server down).
    Unreachable(String),
}

impl RequestError {
    /// The agent's token is no longer accepted: sign in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Rejected { status: 401, .. })
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rejected { message, .. } => f.write_str(message),
            // The browser's own words ("TypeError: Failed to fetch") mean nothing to a person.
            Self::Unreachable(_) => f.write_str(
                "The server cannot be reached. Check your connection and try again in a moment.",
            ),
        }
    }
}

pub async fn login(request: &LoginRequest) -> Result<LoginResponse, RequestError> {
    send(Method::Post, "/api/v1/auth/login", None, Some(request)).await
}

pub async fn me(token: &str) -> Result<MeResponse, RequestError> {
    send::<(), _>(Method::Get, "/api/v1/auth/me", Some(token), None).await
}

/// Ends this sign-in on the server (its token is refused from then on, on every node). The
/// answer has no body, so only whether it arrived matters; the page forgets the sign-in either way.
pub async fn logout(token: &str) {
    let _ =
        send::<(), serde_json::Value>(Method::Post, "/api/v1/auth/logout", Some(token), None).await;
}

pub async fn start_session(
    request: &StartSessionRequest,
) -> Result<StartSessionResponse, RequestError> {
    send(
        Method::Post,
        "/api/v1/chat/public/start",
        None,
        Some(request),
    )
    .await
}

/// A tenant's widget: its look, and whether a person can join now.
pub async fn widget_config(
    widget_key: &str,
) -> Result<crate::protocol::WidgetConfig, RequestError> {
    let path = format!("/api/v1/chat/public/widget/{widget_key}");
    send::<(), _>(Method::Get, &path, None, None).await
}

/// Leaves the visitor's email address for a reply while nobody is here.
pub async fn leave_contact(session_key: &str, email: &str) -> Result<Session, RequestError> {
    let body = crate::protocol::ContactRequest {
        session_key: session_key.to_string(),
        email: email.trim().to_string(),
    };
    send(
        Method::Post,
        "/api/v1/chat/public/contact",
        None,
        Some(&body),
    )
    .await
}

/// The visitor's conversation, and a page of its messages.
pub async fn session_history(
    session_key: &str,
    page: HistoryPage,
) -> Result<SessionHistory, RequestError> {
    let path = format!("/api/v1/chat/public/session/{session_key}?{}", page.query());
    send::<(), _>(Method::Get, &path, None, None).await
}

/// The inbox's first pages: the newest open conversations and the newest closed ones, each
/// with the address of its next page.
pub async fn inbox(token: &str) -> Result<InboxPages, RequestError> {
    let (open, next_open) =
        sessions_page(token, "/api/v1/chat/sessions?view=open&limit=50").await?;
    let (closed, next_closed) =
        sessions_page(token, "/api/v1/chat/sessions?view=closed&limit=50").await?;
    Ok(InboxPages {
        open,
        next_open,
        closed,
        next_closed,
    })
}

/// One page of sessions, and the path of the next one (the `Link: <…>; rel="next"` header).
pub async fn sessions_page(
    token: &str,
    path: &str,
) -> Result<(Vec<Session>, Option<String>), RequestError> {
    let (sessions, link) =
        send_reading::<(), Vec<Session>>(Method::Get, path, Some(token), None, "link").await?;
    Ok((sessions, link.as_deref().and_then(next_page)))
}

/// The path in `<path>; rel="next"`, if it is one of this server's.
fn next_page(link: &str) -> Option<String> {
    let (target, rel) = link.strip_prefix('<')?.split_once('>')?;
    (rel.contains("rel=\"next\"") && target.starts_with("/api/v1/")).then(|| target.to_string())
}

/// A page of a conversation's messages, in `seq` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPage {
    /// What came after this `seq` (a catch-up: up to 500 at a time).
    After(u64),
    /// The newest [`EARLIER_PAGE`] before this `seq` ([`HistoryPage::LATEST`]: where a
    /// conversation opens).
    Before(u64),
}

/// How many messages one "earlier" page holds.
pub const EARLIER_PAGE: u32 = 100;
/// How many messages the server gives at most for one `afterSeq` page.
pub const CATCH_UP_PAGE: usize = 500;

impl HistoryPage {
    pub const LATEST: Self = Self::Before(i64::MAX as u64);

    fn query(self) -> String {
        match self {
            Self::After(seq) => format!("afterSeq={seq}"),
            Self::Before(seq) => format!("beforeSeq={seq}&limit={EARLIER_PAGE}"),
        }
    }
}

pub async fn messages(
    token: &str,
    session_id: &str,
    page: HistoryPage,
) -> Result<Vec<Message>, RequestError> {
    let path = format!(
        "/api/v1/chat/sessions/{session_id}/messages?{}",
        page.query()
    );
    send::<(), _>(Method::Get, &path, Some(token), None).await
}

pub async fn assign(token: &str, session_id: &str) -> Result<Session, RequestError> {
    let path = format!("/api/v1/chat/sessions/{session_id}/assign");
    send::<(), _>(Method::Post, &path, Some(token), None).await
}

pub async fn unassign(token: &str, session_id: &str) -> Result<Session, RequestError> {
    let path = format!("/api/v1/chat/sessions/{session_id}/unassign");
    send::<(), _>(Method::Post, &path, Some(token), None).await
}

pub async fn transfer(
    token: &str,
    session_id: &str,
    agent_id: &str,
) -> Result<Session, RequestError> {
    let path = format!("/api/v1/chat/sessions/{session_id}/transfer");
    let request = TransferRequest {
        agent_id: agent_id.into(),
    };
    send(Method::Post, &path, Some(token), Some(&request)).await
}

/// The tenant's agents, for "Transfer to".
pub async fn team(token: &str) -> Result<Vec<TeamMember>, RequestError> {
    send::<(), _>(Method::Get, "/api/v1/agents", Some(token), None).await
}

/// The tenant's visitors on the site now: whose page is in use (`online`) or open in the
/// background (`away`). Anyone not listed is offline.
pub async fn visitors(token: &str) -> Result<Vec<VisitorPresence>, RequestError> {
    send::<(), _>(Method::Get, "/api/v1/visitors", Some(token), None).await
}

/// The signed-in agent's own status; the answer is how their colleagues now see them.
pub async fn set_presence(
    token: &str,
    request: &PresenceRequest,
) -> Result<TeamMember, RequestError> {
    send(
        Method::Put,
        "/api/v1/agents/me/presence",
        Some(token),
        Some(request),
    )
    .await
}

pub async fn close(token: &str, session_id: &str) -> Result<Session, RequestError> {
    let path = format!("/api/v1/chat/sessions/{session_id}/close");
    send::<(), _>(Method::Post, &path, Some(token), None).await
}

pub async fn mark_read(
    token: &str,
    session_id: &str,
    seq: u64,
) -> Result<serde_json::Value, RequestError> {
    let path = format!("/api/v1/chat/sessions/{session_id}/read");
    send(
        Method::Post,
        &path,
        Some(token),
        Some(&MarkReadRequest { seq }),
    )
    .await
}

pub async fn articles(token: &str) -> Result<Vec<KnowledgeArticle>, RequestError> {
    send::<(), _>(Method::Get, "/api/v1/knowledge/articles", Some(token), None).await
}

/// Adds an article (`id: None`) or replaces one.
pub async fn save_article(
    token: &str,
    id: Option<&str>,
    article: &ArticleRequest,
) -> Result<KnowledgeArticle, RequestError> {
    match id {
        None => {
            send(
                Method::Post,
                "/api/v1/knowledge/articles",
                Some(token),
                Some(article),
            )
            .await
        }
        Some(id) => {
            let path = format!("/api/v1/knowledge/articles/{id}");
            send(Method::Put, &path, Some(token), Some(article)).await
        }
    }
}

pub async fn delete_article(token: &str, id: &str) -> Result<(), RequestError> {
    let path = format!("/api/v1/knowledge/articles/{id}");
    send::<(), ()>(Method::Delete, &path, Some(token), None).await
}

/// The markdown as the help center shows it, rendered by the server's safe renderer.
pub async fn preview(token: &str, body: &str) -> Result<PreviewResponse, RequestError> {
    let request = PreviewRequest { body: body.into() };
    send(
        Method::Post,
        "/api/v1/knowledge/preview",
        Some(token),
        Some(&request),
    )
    .await
}

pub async fn assistant_settings(token: &str) -> Result<AssistantSettings, RequestError> {
    send::<(), _>(Method::Get, "/api/v1/settings/assistant", Some(token), None).await
}

pub async fn save_assistant_settings(
    token: &str,
    settings: &AssistantSettingsRequest,
) -> Result<AssistantSettings, RequestError> {
    send(
        Method::Put,
        "/api/v1/settings/assistant",
        Some(token),
        Some(settings),
    )
    .await
}

pub async fn routing_settings(token: &str) -> Result<RoutingSettings, RequestError> {
    send::<(), _>(Method::Get, ROUTING, Some(token), None).await
}

pub async fn save_routing_settings(
    token: &str,
    settings: &RoutingSettings,
) -> Result<RoutingSettings, RequestError> {
    send(Method::Put, ROUTING, Some(token), Some(settings)).await
}

const ROUTING: &str = "/api/v1/settings/routing";

pub async fn hours_settings(token: &str) -> Result<OfficeHoursSettings, RequestError> {
    send::<(), _>(Method::Get, HOURS, Some(token), None).await
}

pub async fn save_hours_settings(
    token: &str,
    settings: &OfficeHoursSettings,
) -> Result<OfficeHoursSettings, RequestError> {
    send(Method::Put, HOURS, Some(token), Some(settings)).await
}

const HOURS: &str = "/api/v1/settings/hours";

pub async fn appearance(token: &str) -> Result<AppearanceSettings, RequestError> {
    send::<(), _>(Method::Get, APPEARANCE, Some(token), None).await
}

pub async fn save_appearance(
    token: &str,
    request: &AppearanceRequest,
) -> Result<AppearanceSettings, RequestError> {
    send(Method::Put, APPEARANCE, Some(token), Some(request)).await
}

/// Back to the title's initials.
pub async fn remove_avatar(token: &str) -> Result<AppearanceSettings, RequestError> {
    send::<(), _>(Method::Delete, AVATAR, Some(token), None).await
}

/// Uploads the widget's avatar: the file is the whole body (the server reads its type from it).
#[cfg(feature = "hydrate")]
pub async fn upload_avatar(
    token: &str,
    file: web_sys::File,
) -> Result<AppearanceSettings, RequestError> {
    let unreachable = |e: gloo_net::Error| RequestError::Unreachable(e.to_string());
    let response = gloo_net::http::Request::put(AVATAR)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", &file.type_())
        .body(file)
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    Ok(answer(response, "").await?.0)
}

const APPEARANCE: &str = "/api/v1/settings/appearance";
const AVATAR: &str = "/api/v1/settings/appearance/avatar";

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Delete,
}

pub(crate) async fn send<B, R>(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<R, RequestError>
where
    B: serde::Serialize,
    R: serde::de::DeserializeOwned,
{
    Ok(send_reading(method, path, token, body, "").await?.0)
}

/// [`send`], also reading one header of the answer (`""`: none).
#[cfg(feature = "hydrate")]
async fn send_reading<B, R>(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&B>,
    header: &str,
) -> Result<(R, Option<String>), RequestError>
where
    B: serde::Serialize,
    R: serde::de::DeserializeOwned,
{
    use gloo_net::http::Request;

    let unreachable = |e: gloo_net::Error| RequestError::Unreachable(e.to_string());
    let mut builder = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
        Method::Put => Request::put(path),
        Method::Delete => Request::delete(path),
    };
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let response = match body {
        Some(body) => builder.json(body).map_err(unreachable)?.send().await,
        None => builder.send().await,
    }
    .map_err(unreachable)?;
    answer(response, header).await
}

/// What an answer says: its body as `R` (and the header asked for), or the API's error.
#[cfg(feature = "hydrate")]
async fn answer<R: serde::de::DeserializeOwned>(
    response: gloo_net::http::Response,
    header: &str,
) -> Result<(R, Option<String>), RequestError> {
    let unreachable = |e: gloo_net::Error| RequestError::Unreachable(e.to_string());
    let read = (!header.is_empty())
        .then(|| response.headers().get(header))
        .flatten();
    if response.status() == 204 {
        // No body: only `()` (or a JSON value) is asked for.
        return serde_json::from_str("null")
            .map(|r| (r, read))
            .map_err(|e| RequestError::Unreachable(e.to_string()));
    }
    if response.ok() {
        return response
            .json::<R>()
            .await
            .map(|r| (r, read))
            .map_err(unreachable);
    }
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(RequestError::Rejected {
            status,
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(RequestError::Rejected {
            status,
            code: "http_error".into(),
            message: format!("The server answered {status}."),
        }),
    }
}

#[cfg(not(feature = "hydrate"))]
async fn send_reading<B, R>(
    _method: Method,
    _path: &str,
    _token: Option<&str>,
    _body: Option<&B>,
    _header: &str,
) -> Result<(R, Option<String>), RequestError> {
    let _ = std::marker::PhantomData::<ErrorBody>;
    Err(RequestError::Unreachable(
        "requests are made in the browser only".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::next_page;

    #[test]
    fn the_next_page_is_read_from_the_link_header() {
        assert_eq!(
            next_page(r#"</api/v1/chat/sessions?view=open&before=2026-11-23T10:00:00.000Z~a&limit=100>; rel="next""#)
                .as_deref(),
            Some("/api/v1/chat/sessions?view=open&before=2026-11-23T10:00:00.000Z~a&limit=100")
        );
        assert_eq!(
            next_page(r#"<https://elsewhere.example/x>; rel="next""#),
            None
        );
        assert_eq!(next_page(r#"</api/v1/chat/sessions>; rel="prev""#), None);
    }
}
