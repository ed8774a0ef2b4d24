//! The desk's look back: searching the tenant's messages, a visitor's other conversations, and
//! transcripts to download (docs/protocol.md, "History, identity, transcripts, search").
//!
//! The calls compile on both targets, as those of `api` do; the I/O happens in the browser
//! only (feature `hydrate`). On the server they answer with an error and are never reached:
//! only event handlers call them.

use crate::client::api::{send, Method, RequestError};
use crate::protocol::{SearchResults, Session, TranscriptFormat};

/// The tenant's messages that match `query`, best first (at most `limit`, 1–50).
pub async fn search(token: &str, query: &str, limit: u32) -> Result<SearchResults, RequestError> {
    let path = format!("/api/v1/chat/search?q={}&limit={limit}", query_value(query));
    send::<(), _>(Method::Get, &path, Some(token), None).await
}

/// The visitor's conversations (the open one among them), newest activity first.
pub async fn visitor_conversations(
    token: &str,
    visitor_id: &str,
) -> Result<Vec<Session>, RequestError> {
    let path = format!("/api/v1/visitors/{}/conversations", query_value(visitor_id));
    send::<(), _>(Method::Get, &path, Some(token), None).await
}

/// Fetches the conversation's transcript with the agent's token (a plain link could not send
/// it) and hands it to the browser as a download, named as the server names it.
pub async fn download_transcript(
    token: &str,
    session_id: &str,
    format: TranscriptFormat,
) -> Result<(), RequestError> {
    #[cfg(feature = "hydrate")]
    {
        let path = format!(
            "/api/v1/chat/sessions/{session_id}/transcript?format={}",
            format_value(format)
        );
        let unreachable = |e: gloo_net::Error| RequestError::Unreachable(e.to_string());
        let response = gloo_net::http::Request::get(&path)
            .header("Authorization", &format!("Bearer {token}"))
            .send()
            .await
            .map_err(unreachable)?;
        if !response.ok() {
            return Err(refusal(response).await);
        }
        let name = response
            .headers()
            .get("content-disposition")
            .as_deref()
            .and_then(file_name)
            .unwrap_or_else(|| format!("conversation.{}", format_value(format)));
        let bytes = response.binary().await.map_err(unreachable)?;
        save_file(&bytes, &name).map_err(RequestError::Unreachable)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (token, session_id, format);
        Err(RequestError::Unreachable(
            "downloads happen in the browser only".into(),
        ))
    }
}

/// The `?format=` value of a transcript format (also the file's extension).
pub fn format_value(format: TranscriptFormat) -> &'static str {
    match format {
        TranscriptFormat::Txt => "txt",
        TranscriptFormat::Json => "json",
        TranscriptFormat::Html => "html",
    }
}

/// The format a `?format=` value names.
pub fn parse_format(value: &str) -> Option<TranscriptFormat> {
    match value {
        "txt" => Some(TranscriptFormat::Txt),
        "json" => Some(TranscriptFormat::Json),
        "html" => Some(TranscriptFormat::Html),
        _ => None,
    }
}

/// `text` as one query-string value (or path segment): unreserved characters as they are,
/// every other byte of its UTF-8 as `%XX` (a space too, which every server reads as a space).
pub fn query_value(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// The file name a `Content-Disposition` header gives
/// (`attachment; filename="conversation-2026-12-02.txt"`), without any folder in it.
pub fn file_name(disposition: &str) -> Option<String> {
    let value = disposition.split(';').find_map(|part| {
        let (key, value) = part.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| value.trim().trim_matches('"'))
    })?;
    let name = value.rsplit(['/', '\\']).next()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// When a message was written, as a list of them says it, in the browser's time zone:
/// "Today at 14:05", "Yesterday at 09:30", "2 Dec at 14:05" this year, "2 Dec 2025" before.
/// Without a browser: the UTC date and time as written ("2026-12-02 14:05").
pub fn written_at(rfc3339: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let at = js_sys::Date::new(&JsValue::from_str(rfc3339));
        if !at.get_time().is_nan() {
            let now = js_sys::Date::new_0();
            let yesterday = js_sys::Date::new(&JsValue::from_f64(now.get_time() - 86_400_000.0));
            let day = |d: &js_sys::Date| (d.get_full_year(), d.get_month(), d.get_date());
            return day_words(
                day(&at),
                (at.get_hours(), at.get_minutes()),
                day(&now),
                day(&yesterday),
            );
        }
    }
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => rfc3339.to_string(),
    }
}

/// A calendar day: the year, the month (0–11, as JavaScript counts them) and the day.
type Day = (u32, u32, u32);

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn day_words(at: Day, (hours, minutes): (u32, u32), today: Day, yesterday: Day) -> String {
    let clock = format!("{hours:02}:{minutes:02}");
    let (year, month, date) = at;
    let month = MONTHS[month as usize % 12];
    if at == today {
        format!("Today at {clock}")
    } else if at == yesterday {
        format!("Yesterday at {clock}")
    } else if year == today.0 {
        format!("{date} {month} at {clock}")
    } else {
        format!("{date} {month} {year}")
    }
}

/// The API's error in an answer that is not a success.
#[cfg(feature = "hydrate")]
async fn refusal(response: gloo_net::http::Response) -> RequestError {
    let status = response.status();
    match response.json::<crate::protocol::ErrorBody>().await {
        Ok(body) => RequestError::Rejected {
            status,
            code: body.error.code,
            message: body.error.message,
        },
        Err(_) => RequestError::Rejected {
            status,
            code: "http_error".into(),
            message: format!("The server answered {status}."),
        },
    }
}

/// Hands `bytes` to the browser as a download named `name`: a Blob's address on a temporary
/// `<a download>`, clicked, then let go of (a little later: the browser reads it first).
#[cfg(feature = "hydrate")]
fn save_file(bytes: &[u8], name: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let failed = |_| "The browser did not save the file. Please try again.".to_string();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "There is no page to save the file from.".to_string())?;
    let link = document.create_element("a").map_err(failed)?;
    link.set_attribute("href", &url).map_err(failed)?;
    link.set_attribute("download", name).map_err(failed)?;
    link.set_attribute("hidden", "").map_err(failed)?;
    if let Some(body) = document.body() {
        body.append_child(&link).map_err(failed)?;
    }
    if let Some(link) = link.dyn_ref::<web_sys::HtmlElement>() {
        link.click();
    }
    link.remove();
    crate::client::typing::later(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_encoded_as_one_value() {
        assert_eq!(query_value("refund policy"), "refund%20policy");
        assert_eq!(query_value("a&b=c?#"), "a%26b%3Dc%3F%23");
        assert_eq!(query_value("théière"), "th%C3%A9i%C3%A8re");
        assert_eq!(query_value("019ab5c1-x_y.z~"), "019ab5c1-x_y.z~");
    }

    #[test]
    fn the_file_name_is_read_from_the_header() {
        assert_eq!(
            file_name(r#"attachment; filename="conversation-2026-12-02.txt""#).as_deref(),
            Some("conversation-2026-12-02.txt")
        );
        assert_eq!(
            file_name("attachment; FileName=plain.json").as_deref(),
            Some("plain.json")
        );
        assert_eq!(
            file_name(r#"attachment; filename="../../etc/passwd""#).as_deref(),
            Some("passwd")
        );
        assert_eq!(file_name("attachment"), None);
        assert_eq!(file_name(r#"attachment; filename="""#), None);
    }

    #[test]
    fn formats_go_both_ways() {
        for format in [
            TranscriptFormat::Txt,
            TranscriptFormat::Json,
            TranscriptFormat::Html,
        ] {
            assert_eq!(parse_format(format_value(format)), Some(format));
        }
        assert_eq!(parse_format("pdf"), None);
    }

    #[test]
    fn a_day_is_said_as_people_say_it() {
        let today = (2026, 11, 2);
        let yesterday = (2026, 11, 1);
        assert_eq!(day_words(today, (9, 5), today, yesterday), "Today at 09:05");
        assert_eq!(
            day_words(yesterday, (23, 59), today, yesterday),
            "Yesterday at 23:59"
        );
        assert_eq!(
            day_words((2026, 0, 15), (14, 0), today, yesterday),
            "15 Jan at 14:00"
        );
        assert_eq!(
            day_words((2025, 11, 2), (14, 0), today, yesterday),
            "2 Dec 2025"
        );
    }

    #[test]
    fn without_a_browser_the_date_is_shown_as_written() {
        assert_eq!(written_at("2026-12-02T14:05:31.123Z"), "2026-12-02 14:05");
        assert_eq!(written_at("bad"), "bad");
    }
}
