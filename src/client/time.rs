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

/// When a moment comes, as the visitor's clock says it: "today at 08:00", "tomorrow at 08:00",
/// "on Monday at 08:00". `None` where there is no browser (the server does not know the
/// reader's time zone) or for a timestamp that does not read.
pub fn when_back(rfc3339: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        const WEEKDAYS: [&str; 7] = [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ];
        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
        if at.get_time().is_nan() {
            return None;
        }
        let now = js_sys::Date::new_0();
        let tomorrow = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
            now.get_time() + 86_400_000.0,
        ));
        let day = |d: &js_sys::Date| (d.get_full_year(), d.get_month(), d.get_date());
        let when = if day(&at) == day(&now) {
            "today".to_string()
        } else if day(&at) == day(&tomorrow) {
            "tomorrow".to_string()
        } else {
            format!("on {}", WEEKDAYS[at.get_day() as usize % 7])
        };
        Some(format!(
            "{when} at {:02}:{:02}",
            at.get_hours(),
            at.get_minutes()
        ))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = rfc3339;
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_hours_and_minutes() {
        assert_eq!(super::short_time("2026-11-23T09:05:31.123Z"), "09:05");
        assert_eq!(super::short_time("bad"), "");
    }
}
