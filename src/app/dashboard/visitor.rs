//! "About the visitor": the open conversation's side panel, as support desks have one. Who the
//! visitor is (the name and email they gave) and where: whether they are on the site now, the
//! page they are on, the site they came from, their browser, language and local time, as their
//! widget last reported them (`Session.visit`, kept up to date by `visitor.visit`). Facts not
//! known are left out.
//!
//! The panel is a `<details>`: a column beside the thread on a wide screen, open and not
//! foldable; above the thread on a narrower one, folded until the agent opens it, so that it
//! never squeezes the messages (public/chat.css lays both out).
//!
//! Above the facts, a shop's verified customer says so ([`identity`]); below them, the
//! visitor's other conversations ([`history`]).
//!
//! Also the inbox's dot for a visitor on the site ([`OnSiteDot`]).

mod browser;
mod history;
mod identity;

use super::desk::Desk;
use crate::client::time::{ago, minute_clock, ms_since, time_in_zone};
use crate::protocol::{PresenceStatus, Session, Visit, Visitor};
use leptos::prelude::*;

/// The side panel of the open conversation.
#[component]
pub fn VisitorPanel(desk: Desk, session: Memo<Option<Session>>) -> impl IntoView {
    let wide = browser::wide_screen();
    let facts = Facts::of(desk, session);
    view! {
        <aside class="conversation__visitor" aria-label="About the visitor">
            <details class="visitor-panel" prop:open=move || wide.get()>
                // On a wide screen the panel is a column of its own, with nothing to fold: the
                // summary is only its title there, neither a tab stop nor a toggle.
                <summary
                    class="visitor-panel__summary"
                    tabindex=move || wide.get().then_some("-1")
                    on:click=move |ev| {
                        if wide.get_untracked() {
                            ev.prevent_default();
                        }
                    }
                >
                    <h3 class="visitor-panel__title">"About the visitor"</h3>
                </summary>
                <div class="visitor-panel__body">
                    <identity::VerifiedBadge user_id=facts.verified />
                    <Show when=move || facts.any_known() fallback=|| view! { <NothingKnown /> }>
                        <dl class="visitor-panel__facts">
                            <StatusFact facts />
                            <PlaceFacts facts />
                            <DeviceFacts facts />
                            <ContactFacts facts />
                        </dl>
                    </Show>
                    <history::OtherConversations desk session />
                </div>
            </details>
        </aside>
    }
}

/// After a visitor's name in the inbox while they are on the site: a green dot while they use
/// the page, a hollow amber one while it is in a background tab, each with its words for
/// screen readers. Nothing once they left.
#[component]
pub fn OnSiteDot(desk: Desk, session_id: String) -> impl IntoView {
    move || {
        let (tone, words) = on_site(desk.visitor_presence(&session_id)?)?;
        // The space keeps the name and the words apart for screen readers too ("Dana On the
        // site now", not "DanaOn the site now").
        Some(view! {
            " "
            <span class=format!("visitor-dot visitor-dot--{tone}") title=words aria-hidden="true"></span>
            <span class="visually-hidden">{words}</span>
        })
    }
}

/// What the panel shows, each part followed on its own: a change redraws only the rows that
/// show it (a row redrawn under the keyboard would lose the focus on its link).
#[derive(Clone, Copy)]
struct Facts {
    presence: Memo<Option<PresenceStatus>>,
    visitor: Memo<Visitor>,
    visit: Memo<Option<Visit>>,
    /// The shop's id of a verified customer.
    verified: Memo<Option<String>>,
    /// Now, moving on each minute: "left 12 min ago" and the local time follow it.
    now: Signal<f64>,
}

impl Facts {
    fn of(desk: Desk, session: Memo<Option<Session>>) -> Self {
        Self {
            presence: Memo::new(move |_| {
                let id = session.with(|s| s.as_ref().map(|s| s.id.clone()))?;
                desk.visitor_presence(&id)
            }),
            visitor: Memo::new(move |_| {
                session.with(|s| s.as_ref().map(|s| s.visitor.clone()).unwrap_or_default())
            }),
            visit: Memo::new(move |_| session.with(|s| s.as_ref().and_then(|s| s.visit.clone()))),
            verified: Memo::new(move |_| {
                session.with(|s| s.as_ref().and_then(|s| s.verified_user_id.clone()))
            }),
            now: minute_clock(),
        }
    }

    /// One field of the visit, followed on its own.
    fn part(self, field: fn(&Visit) -> Option<String>) -> Memo<Option<String>> {
        Memo::new(move |_| self.visit.with(|v| v.as_ref().and_then(field)))
    }

    fn any_known(self) -> bool {
        self.presence.with(Option::is_some)
            || self.visit.with(Option::is_some)
            || self.verified.with(Option::is_some)
            || self.visitor.with(|v| v.name.is_some() || v.email.is_some())
    }
}

/// What the panel says when it knows nothing at all.
#[component]
fn NothingKnown() -> impl IntoView {
    view! {
        <p class="muted visitor-panel__none">
            "Nothing is known about this visitor yet. The page they are on, their browser and their local time show here when they visit the site."
        </p>
    }
}

/// One row of the list: what it is, and its value.
#[component]
fn Fact(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="visitor-panel__fact">
            <dt>{label}</dt>
            <dd>{children()}</dd>
        </div>
    }
}

/// Whether the visitor is on the site now, or since when they are not.
#[component]
fn StatusFact(facts: Facts) -> impl IntoView {
    let tone = move || {
        facts
            .presence
            .get()
            .and_then(on_site)
            .map_or("offline", |(tone, _)| tone)
    };
    let words = move || {
        let left_ago = facts
            .visit
            .with(|v| v.as_ref().and_then(|v| v.seen_at.clone()))
            .and_then(|at| ms_since(&at.0, facts.now.get()))
            .map(ago);
        status_line(
            facts.presence.get(),
            facts.visit.with(Option::is_some),
            left_ago,
        )
    };
    view! {
        <div class="visitor-panel__fact">
            // The line speaks for itself on screen; screen readers hear what it is.
            <dt class="visually-hidden">"Status"</dt>
            <dd class="visitor-panel__status">
                <span class=move || format!("visitor-dot visitor-dot--{}", tone()) aria-hidden="true"></span>
                {words}
            </dd>
        </div>
    }
}

/// Where the visitor is: the page, and the site they came from.
#[component]
fn PlaceFacts(facts: Facts) -> impl IntoView {
    let page = Memo::new(move |_| facts.visit.with(|v| v.as_ref().and_then(page_of)));
    let referrer = facts.part(|v| v.referrer.clone());
    view! {
        {move || page.get().map(|page| view! { <Fact label="Page"><PageLink page /></Fact> })}
        {move || referrer.get().map(|url| {
            let host = host_of(&url).unwrap_or(url.as_str()).to_string();
            view! { <Fact label="Came from"><span title=url>{host}</span></Fact> }
        })}
    }
}

/// The page, as a link that opens in a new tab (as words alone if its address is no web one).
#[component]
fn PageLink(page: Page) -> impl IntoView {
    match page.address {
        Some(address) => {
            let full = address.clone();
            view! {
                <a href=address title=full target="_blank" rel="noopener noreferrer nofollow">
                    {page.text}
                    <span class="visually-hidden">" (opens in a new tab)"</span>
                </a>
            }
            .into_any()
        }
        None => view! { <span>{page.text}</span> }.into_any(),
    }
}

/// What the visitor uses: browser and system, language, and the time where they are.
#[component]
fn DeviceFacts(facts: Facts) -> impl IntoView {
    let browser = Memo::new(move |_| {
        facts.visit.with(|v| {
            let v = v.as_ref()?;
            browser_line(v.browser.as_deref(), v.os.as_deref())
        })
    });
    let language = facts.part(|v| v.language.clone());
    let time_zone = facts.part(|v| v.time_zone.clone());
    // Worked out by the agent's browser, which knows the time zones: nothing on the server.
    let local_time = move || {
        let zone = time_zone.get()?;
        let time = time_in_zone(&zone, facts.now.get())?;
        Some(format!("{time} in {}", zone.replace('_', " ")))
    };
    view! {
        {move || browser.get().map(|text| view! { <Fact label="Browser">{text}</Fact> })}
        {move || language.get().map(|tag| view! { <Fact label="Language">{language_words(&tag)}</Fact> })}
        {move || local_time().map(|text| view! { <Fact label="Local time">{text}</Fact> })}
    }
}

/// What the visitor told about themselves.
#[component]
fn ContactFacts(facts: Facts) -> impl IntoView {
    let name = Memo::new(move |_| facts.visitor.with(|v| v.name.clone()));
    let email = Memo::new(move |_| facts.visitor.with(|v| v.email.clone()));
    view! {
        {move || name.get().map(|name| view! { <Fact label="Name">{name}</Fact> })}
        {move || email.get().map(|email| {
            let mailto = format!("mailto:{email}");
            view! { <Fact label="Email"><a href=mailto>{email}</a></Fact> }
        })}
    }
}

/// How a visitor on the site shows: the dot's tone, and the same in words. `None` once they
/// left.
fn on_site(status: PresenceStatus) -> Option<(&'static str, &'static str)> {
    match status {
        PresenceStatus::Online => Some(("online", "On the site now")),
        PresenceStatus::Away => Some(("away", "On the site, tab in the background")),
        PresenceStatus::Offline => None,
    }
}

/// The status line: on the site (in use or not), left (`left_ago`: "12 min ago", when the
/// browser can tell), or never seen there (`visited`: a visit was ever reported).
fn status_line(
    presence: Option<PresenceStatus>,
    visited: bool,
    left_ago: Option<String>,
) -> String {
    if let Some((_, words)) = presence.and_then(on_site) {
        return words.to_string();
    }
    match (visited, left_ago) {
        (false, _) => "Not seen on the site yet".to_string(),
        (true, Some(ago)) => format!("Left the site {ago}"),
        (true, None) => "Left the site".to_string(),
    }
}

/// The page as the panel shows it: its title (else its address), and the address to link to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Page {
    text: String,
    /// Only an `http(s)` address, whatever was stored: never `javascript:` or the like.
    address: Option<String>,
}

fn page_of(visit: &Visit) -> Option<Page> {
    let title = visit
        .page_title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let url = visit.page_url.as_deref();
    Some(Page {
        text: title.or(url)?.to_string(),
        address: url.filter(|u| is_web_address(u)).map(str::to_string),
    })
}

fn is_web_address(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// The host of a web address, without user name or port ("https://search.example/?q=mugs"
/// → "search.example"): what tells an agent where a visitor came from.
fn host_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        // An IPv6 address keeps its brackets, loses its port.
        host.find(']').map_or(host, |end| &host[..=end])
    } else {
        host.split(':').next().unwrap_or(host)
    };
    (!host.is_empty()).then_some(host)
}

/// "Chrome 131 on Linux", or as much of it as is known.
fn browser_line(browser: Option<&str>, os: Option<&str>) -> Option<String> {
    match (browser, os) {
        (Some(browser), Some(os)) => Some(format!("{browser} on {os}")),
        (Some(browser), None) => Some(browser.to_string()),
        (None, Some(os)) => Some(format!("A browser on {os}")),
        (None, None) => None,
    }
}

/// "Dutch (Netherlands) · nl-NL" where the browser can name the language, else the tag.
fn language_words(tag: &str) -> String {
    match browser::language_name(tag) {
        Some(name) => format!("{name} · {tag}"),
        None => tag.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn came_from_names_the_host() {
        assert_eq!(
            host_of("https://search.example/?q=mugs"),
            Some("search.example")
        );
        assert_eq!(host_of("https://search.example"), Some("search.example"));
        assert_eq!(
            host_of("http://dana:secret@blog.example:8080/post#top"),
            Some("blog.example")
        );
        assert_eq!(
            host_of("https://[2001:db8::1]:8443/x"),
            Some("[2001:db8::1]")
        );
        assert_eq!(host_of("not an address"), None);
        assert_eq!(host_of("https:///path"), None);
    }

    #[test]
    fn the_page_is_its_title_linked_to_its_address() {
        let visit = |url: Option<&str>, title: Option<&str>| Visit {
            page_url: url.map(str::to_string),
            page_title: title.map(str::to_string),
            ..Visit::default()
        };
        let page = |text: &str, address: Option<&str>| Page {
            text: text.into(),
            address: address.map(str::to_string),
        };
        let mugs = "https://shop.example/mugs";
        assert_eq!(
            page_of(&visit(Some(mugs), Some("Mugs"))),
            Some(page("Mugs", Some(mugs)))
        );
        assert_eq!(
            page_of(&visit(Some(mugs), Some("  "))),
            Some(page(mugs, Some(mugs))),
            "a blank title: the address"
        );
        assert_eq!(
            page_of(&visit(None, Some("Mugs"))),
            Some(page("Mugs", None))
        );
        assert_eq!(
            page_of(&visit(Some("javascript:alert(1)"), Some("Mugs"))),
            Some(page("Mugs", None)),
            "only web addresses are linked"
        );
        assert_eq!(page_of(&visit(None, None)), None);
        assert!(is_web_address("HTTPS://shop.example/"));
    }

    #[test]
    fn the_browser_line_says_what_is_known() {
        assert_eq!(
            browser_line(Some("Chrome 131"), Some("Linux")).as_deref(),
            Some("Chrome 131 on Linux")
        );
        assert_eq!(
            browser_line(Some("Safari 17"), None).as_deref(),
            Some("Safari 17")
        );
        assert_eq!(
            browser_line(None, Some("iOS 17.2")).as_deref(),
            Some("A browser on iOS 17.2")
        );
        assert_eq!(browser_line(None, None), None);
    }

    #[test]
    fn the_status_line_says_whether_the_visitor_is_there() {
        use PresenceStatus::*;
        assert_eq!(status_line(Some(Online), true, None), "On the site now");
        assert_eq!(status_line(Some(Online), false, None), "On the site now");
        assert_eq!(
            status_line(Some(Away), true, None),
            "On the site, tab in the background"
        );
        assert_eq!(
            status_line(None, true, Some("12 min ago".into())),
            "Left the site 12 min ago"
        );
        assert_eq!(status_line(Some(Offline), true, None), "Left the site");
        assert_eq!(status_line(None, false, None), "Not seen on the site yet");
    }
}
