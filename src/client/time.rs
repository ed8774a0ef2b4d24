//! Times as a person reads them, in the browser's own time zone (or, for a visitor's local
//! time, in theirs), and a clock that moves on each minute for the ones that say "ago".

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

/// `HH:MM` at `at_ms` (ms since the epoch) in the IANA time zone `time_zone` ("14:05"), by
/// the browser's own time-zone database. `None` where there is no browser, or for a zone the
/// browser does not know.
pub fn time_in_zone(time_zone: &str, at_ms: f64) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use js_sys::Intl::{DateTimeFormatOptions, HourCycle, NumericFormat};
        use wasm_bindgen::{JsCast, JsValue};
        let options = DateTimeFormatOptions::new();
        options.set_time_zone(time_zone);
        options.set_hour(NumericFormat::TwoDigit);
        options.set_minute(NumericFormat::TwoDigit);
        options.set_hour_cycle(HourCycle::H23);
        // `new Intl.DateTimeFormat` throws for a zone it does not know; through `Reflect` that
        // is an error to handle, not a panic.
        let intl = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
        let class = js_sys::Reflect::get(&intl, &JsValue::from_str("DateTimeFormat"))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        // English, like the rest of the dashboard: 24-hour digits, as `short_time` shows them.
        let args = js_sys::Array::of2(&JsValue::from_str("en-GB"), &options);
        let formatter: js_sys::Intl::DateTimeFormat = js_sys::Reflect::construct(&class, &args)
            .ok()?
            .unchecked_into();
        // A plain `JsValue`: `call1`'s argument type is generic, and a `Date` would not fit.
        let at: JsValue = js_sys::Date::new(&JsValue::from_f64(at_ms)).into();
        formatter
            .format()
            .call1(&JsValue::UNDEFINED, &at)
            .ok()?
            .as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (time_zone, at_ms);
        None
    }
}

/// How long ago (ms) an RFC 3339 instant was by the clock `now_ms`; `None` where there is no
/// browser, or for a timestamp that does not read.
pub fn ms_since(rfc3339: &str, now_ms: f64) -> Option<f64> {
    #[cfg(feature = "hydrate")]
    {
        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339)).get_time();
        // The agent's clock may run a little behind the server's: never "in 2 min".
        (!at.is_nan()).then(|| (now_ms - at).max(0.0))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (rfc3339, now_ms);
        None
    }
}

/// How long `elapsed_ms` is, as a person says it: "just now", "12 min ago", "3 hours ago",
/// "2 days ago".
pub fn ago(elapsed_ms: f64) -> String {
    // Negative or NaN saturate to 0: "just now".
    let minutes = (elapsed_ms / 60_000.0) as u64;
    let (count, unit) = match minutes {
        0 => return "just now".to_string(),
        1..=59 => return format!("{minutes} min ago"),
        60..=1439 => (minutes / 60, "hour"),
        _ => (minutes / 1440, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural} ago")
}

/// The time now (ms since the epoch), moving on once a minute in the browser: what "left
/// 12 min ago" and a visitor's local time follow. Ticks as long as its owner lives; stands
/// at 0 on the server.
pub fn minute_clock() -> leptos::prelude::Signal<f64> {
    use leptos::prelude::*;
    let now = RwSignal::new(crate::client::typing::now_ms());
    #[cfg(feature = "hydrate")]
    {
        // Looked at every few seconds, changed once a minute: a minute shown is at most a few
        // seconds late, and nothing is drawn again in between.
        let minute = |ms: f64| (ms / 60_000.0).floor();
        let tick = move || {
            let t = js_sys::Date::now();
            if now
                .try_get_untracked()
                .is_some_and(|before| minute(before) != minute(t))
            {
                let _ = now.try_set(t);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(5)) {
            on_cleanup(move || handle.clear());
        }
    }
    now.into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_hours_and_minutes() {
        assert_eq!(super::short_time("2026-11-23T09:05:31.123Z"), "09:05");
        assert_eq!(super::short_time("bad"), "");
    }

    #[test]
    fn says_how_long_ago() {
        use super::ago;
        const MIN: f64 = 60_000.0;
        assert_eq!(ago(-5.0), "just now");
        assert_eq!(ago(59_000.0), "just now");
        assert_eq!(ago(MIN), "1 min ago");
        assert_eq!(ago(12.5 * MIN), "12 min ago");
        assert_eq!(ago(60.0 * MIN), "1 hour ago");
        assert_eq!(ago(185.0 * MIN), "3 hours ago");
        assert_eq!(ago(24.0 * 60.0 * MIN), "1 day ago");
        assert_eq!(ago(3.0 * 24.0 * 60.0 * MIN), "3 days ago");
    }
}
