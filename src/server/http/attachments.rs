//! Attachments over HTTP (docs/protocol.md, "Attachments"): uploads from the widget and the
//! dashboard as multipart forms, and files served from their signed addresses so that an
//! `<img>` can show them, in a way no browser runs as a page.

use super::{error::ApiError, extract::AuthedAgent};
use crate::protocol::Attachment;
use crate::server::{hub::HubError, state::AppState};
use axum::{
    body::{Body, Bytes},
    extract::{
        multipart::Field, rejection::QueryRejection, DefaultBodyLimit, Multipart, Path, Query,
        State,
    },
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use futures::{stream, Stream};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    // The uploads read their bodies themselves, counting against --max-attachment-bytes.
    Router::new()
        .route("/api/v1/chat/public/attachments", post(visitor_upload))
        .route("/api/v1/chat/attachments", post(agent_upload))
        .layer(DefaultBodyLimit::disable())
        .route("/api/v1/chat/attachments/{id}", get(agent_read))
        .route("/api/v1/attachments/{id}", get(download))
}

/// The paths whose bodies are files: they have their own size limit and timeout.
pub fn is_upload(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/chat/public/attachments" | "/api/v1/chat/attachments"
    )
}

fn bad_form(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_attachment", message)
}

/// The next part of the form, which must be the text field `name` (it comes before the file,
/// so that the upload is known to be allowed before any of the file is read).
async fn text_field(form: &mut Multipart, name: &str) -> Result<String, ApiError> {
    let expected = || {
        bad_form(format!(
            "the form's first field must be `{name}`, before `file`"
        ))
    };
    let field = form
        .next_field()
        .await
        .map_err(|e| bad_form(e.body_text()))?
        .ok_or_else(expected)?;
    if field.name() != Some(name) {
        return Err(expected());
    }
    field.text().await.map_err(|e| bad_form(e.body_text()))
}

/// The form's `file` part.
async fn file_field(form: &mut Multipart) -> Result<Field<'_>, ApiError> {
    let field = form
        .next_field()
        .await
        .map_err(|e| bad_form(e.body_text()))?
        .filter(|f| f.name() == Some("file"))
        .ok_or_else(|| bad_form("the form has no `file` field"))?;
    Ok(field)
}

/// The file's bytes as they arrive.
fn bytes_of(field: Field<'_>) -> impl Stream<Item = Result<Bytes, String>> + Unpin + Send + '_ {
    Box::pin(stream::unfold(field, |mut field| async move {
        match field.chunk().await {
            Ok(Some(bytes)) => Some((Ok(bytes), field)),
            Ok(None) => None,
            Err(error) => Some((Err(error.body_text()), field)),
        }
    }))
}

/// `sessionKey`, then `file`.
async fn visitor_upload(
    State(state): State<AppState>,
    mut form: Multipart,
) -> Result<Json<Attachment>, ApiError> {
    let key = text_field(&mut form, "sessionKey").await?;
    let (visitor, _) = state.hub.visitor_by_key(&key).await?;
    let file = file_field(&mut form).await?;
    let name = file.file_name().map(str::to_string);
    let attachment = state
        .hub
        .visitor_upload(&visitor, name.as_deref(), bytes_of(file))
        .await?;
    Ok(Json(attachment))
}

/// `sessionId`, then `file`.
async fn agent_upload(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    mut form: Multipart,
) -> Result<Json<Attachment>, ApiError> {
    let session_id = text_field(&mut form, "sessionId").await?;
    let file = file_field(&mut form).await?;
    let name = file.file_name().map(str::to_string);
    let attachment = state
        .hub
        .agent_upload(&agent, &session_id, name.as_deref(), bytes_of(file))
        .await?;
    Ok(Json(attachment))
}

/// A file of the agent's tenant with a fresh address.
async fn agent_read(
    State(state): State<AppState>,
    AuthedAgent(agent): AuthedAgent,
    Path(id): Path<String>,
) -> Result<Json<Attachment>, ApiError> {
    Ok(Json(state.hub.attachment_for(&agent, &id).await?))
}

#[derive(Debug, Deserialize)]
struct Signed {
    exp: u64,
    sig: String,
}

/// The file, streamed piece by piece from the store: its sniffed type, never run as a page
/// (`sandbox`), shown inline only when it is one of the image types, downloaded otherwise.
async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Result<Query<Signed>, QueryRejection>,
) -> Result<Response, ApiError> {
    // Without a signature the file is not found, as with a wrong one.
    let Ok(Query(signed)) = signed else {
        return Err(HubError::NotFound("attachment").into());
    };
    let (stored, bytes) = state
        .hub
        .attachment_by_url(&id, signed.exp, &signed.sig)
        .await?;
    let file = &stored.attachment;
    let content_type = match file.content_type.as_str() {
        "text/plain" => "text/plain; charset=utf-8".to_string(),
        other => other.to_string(),
    };
    let disposition = disposition(file);
    let seconds_left = signed
        .exp
        .saturating_sub(crate::server::attachments::urls::unix_now());
    let headers = [
        (header::CONTENT_TYPE, value(&content_type)),
        (header::CONTENT_LENGTH, value(&file.size.to_string())),
        (header::CONTENT_DISPOSITION, value(&disposition)),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::CACHE_CONTROL,
            value(&format!("private, max-age={seconds_left}")),
        ),
    ];
    Ok((headers, Body::from_stream(bytes)).into_response())
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// `inline` for the image types, `attachment` for everything else, with the name both as
/// plain ASCII and in full (RFC 6266).
fn disposition(file: &Attachment) -> String {
    let how = if file.is_image() {
        "inline"
    } else {
        "attachment"
    };
    let ascii: String = file
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = url::form_urlencoded::byte_serialize(file.name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("{how}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, content_type: &str) -> Attachment {
        Attachment {
            id: "a".into(),
            name: name.into(),
            content_type: content_type.into(),
            size: 1,
            url: String::new(),
            width: None,
            height: None,
        }
    }

    #[test]
    fn only_images_are_shown_inline_and_names_are_quoted_safely() {
        assert_eq!(
            disposition(&file("shot 1.png", "image/png")),
            "inline; filename=\"shot 1.png\"; filename*=UTF-8''shot%201.png"
        );
        assert_eq!(
            disposition(&file("re\"port\".pdf", "application/pdf")),
            "attachment; filename=\"re_port_.pdf\"; filename*=UTF-8''re%22port%22.pdf"
        );
        assert!(
            disposition(&file("Änderung.txt", "text/plain")).starts_with(
                "attachment; filename=\"_nderung.txt\"; filename*=UTF-8''%C3%84nderung.txt"
            )
        );
    }
}
