//! Who the visitor is and where (docs/design.md, "Visitors"): the widget reports the page
//! around it as the visitor moves through the shop, the socket's User-Agent tells their
//! browser and system, and their sockets count for their presence under the same rules as an
//! agent's (online while a page is open and used, away when not, offline once none is open or
//! its node is gone). What is reported is stored on the session without moving it up the inbox.

use super::{
    presence::{now_ms, seen_status, Party},
    Hub, HubError, HubResult, VisitorActor,
};
use crate::protocol::{
    PageVisit, PresenceStatus, ServerEvent, Timestamp, Visit, VisitorPresence, MAX_PAGE_FIELD_BYTES,
};
use crate::server::broker::{visitors_roster, Event, SocketPresence, Topic};
use crate::server::timeline::Audience;
use std::collections::HashMap;

/// What a widget's page report may hold.
#[derive(Debug, Clone, Copy)]
pub struct VisitRules {
    /// The longest page address, title or referrer, in bytes.
    pub max_field_bytes: usize,
}

impl Default for VisitRules {
    fn default() -> Self {
        Self {
            max_field_bytes: MAX_PAGE_FIELD_BYTES,
        }
    }
}

/// The longest language tag accepted (BCP 47 allows 35 characters for the useful ones).
const MAX_LANGUAGE_CHARS: usize = 35;

/// The visitor's browser and system, read once from the User-Agent their socket opened with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Device {
    /// "Chrome 131".
    pub browser: Option<String>,
    /// "Windows 10", "Mac OSX 10.15.7", "Linux".
    pub os: Option<String>,
}

impl Device {
    pub fn from_user_agent(user_agent: Option<&str>) -> Self {
        let parsed = user_agent.and_then(|ua| woothee::parser::Parser::new().parse(ua));
        let Some(parsed) = parsed else {
            return Self::default();
        };
        let known = |v: &str| {
            (!v.is_empty() && v != woothee::woothee::VALUE_UNKNOWN).then(|| v.to_string())
        };
        let browser = known(parsed.name).map(|name| match known(parsed.version) {
            // The major version is what tells browsers apart; the rest is build numbers.
            Some(version) => format!("{name} {}", version.split('.').next().unwrap_or("")),
            None => name,
        });
        // Windows's version is in its name already ("Windows 10", not "NT 10.0").
        let os = known(parsed.os).map(|os| match known(&parsed.os_version) {
            Some(version) if !os.starts_with("Windows") => format!("{os} {version}"),
            _ => os,
        });
        Self { browser, os }
    }
}

/// A page report as it can be stored, or why not: addresses must be `http(s)`, nothing may
/// be longer than the rules allow or hold control characters, the language must be a
/// language tag and the time zone one of the IANA database's.
pub fn checked_visit(page: PageVisit, rules: VisitRules) -> HubResult<PageVisit> {
    let refuse = |why: String| Err(HubError::InvalidVisit(why));
    let given = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let (url, title, referrer) = (given(page.url), given(page.title), given(page.referrer));
    for (field, value) in [("url", &url), ("title", &title), ("referrer", &referrer)] {
        let Some(value) = value else { continue };
        if value.len() > rules.max_field_bytes {
            return refuse(format!(
                "`{field}` must be at most {} bytes",
                rules.max_field_bytes
            ));
        }
        if value.chars().any(char::is_control) {
            return refuse(format!("`{field}` must not hold control characters"));
        }
    }
    for (field, value) in [("url", &url), ("referrer", &referrer)] {
        let web =
            |v: &String| url::Url::parse(v).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if value.as_ref().is_some_and(|v| !web(v)) {
            return refuse(format!("`{field}` must be an http or https address"));
        }
    }
    let language = given(page.language);
    if language.as_deref().is_some_and(|l| !is_language_tag(l)) {
        return refuse("`language` must be a language tag such as `nl-NL`".into());
    }
    let time_zone = given(page.time_zone);
    if time_zone
        .as_deref()
        .is_some_and(|tz| tz.parse::<chrono_tz::Tz>().is_err())
    {
        return refuse("`timeZone` must be an IANA time zone such as `Europe/Amsterdam`".into());
    }
    Ok(PageVisit {
        url,
        title,
        referrer,
        language,
        time_zone,
    })
}

/// `nl`, `nl-NL`, `zh-Hant-TW`: letters first, then parts of letters and digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    tag.len() <= MAX_LANGUAGE_CHARS
        && (2..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// What is known after a report: a new page replaces the last one (title and all), a new
/// referrer the old one (the widget reports only other sites), the rest what was known.
fn merged(known: Option<Visit>, page: PageVisit, device: &Device, seen_at: Timestamp) -> Visit {
    let known = known.unwrap_or_default();
    let (page_url, page_title) = match page.url {
        Some(url) => (Some(url), page.title),
        None => (known.page_url, page.title.or(known.page_title)),
    };
    Visit {
        page_url,
        page_title,
        referrer: page.referrer.or(known.referrer),
        browser: device.browser.clone().or(known.browser),
        os: device.os.clone().or(known.os),
        language: page.language.or(known.language),
        time_zone: page.time_zone.or(known.time_zone),
        seen_at: Some(seen_at),
    }
}

/// Each visitor's status from their sockets' records; the ones with none live are left out.
fn visitor_statuses(
    records: &[(String, SocketPresence)],
    now: u64,
    idle: std::time::Duration,
) -> HashMap<String, PresenceStatus> {
    let mut by_session: HashMap<&str, Vec<&SocketPresence>> = HashMap::new();
    for (_, record) in records {
        by_session.entry(&record.party_id).or_default().push(record);
    }
    by_session
        .into_iter()
        .map(|(session, records)| {
            (
                session.to_string(),
                seen_status(records.into_iter(), now, idle),
            )
        })
        .filter(|(_, status)| *status != PresenceStatus::Offline)
        .collect()
}

impl Hub {
    /// A visitor's socket opened on this node; its presence record's id (none for a test
    /// conversation, which no agent sees).
    pub async fn visitor_connected(&self, visitor: &VisitorActor) -> Option<String> {
        if visitor.test {
            return None;
        }
        let party = Party::Visitor(visitor.session_id.clone());
        let socket_id = self.socket_opened(&visitor.tenant_id, party);
        self.refresh_visitors(&visitor.tenant_id).await;
        Some(socket_id)
    }

    /// The visitor's widget reports the page it is on: stored, then the agents are told.
    pub async fn visitor_visit(
        &self,
        visitor: &VisitorActor,
        device: &Device,
        page: PageVisit,
    ) -> HubResult<()> {
        let page = checked_visit(page, self.visits)?;
        let session = self.visitor_session(visitor).await?;
        let visit = merged(session.visit, page, device, Timestamp::now());
        self.timeline
            .record_visit(&visitor.tenant_id, &visitor.session_id, visitor.test, visit)
            .await?;
        Ok(())
    }

    /// One of the visitor's pages closed: if it was their last, they were on the site until
    /// now, which is stored (only that: a newer page report is never written over) and told.
    pub(super) async fn visitor_page_closed(&self, tenant_id: &str, session_id: &str) {
        let roster = self
            .timeline
            .broker()
            .presence(&visitors_roster(tenant_id))
            .await;
        let now = now_ms();
        if roster
            .iter()
            .any(|(_, r)| r.party_id == session_id && r.lapses_at_ms > now)
        {
            return;
        }
        let store = self.timeline.store();
        let left = async {
            store
                .set_visitor_seen(session_id, &Timestamp::now().0)
                .await?;
            store.session(tenant_id, session_id, None).await
        };
        match left.await {
            Ok(Some(session)) if !session.test => {
                let visit = session.visit.unwrap_or_default();
                let session_id = session_id.to_string();
                let event = ServerEvent::VisitorVisit { session_id, visit };
                self.timeline
                    .announce(Audience::Agents { tenant_id }, event);
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(session = %session_id, %error, "cannot store when the visitor left")
            }
        }
    }

    /// The tenant's visitors on the site now.
    pub async fn visitors_present(&self, tenant_id: &str) -> Vec<VisitorPresence> {
        let records = self
            .timeline
            .broker()
            .presence(&visitors_roster(tenant_id))
            .await;
        let mut present: Vec<VisitorPresence> =
            visitor_statuses(&records, now_ms(), self.presence.times.idle)
                .into_iter()
                .map(|(session_id, status)| VisitorPresence { session_id, status })
                .collect();
        present.sort_by(|a, b| a.session_id.cmp(&b.session_id));
        present
    }

    /// Works the tenant's visitors' presence out again and tells this node's agent sockets
    /// what changed (`visitor.presence`).
    pub(super) async fn refresh_visitors(&self, tenant_id: &str) {
        let _one_at_a_time = self.presence.refreshing.lock().await;
        let records = self
            .timeline
            .broker()
            .presence(&visitors_roster(tenant_id))
            .await;
        let now = visitor_statuses(&records, now_ms(), self.presence.times.idle);
        let changed: Vec<(String, PresenceStatus)> = {
            let mut told = self.presence.visitors_told.lock().expect("presence lock");
            let before = told.entry(tenant_id.to_string()).or_default();
            let mut changed: Vec<_> = now
                .iter()
                .filter(|(session, status)| before.get(*session) != Some(status))
                .map(|(session, status)| (session.clone(), *status))
                .collect();
            let gone = before.keys().filter(|session| !now.contains_key(*session));
            changed.extend(gone.map(|session| (session.clone(), PresenceStatus::Offline)));
            *before = now;
            changed
        };
        let topic = [Topic::Tenant(tenant_id.to_string())];
        for (session_id, status) in changed {
            let event = ServerEvent::VisitorPresence { session_id, status };
            self.timeline
                .broker()
                .publish_here(&topic, Event::new(event));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1";
    const FIREFOX_WINDOWS: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn browsers_and_systems_read_from_user_agents() {
        let chrome = Device::from_user_agent(Some(CHROME_LINUX));
        assert_eq!(chrome.browser.as_deref(), Some("Chrome 131"));
        assert_eq!(chrome.os.as_deref(), Some("Linux"));
        let firefox = Device::from_user_agent(Some(FIREFOX_WINDOWS));
        assert_eq!(firefox.browser.as_deref(), Some("Firefox 133"));
        assert_eq!(firefox.os.as_deref(), Some("Windows 10"));
        let safari = Device::from_user_agent(Some(SAFARI_IPHONE));
        assert_eq!(safari.browser.as_deref(), Some("Safari 17"));
        assert_eq!(safari.os.as_deref(), Some("iPhone 17.2"));
        assert_eq!(Device::from_user_agent(Some("curl/8.5.0")).os, None);
        assert_eq!(Device::from_user_agent(None), Device::default());
    }

    fn page(url: &str) -> PageVisit {
        PageVisit {
            url: Some(url.into()),
            ..PageVisit::default()
        }
    }

    #[test]
    fn page_reports_are_checked() {
        let rules = VisitRules {
            max_field_bytes: 40,
        };
        assert!(checked_visit(page("https://shop.example/boots"), rules).is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://shop.example/",
            "/boots",
            "https://shop.example/an-address-longer-than-forty-bytes",
        ] {
            assert!(
                checked_visit(page(bad), rules).is_err(),
                "{bad} was accepted"
            );
        }
        let titled = |title: &str| PageVisit {
            title: Some(title.into()),
            ..PageVisit::default()
        };
        assert!(checked_visit(titled("Boots\u{0}"), rules).is_err());
        let spoken = |language: &str| PageVisit {
            language: Some(language.into()),
            ..PageVisit::default()
        };
        assert!(checked_visit(spoken("zh-Hant-TW"), rules).is_ok());
        assert!(checked_visit(spoken("<b>"), rules).is_err());
        let zoned = |tz: &str| PageVisit {
            time_zone: Some(tz.into()),
            ..PageVisit::default()
        };
        assert!(checked_visit(zoned("Europe/Amsterdam"), rules).is_ok());
        assert!(checked_visit(zoned("Mars/Olympus"), rules).is_err());
        let blank = checked_visit(titled("   "), rules).expect("blank is not given");
        assert_eq!(blank.title, None);
    }

    #[test]
    fn a_new_page_replaces_the_last_and_the_rest_is_kept() {
        let first = PageVisit {
            url: Some("https://shop.example/".into()),
            title: Some("Home".into()),
            referrer: Some("https://search.example/?q=boots".into()),
            language: Some("nl-NL".into()),
            time_zone: Some("Europe/Amsterdam".into()),
        };
        let device = Device {
            browser: Some("Chrome 131".into()),
            os: Some("Linux".into()),
        };
        let at = Timestamp("2026-12-02T10:00:00.000Z".into());
        let known = merged(None, first, &device, at.clone());
        let next = PageVisit {
            url: Some("https://shop.example/boots".into()),
            ..PageVisit::default()
        };
        let now = merged(Some(known.clone()), next, &Device::default(), at);
        assert_eq!(now.page_url.as_deref(), Some("https://shop.example/boots"));
        assert_eq!(now.page_title, None, "the old page's title went with it");
        assert_eq!(now.referrer, known.referrer);
        assert_eq!((now.browser, now.language), (known.browser, known.language));
    }

    #[test]
    fn a_visitor_counts_once_with_their_freshest_socket() {
        let idle = std::time::Duration::from_secs(300);
        let record = |session: &str, active: u64, lapses: u64| {
            (
                format!("socket-{session}-{active}"),
                SocketPresence {
                    party_id: session.into(),
                    active_at_ms: active,
                    lapses_at_ms: lapses,
                },
            )
        };
        let records = [
            record("s1", 1_000, 900_000),
            record("s1", 400_000, 900_000),
            record("s2", 1_000, 900_000),
            record("s3", 400_000, 100_000),
        ];
        let statuses = visitor_statuses(&records, 500_000, idle);
        assert_eq!(statuses.get("s1"), Some(&PresenceStatus::Online));
        assert_eq!(statuses.get("s2"), Some(&PresenceStatus::Away));
        assert_eq!(
            statuses.get("s3"),
            None,
            "a lapsed record counts for nothing"
        );
    }
}
