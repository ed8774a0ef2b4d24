//! Office hours and "leave your email" (docs/design.md, "Office hours"): outside the tenant's
//! hours, in its own time zone, nobody can join and the widget hears when the team is back; a
//! visitor may leave an address, which the agents see. The hours are set around the real clock
//! on the far side of the date line, so the answers are known without waiting for any hour.

use crate::common;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;
use common::{
    chat::{agent_socket, login, start_visitor, visitor_socket},
    get_json, post, request,
    ws::Client,
    TestServer,
};
use serde_json::{json, Value};

const ZONE: &str = "Pacific/Kiritimati";
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The day after tomorrow in Kiritimati (UTC+14), by name: a day the team is surely not in now.
fn a_later_day() -> &'static str {
    let there = Utc::now().with_timezone(&ZONE.parse::<Tz>().unwrap());
    DAYS[(there.weekday().num_days_from_monday() as usize + 2) % 7]
}

async fn set_hours(server: &TestServer, token: &str, body: Value) -> common::JsonReply {
    request(
        "PUT",
        &server.http("/api/v1/settings/hours"),
        Some(token),
        Some(body),
    )
    .await
}

async fn until_team(socket: &mut Client, available: bool) -> Value {
    loop {
        let event = socket.until("team.availability").await;
        if event["available"] == available {
            return event;
        }
    }
}

#[tokio::test]
async fn out_of_hours_nobody_can_join_and_the_widget_hears_when_the_team_is_back() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let _desk = agent_socket(&server, &alice).await;
    let visitor = start_visitor(&server, None).await;
    let mut page = visitor_socket(&server, &visitor.key).await;
    until_team(&mut page, true).await;

    let day = a_later_day();
    let hours = format!("{day} 00:00-24:00");
    let saved = set_hours(&server, &alice, json!({"hours": hours, "timezone": ZONE})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let told = until_team(&mut page, false).await;
    let back_at = told["backAt"]
        .as_str()
        .expect("when the team is back")
        .to_string();
    let widget = get_json(&server.http("/api/v1/chat/public/widget/demo"), None).await;
    assert_eq!(widget.body["teamAvailable"], false);
    assert_eq!(widget.body["backAt"], json!(back_at));
    // Back at midnight of that day, there: within three days from now, in UTC 10:00.
    let back = DateTime::parse_from_rfc3339(&back_at)
        .unwrap()
        .with_timezone(&Utc);
    let there = back.with_timezone(&ZONE.parse::<Tz>().unwrap());
    assert_eq!((there.hour(), there.minute()), (0, 0));
    assert_eq!(DAYS[there.weekday().num_days_from_monday() as usize], day);
    assert!(
        back > Utc::now() && back < Utc::now() + Duration::days(3),
        "{back}"
    );
    assert_eq!((back.hour(), back.minute()), (10, 0), "UTC+14");

    // Every hour of the week: the team can join again, and the widget hears it.
    set_hours(
        &server,
        &alice,
        json!({"hours": "Mon-Sun 00:00-24:00", "timezone": ZONE}),
    )
    .await;
    let told = until_team(&mut page, true).await;
    assert_eq!(told.get("backAt"), None);
    let shown = get_json(&server.http("/api/v1/settings/hours"), Some(&alice)).await;
    assert_eq!(
        shown.body,
        json!({"hours": "Mon-Sun 00:00-24:00", "timezone": ZONE})
    );
}

#[tokio::test]
async fn hours_that_do_not_read_are_refused_in_words() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let (bob, _) = login(&server, "agent2@callcenter.com").await;
    for (body, says) in [
        (
            json!({"hours": "Mon-Fry 08:00-20:00", "timezone": "UTC"}),
            "`Fry` is not a day",
        ),
        (
            json!({"hours": "Mon 20:00-08:00", "timezone": "UTC"}),
            "end after they start",
        ),
        (
            json!({"hours": "Mon 08:00-20:00", "timezone": "Mars/Olympus"}),
            "not a time zone",
        ),
    ] {
        let refused = set_hours(&server, &alice, body).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.body["error"]["code"], "invalid_settings");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let not_admin = set_hours(&server, &bob, json!({"hours": "", "timezone": "UTC"})).await;
    assert_eq!(not_admin.status, 403);
    // Nothing changed: at any hour, in UTC.
    let shown = get_json(&server.http("/api/v1/settings/hours"), Some(&alice)).await;
    assert_eq!(shown.body, json!({"hours": null, "timezone": "UTC"}));
    let shown = common::admin(
        &server,
        &[
            "tenant",
            "set",
            "demo",
            "--hours",
            "Mon-Fri 08:00-20:00,Sat 10:00-16:00",
            "--timezone",
            "Europe/Amsterdam",
        ],
    )
    .await;
    assert!(
        shown.contains("hours:      Mon-Fri 08:00-20:00,Sat 10:00-16:00 (Europe/Amsterdam)"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_visitor_leaves_an_email_and_the_agents_see_it() {
    let server = TestServer::start_with(&["--demo", "--ai", "off"]).await;
    let (alice, _) = login(&server, "agent1@callcenter.com").await;
    let mut desk = agent_socket(&server, &alice).await;
    let visitor = start_visitor(&server, None).await;
    let contact = server.http("/api/v1/chat/public/contact");
    for (body, status) in [
        (
            json!({"sessionKey": visitor.key, "email": "not an address"}),
            422,
        ),
        (
            json!({"sessionKey": "nope", "email": "dana@example.com"}),
            404,
        ),
        (json!({"sessionKey": visitor.key}), 422),
    ] {
        assert_eq!(post(&contact, None, body).await.status, status);
    }
    let left = post(
        &contact,
        None,
        json!({"sessionKey": visitor.key, "email": " dana@example.com "}),
    )
    .await;
    assert_eq!(left.status, 200, "{}", left.body);
    assert_eq!(left.body["visitor"]["email"], "dana@example.com");
    let updated = loop {
        let event = desk.until("chat.session.updated").await;
        if event["session"]["id"] == json!(visitor.session_id) {
            break event;
        }
    };
    assert_eq!(updated["session"]["visitor"]["email"], "dana@example.com");
    assert_eq!(
        updated["session"]["lastMessage"]["content"],
        "The visitor left an email address for a reply: dana@example.com"
    );
    let inbox = get_json(&server.http("/api/v1/chat/sessions"), Some(&alice)).await;
    assert_eq!(inbox.body[0]["visitor"]["email"], "dana@example.com");
}
