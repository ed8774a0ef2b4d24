//! Times as a person reads them, in the browser's own time zone.

/// `HH:MM` of an RFC 3339 timestamp, in local time (UTC where there is no browser).
pub fn short_time(rfc3339: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
        if !date.get_time().is_nan() {
            return format!("{:02}:{:02}", date.get_hours(), date.get_minutes());
        }
    }
    rfc3339.get(11..16).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_hours_and_minutes() {
        assert_eq!(super::short_time("2026-11-23T09:05:31.123Z"), "09:05");
        assert_eq!(super::short_time("bad"), "");
    }
}
