//! Uploads as a browser sends them (multipart/form-data, the session field first), and a real
//! PNG made here, of any size, so that the tests need no image files.

use super::{JsonReply, TestServer};

const BOUNDARY: &str = "----switchboard-test-7MA4YWxkTrZu0gW";

/// A form with a text field, then the file.
pub fn form(field: (&str, &str), file_name: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let (name, value) = field;
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub fn form_content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// `POST` of a form body, with an optional bearer token.
pub async fn post_form(url: &str, token: Option<&str>, body: Vec<u8>) -> JsonReply {
    let (url, token) = (url.to_string(), token.map(str::to_string));
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut request = agent
            .post(&url)
            .header("Content-Type", &form_content_type());
        if let Some(token) = &token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request.send(&body[..]).expect("the upload is answered");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = response.body_mut().read_to_string().expect("a text body");
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        JsonReply {
            status,
            body,
            headers,
        }
    })
    .await
    .expect("the upload task")
}

/// A visitor's upload into their conversation.
pub async fn visitor_upload(
    server: &TestServer,
    key: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> JsonReply {
    let body = form(("sessionKey", key), name, content_type, bytes);
    post_form(&server.http("/api/v1/chat/public/attachments"), None, body).await
}

/// An agent's upload into a conversation.
pub async fn agent_upload(
    server: &TestServer,
    token: &str,
    session_id: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> JsonReply {
    let body = form(("sessionId", session_id), name, content_type, bytes);
    post_form(&server.http("/api/v1/chat/attachments"), Some(token), body).await
}

/// A file's bytes and headers from its address (relative to the server).
pub async fn download(server: &TestServer, url: &str) -> (u16, Vec<u8>, Vec<(String, String)>) {
    let url = server.http(url);
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent.get(&url).call().expect("the download is answered");
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("the body");
        (status, bytes, headers)
    })
    .await
    .expect("the download task")
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A valid PNG of `width` × `height` RGB pixels (a gradient), uncompressed (zlib's stored
/// blocks), so that its size follows from its dimensions: about 3 × width × height bytes.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // no filter
        for x in 0..width {
            raw.extend_from_slice(&[
                (x * 255 / width.max(1)) as u8,
                (y * 255 / height.max(1)) as u8,
                128,
            ]);
        }
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
