//! `/ws/echo` against the real server, with a real WebSocket client: every case of the original FastAPI echo server,
//! binary frames, the original JSON echo mode, and the 1 MiB limit.

use crate::common;

use common::TestServer;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::{connect_async, tungstenite::Message};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(server: &TestServer, path: &str) -> Socket {
    let (socket, response) = connect_async(server.ws(path)).await.expect("handshake");
    assert_eq!(response.status(), 101);
    socket
}

async fn next_text(socket: &mut Socket) -> String {
    match socket.next().await.expect("a frame").expect("no error") {
        Message::Text(text) => text.to_string(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

#[tokio::test]
async fn every_seed_000_case_echoes_with_the_prefix() {
    let server = TestServer::start().await;
    let mut socket = connect(&server, "/ws/echo").await;

    let long = "x".repeat(200 * 1024);
    let cases = [
        "Hello WebSocket!",
        "Testing from Postman",
        "12345",
        "3.14159",
        "!@#$%^&*()_+-=[]{}|;':\",./<>?`~\\",
        r#"{"type": "test", "message": "JSON message"}"#,
        long.as_str(),
        "",
        "🚀 Unicode and emojis work too! 🎉",
        "Grüße, こんにちは, مرحبا, Здравствуйте",
    ];
    for case in cases {
        socket.send(Message::text(case)).await.expect("send");
        let answer = next_text(&mut socket).await;
        assert_eq!(
            answer,
            format!("Echo: {case}"),
            "echo of a {}-byte message",
            case.len()
        );
    }
    socket.close(None).await.expect("close");
}

#[tokio::test]
async fn binary_frames_echo_as_binary() {
    let server = TestServer::start().await;
    let mut socket = connect(&server, "/ws/echo").await;
    let bytes: Vec<u8> = (0..=255u8).collect();
    socket.send(Message::binary(bytes.clone())).await.unwrap();
    match socket.next().await.unwrap().unwrap() {
        Message::Binary(echoed) => assert_eq!(echoed.as_ref(), bytes.as_slice()),
        other => panic!("expected binary, got {other:?}"),
    }
}

#[tokio::test]
async fn json_format_speaks_seed_001() {
    let server = TestServer::start().await;
    let mut socket = connect(&server, "/ws/echo?format=json").await;

    let hello: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(hello["type"], "connection");
    assert_eq!(hello["message"], "Connected to WebSocket server");
    assert!(hello["timestamp"].is_string());

    socket.send(Message::text("Hello 🎉")).await.unwrap();
    let echo: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(echo["type"], "echo");
    assert_eq!(echo["message"], "Server received: Hello 🎉");
    assert_eq!(echo["original_message"], "Hello 🎉");
    let stamp = echo["timestamp"].as_str().unwrap();
    assert!(
        stamp.len() == 24 && stamp.ends_with('Z') && &stamp[10..11] == "T",
        "RFC 3339 UTC: {stamp}"
    );
}

#[tokio::test]
async fn a_frame_over_one_mebibyte_closes_with_1009() {
    let server = TestServer::start().await;
    let mut socket = connect(&server, "/ws/echo").await;
    let _ = socket
        .send(Message::text("y".repeat(1024 * 1024 + 1)))
        .await;
    let close = match socket.next().await {
        Some(Ok(Message::Close(frame))) => frame,
        other => panic!("expected a close frame, got {other:?}"),
    };
    assert_eq!(u16::from(close.expect("a close frame").code), 1009);
}

#[tokio::test]
async fn connections_and_closes_are_logged_and_sigterm_closes_sockets_with_1001() {
    let server = TestServer::start().await;
    let mut closed_by_client = connect(&server, "/ws/echo").await;
    closed_by_client.close(None).await.unwrap();
    while closed_by_client.next().await.is_some() {}

    let mut open = connect(&server, "/ws/echo").await;
    open.send(Message::text("still here")).await.unwrap();
    assert_eq!(next_text(&mut open).await, "Echo: still here");

    common::signal(server.pid(), "TERM");
    let close = loop {
        match open.next().await {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.expect("close frame").code), 1001);
    drop(open);

    let (status, logs) = server.terminate_after_signal().await;
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
    let log = logs.join("\n");
    assert_eq!(log.matches("echo socket connected").count(), 2, "{log}");
    assert!(log.contains("closed by client"), "{log}");
    assert!(log.contains("server shutting down"), "{log}");
    assert!(log.contains("stopped cleanly"), "{log}");
}
