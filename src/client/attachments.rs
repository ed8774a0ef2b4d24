//! Files in a conversation, in words a person reads: how big ("1.2 MB"), what kind ("PDF
//! document"), how the inbox previews a message that carries some ("📎 plan.pdf and 2 more"),
//! and why one cannot be attached before it is even sent.

use crate::protocol::{AttachmentPolicy, Message, MAX_ATTACHMENTS_PER_MESSAGE};

/// A size as file managers show it: "812 bytes", "245 KB", "1.2 MB" (1 KB = 1024 bytes, as the
/// server counts its limits).
pub fn size_in_words(bytes: u64) -> String {
    const UNIT: f64 = 1024.0;
    match bytes {
        1 => return "1 byte".into(),
        0..1024 => return format!("{bytes} bytes"),
        _ => {}
    }
    let kb = bytes as f64 / UNIT;
    if kb.round() < UNIT {
        return format!("{} KB", kb.round() as u64);
    }
    let mb = kb / UNIT;
    if mb < UNIT - 0.05 {
        return tenths(mb, "MB");
    }
    tenths(mb / UNIT, "GB")
}

/// "1.2 MB", "10 MB" (no ".0"), "120 MB" (no tenths from 100 on).
fn tenths(value: f64, unit: &str) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded >= 100.0 || rounded.fract() == 0.0 {
        format!("{} {unit}", rounded.round() as u64)
    } else {
        format!("{rounded:.1} {unit}")
    }
}

/// What kind of file it is, from its type (or, for a type the browser did not know, its name).
pub fn kind_in_words(content_type: &str, name: &str) -> &'static str {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let by_type = match mime.as_str() {
        "application/pdf" => Some("PDF document"),
        "application/msword"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/rtf"
        | "text/rtf" => Some("Word document"),
        "application/vnd.oasis.opendocument.text" => Some("Document"),
        "application/vnd.ms-excel"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.oasis.opendocument.spreadsheet"
        | "text/csv" => Some("Spreadsheet"),
        "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        | "application/vnd.oasis.opendocument.presentation" => Some("Presentation"),
        "application/zip" | "application/x-zip-compressed" => Some("ZIP archive"),
        "application/gzip"
        | "application/x-7z-compressed"
        | "application/x-rar-compressed"
        | "application/vnd.rar"
        | "application/x-tar" => Some("Compressed archive"),
        "application/json" => Some("JSON file"),
        "text/plain" | "text/markdown" => Some("Text file"),
        _ if mime.starts_with("image/") => Some("Image"),
        _ if mime.starts_with("audio/") => Some("Audio"),
        _ if mime.starts_with("video/") => Some("Video"),
        _ if mime.starts_with("text/") => Some("Text file"),
        _ => None,
    };
    by_type.unwrap_or_else(|| kind_by_name(name))
}

fn kind_by_name(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "PDF document",
        "doc" | "docx" | "rtf" => "Word document",
        "odt" => "Document",
        "xls" | "xlsx" | "ods" | "csv" => "Spreadsheet",
        "ppt" | "pptx" | "odp" => "Presentation",
        "txt" | "md" | "log" => "Text file",
        "zip" => "ZIP archive",
        "gz" | "7z" | "rar" | "tar" => "Compressed archive",
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "heic" | "svg" => "Image",
        _ => "File",
    }
}

/// A message as the inbox previews it: its files first ("📎 plan.pdf and 2 more"), then its
/// text, if it has any.
pub fn preview(message: &Message) -> String {
    let Some(first) = message.attachments.first() else {
        return message.content.clone();
    };
    let files = match message.attachments.len() {
        1 => format!("📎 {}", first.name),
        n => format!("📎 {} and {} more", first.name, n - 1),
    };
    if message.content.trim().is_empty() {
        files
    } else {
        format!("{files} · {}", message.content)
    }
}

/// Why a file of `size` bytes cannot be attached, if it cannot: bigger than the policy allows.
pub fn too_large(name: &str, size: u64, policy: &AttachmentPolicy) -> Option<String> {
    (size > policy.max_bytes).then(|| {
        format!(
            "{name} is larger than {}, the most you can send.",
            size_in_words(policy.max_bytes)
        )
    })
}

/// The files left out because a message already carries as many as it may.
pub fn too_many(left_out: &[String]) -> Option<String> {
    match left_out {
        [] => None,
        [one] => Some(format!(
            "{one} was not added: a message can carry at most {MAX_ATTACHMENTS_PER_MESSAGE} files."
        )),
        many => Some(format!(
            "{} files were not added: a message can carry at most {MAX_ATTACHMENTS_PER_MESSAGE} files.",
            many.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Attachment, Sender, SenderKind, Timestamp};

    #[test]
    fn sizes_read_as_file_managers_show_them() {
        assert_eq!(size_in_words(1), "1 byte");
        assert_eq!(size_in_words(812), "812 bytes");
        assert_eq!(size_in_words(245 * 1024), "245 KB");
        assert_eq!(size_in_words(1_258_291), "1.2 MB");
        assert_eq!(size_in_words(10 * 1024 * 1024), "10 MB");
        assert_eq!(size_in_words(150 * 1024 * 1024), "150 MB");
        assert_eq!(size_in_words(3 * 1024 * 1024 * 1024), "3 GB");
    }

    #[test]
    fn kinds_read_as_people_name_them() {
        assert_eq!(kind_in_words("application/pdf", "a.pdf"), "PDF document");
        assert_eq!(
            kind_in_words(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "a.docx"
            ),
            "Word document"
        );
        assert_eq!(kind_in_words("text/csv", "a.csv"), "Spreadsheet");
        assert_eq!(
            kind_in_words("text/plain; charset=utf-8", "notes"),
            "Text file"
        );
        assert_eq!(
            kind_in_words("application/octet-stream", "q.XLSX"),
            "Spreadsheet"
        );
        assert_eq!(kind_in_words("", "mystery"), "File");
    }

    fn message(content: &str, names: &[&str]) -> Message {
        Message {
            id: "m".into(),
            session_id: "s".into(),
            seq: 1,
            client_message_id: None,
            sender: Sender {
                kind: SenderKind::Customer,
                id: None,
                name: None,
            },
            content: content.into(),
            created_at: Timestamp("2026-12-02T10:00:00.000Z".into()),
            offers_human: false,
            source: None,
            attachments: names
                .iter()
                .map(|name| Attachment {
                    id: format!("a-{name}"),
                    name: (*name).into(),
                    content_type: "application/pdf".into(),
                    size: 1024,
                    url: format!("/api/v1/attachments/a-{name}?exp=1&sig=x"),
                    width: None,
                    height: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_inbox_previews_files_before_the_text() {
        assert_eq!(preview(&message("Hello", &[])), "Hello");
        assert_eq!(preview(&message("", &["plan.pdf"])), "📎 plan.pdf");
        assert_eq!(
            preview(&message("Here you go", &["plan.pdf", "b.pdf", "c.pdf"])),
            "📎 plan.pdf and 2 more · Here you go"
        );
    }

    #[test]
    fn refusals_name_the_file_and_the_limit() {
        let policy = AttachmentPolicy {
            accepted: vec!["application/pdf".into()],
            max_bytes: 10 * 1024 * 1024,
        };
        assert_eq!(too_large("small.pdf", 1024, &policy), None);
        assert_eq!(
            too_large("big.pdf", 11 * 1024 * 1024, &policy).as_deref(),
            Some("big.pdf is larger than 10 MB, the most you can send.")
        );
        assert_eq!(too_many(&[]), None);
        assert_eq!(
            too_many(&["x.pdf".into()]).as_deref(),
            Some("x.pdf was not added: a message can carry at most 10 files.")
        );
    }
}
