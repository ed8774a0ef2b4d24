//! The embed: `/widget.js`, and the messenger page it frames, which only the tenant's own
//! sites may embed.

use crate::common;

use common::{get, TestServer};
use serde_json::json;

#[tokio::test]
async fn the_messenger_page_is_framed_only_by_the_tenants_sites() {
    let server = TestServer::start().await;

    let loader = get(&server.http("/widget.js")).await;
    assert_eq!(loader.status, 200);
    assert!(
        loader.body.contains("data-widget-key"),
        "the loader reads its key"
    );
    assert!(loader
        .header("content-type")
        .unwrap_or("")
        .contains("javascript"));

    let page = get(&server.http("/widget/demo")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<h1>Demo</h1>"),
        "the tenant's name is rendered"
    );
    assert!(
        page.body.contains("/messenger/switchboard.js"),
        "the messenger's own bundle"
    );
    assert!(
        !page.body.contains("/pkg/switchboard.js"),
        "not the dashboard's bundle"
    );
    let policy = page.header("content-security-policy").unwrap_or_default();
    assert!(policy.ends_with("; frame-ancestors 'self'"), "{policy}");

    // The tenant's allowed origins may frame it too, as soon as they are set.
    set_demo_tenant(&server, &["--origin", "https://shop.example"]).await;
    let page = get(&server.http("/widget/demo")).await;
    let policy = page.header("content-security-policy").unwrap_or_default();
    assert!(
        policy.ends_with("; frame-ancestors 'self' https://shop.example"),
        "{policy}"
    );

    let unknown = get(&server.http("/widget/no-such-key")).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn what_a_tenant_writes_is_escaped_in_the_messenger_page() {
    let server = TestServer::start().await;
    set_demo_tenant(&server, &["--greeting", "<script>alert(1)</script>"]).await;
    let page = get(&server.http("/widget/demo")).await;
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
}

/// `switchboard admin tenant set demo ARGS…` on the server's database.
async fn set_demo_tenant(server: &TestServer, args: &[&str]) {
    let mut full = vec!["tenant", "set", "demo"];
    full.extend_from_slice(args);
    common::admin(server, &full).await;
}

#[tokio::test]
async fn the_help_center_lists_and_shows_a_tenants_articles_safely() {
    let server = TestServer::start_with(&["--demo"]).await;
    let index = get(&server.http("/help/demo")).await;
    assert_eq!(index.status, 200);
    assert!(
        index.body.contains("<h1>Demo help center</h1>"),
        "{}",
        index.body
    );
    assert!(index.body.contains(r#"href="/help/demo/shipping""#));
    assert!(index.body.contains("Shipping and delivery"));

    let article = get(&server.http("/help/demo/shipping")).await;
    assert_eq!(article.status, 200);
    assert!(
        article.body.contains("<h2>Delivery times</h2>"),
        "{}",
        article.body
    );
    assert!(article
        .body
        .contains("Shipping and delivery · Demo help center"));

    // What an admin writes is rendered as markdown, with no raw HTML or script links.
    let token = common::chat::login(&server, "agent1@callcenter.com")
        .await
        .0;
    let hostile = json!({"title": "Tricks", "body": "## Hi\n<script>alert(1)</script>\n\nSome **bold** and [a link](javascript:alert(2))."});
    let created = common::post(
        &server.http("/api/v1/knowledge/articles"),
        Some(&token),
        hostile,
    )
    .await;
    assert_eq!(created.status, 201);
    let page = get(&server.http("/help/demo/tricks")).await;
    assert!(page.body.contains("<strong>bold</strong>"), "{}", page.body);
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(
        page.body.contains("&lt;script&gt;alert(1)"),
        "shown as text: {}",
        page.body
    );
    assert!(!page.body.contains("javascript:"), "{}", page.body);

    assert_eq!(
        get(&server.http("/help/demo/no-such-article")).await.status,
        404
    );
    assert_eq!(get(&server.http("/help/no-such-key")).await.status, 404);
}
