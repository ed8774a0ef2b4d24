//! A tenant's look in the widget (docs/protocol.md, "Appearance"): set by its admins over REST
//! or `admin tenant set`, checked, and served to every visitor: the messenger page drawn in it,
//! `widget.js`'s config open to any origin, and the avatar as a sniffed, sandboxed image.

use crate::common;

use common::{chat, get, get_json, request, TestServer};
use serde_json::json;

const AVATAR: &[u8] = include_bytes!("fixtures/avatar.png");
const SETTINGS: &str = "/api/v1/settings/appearance";

/// `PUT url` with `bytes` as the whole body.
async fn put_bytes(
    url: String,
    token: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, serde_json::Value) {
    let (token, content_type) = (token.to_string(), content_type.to_string());
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .put(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", &content_type)
            .send(&bytes[..])
            .expect("answered");
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (
            response.status().as_u16(),
            serde_json::from_str(&text).unwrap_or_default(),
        )
    })
    .await
    .unwrap()
}

/// `GET url`: the status, the headers (lower-case names) and the body's bytes.
async fn get_bytes(url: String) -> (u16, Vec<(String, String)>, Vec<u8>) {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent.get(&url).call().expect("answered");
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let bytes = response.body_mut().read_to_vec().unwrap_or_default();
        (response.status().as_u16(), headers, bytes)
    })
    .await
    .unwrap()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[tokio::test]
async fn admins_set_the_widgets_look_and_every_visitor_gets_it() {
    let server = TestServer::start_with(&["--demo"]).await;
    let (admin, _) = chat::login(&server, "agent1@callcenter.com").await;
    let (agent, _) = chat::login(&server, "agent2@callcenter.com").await;
    let url = server.http(SETTINGS);

    let before = get_json(&url, Some(&admin)).await;
    assert_eq!(
        before.body,
        json!({"tenantName": "Demo", "title": null, "colour": null, "launcher": "right", "avatarUrl": null})
    );
    assert_eq!(
        get_json(&url, Some(&agent)).await.status,
        403,
        "admins only"
    );

    let look = json!({"title": "  Koffie Kade ", "colour": "#7A4A21", "launcher": "left"});
    let saved = request("PUT", &url, Some(&admin), Some(look)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["title"], "Koffie Kade");
    assert_eq!(saved.body["colour"], "#7a4a21");

    // Refused, and nothing changes.
    for bad in [
        json!({"colour": "brown"}),
        json!({"colour": "#7a4a21; background: url(x)"}),
        json!({"title": "x".repeat(61)}),
        json!({"title": "two\nlines"}),
        json!({"launcher": "top"}),
    ] {
        let refused = request("PUT", &url, Some(&admin), Some(bad.clone())).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.body);
    }
    assert_eq!(get_json(&url, Some(&admin)).await.body, saved.body);

    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(
        widget.body["look"],
        json!({"title": "Koffie Kade", "colour": "#7a4a21", "onColour": "#ffffff", "launcher": "left"})
    );
    assert_eq!(
        widget.header("access-control-allow-origin"),
        Some("*"),
        "widget.js reads it from the shop's origin"
    );
    let page = get(&server.http("/widget/demo")).await;
    assert!(page.body.contains("<h1>Koffie Kade</h1>"), "{}", page.body);
    assert!(
        page.body
            .contains("--brand: #7a4a21; --brand-ink: #ffffff;"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(">KK</span>"),
        "the title's initials: {}",
        page.body
    );
}

#[tokio::test]
async fn an_avatar_is_an_image_by_its_bytes_within_the_limit_and_served_sandboxed() {
    let server = TestServer::start_with(&["--demo", "--max-avatar-bytes", "1000"]).await;
    let (admin, _) = chat::login(&server, "agent1@callcenter.com").await;
    let (agent, _) = chat::login(&server, "agent2@callcenter.com").await;
    let url = server.http(&format!("{SETTINGS}/avatar"));

    // An SVG or HTML page is no avatar, whatever it says it is; nor is too big a PNG.
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let (status, body) = put_bytes(url.clone(), &admin, "image/png", svg).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (415, Some("avatar_type_not_allowed"))
    );
    let mut big = AVATAR.to_vec();
    big.resize(1001, 0);
    let (status, body) = put_bytes(url.clone(), &admin, "image/png", big).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("avatar_too_large"))
    );
    let (status, _) = put_bytes(url.clone(), &agent, "image/png", AVATAR.to_vec()).await;
    assert_eq!(status, 403, "admins only");
    assert_eq!(
        get_json(&server.http(SETTINGS), Some(&admin)).await.body["avatarUrl"],
        json!(null)
    );

    // Sent as something else entirely, a PNG is stored and served as the PNG it is.
    let (status, body) = put_bytes(url.clone(), &admin, "text/html", AVATAR.to_vec()).await;
    assert_eq!(status, 200, "{body}");
    let avatar_url = body["avatarUrl"].as_str().unwrap().to_string();
    assert!(
        avatar_url.starts_with("/api/v1/chat/public/widget/demo/avatar?v="),
        "{avatar_url}"
    );
    let (status, headers, bytes) = get_bytes(server.http(&avatar_url)).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, AVATAR);
    assert_eq!(header(&headers, "content-type"), "image/png");
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(&headers, "content-security-policy"), "sandbox");
    assert!(header(&headers, "cache-control").contains("immutable"));
    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(widget.body["look"]["avatarUrl"], avatar_url.as_str());
    let page = get(&server.http("/widget/demo")).await;
    assert!(
        page.body.contains(&avatar_url.replace('&', "&amp;")),
        "the messenger shows it"
    );

    // Back to initials: the image is gone.
    let removed = request("DELETE", &url, Some(&admin), None).await;
    assert_eq!(removed.body["avatarUrl"], json!(null));
    assert_eq!(get_bytes(server.http(&avatar_url)).await.0, 404);
}

#[tokio::test]
async fn admin_tenant_set_changes_the_look_and_keeps_text_on_a_light_colour_readable() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let avatar = dir.path().join("logo.png");
    std::fs::write(&avatar, AVATAR).unwrap();
    let shown = common::admin(
        &server,
        &[
            "tenant",
            "set",
            "demo",
            "--colour",
            "#FFD500",
            "--title",
            "Zon",
            "--launcher",
            "left",
            "--avatar",
            avatar.to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        shown.contains("colour:     #ffd500 (text on it: #000000)"),
        "{shown}"
    );
    assert!(shown.contains("avatar:     an uploaded image"), "{shown}");
    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(
        widget.body["look"]["onColour"], "#000000",
        "black on yellow: AA"
    );
    assert_eq!(widget.body["look"]["launcher"], "left");
    assert!(widget.body["look"]["avatarUrl"].is_string());

    let shown = common::admin(
        &server,
        &["tenant", "set", "demo", "--colour", "", "--avatar", "none"],
    )
    .await;
    assert!(shown.contains("colour:     #2f5bea"), "{shown}");
    assert!(
        shown.contains("avatar:     the title's initials"),
        "{shown}"
    );
    let refused = common::admin_output(
        &["tenant", "set", "demo", "--colour", "yellow"],
        &server.database_url(),
        None,
    )
    .await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("#rrggbb"));
}
