//! The little formatting people type in chat, shown on both sides: web addresses become links,
//! `**bold**`, `_italic_` and `` `code` `` render, line breaks stay (the list's `pre-wrap`).
//! Nothing else of markdown or HTML passes: the text is split into [`Span`]s, and each becomes
//! a text node inside at most one element, so what a person writes is never read as HTML.
//!
//! Hand-written rather than a markdown crate: four rules, and the visitor's bundle has a size
//! budget (a CommonMark parser would be most of it).

use leptos::prelude::*;

/// A piece of a message as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span<'a> {
    Text(&'a str),
    Bold(&'a str),
    Italic(&'a str),
    Code(&'a str),
    /// An `http://` or `https://` address.
    Link(&'a str),
}

/// Splits a message into its spans, in order; every character of `text` is in one span,
/// except the `**`, `_` and `` ` `` marks around the formatted ones.
pub fn spans(text: &str) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let found = if starts_word(text, at) {
            link(rest)
                .or_else(|| marked(rest, "**", Span::Bold))
                .or_else(|| marked(rest, "`", Span::Code))
                .or_else(|| marked(rest, "_", Span::Italic))
        } else {
            None
        };
        match found {
            Some((span, len)) => {
                if plain_from < at {
                    out.push(Span::Text(&text[plain_from..at]));
                }
                out.push(span);
                at += len;
                plain_from = at;
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain_from < text.len() {
        out.push(Span::Text(&text[plain_from..]));
    }
    out
}

/// Whether a span may start at byte `at`: at the start, or after a space or punctuation (so
/// that `snake_case` and `a**b` stay as typed).
fn starts_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != '_' && c != '*'))
}

/// A web address at the start of `rest`, without the punctuation that usually follows one.
fn link(rest: &str) -> Option<(Span<'_>, usize)> {
    let lower = rest.get(..8)?.to_ascii_lowercase();
    if !lower.starts_with("https://") && !lower.starts_with("http://") {
        return None;
    }
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let mut url = &rest[..end];
    while let Some(last) = url.chars().next_back() {
        let unbalanced_paren = last == ')' && url.matches('(').count() < url.matches(')').count();
        if ".,;:!?'\"".contains(last) || unbalanced_paren {
            url = &url[..url.len() - 1];
        } else {
            break;
        }
    }
    let has_host = url.split("://").nth(1).is_some_and(|h| !h.is_empty());
    has_host.then_some((Span::Link(url), url.len()))
}

/// `mark…mark` at the start of `rest`, on one line, not empty, not starting or ending with a
/// space, and followed by the end, a space or punctuation.
fn marked<'a>(
    rest: &'a str,
    mark: &str,
    make: fn(&'a str) -> Span<'a>,
) -> Option<(Span<'a>, usize)> {
    let inner = rest.strip_prefix(mark)?;
    let close = inner.find(mark)?;
    let body = &inner[..close];
    let after = &inner[close + mark.len()..];
    let well_formed = !body.is_empty()
        && !body.contains('\n')
        && !body.starts_with(char::is_whitespace)
        && !body.ends_with(char::is_whitespace);
    let ends_word = after
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != '_' && c != '*'));
    (well_formed && ends_word).then(|| (make(body), mark.len() * 2 + body.len()))
}

/// A message's text with its formatting, as text nodes in at most one element each.
pub fn rich_text(text: String) -> impl IntoView {
    spans(&text)
        .into_iter()
        .map(|span| match span {
            Span::Text(t) => t.to_string().into_any(),
            Span::Bold(t) => view! { <strong>{t.to_string()}</strong> }.into_any(),
            Span::Italic(t) => view! { <em>{t.to_string()}</em> }.into_any(),
            Span::Code(t) => view! { <code>{t.to_string()}</code> }.into_any(),
            Span::Link(url) => view! {
                <a href=url.to_string() target="_blank" rel="noopener noreferrer nofollow">{url.to_string()}</a>
            }
            .into_any(),
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Span::*;

    #[test]
    fn the_four_rules() {
        assert_eq!(
            spans("See https://example.com/a_b?x=1, **now**."),
            [
                Text("See "),
                Link("https://example.com/a_b?x=1"),
                Text(", "),
                Bold("now"),
                Text(".")
            ]
        );
        assert_eq!(
            spans("_really_ use `cargo test` (see http://x.io/(a))"),
            [
                Italic("really"),
                Text(" use "),
                Code("cargo test"),
                Text(" (see "),
                Link("http://x.io/(a)"),
                Text(")")
            ]
        );
    }

    #[test]
    fn what_is_not_formatting_stays_as_typed() {
        for text in [
            "snake_case_name and 2*3*4",
            "a**b** and ** spaced ** and **",
            "<b>bold</b> <script>alert(1)</script>",
            "javascript:alert(1) and https:// alone",
            "**two\nlines**",
            "price_list_",
        ] {
            assert_eq!(spans(text), [Text(text)], "{text}");
        }
    }

    proptest! {
        /// Whatever is typed, the spans put back together (with their marks) are the text, and
        /// a link is only ever an http(s) address.
        #[test]
        fn nothing_is_lost_or_invented(text in "[a-z _*`:/.()<>\\nhtps]{0,60}") {
            let mut rebuilt = String::new();
            for span in spans(&text) {
                match span {
                    Text(t) | Link(t) => rebuilt.push_str(t),
                    Bold(t) => rebuilt.push_str(&format!("**{t}**")),
                    Italic(t) => rebuilt.push_str(&format!("_{t}_")),
                    Code(t) => rebuilt.push_str(&format!("`{t}`")),
                }
                if let Link(url) = span {
                    prop_assert!(url.starts_with("http://") || url.starts_with("https://"));
                }
            }
            prop_assert_eq!(rebuilt, text);
        }
    }
}
