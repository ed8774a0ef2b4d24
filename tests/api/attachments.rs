//! Files in the conversation (issue 19, docs/protocol.md "Attachments"): uploads from both
//! sides, refusals that store nothing, types read from the bytes, signed addresses, and files
//! taking part in everything a message does.

use crate::common;

use common::{
    chat::{agent_socket, history, login, start_visitor, visitor_socket},
    get_json, post,
    upload::{agent_upload, download, header, png, post_form, visitor_upload},
    TestServer,
};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const SECRET: &str = "an-attachment-test-secret-long-enough-for-hs256";

async fn server(extra: &[&str]) -> TestServer {
    let mut args = vec!["--demo"];
    args.extend_from_slice(extra);
    TestServer::start_env(&args, &[("SWITCHBOARD_JWT_SECRET", SECRET)]).await
}

/// How many uploads the server's SQLite file holds, and how many pieces of them.
async fn stored_uploads(server: &TestServer) -> (i64, i64) {
    let pool = sqlx::SqlitePool::connect(&server.database_url())
        .await
        .unwrap();
    let files: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(&pool)
        .await
        .unwrap();
    let pieces: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachment_chunks")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    (files, pieces)
}

fn code(reply: &common::JsonReply) -> (u16, String) {
    (
        reply.status,
        reply.body["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

#[tokio::test]
async fn a_visitor_and_an_agent_send_files_both_ways_and_see_them_live_and_in_history() {
    let server = server(&["--ai", "off"]).await;
    let visitor = start_visitor(&server, Some("Dana")).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let mut agents = agent_socket(&server, &token).await;
    let mut visitors = visitor_socket(&server, &visitor.key).await;

    let shot = png(64, 48);
    let up = visitor_upload(
        &server,
        &visitor.key,
        "C:\\fakepath\\shot.png",
        "image/png",
        &shot,
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.body["name"], "shot.png", "no folder in the name");
    assert_eq!(up.body["contentType"], "image/png");
    assert_eq!(up.body["size"], shot.len());
    assert_eq!(
        (up.body["width"].clone(), up.body["height"].clone()),
        (json!(64), json!(48))
    );
    let file_id = up.body["id"].as_str().unwrap().to_string();

    visitors
        .send(json!({"type": "chat", "content": "", "attachments": [file_id], "clientMessageId": "v1"}))
        .await;
    let live = agents.until("chat.message.new").await;
    let sent = &live["message"]["attachments"][0];
    assert_eq!(
        (sent["id"].as_str(), sent["name"].as_str()),
        (Some(file_id.as_str()), Some("shot.png"))
    );
    assert_eq!(live["message"]["content"], "");
    let mine = visitors.until("chat.message.new").await;
    assert_eq!(mine["message"]["attachments"][0]["id"], file_id.as_str());

    let (status, bytes, headers) = download(&server, sent["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, shot, "the bytes as uploaded");
    assert_eq!(header(&headers, "content-type"), Some("image/png"));
    assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&headers, "content-security-policy"), Some("sandbox"));
    assert!(header(&headers, "content-disposition")
        .unwrap()
        .starts_with("inline;"));

    // The agent answers with a PDF and a word, over REST.
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let up = agent_upload(
        &server,
        &token,
        &visitor.session_id,
        "invoice.pdf",
        "application/pdf",
        &pdf,
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.body);
    let pdf_id = up.body["id"].as_str().unwrap().to_string();
    let reply = post(
        &server.http("/api/v1/chat/messages"),
        Some(&token),
        json!({"sessionId": visitor.session_id, "content": "Here is your invoice.", "attachments": [pdf_id]}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let heard = visitors.until_message_from("agent").await;
    assert_eq!(heard["content"], "Here is your invoice.");
    let file = heard["attachments"][0].clone();
    assert_eq!(file["contentType"], "application/pdf");
    let (status, bytes, headers) = download(&server, file["url"].as_str().unwrap()).await;
    assert_eq!((status, bytes), (200, pdf));
    assert_eq!(
        header(&headers, "content-disposition"),
        Some("attachment; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf"),
        "anything but an image downloads"
    );

    // History, both sides, and the inbox's last message carry the files with fresh addresses.
    let thread = history(&server, &token, &visitor.session_id).await;
    let with_files: Vec<&Value> = thread
        .iter()
        .filter(|m| m["attachments"].is_array())
        .collect();
    assert_eq!(with_files.len(), 2);
    assert!(with_files.iter().all(|m| m["attachments"][0]["url"]
        .as_str()
        .unwrap()
        .contains("sig=")));
    let mine = get_json(
        &server.http(&format!("/api/v1/chat/public/session/{}", visitor.key)),
        None,
    )
    .await;
    let files: Vec<&Value> = mine.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["attachments"].is_array())
        .collect();
    assert_eq!(files.len(), 2);
    let inbox = get_json(&server.http("/api/v1/chat/sessions"), Some(&token)).await;
    let last = &inbox.body[0]["lastMessage"];
    assert_eq!(last["attachments"][0]["id"], pdf_id.as_str());
    assert!(last["attachments"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("/api/v1/attachments/"));
}

#[tokio::test]
async fn a_file_sent_again_is_stored_once_and_comes_back_after_a_reconnect() {
    let server = server(&["--ai", "off"]).await;
    let visitor = start_visitor(&server, None).await;
    let up = visitor_upload(
        &server,
        &visitor.key,
        "a.txt",
        "text/plain",
        b"My order never came.\n",
    )
    .await;
    assert_eq!(
        (up.status, up.body["contentType"].as_str()),
        (200, Some("text/plain"))
    );
    let id = up.body["id"].as_str().unwrap();
    let send = json!({"sessionKey": visitor.key, "content": "see the note", "attachments": [id], "clientMessageId": "same"});
    let first = post(
        &server.http("/api/v1/chat/public/message"),
        None,
        send.clone(),
    )
    .await;
    let again = post(&server.http("/api/v1/chat/public/message"), None, send).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["id"], again.body["id"], "one message");
    assert_eq!(again.body["attachments"][0]["id"], id);

    // A socket that resumes from before the message replays it, files and all.
    let mut resumed =
        common::ws::Client::connect(&server.ws(&format!("/ws/public/{}?lastSeq=0", visitor.key)))
            .await;
    let replayed = resumed.until("chat.message.new").await;
    assert_eq!(replayed["message"]["attachments"][0]["id"], id);
    let (status, bytes, headers) = download(
        &server,
        replayed["message"]["attachments"][0]["url"]
            .as_str()
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, bytes.as_slice()),
        (200, b"My order never came.\n".as_slice())
    );
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(header(&headers, "content-disposition")
        .unwrap()
        .starts_with("attachment;"));
}

#[tokio::test]
async fn refused_files_are_answered_clearly_and_leave_nothing_stored() {
    // Larger than one stored piece (256 KiB), so that a file refused part-way had some stored.
    let server = server(&["--ai", "off", "--max-attachment-bytes", "300000"]).await;
    let visitor = start_visitor(&server, None).await;
    let page = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let html = visitor_upload(&server, &visitor.key, "cat.png", "image/png", page).await;
    assert_eq!(
        code(&html),
        (415, "attachment_type_not_allowed".into()),
        "{}",
        html.body
    );
    assert!(html.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("images (PNG, JPEG, GIF, WebP)"));
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let svg = visitor_upload(&server, &visitor.key, "logo.svg", "image/svg+xml", svg).await;
    assert_eq!(code(&svg).0, 415, "SVG is markup, never an image here");
    let exe = visitor_upload(
        &server,
        &visitor.key,
        "invoice.pdf",
        "application/pdf",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
    )
    .await;
    assert_eq!(code(&exe).0, 415);
    let empty = visitor_upload(&server, &visitor.key, "empty.txt", "text/plain", b"").await;
    assert_eq!(code(&empty), (422, "invalid_attachment".into()));

    // Too large: announced (refused before any of it is read) and not announced (refused
    // as it arrives, what was stored removed).
    let mut big = png(400, 400);
    assert!(big.len() > 300_000);
    let head = format!(
        "POST /api/v1/chat/public/attachments HTTP/1.1\r\nContent-Type: {}",
        common::upload::form_content_type()
    );
    // (raw_http announces a body this large without sending it.)
    let (status, text) = common::raw_http(&server.addr, &head, &vec![0u8; 2 << 20]).await;
    assert_eq!(status, 413, "{text}");
    assert!(
        text.contains("attachment_too_large") && text.contains("293 KB"),
        "{text}"
    );
    // One byte over, so that the server has read all of it when it refuses.
    big.truncate(300_001);
    let (status, text) = unannounced_upload(&server, &visitor.key, &big).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("attachment_too_large"));

    // A form without its session field first, or without a file.
    let wrong = common::upload::form(("other", "x"), "a.txt", "text/plain", b"hi");
    let wrong = post_form(&server.http("/api/v1/chat/public/attachments"), None, wrong).await;
    assert_eq!(code(&wrong), (400, "invalid_attachment".into()));
    let stranger = visitor_upload(&server, "not-a-key", "a.txt", "text/plain", b"hi").await;
    assert_eq!(stranger.status, 404);

    // A tenant that accepts images only refuses a PDF, and says what it accepts.
    common::admin(
        &server,
        &["tenant", "set", "demo", "--attachments", "images"],
    )
    .await;
    let pdf = visitor_upload(
        &server,
        &visitor.key,
        "a.pdf",
        "application/pdf",
        b"%PDF-1.4\n%%EOF",
    )
    .await;
    assert_eq!(code(&pdf).0, 415);
    assert_eq!(
        pdf.body["error"]["message"],
        "This kind of file cannot be sent here: images (PNG, JPEG, GIF, WebP) can."
    );
    let config = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(
        config.body["attachments"]["accepted"],
        json!(["image/png", "image/jpeg", "image/gif", "image/webp"])
    );
    assert_eq!(config.body["attachments"]["maxBytes"], 300_000);

    assert_eq!(
        stored_uploads(&server).await,
        (0, 0),
        "nothing of any refused file is stored"
    );
}

/// An upload whose size is not announced (chunked), so that it is counted as it arrives.
async fn unannounced_upload(server: &TestServer, key: &str, bytes: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = common::upload::form(("sessionKey", key), "big.png", "image/png", bytes);
    let mut request = format!(
        "POST /api/v1/chat/public/attachments HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        server.addr,
        common::upload::form_content_type(),
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request.extend_from_slice(b"\r\n0\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[tokio::test]
async fn the_type_is_read_from_the_bytes_not_the_name_or_the_header() {
    let server = server(&["--ai", "off"]).await;
    let visitor = start_visitor(&server, None).await;
    let image = png(10, 10);
    let named_pdf = visitor_upload(
        &server,
        &visitor.key,
        "report.pdf",
        "application/pdf",
        &image,
    )
    .await;
    assert_eq!(named_pdf.status, 200, "{}", named_pdf.body);
    assert_eq!(named_pdf.body["contentType"], "image/png");
    let (_, _, headers) = download(&server, named_pdf.body["url"].as_str().unwrap()).await;
    assert_eq!(header(&headers, "content-type"), Some("image/png"));
    let page = b"<html><body onload=alert(1)>hi</body></html>";
    let named_png = visitor_upload(&server, &visitor.key, "photo.png", "image/png", page).await;
    assert_eq!(code(&named_png).0, 415);
    let text_as_image =
        visitor_upload(&server, &visitor.key, "x.png", "image/png", b"just words").await;
    assert_eq!(text_as_image.body["contentType"], "text/plain");
    let (_, _, headers) = download(&server, text_as_image.body["url"].as_str().unwrap()).await;
    assert!(
        header(&headers, "content-disposition")
            .unwrap()
            .starts_with("attachment;"),
        "text is never shown inline"
    );
}

/// An address signed as the server signs them (its key is derived from the JWT secret).
fn signed(id: &str, exp: u64) -> String {
    let mut derive = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    derive.update(b"switchboard attachment urls v1");
    let key = derive.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{exp}").as_bytes());
    let sig = hex::encode(mac.finalize().into_bytes());
    format!("/api/v1/attachments/{id}?exp={exp}&sig={sig}")
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn signed_addresses_open_only_their_file_until_they_expire_and_never_for_another_tenant() {
    let server = server(&["--ai", "off"]).await;
    let visitor = start_visitor(&server, None).await;
    let up = visitor_upload(&server, &visitor.key, "shot.png", "image/png", &png(8, 8)).await;
    let id = up.body["id"].as_str().unwrap().to_string();
    let url = up.body["url"].as_str().unwrap().to_string();
    assert_eq!(download(&server, &url).await.0, 200);

    assert_eq!(
        download(&server, &signed(&id, unix_now() + 600)).await.0,
        200,
        "the test signs as the server does"
    );
    assert_eq!(
        download(&server, &signed(&id, unix_now() - 1)).await.0,
        404,
        "expired"
    );
    let tampered = url.replace("sig=", "sig=0");
    assert_eq!(download(&server, &tampered).await.0, 404);
    let (_, query) = url.split_once('?').unwrap();
    let exp: u64 = query
        .split('&')
        .next()
        .unwrap()
        .trim_start_matches("exp=")
        .parse()
        .unwrap();
    let later = url.replace(&format!("exp={exp}"), &format!("exp={}", exp + 3600));
    assert_eq!(
        download(&server, &later).await.0,
        404,
        "a later expiry is not signed"
    );
    assert_eq!(
        download(&server, &format!("/api/v1/attachments/{id}"))
            .await
            .0,
        404,
        "no signature"
    );
    let other = visitor_upload(&server, &visitor.key, "b.png", "image/png", &png(4, 4)).await;
    let other_id = other.body["id"].as_str().unwrap();
    assert_eq!(
        download(&server, &url.replace(&id, other_id)).await.0,
        404,
        "another file's signature"
    );

    // The tenant's agents get fresh addresses; another tenant's agent finds nothing, and
    // cannot send the file either.
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let fresh = get_json(
        &server.http(&format!("/api/v1/chat/attachments/{id}")),
        Some(&alice),
    )
    .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(
        download(&server, fresh.body["url"].as_str().unwrap())
            .await
            .0,
        200
    );
    let (zoe, other_key) = common::chat::other_tenant_agent(&server).await;
    let foreign = get_json(
        &server.http(&format!("/api/v1/chat/attachments/{id}")),
        Some(&zoe),
    )
    .await;
    assert_eq!(foreign.status, 404);
    let other_visitor = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": other_key}),
    )
    .await;
    let theirs = other_visitor.body["sessionId"].as_str().unwrap();
    let sent = post(
        &server.http("/api/v1/chat/messages"),
        Some(&zoe),
        json!({"sessionId": theirs, "content": "", "attachments": [id]}),
    )
    .await;
    assert_eq!(
        code(&sent),
        (404, "not_found".into()),
        "another tenant's file is not found"
    );
    let upload_there = agent_upload(
        &server,
        &zoe,
        &visitor.session_id,
        "x.png",
        "image/png",
        &png(2, 2),
    )
    .await;
    assert_eq!(
        upload_there.status, 404,
        "nor is another tenant's conversation"
    );
}

#[tokio::test]
async fn a_file_only_message_to_the_assistant_goes_to_a_person() {
    let server = server(&[]).await;
    let visitor = start_visitor(&server, None).await;
    let mut socket = visitor_socket(&server, &visitor.key).await;
    let up = visitor_upload(
        &server,
        &visitor.key,
        "error.png",
        "image/png",
        &png(16, 16),
    )
    .await;
    socket
        .send(json!({"type": "chat", "content": "", "attachments": [up.body["id"]]}))
        .await;
    let handed = socket.until("human-escalation-response").await;
    assert!(handed["message"].as_str().unwrap().len() > 10);
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let session = get_json(
        &server.http("/api/v1/chat/sessions?view=unassigned"),
        Some(&token),
    )
    .await;
    assert_eq!(session.body[0]["id"], visitor.session_id.as_str());
}

/// Resident memory of a process, in KiB, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn a_ten_megabyte_upload_streams_while_messages_keep_flowing() {
    let server = server(&[
        "--ai",
        "off",
        "--rate-session-chat",
        "off",
        "--rate-uploads",
        "off",
    ])
    .await;
    let visitor = start_visitor(&server, None).await;
    let (token, _) = login(&server, "agent1@callcenter.com").await;
    let mut agents = agent_socket(&server, &token).await;
    let mut visitors = visitor_socket(&server, &visitor.key).await;
    // About 10 MB (the default limit is 10 MiB): a real PNG of 1860 × 1860 pixels.
    let photo = png(1860, 1860);
    assert!(photo.len() > 10_000_000 && photo.len() < 10 * 1024 * 1024);
    let before = rss_kib(server.pid());
    let (key, addr) = (visitor.key.clone(), server.addr.clone());
    let uploading = tokio::spawn(async move {
        let body = common::upload::form(("sessionKey", &key), "photo.png", "image/png", &photo);
        let reply = post_form(
            &format!("http://{addr}/api/v1/chat/public/attachments"),
            None,
            body,
        )
        .await;
        (reply, photo)
    });
    for n in 0..40 {
        visitors
            .send(json!({"type": "chat", "content": format!("message {n}")}))
            .await;
        let heard = agents.until("chat.message.new").await;
        assert_eq!(heard["message"]["content"], format!("message {n}"));
    }
    let (reply, photo) = uploading.await.unwrap();
    let after = rss_kib(server.pid());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        (reply.body["width"].clone(), reply.body["size"].clone()),
        (json!(1860), json!(photo.len()))
    );
    let (status, bytes, _) = download(&server, reply.body["url"].as_str().unwrap()).await;
    assert!(status == 200 && bytes == photo, "the whole file, as sent");
    // More uploads of the same size: memory that held on to files would grow by one each time.
    // (The first two warm the store's page caches and the allocator; then it stays flat.)
    let mut after_each = Vec::new();
    for name in ["b.png", "c.png", "d.png", "e.png", "f.png"] {
        let body = common::upload::form(("sessionKey", &visitor.key), name, "image/png", &photo);
        let again = post_form(&server.http("/api/v1/chat/public/attachments"), None, body).await;
        assert_eq!(again.status, 200, "{}", again.body);
        after_each.push(rss_kib(server.pid()));
    }
    println!(
        "server RSS: {before} KiB before; {after} KiB after a {} KiB upload with 40 messages \
         (+{} KiB) and its download; after five more uploads: {after_each:?} KiB",
        photo.len() / 1024,
        after.saturating_sub(before),
    );
    let (settled, last) = (after_each[1], after_each[4]);
    assert!(
        last.saturating_sub(settled) < photo.len() as u64 / 1024,
        "three more 10 MB uploads grew the server by less than one file"
    );
}
