//! Articles' markdown as HTML that is safe to show: CommonMark with tables and strikethrough,
//! where raw HTML in the source is shown as text (never passed through) and links and images
//! may only point to http(s), mailto, or this server.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// Whether a link or image may point there: a web or mail address, a path, an anchor.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('/') && !lower.starts_with("//")
        || lower.starts_with('#')
}

fn made_safe(event: Event<'_>) -> Event<'_> {
    match event {
        // Raw HTML becomes the text it is, escaped like any other text.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed(""),
            title,
            id,
        }),
        other => other,
    }
}

pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(made_safe);
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_nothing_raw_passes() {
        let html = to_safe_html("## Hours\nOpen **daily**.\n\n- one\n- two");
        assert!(html.contains("<h2>Hours</h2>") && html.contains("<strong>daily</strong>"));
        assert!(html.contains("<li>one</li>"));
        let hostile = to_safe_html(
            "<script>alert(1)</script>\n\nHi <img src=x onerror=alert(2)> [x](javascript:alert(3)) ![y](data:text/html,z)",
        );
        assert!(
            !hostile.contains("<script") && !hostile.contains("<img src=x"),
            "{hostile}"
        );
        assert!(hostile.contains("&lt;script&gt;"), "{hostile}");
        assert!(
            !hostile.contains("javascript:") && !hostile.contains("data:"),
            "{hostile}"
        );
        let links =
            to_safe_html("[mail](mailto:a@b.c) [web](https://x.example) [here](/help/demo)");
        assert!(links.contains("href=\"mailto:a@b.c\"") && links.contains("href=\"/help/demo\""));
    }
}
