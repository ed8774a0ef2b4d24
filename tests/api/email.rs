//! Replies reach a visitor who left (docs/design.md, "Email follow-ups"): an agent's replies to
//! a visitor who left an address and is not on the site go by email, quick ones together, with
//! a link back into the conversation; nothing while they are on the page, nothing they read,
//! nothing without an address; a refusing SMTP server or one that is down loses nothing.

use crate::common;

use common::{
    admin, admin_output,
    chat::{login, visitor_socket},
    get, post,
    services::free_port,
    smtp::SmtpSink,
    sqlite_url, TestServer,
};
use serde_json::{json, Value};

/// The demo with email on, through the SMTP server on `smtp_port`, each wait a second.
fn emailing(smtp_port: u16) -> Vec<String> {
    [
        "--demo",
        "--ai",
        "off",
        "--smtp-url",
        &format!("smtp://127.0.0.1:{smtp_port}"),
        "--email-from",
        "Northwind Support <help@northwind.example>",
        "--email-batch-secs",
        "1",
        "--email-retry-secs",
        "1",
    ]
    .map(String::from)
    .to_vec()
}

async fn start(args: &[String]) -> TestServer {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    TestServer::start_with(&args).await
}

/// A visitor's conversation, with an email address when given: (session id, session key).
async fn visitor(server: &TestServer, email: Option<&str>) -> (String, String) {
    let visitor = match email {
        Some(email) => json!({"name": "Dana", "email": email}),
        None => json!({"name": "Dana"}),
    };
    let started = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "demo", "visitor": visitor}),
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let id = started.body["sessionId"].as_str().unwrap().to_string();
    (id, started.body["sessionKey"].as_str().unwrap().to_string())
}

async fn reply(server: &TestServer, token: &str, session_id: &str, content: &str) -> Value {
    let body = json!({"sessionId": session_id, "content": content});
    let sent = post(&server.http("/api/v1/chat/messages"), Some(token), body).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    sent.body
}

/// The link back into the conversation, from an email's text.
fn link_in(text: &str) -> String {
    let start = text.find("http://").expect("a link");
    text[start..].split_whitespace().next().unwrap().to_string()
}

fn assert_holds(email: &Value, reply: &str) {
    let text = email["text"].as_str().expect("an email's text");
    assert!(text.contains(reply), "`{reply}` is missing: {email}");
}

/// Reads the server's log until a line holds `words`.
async fn until_logged(log: &mut tokio::sync::broadcast::Receiver<String>, words: &str) {
    while let Ok(line) = log.recv().await {
        if line.contains(words) {
            return;
        }
    }
    panic!("the server never logged `{words}`");
}

#[tokio::test]
async fn quick_replies_reach_a_visitor_who_left_in_one_email_with_a_link_back() {
    let smtp = free_port();
    let mut sink = SmtpSink::start(smtp, 0).await;
    let server = start(&emailing(smtp)).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (session_id, _) = visitor(&server, Some("dana@example.com")).await;
    for content in [
        "It left this morning.",
        "Tracking: NL123.",
        "Anything else?",
    ] {
        reply(&server, &alice, &session_id, content).await;
    }

    let email = sink.next_email().await;
    assert_eq!(email["to"], json!(["dana@example.com"]));
    assert_eq!(email["from"], "help@northwind.example");
    assert!(
        email["subject"]
            .as_str()
            .unwrap()
            .starts_with("3 new replies from"),
        "{email}"
    );
    let text = email["text"].as_str().unwrap();
    assert!(text.starts_with("Hello Dana,"), "{text}");
    for content in [
        "It left this morning.",
        "Tracking: NL123.",
        "Anything else?",
    ] {
        assert!(text.contains(content), "{content} is missing: {text}");
    }

    // The link opens the conversation in the messenger, and its key works as the session's.
    let link = link_in(text);
    assert!(
        link.starts_with(&server.http("/widget/demo?resume=")),
        "{link}"
    );
    let page = get(&link).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&session_id),
        "the messenger holds the conversation"
    );
    let key = link.split("resume=").nth(1).unwrap();
    let history = get(&server.http(&format!("/api/v1/chat/public/session/{key}"))).await;
    assert_eq!(history.status, 200, "{}", history.body);
    let forged = get(&server.http("/widget/demo?resume=not-a-key")).await;
    assert!(
        forged.body.contains("expired"),
        "an unknown key opens nothing"
    );

    // The tenant's own sender (a bad one is refused); a later reply is an email of its own,
    // with only what is new.
    let bad = ["tenant", "set", "demo", "--email-from", "not an address"];
    let refused = admin_output(&bad, &server.database_url(), None).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--email-from"));
    let shown = admin(
        &server,
        &[
            "tenant",
            "set",
            "demo",
            "--email-from",
            "Demo Shop <shop@demo.example>",
        ],
    )
    .await;
    assert!(
        shown.contains("email from: Demo Shop <shop@demo.example>"),
        "{shown}"
    );
    reply(&server, &alice, &session_id, "We are here if you need us.").await;
    let next = sink.next_email().await;
    assert_eq!(next["from"], "shop@demo.example");
    let text = next["text"].as_str().unwrap();
    assert!(text.contains("We are here if you need us."), "{text}");
    assert!(!text.contains("It left this morning."), "sent once: {text}");
}

#[tokio::test]
async fn nothing_is_emailed_while_the_visitor_is_on_the_page_nor_what_they_read_nor_without_an_address(
) {
    let smtp = free_port();
    let mut sink = SmtpSink::start(smtp, 0).await;
    let server = start(&emailing(smtp)).await;
    let mut log = server.log_lines();
    let (alice, _) = login(&server, "agent1@callcenter.com").await;

    // No address: nothing is planned (were it, its email would come first).
    let (anonymous, _) = visitor(&server, None).await;
    reply(
        &server,
        &alice,
        &anonymous,
        "For the visitor without an address",
    )
    .await;

    let (session_id, key) = visitor(&server, Some("dana@example.com")).await;
    let mut page = visitor_socket(&server, &key).await;
    let read = reply(&server, &alice, &session_id, "Read on the page").await;
    until_logged(
        &mut log,
        "the follow-up email waits: the visitor is on the site",
    )
    .await;
    page.send(json!({"type": "read", "seq": read["seq"]})).await;
    page.until("chat.read").await;
    drop(page);

    reply(&server, &alice, &session_id, "Sent after they left").await;
    let email = sink.next_email().await;
    assert_eq!(email["to"], json!(["dana@example.com"]), "{email}");
    let text = email["text"].as_str().unwrap();
    assert!(text.contains("Sent after they left"), "{text}");
    assert!(
        !text.contains("Read on the page"),
        "what they read is not emailed: {text}"
    );
}

#[tokio::test]
async fn an_smtp_server_that_refuses_is_tried_again_and_the_email_arrives_once() {
    let smtp = free_port();
    let mut sink = SmtpSink::start(smtp, 2).await;
    let server = start(&emailing(smtp)).await;
    let mut log = server.log_lines();
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (session_id, _) = visitor(&server, Some("dana@example.com")).await;
    reply(&server, &alice, &session_id, "It left this morning.").await;
    assert_eq!(sink.next_line().await["refused"], 1);
    until_logged(&mut log, "the follow-up email failed; it is tried again").await;
    assert_eq!(sink.next_line().await["refused"], 2);
    let email = sink.next_line().await;
    assert_holds(&email, "It left this morning.");
}

#[tokio::test]
async fn an_email_planned_while_the_smtp_server_is_down_survives_a_restart_and_arrives() {
    let smtp = free_port();
    let data = tempfile::tempdir().unwrap();
    let db = sqlite_url(data.path());
    let args = emailing(smtp);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = TestServer::start_db(&db, &args).await;
    let mut log = server.log_lines();
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (session_id, _) = visitor(&server, Some("dana@example.com")).await;
    reply(&server, &alice, &session_id, "It left this morning.").await;
    until_logged(&mut log, "the follow-up email failed; it is tried again").await;
    server.terminate().await;

    let mut sink = SmtpSink::start(smtp, 0).await;
    let _again = TestServer::start_db(&db, &args).await;
    let email = sink.next_email().await;
    assert_holds(&email, "It left this morning.");
}
