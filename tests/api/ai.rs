//! The AI answers first: streamed token by token to the visitor and the agents, stored whole,
//! and silenced the moment a human takes over or is asked for. Against the real server with the
//! built-in knowledge base.

use crate::common;

use common::{get_json, post, ws::Client, TestServer};
use serde_json::{json, Value};

async fn start_visitor(server: &TestServer) -> (String, String) {
    let reply = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "demo"}),
    )
    .await;
    (
        reply.body["sessionId"].as_str().unwrap().to_string(),
        reply.body["sessionKey"].as_str().unwrap().to_string(),
    )
}

async fn connect(server: &TestServer, path: &str) -> Client {
    let mut socket = Client::connect(&server.ws(path)).await;
    assert_eq!(socket.next_frame().await.unwrap()["type"], "connection");
    socket
}

async fn agent_token(server: &TestServer) -> String {
    let reply = post(
        &server.http("/api/v1/auth/login"),
        None,
        json!({"email": "agent1@callcenter.com", "password": "Password123!"}),
    )
    .await;
    reply.body["token"].as_str().unwrap().to_string()
}

/// Reads one whole streamed answer: start, tokens, end; returns the id and the joined text.
async fn read_stream(socket: &mut Client) -> (String, String) {
    let start = socket.until("stream-start").await;
    let id = start["messageId"].as_str().unwrap().to_string();
    let mut text = String::new();
    loop {
        let frame = socket.next_frame().await.expect("the stream goes on");
        match frame["type"].as_str().unwrap() {
            "stream-token" => {
                assert_eq!(frame["messageId"], id.as_str());
                text.push_str(frame["token"].as_str().unwrap());
            }
            "stream-end" => {
                assert_eq!(frame["messageId"], id.as_str());
                return (id, text);
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_question_is_answered_token_by_token_and_stored_whole() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let token = agent_token(&server).await;
    let mut agent = connect(&server, &format!("/ws?token={token}")).await;
    let (session_id, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;

    visitor
        .send(json!({"type": "chat", "content": "How much does shipping cost?"}))
        .await;
    let (id, text) = read_stream(&mut visitor).await;
    assert!(
        text.contains("Shipping is free in the EU for orders from €35"),
        "{text}"
    );

    // The agents watched the same stream.
    let (agent_id, agent_text) = read_stream(&mut agent).await;
    assert_eq!(
        (agent_id.as_str(), agent_text.as_str()),
        (id.as_str(), text.as_str())
    );

    // Then the answer is stored, with the stream's id, as the AI's message.
    let stored = visitor.until_message_from("ai").await;
    assert_eq!(stored["id"], id.as_str());
    assert_eq!(stored["content"], text.as_str());
    // It names the article it used and links to its page in the help center, which is there.
    assert_eq!(
        stored["source"],
        json!({"title": "Shipping and delivery", "url": "/help/demo/shipping"})
    );
    let page = common::get(&server.http("/help/demo/shipping")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Shipping is free in the EU"));
    let history = get_json(
        &server.http(&format!("/api/v1/chat/sessions/{session_id}/messages")),
        Some(&token),
    )
    .await;
    let kinds: Vec<&str> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sender"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "ai"]);
}

#[tokio::test]
async fn an_off_topic_question_offers_a_human_and_yes_escalates() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let (_, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .send(json!({"type": "chat", "content": "What is the capital of France?"}))
        .await;
    let (_, text) = read_stream(&mut visitor).await;
    assert!(
        text.contains("Would you like me to connect you with someone from our team?"),
        "{text}"
    );
    // Wait until the offer is stored, then accept it.
    visitor.until_message_from("ai").await;
    visitor
        .send(json!({"type": "chat", "content": "Yes please"}))
        .await;
    let before = visitor.until_handed_over().await;
    assert!(
        before.iter().all(|f| f["type"] != "stream-start"),
        "the AI stays silent: {before:?}"
    );
}

#[tokio::test]
async fn asking_for_a_person_in_words_escalates_without_an_ai_answer() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let (_, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .send(json!({"type": "chat", "content": "I want to talk to a real person"}))
        .await;
    let before = visitor.until_handed_over().await;
    assert!(
        before.iter().all(|f| f["type"] != "stream-start"),
        "the AI stays silent: {before:?}"
    );
    // Later messages are for the humans: no stream starts.
    visitor
        .assert_no_answer("How much does shipping cost?")
        .await;
}

#[tokio::test]
async fn assigning_mid_answer_stops_it_and_the_ai_stays_silent() {
    // Paced like an LLM, so that the answer is still streaming when the agent takes over.
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "200"]).await;
    let token = agent_token(&server).await;
    let (session_id, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .send(json!({"type": "chat", "content": "How do I pause my subscription?"}))
        .await;
    let start = visitor.until("stream-start").await;
    let id = start["messageId"].as_str().unwrap().to_string();
    let first = visitor.until("stream-token").await;
    let mut shown = first["token"].as_str().unwrap().to_string();

    let assigned = post(
        &server.http(&format!("/api/v1/chat/sessions/{session_id}/assign")),
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(assigned.status, 200);

    // Tokens already on their way may arrive, then the end; none after it.
    loop {
        let frame = visitor.next_frame().await.unwrap();
        match frame["type"].as_str().unwrap() {
            "stream-token" => shown.push_str(frame["token"].as_str().unwrap()),
            "stream-end" => {
                assert_eq!(frame["messageId"], id.as_str());
                break;
            }
            _ => {}
        }
    }
    let after = visitor.sync().await;
    assert!(
        after.iter().all(|f| f["type"] != "stream-token"),
        "no token after stream-end: {after:?}"
    );

    // What was shown is stored as it stands, under the stream's id.
    let history = get_json(
        &server.http(&format!("/api/v1/chat/sessions/{session_id}/messages")),
        Some(&token),
    )
    .await;
    let ai: Vec<&Value> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender"]["kind"] == "ai")
        .collect();
    assert_eq!(ai.len(), 1);
    assert_eq!(ai[0]["id"], id.as_str());
    assert_eq!(ai[0]["content"], shown.as_str());
    assert!(!shown.trim().is_empty());
    assert!(
        !shown.contains("Is there anything else I can help with?"),
        "cut short: {shown}"
    );

    // The AI stays silent from then on.
    visitor
        .assert_no_answer("How much does shipping cost?")
        .await;
}

#[tokio::test]
async fn a_socket_that_reconnects_mid_answer_gets_it_whole() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "100"]).await;
    let (_, key) = start_visitor(&server).await;
    let mut first = connect(&server, &format!("/ws/public/{key}")).await;
    first
        .send(json!({"type": "chat", "content": "How long does delivery to Germany take?"}))
        .await;
    let start = first.until("stream-start").await;
    let id = start["messageId"].as_str().unwrap().to_string();
    // A few tokens in, the visitor's connection drops and comes back.
    for _ in 0..3 {
        first.until("stream-token").await;
    }
    drop(first);
    let mut second = Client::connect(&server.ws(&format!("/ws/public/{key}?lastSeq=1"))).await;
    assert_eq!(second.next_frame().await.unwrap()["type"], "connection");
    let (resumed_id, text) = read_stream(&mut second).await;
    assert_eq!(resumed_id, id);
    // The stored answer is exactly what the resumed socket assembled: nothing missing or doubled.
    let stored = second.until_message_from("ai").await["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text, stored);
    assert!(
        stored.contains("Delivery in the Netherlands and Belgium"),
        "{stored}"
    );
}

#[tokio::test]
async fn seed_003_flow_over_the_visitor_token_socket() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let reply = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "demo"}),
    )
    .await;
    let token = reply.body["token"].as_str().unwrap();
    // ws://host:port?token=… exactly as the chat API integration guide writes it.
    let mut socket = connect(&server, &format!("/?token={token}")).await;
    socket
        .send(json!({"type": "chat", "content": "Do you accept PayPal?", "timestamp": "2025-09-12T10:00:00Z"}))
        .await;
    let (_, text) = read_stream(&mut socket).await;
    assert!(text.contains("PayPal"), "{text}");
    socket
        .send(json!({"type": "ping", "timestamp": "2025-09-12T10:00:01Z"}))
        .await;
    socket.until("pong").await;
    socket.send(json!({"type": "nonsense"})).await;
    assert_eq!(socket.until("error").await["code"], "unknown_type");
    socket
        .send(json!({"type": "human-escalation", "reason": "Need human assistance", "timestamp": "2025-09-12T10:00:02Z"}))
        .await;
    let answer = socket.until("human-escalation-response").await;
    assert_eq!(
        answer["message"],
        // Nobody is online: the hand-over does not promise someone at once.
        "Thanks, we've let the team know. No human agent is available right now: one will reply here as soon as the team is back."
    );
}

#[tokio::test]
async fn questions_asked_mid_answer_are_answered_next_never_two_streams_at_once() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "20"]).await;
    let (_, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .send(json!({"type": "chat", "content": "How much does shipping cost?"}))
        .await;
    visitor.until("stream-start").await;
    visitor
        .send(json!({"type": "chat", "content": "Can I pay with PayPal?"}))
        .await;
    // Read both answers; a stream-start only ever follows the previous stream-end.
    let mut open = true;
    let mut ends = 0;
    let mut texts = vec![String::new()];
    while ends < 2 {
        let frame = visitor.next_frame().await.unwrap();
        match frame["type"].as_str().unwrap() {
            "stream-start" => {
                assert!(!open, "a second stream started before the first ended");
                open = true;
                texts.push(String::new());
            }
            "stream-token" => texts
                .last_mut()
                .unwrap()
                .push_str(frame["token"].as_str().unwrap()),
            "stream-end" => {
                assert!(open);
                open = false;
                ends += 1;
            }
            _ => {}
        }
    }
    assert!(texts[0].contains("Shipping"), "{texts:?}");
    assert!(
        texts[1].contains("PayPal"),
        "the second answer sees the new question: {texts:?}"
    );
}

#[tokio::test]
async fn the_assistant_is_set_per_tenant() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let db = server.database_url();
    let admin = |args: Vec<&'static str>| {
        let db = db.clone();
        async move {
            let mut full = vec!["admin", "tenant"];
            full.extend(args);
            full.extend(["--database-url", db.as_str()]);
            let out = common::command(&full)
                .stdout(std::process::Stdio::piped())
                .output()
                .await
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        }
    };
    let shown = admin(vec!["show", "demo"]).await;
    assert!(
        shown.contains("ai:         on") && shown.contains("answerer:   default"),
        "{shown}"
    );

    let set = admin(vec![
        "set",
        "demo",
        "--ai",
        "off",
        "--greeting",
        "Hi! We usually answer within minutes.",
    ])
    .await;
    assert!(
        set.contains("ai:         off") && set.contains("We usually answer within minutes"),
        "{set}"
    );
    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(
        (
            &widget.body["tenantName"],
            &widget.body["aiEnabled"],
            &widget.body["greeting"]
        ),
        (
            &json!("Demo"),
            &json!(false),
            &json!("Hi! We usually answer within minutes.")
        )
    );
    // With the AI off, a new conversation goes straight to the agents and nobody streams.
    let (session_id, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .assert_no_answer("How much does shipping cost?")
        .await;
    let token = agent_token(&server).await;
    let session = get_json(&server.http("/api/v1/chat/sessions"), Some(&token)).await;
    let listed = session
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["status"], "pending");

    // Back on: new conversations are answered again, and handed over in the shop's words.
    let set = admin(vec![
        "set",
        "demo",
        "--ai",
        "on",
        "--answerer",
        "knowledge",
        "--handover",
        "Anna from the roastery will be right with you.",
    ])
    .await;
    assert!(set.contains("hand-over:  Anna from the roastery"), "{set}");
    let (_, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .send(json!({"type": "chat", "content": "How much does shipping cost?"}))
        .await;
    let (_, text) = read_stream(&mut visitor).await;
    assert!(text.contains("Shipping"));
    visitor
        .send(json!({"type": "chat", "content": "I want to talk to a human"}))
        .await;
    let reply = visitor.until("human-escalation-response").await;
    assert_eq!(
        reply["message"],
        "Thanks, we've let the team know. Anna from the roastery will be right with you."
    );
    let unknown = get_json(&server.http("/api/v1/chat/public/widget/nope"), None).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn an_agent_that_connects_mid_answer_gets_it_whole() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "100"]).await;
    let token = agent_token(&server).await;
    let (_, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .send(json!({"type": "chat", "content": "What does the Daily plan cost?"}))
        .await;
    visitor.until("stream-start").await;
    for _ in 0..3 {
        visitor.until("stream-token").await;
    }
    let mut agent = connect(&server, &format!("/ws?token={token}")).await;
    let (_, text) = read_stream(&mut agent).await;
    let stored = agent.until_message_from("ai").await["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text, stored, "nothing missing, nothing doubled");
    assert!(
        stored.contains("The Daily plan sends two 250 g bags"),
        "{stored}"
    );
}

/// A visitor of `widget_key` asks `question`; the assistant's whole answer.
async fn ask(server: &TestServer, widget_key: &str, question: &str) -> String {
    let reply = post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": widget_key}),
    )
    .await;
    let key = reply.body["sessionKey"].as_str().unwrap().to_string();
    let mut socket = connect(server, &format!("/ws/public/{key}")).await;
    socket
        .send(json!({"type": "chat", "content": question}))
        .await;
    read_stream(&mut socket).await.1
}

#[tokio::test]
async fn each_tenant_is_answered_from_its_own_articles_and_an_edit_counts_at_once() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let created = common::admin(&server, &["tenant", "create", "Tea House"]).await;
    let tea_key = created.lines().last().unwrap().trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let article =
        "# Our teas\n\n## Green tea\nWe sell sencha and matcha green teas, from €8 per 100 g.\n";
    std::fs::write(dir.path().join("teas.md"), article).unwrap();
    let folder = dir.path().to_str().unwrap().to_string();
    let args = ["knowledge", "import", "--tenant", &tea_key, &folder];
    let import = || common::admin(&server, &args);
    let imported = import().await;
    assert!(imported.contains("1 articles added"), "{imported}");

    // Each visitor gets their own shop's articles, never the other's.
    let tea = ask(&server, &tea_key, "Do you sell green tea?").await;
    assert!(tea.contains("sencha"), "{tea}");
    let coffee_at_tea = ask(&server, &tea_key, "How much does shipping cost?").await;
    assert!(!coffee_at_tea.contains("€4.95"), "{coffee_at_tea}");
    assert!(
        coffee_at_tea.contains("connect you with someone"),
        "{coffee_at_tea}"
    );
    let tea_at_coffee = ask(&server, "demo", "Do you sell green tea?").await;
    assert!(!tea_at_coffee.contains("sencha"), "{tea_at_coffee}");
    assert!(ask(&server, "demo", "How much does shipping cost?")
        .await
        .contains("€4.95"));

    // An edit is used for the very next question, without a restart.
    let edited = article.replace("from €8", "from €9.50");
    std::fs::write(dir.path().join("teas.md"), edited).unwrap();
    import().await;
    let again = ask(&server, &tea_key, "Do you sell green tea?").await;
    assert!(again.contains("€9.50"), "{again}");
    let listed = common::admin(&server, &["knowledge", "list", "--tenant", &tea_key]).await;
    assert!(listed.starts_with("teas\tOur teas\t"), "{listed}");
    common::admin(
        &server,
        &["knowledge", "remove", "--tenant", &tea_key, "teas"],
    )
    .await;
    let gone = ask(&server, &tea_key, "Do you sell green tea?").await;
    assert!(gone.contains("connect you with someone"), "{gone}");
}

async fn login_as(server: &TestServer, email: &str) -> String {
    let reply = post(
        &server.http("/api/v1/auth/login"),
        None,
        json!({"email": email, "password": "Password123!"}),
    )
    .await;
    reply.body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_admin_writes_the_knowledge_base_over_rest_and_the_next_answer_uses_it() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let admin = login_as(&server, "agent1@callcenter.com").await;
    let agent = login_as(&server, "agent2@callcenter.com").await;
    let url = server.http("/api/v1/knowledge/articles");
    let listed = get_json(&url, Some(&admin)).await;
    assert_eq!(
        listed.body.as_array().unwrap().len(),
        12,
        "the demo's articles"
    );
    assert_eq!(get_json(&url, Some(&agent)).await.status, 403);

    let parking = json!({"title": "Parking", "body": "## Parking near the roastery\nPark for free in the Katendrecht garage, two minutes from the shop."});
    let created = post(&url, Some(&admin), parking.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["slug"], "parking");
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(post(&url, Some(&admin), parking).await.status, 409);
    let bad = post(
        &url,
        Some(&admin),
        json!({"slug": "No Spaces", "title": "x", "body": ""}),
    )
    .await;
    assert_eq!(
        (bad.status, bad.body["error"]["code"].clone()),
        (422, json!("invalid_article"))
    );

    let answer = ask(&server, "demo", "Is there parking near the roastery?").await;
    assert!(answer.contains("Katendrecht garage"), "{answer}");

    let one = format!("{url}/{id}");
    let edit = json!({"title": "Parking", "body": "## Parking near the roastery\nThe street in front of the shop has paid parking."});
    let edited = common::request("PUT", &one, Some(&admin), Some(edit)).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let answer = ask(&server, "demo", "Is there parking near the roastery?").await;
    assert!(answer.contains("paid parking"), "{answer}");

    let removed = common::request("DELETE", &one, Some(&admin), None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(get_json(&one, Some(&admin)).await.status, 404);
    let answer = ask(&server, "demo", "Is there parking near the roastery?").await;
    assert!(!answer.contains("parking"), "{answer}");
}

#[tokio::test]
async fn an_admin_sets_the_assistant_over_rest_and_previews_articles_safely() {
    let server = TestServer::start_with(&["--demo", "--ai-token-delay-ms", "0"]).await;
    let admin = login_as(&server, "agent1@callcenter.com").await;
    let agent = login_as(&server, "agent2@callcenter.com").await;
    let url = server.http("/api/v1/settings/assistant");
    let settings = get_json(&url, Some(&admin)).await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert_eq!(settings.body["enabled"], true);
    assert_eq!(settings.body["answerers"], json!(["knowledge"]));
    assert_eq!(settings.body["defaultAnswerer"], "knowledge");
    assert_eq!(
        settings.body["defaultHandover"],
        "A human agent will join this conversation shortly."
    );
    assert_eq!(get_json(&url, Some(&agent)).await.status, 403);

    // A choice the server does not have changes nothing.
    let refused = common::request(
        "PUT",
        &url,
        Some(&admin),
        Some(json!({"enabled": false, "answerer": "openai"})),
    )
    .await;
    assert_eq!(
        (refused.status, refused.body["error"]["code"].clone()),
        (422, json!("invalid_settings"))
    );
    assert_eq!(get_json(&url, Some(&admin)).await.body, settings.body);

    let change = json!({"enabled": true, "answerer": "knowledge", "greeting": "Hoi! Ask us anything.", "handover": "Anna from the roastery will be right with you."});
    let changed = common::request("PUT", &url, Some(&admin), Some(change)).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        changed.body["handover"],
        "Anna from the roastery will be right with you."
    );
    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(widget.body["greeting"], "Hoi! Ask us anything.");
    let (_, key) = start_visitor(&server).await;
    let mut visitor = connect(&server, &format!("/ws/public/{key}")).await;
    visitor
        .send(json!({"type": "chat", "content": "Can I speak to a person?"}))
        .await;
    let reply = visitor.until("human-escalation-response").await;
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .ends_with("Anna from the roastery will be right with you."),
        "{reply}"
    );

    // The preview is the help center's own safe rendering: raw HTML stays text.
    let preview_url = server.http("/api/v1/knowledge/preview");
    let body = json!({"body": "## Hours\n**Open** daily <script>alert(1)</script> [x](javascript:alert(1))"});
    let preview = post(&preview_url, Some(&admin), body.clone()).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let html = preview.body["html"].as_str().unwrap();
    assert!(
        html.contains("<h2>Hours</h2>") && html.contains("<strong>Open</strong>"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;")
            && !html.contains("<script")
            && !html.contains("javascript:"),
        "{html}"
    );
    assert_eq!(post(&preview_url, Some(&agent), body).await.status, 403);
    let too_long = json!({"body": "a".repeat(50_001)});
    assert_eq!(post(&preview_url, Some(&admin), too_long).await.status, 422);
}
