//! `switchboard admin` and `--demo` as an operator uses them, against a real SQLite file.

use crate::common;

use common::{post, sqlite_url, TestServer};
use serde_json::json;
use std::process::Output;

async fn admin(args: &[&str], db: &str, stdin: Option<&str>) -> Output {
    common::admin_output(args, db, stdin).await
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[tokio::test]
async fn tenants_and_agents_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());

    let created = admin(
        &[
            "tenant",
            "create",
            "Acme Shoes",
            "--origin",
            "https://shop.acme.example/",
            "--public-url",
            "https://chat.acme.example",
        ],
        &db,
        None,
    )
    .await;
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let out = stdout(&created);
    let key = out.lines().last().unwrap().trim().to_string();
    assert_eq!(
        key.len(),
        24,
        "the widget key is alone on the last line: {out}"
    );
    assert!(out.contains(&format!(
        "<script src=\"https://chat.acme.example/widget.js\" data-widget-key=\"{key}\" async></script>"
    )));

    let listed = stdout(&admin(&["tenant", "list"], &db, None).await);
    assert!(
        listed.contains(&key)
            && listed.contains("Acme Shoes")
            && listed.contains("https://shop.acme.example")
    );

    // The password comes from stdin, never a flag.
    let agent = admin(
        &[
            "agent",
            "create",
            "--tenant",
            &key,
            "--email",
            "zoe@acme.example",
            "--name",
            "Zoe",
        ],
        &db,
        Some("correct horse battery\n"),
    )
    .await;
    assert!(
        agent.status.success(),
        "{}",
        String::from_utf8_lossy(&agent.stderr)
    );
    let again = admin(
        &[
            "agent",
            "create",
            "--tenant",
            &key,
            "--email",
            "ZOE@acme.example",
            "--name",
            "Zoe 2",
        ],
        &db,
        Some("correct horse battery\n"),
    )
    .await;
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let short = admin(
        &[
            "agent",
            "create",
            "--tenant",
            &key,
            "--email",
            "amy@acme.example",
            "--name",
            "Amy",
        ],
        &db,
        Some("short\n"),
    )
    .await;
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8"));
    let listed = stdout(&admin(&["agent", "list", "--tenant", &key], &db, None).await);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.starts_with("zoe@acme.example\tZoe\t"));

    // The agent signs in to a server on that database, then with a reset password.
    let secret = "s".repeat(40);
    let server = TestServer::start_env_db(&db, &[("SWITCHBOARD_JWT_SECRET", &secret)]).await;
    let login = |password: &'static str| {
        let url = server.http("/api/v1/auth/login");
        async move {
            post(
                &url,
                None,
                json!({"email": "zoe@acme.example", "password": password}),
            )
            .await
            .status
        }
    };
    assert_eq!(login("correct horse battery").await, 200);
    let reset = admin(
        &["agent", "reset-password", "--email", "zoe@acme.example"],
        &db,
        Some("new password 42\n"),
    )
    .await;
    assert!(reset.status.success());
    assert_eq!(login("correct horse battery").await, 401);
    assert_eq!(login("new password 42").await, 200);
    // No demo data without --demo.
    let demo = post(
        &server.http("/api/v1/auth/login"),
        None,
        json!({"email": "agent1@callcenter.com", "password": "Password123!"}),
    )
    .await;
    assert_eq!(demo.status, 401);
}

#[tokio::test]
async fn demo_data_is_created_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    for _ in 0..2 {
        let server = TestServer::start_db(&db, &["--demo"]).await;
        let (status, _) = server.terminate().await;
        assert!(status.success());
    }
    let tenants = stdout(&admin(&["tenant", "list"], &db, None).await);
    assert_eq!(tenants.lines().count(), 1, "{tenants}");
    assert!(tenants.starts_with("demo\tDemo"));
    let agents = stdout(&admin(&["agent", "list", "--tenant", "demo"], &db, None).await);
    let emails: Vec<&str> = agents
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(emails, ["agent1@callcenter.com", "agent2@callcenter.com"]);
}

#[tokio::test]
async fn a_demo_install_keeps_its_generated_secret_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let server = TestServer::start_db(&db, &["--demo"]).await;
    let login = post(
        &server.http("/api/v1/auth/login"),
        None,
        json!({"email": "agent1@callcenter.com", "password": "Password123!"}),
    )
    .await;
    let token = login.body["token"].as_str().unwrap().to_string();
    server.terminate().await;
    let server = TestServer::start_db(&db, &["--demo"]).await;
    let me = common::get_json(&server.http("/api/v1/auth/me"), Some(&token)).await;
    assert_eq!(
        me.status, 200,
        "a restart does not sign agents out: {}",
        me.body
    );
}
