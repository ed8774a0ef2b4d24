//! What an uploaded file is, read from its first bytes (never from its name or the type the
//! browser sent), and which kinds a tenant accepts: images, PDF, plain text, office
//! documents. Markup (HTML, SVG, XML) is never accepted, whatever it is called.

use crate::protocol::INLINE_IMAGE_TYPES;

/// The kinds of file a tenant can accept, as `admin tenant set --attachments` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Images,
    Pdf,
    Text,
    Office,
}

const PDF: [&str; 1] = ["application/pdf"];
const TEXT: [&str; 1] = ["text/plain"];
const OFFICE: [&str; 10] = [
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
];

impl Category {
    pub const ALL: [Self; 4] = [Self::Images, Self::Pdf, Self::Text, Self::Office];

    pub fn name(self) -> &'static str {
        match self {
            Self::Images => "images",
            Self::Pdf => "pdf",
            Self::Text => "text",
            Self::Office => "office",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The MIME types of the kind, as [`sniff`] gives them.
    pub fn types(self) -> &'static [&'static str] {
        match self {
            Self::Images => &INLINE_IMAGE_TYPES,
            Self::Pdf => &PDF,
            Self::Text => &TEXT,
            Self::Office => &OFFICE,
        }
    }

    fn in_words(self) -> &'static str {
        match self {
            Self::Images => "images (PNG, JPEG, GIF, WebP)",
            Self::Pdf => "PDFs",
            Self::Text => "plain text",
            Self::Office => "office documents",
        }
    }

    fn of(content_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.types().contains(&content_type))
    }
}

/// The kinds a tenant accepts; stored as their names, comma-separated (`NULL`: all of them,
/// `""`: none, uploads are off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted(Vec<Category>);

impl Default for Accepted {
    fn default() -> Self {
        Self(Category::ALL.to_vec())
    }
}

impl Accepted {
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// `all`, `none`, or names such as `images,pdf`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "all" => return Ok(Self::default()),
            "none" | "" => return Ok(Self::none()),
            _ => {}
        }
        let mut kinds = Vec::new();
        for name in text.split(',') {
            let kind = Category::parse(name).ok_or_else(|| {
                format!(
                    "`{}` is not a kind of file: use images, pdf, text, office, all or none",
                    name.trim()
                )
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok(Self(kinds))
    }

    /// As the store keeps it (anything unreadable counts as nothing accepted).
    pub fn from_stored(stored: Option<&str>) -> Self {
        stored.map_or_else(Self::default, |s| {
            Self::parse(s).unwrap_or_else(|_| Self::none())
        })
    }

    pub fn to_stored(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|c| c.name()).collect();
        names.join(",")
    }

    pub fn accepts(&self, content_type: &str) -> bool {
        Category::of(content_type).is_some_and(|c| self.0.contains(&c))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every MIME type accepted, for the composer's file picker.
    pub fn content_types(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|c| c.types().iter().map(|t| t.to_string()))
            .collect()
    }

    /// "images (PNG, JPEG, GIF, WebP), PDFs and plain text", for a refusal.
    pub fn in_words(&self) -> String {
        let words: Vec<&str> = self.0.iter().map(|c| c.in_words()).collect();
        match words.split_last() {
            None => "no files".into(),
            Some((last, [])) => (*last).into(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// The type of a file from its first bytes (`head`; `whole` when that is all of it), if it is
/// one of the kinds any tenant may accept. The name only tells old Office files apart, which
/// share one container format: it never makes a file something its bytes are not.
pub fn sniff(head: &[u8], whole: bool, name: &str) -> Option<&'static str> {
    if let Some(found) = infer::get(head) {
        let mime = match found.mime_type() {
            // Word, Excel and PowerPoint 97–2003 are all OLE2 containers.
            "application/msword" => old_office_by_name(name),
            other => other,
        };
        return Category::of(mime).map(|c| {
            c.types()
                .iter()
                .copied()
                .find(|t| *t == mime)
                .expect("of() found it")
        });
    }
    looks_like_text(head, whole).then_some("text/plain")
}

fn old_office_by_name(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xls") {
        "application/vnd.ms-excel"
    } else if lower.ends_with(".ppt") || lower.ends_with(".pps") {
        "application/vnd.ms-powerpoint"
    } else {
        "application/msword"
    }
}

/// UTF-8 text without NUL bytes that does not open like markup (`<`): a page, an SVG image or
/// an XML file is not plain text, whatever it is named.
fn looks_like_text(head: &[u8], whole: bool) -> bool {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if body.is_empty() || body.contains(&0) {
        return false;
    }
    let utf8 = match std::str::from_utf8(body) {
        Ok(_) => true,
        // A character cut in two at the end of the first piece is still text.
        Err(error) => !whole && error.error_len().is_none(),
    };
    let opens_like_markup = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<');
    utf8 && !opens_like_markup
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08\x08\x02\0\0\0";

    #[test]
    fn the_bytes_decide_not_the_name() {
        assert_eq!(sniff(PNG, true, "report.pdf"), Some("image/png"));
        assert_eq!(
            sniff(b"%PDF-1.7\n...", true, "x.png"),
            Some("application/pdf")
        );
        assert_eq!(
            sniff(b"Order 1234 never came.\n", true, "a.png"),
            Some("text/plain")
        );
    }

    #[test]
    fn markup_and_programs_are_refused_whatever_their_name() {
        assert_eq!(
            sniff(b"<!DOCTYPE html><html><script>", true, "cat.png"),
            None
        );
        assert_eq!(
            sniff(b"  <svg xmlns='http://www.w3.org/2000/svg'>", true, "a.txt"),
            None
        );
        assert_eq!(sniff(b"<?xml version='1.0'?><a/>", true, "a.txt"), None);
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0", true, "setup.txt"),
            None
        );
        assert_eq!(sniff(b"text with a \0 byte", true, "a.txt"), None);
        assert_eq!(sniff(b"", true, "empty.txt"), None);
    }

    #[test]
    fn text_cut_mid_character_is_still_text_unless_that_is_the_end() {
        let cut = "café".as_bytes();
        let cut = &cut[..cut.len() - 1];
        assert_eq!(sniff(cut, false, "a.txt"), Some("text/plain"));
        assert_eq!(sniff(cut, true, "a.txt"), None);
    }

    #[test]
    fn old_office_files_are_told_apart_by_name() {
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0";
        assert_eq!(sniff(ole, true, "q3.XLS"), Some("application/vnd.ms-excel"));
        assert_eq!(sniff(ole, true, "letter.doc"), Some("application/msword"));
    }

    #[test]
    fn a_tenant_accepts_the_kinds_it_names() {
        let accepted = Accepted::parse("images, pdf").unwrap();
        assert!(accepted.accepts("image/webp") && accepted.accepts("application/pdf"));
        assert!(!accepted.accepts("text/plain"));
        assert_eq!(accepted.to_stored(), "images,pdf");
        assert_eq!(
            accepted.in_words(),
            "images (PNG, JPEG, GIF, WebP) and PDFs"
        );
        assert!(Accepted::parse("none").unwrap().is_empty());
        assert!(Accepted::parse("images,movies").is_err());
        assert_eq!(Accepted::from_stored(None), Accepted::default());
        assert!(Accepted::from_stored(Some("")).is_empty());
    }
}
