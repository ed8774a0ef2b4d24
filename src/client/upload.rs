//! Sends one file to the server for a conversation, reporting how far it has gone: with
//! XMLHttpRequest, because `fetch` cannot tell how much of a request body is out. The answer is
//! the stored [`Attachment`] (its id then goes on the chat message), or why the server refused it.
//!
//! Also here: the browser's files as the composer receives them (picked, pasted, dropped) and the
//! object URLs of their thumbnails. Nothing happens where there is no browser.

use crate::protocol::{Attachment, ErrorBody};

/// The visitor's upload endpoint (multipart: `sessionKey`, then `file`).
const VISITOR_UPLOADS: &str = "/api/v1/chat/public/attachments";
/// The agents' upload endpoint (multipart: `sessionId`, then `file`; a bearer token).
const AGENT_UPLOADS: &str = "/api/v1/chat/attachments";

/// Where a file goes: the endpoint, the text field that names the conversation (sent before the
/// file, so the server knows whose it is before reading it), and the agent's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    url: &'static str,
    field: &'static str,
    value: String,
    token: Option<String>,
}

impl Destination {
    /// The visitor's own conversation, named by its session key.
    pub fn visitor(session_key: String) -> Self {
        Self {
            url: VISITOR_UPLOADS,
            field: "sessionKey",
            value: session_key,
            token: None,
        }
    }

    /// A conversation an agent answers, named by its id.
    pub fn agent(token: String, session_id: String) -> Self {
        Self {
            url: AGENT_UPLOADS,
            field: "sessionId",
            value: session_id,
            token: Some(token),
        }
    }
}

/// Why a file did not arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// The server answered, and not with an attachment.
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// No answer came (offline, server down).
    Unreachable,
    /// The person cancelled it.
    Cancelled,
}

/// The refusals whose message the server writes for the person who sent the file.
const WORDED_FOR_PEOPLE: [&str; 3] = [
    "attachment_too_large",
    "attachment_type_not_allowed",
    "rate_limited",
];

impl UploadError {
    /// The agent's token is no longer accepted: sign in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Rejected { status: 401, .. })
    }

    /// What the person is told.
    pub fn words(&self) -> String {
        match self {
            Self::Rejected {
                status,
                code,
                message,
            } if !message.is_empty()
                && (WORDED_FOR_PEOPLE.contains(&code.as_str()) || *status == 404) =>
            {
                message.clone()
            }
            // A proxy's own 413 has no body of ours.
            Self::Rejected { status: 413, .. } => "The file is too large to send.".into(),
            Self::Rejected { .. } => "The file could not be uploaded. Try again.".into(),
            Self::Unreachable => "The upload failed: check your connection and try again.".into(),
            Self::Cancelled => "The upload was cancelled.".into(),
        }
    }
}

/// What an answer says: the attachment, or the API's error (`status` 0: no answer at all).
pub fn answer(status: u16, body: &str) -> Result<Attachment, UploadError> {
    if status == 0 {
        return Err(UploadError::Unreachable);
    }
    if (200..300).contains(&status) {
        return serde_json::from_str(body).map_err(|_| UploadError::Rejected {
            status,
            code: "unreadable_answer".into(),
            message: String::new(),
        });
    }
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(body) => Err(UploadError::Rejected {
            status,
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(UploadError::Rejected {
            status,
            code: "http_error".into(),
            message: String::new(),
        }),
    }
}

/// A file the person picked, pasted or dropped: the browser's own `File` (its `name()`,
/// `size()` and `type_()` are what the composer shows and checks).
#[cfg(feature = "hydrate")]
pub type PickedFile = web_sys::File;

/// On the server no file is ever picked: this type has no values, so the composer's code
/// compiles there and never runs.
#[cfg(not(feature = "hydrate"))]
#[derive(Debug, Clone)]
pub enum PickedFile {}

#[cfg(not(feature = "hydrate"))]
impl PickedFile {
    pub fn name(&self) -> String {
        match *self {}
    }

    pub fn size(&self) -> f64 {
        match *self {}
    }

    pub fn type_(&self) -> String {
        match *self {}
    }
}

/// A request on its way; [`Upload::abort`] cancels it (its `on_done` hears `Cancelled`).
pub struct Upload {
    #[cfg(feature = "hydrate")]
    request: Option<web_sys::XmlHttpRequest>,
}

impl Upload {
    pub fn abort(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(request) = &self.request {
            // Fires `abort` at once (before this returns), if it was still going.
            let _ = request.abort();
        }
    }
}

/// Sends `file` to `to` as multipart form data. `on_progress` hears the share sent so far (0 to
/// 1) while it goes out; `on_done` hears the outcome, once.
pub fn start(
    file: &PickedFile,
    to: &Destination,
    on_progress: impl Fn(f64) + 'static,
    on_done: impl FnOnce(Result<Attachment, UploadError>) + 'static,
) -> Upload {
    #[cfg(feature = "hydrate")]
    {
        browser::start(file, to, on_progress, on_done)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (to, on_progress, on_done);
        match *file {}
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{answer, Destination, Upload, UploadError};
    use crate::protocol::Attachment;
    use std::{cell::RefCell, rc::Rc};
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

    type Outcome = Result<Attachment, UploadError>;

    /// The request's handlers: they must live as long as the request can call them.
    struct Handlers {
        _progress: Closure<dyn FnMut(ProgressEvent)>,
        _load: Closure<dyn FnMut()>,
        _error: Closure<dyn FnMut()>,
        _abort: Closure<dyn FnMut()>,
    }

    pub(super) fn start(
        file: &File,
        to: &Destination,
        on_progress: impl Fn(f64) + 'static,
        on_done: impl FnOnce(Outcome) + 'static,
    ) -> Upload {
        let Some((request, form)) = prepare(file, to) else {
            on_done(Err(UploadError::Unreachable));
            return Upload { request: None };
        };

        let kept: Rc<RefCell<Option<Handlers>>> = Rc::new(RefCell::new(None));
        let on_done: Box<dyn FnOnce(Outcome)> = Box::new(on_done);
        let done = Rc::new(RefCell::new(Some(on_done)));
        // The first of load, error and abort ends it: `on_done` once, and the handlers go
        // (after the event that ends it has been handled, not while it runs).
        let finish: Rc<dyn Fn(Outcome)> = {
            let kept = kept.clone();
            Rc::new(move |outcome: Outcome| {
                let handlers = kept.borrow_mut().take();
                crate::client::typing::later(0, move || drop(handlers));
                let callback = done.borrow_mut().take();
                if let Some(callback) = callback {
                    callback(outcome);
                }
            })
        };

        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                on_progress((event.loaded() / event.total()).clamp(0.0, 1.0));
            }
        });
        let load = {
            let finish = finish.clone();
            let request = request.clone();
            Closure::<dyn FnMut()>::new(move || {
                let status = request.status().unwrap_or(0);
                let body = request.response_text().ok().flatten().unwrap_or_default();
                finish(answer(status, &body));
            })
        };
        let error = {
            let finish = finish.clone();
            Closure::<dyn FnMut()>::new(move || finish(Err(UploadError::Unreachable)))
        };
        let abort = {
            let finish = finish.clone();
            Closure::<dyn FnMut()>::new(move || finish(Err(UploadError::Cancelled)))
        };

        if let Ok(upload) = request.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        request.set_onload(Some(load.as_ref().unchecked_ref()));
        request.set_onerror(Some(error.as_ref().unchecked_ref()));
        request.set_onabort(Some(abort.as_ref().unchecked_ref()));
        *kept.borrow_mut() = Some(Handlers {
            _progress: progress,
            _load: load,
            _error: error,
            _abort: abort,
        });

        if request.send_with_opt_form_data(Some(&form)).is_err() {
            finish(Err(UploadError::Unreachable));
            return Upload { request: None };
        }
        Upload {
            request: Some(request),
        }
    }

    /// The opened request and its body: the naming field first, then the file.
    fn prepare(file: &File, to: &Destination) -> Option<(XmlHttpRequest, FormData)> {
        let form = FormData::new().ok()?;
        form.append_with_str(to.field, &to.value).ok()?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .ok()?;
        let request = XmlHttpRequest::new().ok()?;
        request.open("POST", to.url).ok()?;
        if let Some(token) = &to.token {
            request
                .set_request_header("Authorization", &format!("Bearer {token}"))
                .ok()?;
        }
        Some((request, form))
    }
}

/// A thumbnail's address for an image still on the person's device (`blob:`), until
/// [`forget_preview`].
pub fn preview_url(file: &PickedFile) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        web_sys::Url::create_object_url_with_blob(file).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        match *file {}
    }
}

/// Lets the browser free what a [`preview_url`] held.
pub fn forget_preview(url: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = web_sys::Url::revoke_object_url(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// The files pasted into the composer, if the clipboard holds any.
pub fn pasted_files(event: &leptos::ev::ClipboardEvent) -> Vec<PickedFile> {
    #[cfg(feature = "hydrate")]
    {
        // Rich text (from Word, Excel or a web page) often comes with a picture of itself:
        // that paste is the text. A screenshot or a copied file comes without it.
        let data = event.clipboard_data();
        let rich_text = data
            .as_ref()
            .and_then(|d| d.get_data("text/html").ok())
            .is_some_and(|html| !html.trim().is_empty());
        if rich_text {
            return Vec::new();
        }
        listed(data.and_then(|data| data.files()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = event;
        Vec::new()
    }
}

/// Whether what is being dragged over the composer includes files (not text or a link).
pub fn drags_files(event: &leptos::ev::DragEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        event.data_transfer().is_some_and(|data| {
            data.types()
                .includes(&wasm_bindgen::JsValue::from_str("Files"), 0)
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = event;
        false
    }
}

/// The files dropped onto the composer.
pub fn dropped_files(event: &leptos::ev::DragEvent) -> Vec<PickedFile> {
    #[cfg(feature = "hydrate")]
    {
        listed(event.data_transfer().and_then(|data| data.files()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = event;
        Vec::new()
    }
}

/// The files chosen in an `<input type="file">` (its `change` event); the input is emptied, so
/// choosing the same file again is a change too.
pub fn chosen_files(event: &leptos::ev::Event) -> Vec<PickedFile> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return Vec::new();
        };
        let files = listed(input.files());
        input.set_value("");
        files
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = event;
        Vec::new()
    }
}

#[cfg(feature = "hydrate")]
fn listed(list: Option<web_sys::FileList>) -> Vec<PickedFile> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_s_refusals_are_shown_in_its_own_words_and_the_rest_in_ours() {
        let refused = |status, code: &str, message: &str| {
            let body = format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#);
            answer(status, &body).unwrap_err().words()
        };
        assert_eq!(
            refused(
                413,
                "attachment_too_large",
                "This file is larger than 10 MB."
            ),
            "This file is larger than 10 MB."
        );
        assert_eq!(
            refused(
                415,
                "attachment_type_not_allowed",
                "Files of this type cannot be sent."
            ),
            "Files of this type cannot be sent."
        );
        assert_eq!(
            refused(404, "not_found", "This conversation no longer exists."),
            "This conversation no longer exists."
        );
        assert_eq!(
            refused(500, "internal", "sqlx: pool timed out"),
            "The file could not be uploaded. Try again."
        );
        assert_eq!(
            answer(413, "<html>Too large</html>").unwrap_err().words(),
            "The file is too large to send."
        );
        assert_eq!(
            answer(0, "").unwrap_err().words(),
            "The upload failed: check your connection and try again."
        );
        assert!(answer(401, "").unwrap_err().is_unauthorized());
    }

    #[test]
    fn a_stored_file_is_read_from_the_answer() {
        let body = r#"{"id":"a1","name":"plan.pdf","contentType":"application/pdf","size":2048,"url":"/api/v1/attachments/a1?exp=1&sig=x"}"#;
        let attachment = answer(200, body).unwrap();
        assert_eq!(
            (attachment.id.as_str(), attachment.name.as_str()),
            ("a1", "plan.pdf")
        );
        assert!(matches!(
            answer(200, "not json"),
            Err(UploadError::Rejected { status: 200, .. })
        ));
    }
}
