//! The embed: `/widget.js`, and the messenger page it frames, which only the tenant's own
//! sites may embed.

use crate::common;

use common::{get, TestServer};

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
    let db = server.database_url();
    let mut full = vec!["admin", "tenant", "set", "demo"];
    full.extend_from_slice(args);
    full.extend(["--database-url", db.as_str()]);
    let out = common::command(&full).output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
