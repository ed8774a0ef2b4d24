//! Files in the conversation (docs/design.md, "Attachments"): what an upload may be
//! ([`kinds`]), the short-lived signed addresses they are served from ([`urls`]), and the rules
//! the server was started with. The hub receives and serves them; the store keeps them, in
//! chunks, where every node finds them and every backup includes them.

pub mod kinds;
pub mod urls;

use std::time::Duration;

/// Uploads are stored, and served, in pieces of this size: no file is ever held whole in
/// memory, and the first piece is what its type and an image's size are read from.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// The largest file unless `--max-attachment-bytes` says otherwise: 10 MiB.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// An upload no message took is removed after this long.
pub const UNATTACHED_KEPT: Duration = Duration::from_secs(24 * 60 * 60);

/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// What the server was started with (`--max-attachment-bytes`, `--attachment-url-secs`).
#[derive(Debug, Clone, Copy)]
pub struct AttachmentRules {
    pub max_bytes: u64,
    /// How long a signed address stays good, at least (at most twice as long).
    pub url_lifetime: Duration,
}

impl Default for AttachmentRules {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_ATTACHMENT_BYTES,
            url_lifetime: Duration::from_secs(3600),
        }
    }
}

/// A file's name as people should see it: without any folder the browser sent, without
/// control characters, at most [`MAX_NAME_CHARS`]; "file" when nothing is left.
pub fn clean_name(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".into()
    } else {
        cleaned.to_string()
    }
}

/// A size as people read it: "980 bytes", "245 KB", "1.2 MB", "10 MB".
pub fn size_in_words(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else {
        let mb = format!("{:.1}", b / (KB * KB));
        format!("{} MB", mb.trim_end_matches(".0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_folders_and_control_characters() {
        assert_eq!(clean_name(Some("C:\\Users\\dana\\shot.png")), "shot.png");
        assert_eq!(clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_name(Some("a\u{0}b\nc.txt")), "abc.txt");
        assert_eq!(clean_name(Some("  ")), "file");
        assert_eq!(clean_name(None), "file");
        assert_eq!(clean_name(Some("..")), "file");
        assert_eq!(clean_name(Some(&"x".repeat(500))).chars().count(), 200);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_in_words(980), "980 bytes");
        assert_eq!(size_in_words(250_000), "244 KB");
        assert_eq!(size_in_words(10 * 1024 * 1024), "10 MB");
        assert_eq!(size_in_words(1_300_000), "1.2 MB");
    }
}
