//! History over the wire (docs/protocol.md, "History, identity, transcripts, search, data
//! rights"): a visitor's earlier conversations, identity verification, transcripts, search,
//! and the admins' export and erasure, against the real server.

use crate::common;

use common::{chat, get, get_json, post, upload, TestServer};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

async fn server() -> TestServer {
    TestServer::start_with(&["--demo", "--ai", "off"]).await
}

async fn start(server: &TestServer, body: Value) -> Value {
    let mut body = body;
    body["widgetKey"] = json!("demo");
    let reply = post(&server.http("/api/v1/chat/public/start"), None, body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

async fn say(server: &TestServer, session_key: &Value, content: &str) {
    let body = json!({"sessionKey": session_key, "content": content});
    let reply = post(&server.http("/api/v1/chat/public/message"), None, body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

async fn conversations(server: &TestServer, credentials: Value) -> Value {
    let mut body = credentials;
    body["widgetKey"] = json!("demo");
    let reply = post(&server.http("/api/v1/chat/public/visitor"), None, body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn session_ids(listed: &Value) -> Vec<String> {
    listed["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sessionId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_visitor_key_carries_earlier_conversations_and_one_can_be_opened_again() {
    let server = server().await;
    let (alice, _) = chat::login(&server, "agent1@callcenter.com").await;
    let first = start(&server, json!({})).await;
    let key = first["visitorKey"].clone();
    assert!(key.is_string(), "a new visitor gets a key: {first}");
    say(&server, &first["sessionKey"], "My first question").await;
    let close = format!(
        "/api/v1/chat/sessions/{}/close",
        first["sessionId"].as_str().unwrap()
    );
    assert_eq!(
        post(&server.http(&close), Some(&alice), json!({}))
            .await
            .status,
        200
    );

    let second = start(&server, json!({"visitorKey": key})).await;
    assert_eq!(second["visitorKey"], key, "the same visitor");
    say(&server, &second["sessionKey"], "A second question").await;
    let listed = conversations(&server, json!({"visitorKey": key})).await;
    assert_eq!(listed["visitorKey"], key);
    assert_eq!(listed["verified"], false);
    let expected =
        [&second["sessionId"], &first["sessionId"]].map(|v| v.as_str().unwrap().to_string());
    assert_eq!(session_ids(&listed), expected, "newest first");
    assert_eq!(listed["conversations"][1]["status"], "closed");
    assert_eq!(
        listed["conversations"][1]["lastMessage"]["content"],
        "My first question"
    );

    // A key nobody holds is nobody's: nothing listed, and the widget is told to forget it.
    let unknown = conversations(&server, json!({"visitorKey": "not-a-key"})).await;
    assert_eq!(unknown, json!({"verified": false, "conversations": []}));
    let stranger = start(&server, json!({})).await;
    let open = format!(
        "/api/v1/chat/public/conversations/{}/open",
        first["sessionId"].as_str().unwrap()
    );
    let theirs = json!({"widgetKey": "demo", "visitorKey": stranger["visitorKey"]});
    assert_eq!(
        post(&server.http(&open), None, theirs).await.status,
        404,
        "not this visitor's"
    );

    let opened = post(
        &server.http(&open),
        None,
        json!({"widgetKey": "demo", "visitorKey": key}),
    )
    .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.body["sessionId"], first["sessionId"]);
    let reopened_key = opened.body["sessionKey"].as_str().unwrap();
    let read = get_json(
        &server.http(&format!("/api/v1/chat/public/session/{reopened_key}")),
        None,
    )
    .await;
    assert_eq!(read.body["messages"][0]["content"], "My first question");
    say(&server, &opened.body["sessionKey"], "Back again").await;
    let session = format!(
        "/api/v1/chat/sessions/{}/messages",
        first["sessionId"].as_str().unwrap()
    );
    let messages = get_json(&server.http(&session), Some(&alice)).await.body;
    let contents: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    let at = |text: &str| contents.iter().position(|c| *c == text);
    assert!(
        matches!((at("Back again"), at("Reopened by the visitor")), (Some(a), Some(b)) if a < b),
        "written in the earlier one, which reopens: {contents:?}"
    );

    // Agents see the visitor's conversations side by side; another tenant does not.
    let sessions = get_json(&server.http("/api/v1/chat/sessions"), Some(&alice))
        .await
        .body;
    let visitor_id = sessions[0]["visitorId"]
        .as_str()
        .expect("a visitor id")
        .to_string();
    let path = format!("/api/v1/visitors/{visitor_id}/conversations");
    let theirs = get_json(&server.http(&path), Some(&alice)).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert_eq!(theirs.body.as_array().unwrap().len(), 2);
    let (zoe, _) = chat::other_tenant_agent(&server).await;
    assert_eq!(get_json(&server.http(&path), Some(&zoe)).await.status, 404);
}

fn user_hash(secret: &str, user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Turns identity verification on for the demo tenant: the secret, as printed once.
async fn identity_secret(server: &TestServer) -> String {
    let out = common::admin(
        server,
        &["tenant", "set", "demo", "--identity-secret", "generate"],
    )
    .await;
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("identity secret: "));
    let secret = line.expect("the secret is printed").trim().to_string();
    let shown = common::admin(server, &["tenant", "show", "demo"]).await;
    assert!(!shown.contains(&secret), "never shown again: {shown}");
    secret
}

#[tokio::test]
async fn a_verified_customer_has_their_conversations_everywhere_and_a_wrong_hash_is_anonymous() {
    let server = server().await;
    let secret = identity_secret(&server).await;
    let dana = json!({"userId": "cust-42", "name": "Dana", "email": "dana@example.com",
                      "userHash": user_hash(&secret, "cust-42")});

    // On the laptop: a question before signing in, then the shop identifies her.
    let before = start(&server, json!({})).await;
    say(&server, &before["sessionKey"], "Asked before signing in").await;
    let anonymous_key = before["visitorKey"].clone();
    let identified = conversations(
        &server,
        json!({"visitorKey": anonymous_key, "identity": dana}),
    )
    .await;
    assert_eq!(identified["verified"], true);
    assert!(
        identified.get("visitorKey").is_none(),
        "her identity is her key"
    );
    assert_eq!(
        session_ids(&identified),
        [before["sessionId"].as_str().unwrap()]
    );
    let gone = conversations(&server, json!({"visitorKey": anonymous_key})).await;
    assert_eq!(
        gone["conversations"],
        json!([]),
        "the anonymous key no longer reaches it"
    );

    // On the phone: a new conversation, and both are hers.
    let phone = start(&server, json!({"identity": dana})).await;
    assert_eq!(
        (phone["verified"].clone(), phone.get("visitorKey")),
        (json!(true), None)
    );
    let everywhere = conversations(&server, json!({"identity": dana})).await;
    assert_eq!(everywhere["conversations"].as_array().unwrap().len(), 2);

    // A wrong hash, or another user's, is anonymous: never Dana.
    for hash in [
        user_hash("guess", "cust-42"),
        user_hash(&secret, "cust-43"),
        "zz".into(),
    ] {
        let forged = json!({"userId": "cust-42", "userHash": hash});
        let listed = conversations(&server, json!({"identity": forged})).await;
        assert_eq!(
            (listed["verified"].clone(), listed["conversations"].clone()),
            (json!(false), json!([]))
        );
        let started = start(&server, json!({"identity": forged})).await;
        assert_eq!(started["verified"], false);
        assert!(
            started["visitorKey"].is_string(),
            "an anonymous visitor of their own"
        );
    }
    let (alice, _) = chat::login(&server, "agent1@callcenter.com").await;
    let path = format!(
        "/api/v1/chat/sessions/{}/messages",
        phone["sessionId"].as_str().unwrap()
    );
    assert_eq!(
        get_json(&server.http(&path), Some(&alice)).await.status,
        200
    );
    let sessions = get_json(&server.http("/api/v1/chat/sessions"), Some(&alice))
        .await
        .body;
    let on_phone = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == phone["sessionId"])
        .unwrap();
    assert_eq!(on_phone["verifiedUserId"], "cust-42");
    assert_eq!(
        on_phone["visitor"],
        json!({"name": "Dana", "email": "dana@example.com"})
    );
    let forged = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s.get("verifiedUserId").is_none());
    assert!(forged.count() >= 3, "the forged ones are not verified");

    let blank = json!({"identity": {"userId": " ", "userHash": "00"}, "widgetKey": "demo"});
    let refused = post(&server.http("/api/v1/chat/public/start"), None, blank).await;
    assert_eq!(
        (refused.status, refused.body["error"]["code"].clone()),
        (422, json!("invalid_visitor"))
    );
}

#[tokio::test]
async fn transcripts_download_as_text_json_and_html_for_agents_and_visitors() {
    let server = server().await;
    let (alice, _) = chat::login(&server, "agent1@callcenter.com").await;
    let visitor = start(&server, json!({"visitor": {"name": "Dana"}})).await;
    say(
        &server,
        &visitor["sessionKey"],
        "<b>Where</b> is my parcel?",
    )
    .await;
    let id = visitor["sessionId"].as_str().unwrap();
    let reply = json!({"sessionId": id, "content": "On its way!"});
    assert_eq!(
        post(&server.http("/api/v1/chat/messages"), Some(&alice), reply)
            .await
            .status,
        200
    );

    let base = server.http(&format!("/api/v1/chat/sessions/{id}/transcript"));
    let text = get_authed(&format!("{base}?format=txt"), &alice).await;
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let disposition = text
        .header("content-disposition")
        .unwrap_or_default()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"conversation-20"),
        "{disposition}"
    );
    assert!(
        text.body.starts_with("Conversation with Dana\n"),
        "{}",
        text.body
    );
    assert!(text.body.contains("    <b>Where</b> is my parcel?\n"));
    assert!(text.body.contains("Alice Martin, "));
    let html = get_authed(&format!("{base}?format=html"), &alice).await;
    assert!(html.body.contains("&lt;b&gt;Where&lt;/b&gt;") && !html.body.contains("<b>Where"));
    assert_eq!(
        html.header("content-security-policy")
            .map(|c| c.starts_with("sandbox")),
        Some(true)
    );
    let json_file = get_authed(&format!("{base}?format=json"), &alice).await;
    let parsed: Value = serde_json::from_str(&json_file.body).unwrap();
    let last = parsed["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["content"], "On its way!");
    assert_eq!(parsed["tenantName"], "Demo");
    let bad = get_authed(&format!("{base}?format=pdf"), &alice).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("invalid_format"));

    let key = visitor["sessionKey"].as_str().unwrap();
    let theirs = get(&server.http(&format!("/api/v1/chat/public/session/{key}/transcript"))).await;
    assert_eq!(theirs.status, 200);
    assert!(
        theirs.body.starts_with("Your conversation with Demo\n"),
        "{}",
        theirs.body
    );
    assert!(theirs.body.contains("You, ") && theirs.body.contains("Alice Martin, "));
    let nobody = get(&server.http("/api/v1/chat/public/session/nope/transcript")).await;
    assert_eq!(nobody.status, 404);
    let (zoe, _) = chat::other_tenant_agent(&server).await;
    assert_eq!(
        get_authed(&base, &zoe).await.status,
        404,
        "another tenant's"
    );
}

/// `GET url` with an agent's token, the body as text.
async fn get_authed(url: &str, token: &str) -> common::Reply {
    let (url, auth) = (url.to_string(), format!("Bearer {token}"));
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .get(&url)
            .header("Authorization", &auth)
            .call()
            .unwrap();
        common::Reply {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: response.body_mut().read_to_string().unwrap(),
        }
    })
    .await
    .unwrap()
}

async fn search(server: &TestServer, token: &str, query: &str) -> common::JsonReply {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    get_json(
        &server.http(&format!("/api/v1/chat/search?q={q}")),
        Some(token),
    )
    .await
}

#[tokio::test]
async fn a_search_finds_the_tenants_messages_with_marked_snippets_and_refuses_what_it_cannot_run() {
    let server = server().await;
    let (alice, _) = chat::login(&server, "agent1@callcenter.com").await;
    let kettle = start(&server, json!({"visitor": {"name": "Sam"}})).await;
    say(
        &server,
        &kettle["sessionKey"],
        "I want a refund for the blue kettle",
    )
    .await;
    let parcel = start(&server, json!({})).await;
    say(
        &server,
        &parcel["sessionKey"],
        "Where is my parcel to Rotterdam?",
    )
    .await;

    let found = search(&server, &alice, "Kettle").await;
    assert_eq!(found.status, 200, "{}", found.body);
    let hits = found.body["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["sessionId"], kettle["sessionId"]);
    assert_eq!(hits[0]["visitor"]["name"], "Sam");
    assert_eq!(hits[0]["seq"], 1);
    let marked: Vec<&Value> = hits[0]["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["hit"] == true)
        .collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0]["text"], "kettle");
    assert_eq!(
        search(&server, &alice, "rotter").await.body["hits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (zoe, _) = chat::other_tenant_agent(&server).await;
    assert_eq!(
        search(&server, &zoe, "kettle").await.body["hits"],
        json!([]),
        "another tenant's"
    );
    for query in ["", "  *** ", &"a".repeat(201)] {
        let refused = search(&server, &alice, query).await;
        assert_eq!(
            (refused.status, refused.body["error"]["code"].clone()),
            (422, json!("invalid_query")),
            "{query:?}"
        );
    }
    let too_many = get_json(
        &server.http("/api/v1/chat/search?q=kettle&limit=51"),
        Some(&alice),
    )
    .await;
    assert_eq!(too_many.status, 422);
    assert_eq!(
        get_json(&server.http("/api/v1/chat/search?q=kettle"), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn admins_export_and_erase_what_is_stored_about_an_address() {
    let server = server().await;
    let (alice, _) = chat::login(&server, "agent1@callcenter.com").await;
    let (bob, _) = chat::login(&server, "agent2@callcenter.com").await;
    let first = start(&server, json!({})).await;
    let contact = json!({"sessionKey": first["sessionKey"], "email": "dana@example.com"});
    assert_eq!(
        post(&server.http("/api/v1/chat/public/contact"), None, contact)
            .await
            .status,
        200
    );
    let key = first["sessionKey"].as_str().unwrap();
    let png = upload::png(4, 3);
    let file = upload::visitor_upload(&server, key, "shot.png", "image/png", &png).await;
    let with_file =
        json!({"sessionKey": key, "content": "my kettle order", "attachments": [file.body["id"]]});
    assert_eq!(
        post(&server.http("/api/v1/chat/public/message"), None, with_file)
            .await
            .status,
        200
    );
    // The same browser's other conversation is hers too; someone else's is not.
    let second = start(&server, json!({"visitorKey": first["visitorKey"]})).await;
    say(&server, &second["sessionKey"], "another kettle question").await;
    let other = start(&server, json!({})).await;
    say(&server, &other["sessionKey"], "someone else's kettle").await;

    let path = "/api/v1/visitors/export?email=Dana@Example.com";
    assert_eq!(
        get_json(&server.http(path), Some(&bob)).await.status,
        403,
        "a plain agent"
    );
    let export = get_json(&server.http(path), Some(&alice)).await;
    assert_eq!(export.status, 200, "{}", export.body);
    let exported = export.body["conversations"].as_array().unwrap();
    assert_eq!(exported.len(), 2);
    let files = &exported[0]["files"];
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(files[0]["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!((files[0]["name"].clone(), bytes), (json!("shot.png"), png));
    assert_eq!(export.body["visitors"].as_array().unwrap().len(), 1);

    let erase = |token: &str| {
        let token = token.to_string();
        let url = server.http("/api/v1/visitors/erase");
        async move { post(&url, Some(&token), json!({"email": "dana@example.com"})).await }
    };
    assert_eq!(erase(&bob).await.status, 403);
    let erased = erase(&alice).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(
        erased.body,
        json!({"visitors": 1, "conversations": 2, "messages": 3, "attachments": 1})
    );
    let again = get_json(&server.http(path), Some(&alice)).await;
    assert_eq!(again.body["conversations"], json!([]));
    let hits = search(&server, &alice, "kettle").await.body["hits"].clone();
    assert_eq!(
        hits.as_array().unwrap().len(),
        1,
        "only someone else's is left: {hits}"
    );
    let gone = format!("/api/v1/chat/public/session/{key}");
    assert_eq!(get_json(&server.http(&gone), None).await.status, 404);
    let not_an_address = post(
        &server.http("/api/v1/visitors/erase"),
        Some(&alice),
        json!({"email": "dana"}),
    )
    .await;
    assert_eq!(not_an_address.status, 422);
}

#[tokio::test]
async fn the_cli_exports_and_erases_a_visitor_and_sets_retention() {
    let server = server().await;
    let first = start(&server, json!({})).await;
    let contact = json!({"sessionKey": first["sessionKey"], "email": "lee@example.com"});
    assert_eq!(
        post(&server.http("/api/v1/chat/public/contact"), None, contact)
            .await
            .status,
        200
    );
    say(&server, &first["sessionKey"], "Hello from Lee").await;

    let args = [
        "visitor",
        "export",
        "--tenant",
        "demo",
        "--email",
        "lee@example.com",
    ];
    let exported: Value = serde_json::from_str(&common::admin(&server, &args).await).unwrap();
    assert_eq!(exported["email"], "lee@example.com");
    let messages = exported["conversations"][0]["messages"].as_array().unwrap();
    assert!(messages.iter().any(|m| m["content"] == "Hello from Lee"));
    let args = [
        "visitor",
        "erase",
        "--tenant",
        "demo",
        "--email",
        "lee@example.com",
    ];
    let said = common::admin(&server, &args).await;
    assert_eq!(
        said.trim(),
        "erased lee@example.com: 1 conversations, 2 messages, 0 files, 1 visitor records"
    );
    let bad = common::admin_output(
        &["visitor", "erase", "--tenant", "demo", "--email", "lee"],
        &server.database_url(),
        None,
    )
    .await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an email address"));

    let shown = common::admin(
        &server,
        &["tenant", "set", "demo", "--retention-days", "30"],
    )
    .await;
    assert!(
        shown.contains("closed conversations are deleted after 30 days"),
        "{shown}"
    );
    let off = common::admin(
        &server,
        &["tenant", "set", "demo", "--retention-days", "off"],
    )
    .await;
    assert!(off.contains("retention:  conversations are kept"), "{off}");
    let zero = common::admin_output(
        &["tenant", "set", "demo", "--retention-days", "0"],
        &server.database_url(),
        None,
    )
    .await;
    assert!(!zero.status.success());
}
