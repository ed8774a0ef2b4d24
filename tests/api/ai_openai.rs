//! The OpenAI-compatible answerer against a local stand-in for an LLM server that speaks the
//! real wire format: `POST /v1/chat/completions` with `stream: true`, answered with server-sent
//! events (`data: {"choices":[{"delta":{"content":…}}]}`, then `data: [DONE]`), split across
//! reads at awkward places; an error status; a stream that stalls.

use crate::common;

use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use common::{post as http_post, ws::Client, TestServer};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const TOKENS: &[&str] = &[
    "Shipping", " is", " free", " from", " €35", " — ", "enjoy", "! 🎉",
];

/// What the stand-in received: the Authorization header and the JSON body of each request.
type Received = Vec<(Option<String>, Value)>;

#[derive(Clone, Default)]
struct Provider {
    requests: Arc<Mutex<Received>>,
}

async fn completions(
    State(provider): State<Provider>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    provider.requests.lock().unwrap().push((auth, body.clone()));
    match body["model"].as_str().unwrap_or_default() {
        "refuses" => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})),
        )
            .into_response(),
        "stalls" => {
            let first = format!("data: {}\n\n", json!({"choices": [{"delta": {"content": "Let me"}}]}));
            let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(first) })
                .chain(futures::stream::pending());
            sse(Body::from_stream(stream))
        }
        // llama.cpp's server: a first delta with `content: null`, a last one that is empty,
        // then a usage chunk without choices.
        "llama" => {
            let mut events = vec![json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": null}, "finish_reason": null}], "object": "chat.completion.chunk"})];
            events.extend(TOKENS.iter().map(|t| json!({"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": null}]})));
            events.push(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}));
            events.push(json!({"choices": [], "usage": {"prompt_tokens": 90, "completion_tokens": 8}}));
            sse(split_body(&events))
        }
        // Not sure, so it offers a person and ends with the mark, split across two tokens.
        "unsure" => {
            let events: Vec<Value> = UNSURE
                .iter()
                .map(|t| json!({"choices": [{"index": 0, "delta": {"content": t}}]}))
                .collect();
            sse(split_body(&events))
        }
        _ => {
            // A role-only first chunk, as OpenAI sends, then the tokens, then [DONE].
            let mut events = vec![json!({"choices": [{"delta": {"role": "assistant"}}]})];
            events.extend(TOKENS.iter().map(|t| json!({"choices": [{"index": 0, "delta": {"content": t}}]})));
            sse(split_body(&events))
        }
    }
}

const UNSURE: &[&str] = &[
    "I'm not sure",
    " about that.",
    " Shall I connect you with someone from our team?",
    " [hand",
    "over]",
];

/// The events, then `data: [DONE]`, seven bytes at a time: lines, events and even UTF-8
/// characters split across reads.
fn split_body(events: &[Value]) -> Body {
    let mut text: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    text.push_str("data: [DONE]\n\n");
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> = text
        .into_bytes()
        .chunks(7)
        .map(|c| Ok(c.to_vec()))
        .collect();
    Body::from_stream(futures::stream::iter(pieces))
}

use futures::StreamExt;

fn sse(body: Body) -> Response {
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(body)
        .unwrap()
}

async fn start_provider() -> (String, Provider) {
    let provider = Provider::default();
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), provider)
}

async fn server_with(base: &str, model: &str) -> TestServer {
    TestServer::start_env(
        &[
            "--demo",
            "--ai",
            "openai",
            "--openai-base-url",
            base,
            "--openai-model",
            model,
            "--ai-timeout-secs",
            "2",
        ],
        &[("OPENAI_API_KEY", "sk-test-key")],
    )
    .await
}

async fn visitor(server: &TestServer) -> Client {
    let reply = http_post(
        &server.http("/api/v1/chat/public/start"),
        None,
        json!({"widgetKey": "demo"}),
    )
    .await;
    let key = reply.body["sessionKey"].as_str().unwrap();
    let mut socket = Client::connect(&server.ws(&format!("/ws/public/{key}"))).await;
    assert_eq!(socket.next_frame().await.unwrap()["type"], "connection");
    socket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_completion_becomes_the_answer() {
    let (base, provider) = start_provider().await;
    let server = server_with(&base, "test-model").await;
    let mut socket = visitor(&server).await;
    socket
        .send(json!({"type": "chat", "content": "How much does shipping cost?"}))
        .await;

    let start = socket.until("stream-start").await;
    let mut tokens = Vec::new();
    loop {
        let frame = socket.next_frame().await.unwrap();
        match frame["type"].as_str().unwrap() {
            "stream-token" => tokens.push(frame["token"].as_str().unwrap().to_string()),
            "stream-end" => break,
            _ => {}
        }
    }
    assert_eq!(
        tokens, TOKENS,
        "every token, in order, split reads reassembled"
    );
    let stored = socket.until("chat.message.new").await;
    assert_eq!(stored["message"]["sender"]["kind"], "ai");
    assert_eq!(stored["message"]["id"], start["messageId"]);
    assert_eq!(stored["message"]["content"], TOKENS.concat());

    let requests = provider.requests.lock().unwrap().clone();
    let (auth, body) = &requests[0];
    assert_eq!(auth.as_deref(), Some("Bearer sk-test-key"));
    assert_eq!(body["stream"], true);
    assert_eq!(body["model"], "test-model");
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(
        system.contains("Shipping is free in the EU"),
        "the best passages go into the prompt: {system}"
    );
    assert!(
        system.contains("[handover]"),
        "the model is told how to hand over: {system}"
    );
    let last = body["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(last["role"], "user");
    assert_eq!(last["content"], "How much does shipping cost?");
}

/// Reads one answer: its tokens, then the stored message.
async fn answer_to(socket: &mut Client, question: &str) -> (Vec<String>, Value) {
    socket
        .send(json!({"type": "chat", "content": question}))
        .await;
    socket.until("stream-start").await;
    let mut tokens = Vec::new();
    loop {
        let frame = socket.next_frame().await.unwrap();
        match frame["type"].as_str().unwrap() {
            "stream-token" => tokens.push(frame["token"].as_str().unwrap().to_string()),
            "stream-end" => break,
            _ => {}
        }
    }
    let stored = socket.until("chat.message.new").await;
    (tokens, stored["message"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_llama_cpp_stream_is_read_and_the_answer_links_its_article() {
    let (base, _provider) = start_provider().await;
    let server = server_with(&base, "llama").await;
    let mut socket = visitor(&server).await;
    let (tokens, stored) = answer_to(&mut socket, "How much does shipping cost?").await;
    assert_eq!(tokens, TOKENS, "no token from the null and empty deltas");
    assert_eq!(stored["content"], TOKENS.concat());
    assert_eq!(
        stored["source"],
        json!({"title": "Shipping and delivery", "url": "/help/demo/shipping"})
    );
    assert!(stored.get("offersHuman").is_none(), "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_models_offer_of_a_person_is_a_fact_and_yes_reaches_one() {
    let (base, provider) = start_provider().await;
    let server = server_with(&base, "unsure").await;
    let mut socket = visitor(&server).await;
    let (tokens, stored) = answer_to(&mut socket, "Do you sell tea?").await;
    let shown = tokens.concat();
    assert!(
        !shown.contains('['),
        "the mark never reaches a screen: {shown}"
    );
    assert_eq!(
        stored["content"],
        "I'm not sure about that. Shall I connect you with someone from our team? "
    );
    assert_eq!(stored["offersHuman"], true);
    assert!(
        stored.get("source").is_none(),
        "no article answered: {stored}"
    );
    let system = provider.requests.lock().unwrap()[0].1["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(system.contains("There is no shop information"), "{system}");

    socket
        .send(json!({"type": "chat", "content": "yes please"}))
        .await;
    let before = socket.until_handed_over().await;
    assert!(
        before.iter().all(|f| f["type"] != "stream-start"),
        "a person, not another answer: {before:?}"
    );
}

async fn assert_handover(model: &str) {
    let (base, _provider) = start_provider().await;
    let server = server_with(&base, model).await;
    let mut log = server.log_lines();
    let mut socket = visitor(&server).await;
    socket
        .send(json!({"type": "chat", "content": "Where is my order?"}))
        .await;
    socket.until("stream-end").await;
    let handover = loop {
        let frame = socket.until("chat.message.new").await;
        if frame["message"]["sender"]["kind"] == "ai"
            && frame["message"]["content"]
                .as_str()
                .unwrap()
                .contains("A human agent will join")
        {
            break frame;
        }
    };
    assert!(handover["message"]["content"]
        .as_str()
        .unwrap()
        .starts_with("Sorry"));
    let updated = socket.until("chat.session.updated").await;
    assert_eq!(updated["session"]["status"], "pending");
    // The cause is in the log for the operator.
    let logged = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Ok(line) = log.recv().await {
            if line.contains("the AI could not answer") {
                return line;
            }
        }
        String::new()
    })
    .await
    .unwrap();
    assert!(!logged.is_empty());
    // From now on a person answers: the AI is silent.
    socket.assert_no_answer("Hello?").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_key_hands_over_to_a_person() {
    assert_handover("refuses").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_stream_hands_over_to_a_person() {
    assert_handover("stalls").await;
}
