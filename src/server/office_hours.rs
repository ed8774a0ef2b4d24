//! A tenant's office hours: when its team answers, in its own time zone ("Mon-Fri 08:00-20:00,
//! Sat 10:00-16:00" in Europe/Amsterdam). Outside them the widget says when the team is back
//! and asks for an email address. Every question takes the instant it is about: time is
//! injected, never read here.

use crate::protocol::OfficeHoursSettings;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// The longest hours text a tenant may set.
pub const MAX_HOURS_CHARS: usize = 300;

/// The weekly hours, each day's spans as minutes since midnight (end exclusive), in a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    week: [Vec<(u16, u16)>; 7],
    zone: Tz,
}

impl OfficeHours {
    /// Reads `"Mon-Fri 08:00-20:00,Sat 10:00-16:00"` (days `Mon`…`Sun`, ranges may wrap past
    /// Sunday, `24:00` ends a day) in the IANA zone `zone`.
    pub fn parse(text: &str, zone: &str) -> Result<Self, String> {
        let zone: Tz = zone
            .trim()
            .parse()
            .map_err(|_| format!("`{zone}` is not a time zone such as Europe/Amsterdam"))?;
        if text.chars().count() > MAX_HOURS_CHARS {
            return Err(format!(
                "the hours must be at most {MAX_HOURS_CHARS} characters"
            ));
        }
        let mut week: [Vec<(u16, u16)>; 7] = Default::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (days, span) = entry.split_once(' ').ok_or_else(|| {
                format!("`{entry}`: write days, then hours, as in `Mon-Fri 08:00-20:00`")
            })?;
            let span = parse_span(span.trim()).map_err(|why| format!("`{entry}`: {why}"))?;
            for day in parse_days(days).map_err(|why| format!("`{entry}`: {why}"))? {
                week[day].push(span);
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err("the hours name no day: write them as in `Mon-Fri 08:00-20:00`".into());
        }
        for spans in &mut week {
            spans.sort_unstable();
        }
        Ok(Self { week, zone })
    }

    /// A tenant's hours as stored (checked when they were set); `None`: at any hour.
    pub fn of(settings: &OfficeHoursSettings) -> Option<Self> {
        let hours = settings.hours.as_deref().filter(|h| !h.trim().is_empty())?;
        Self::parse(hours, &settings.timezone).ok()
    }

    /// Whether the team is in at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.zone);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        self.week[local.weekday().num_days_from_monday() as usize]
            .iter()
            .any(|&(start, end)| start <= minute && minute < end)
    }

    /// The next opening after `now` (within the coming week), or `None` while open.
    pub fn next_opening(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(now) {
            return None;
        }
        let today = now.with_timezone(&self.zone).date_naive();
        (0..=7)
            .filter_map(|ahead| today.checked_add_signed(Duration::days(ahead)))
            .flat_map(|date| self.openings_on(date))
            .find(|opening| *opening > now)
    }

    /// The instants the team opens on `date` (local), in order. An opening in the hour a
    /// daylight-saving change skips moves an hour on, as the clocks did.
    fn openings_on(&self, date: NaiveDate) -> Vec<DateTime<Utc>> {
        self.week[date.weekday().num_days_from_monday() as usize]
            .iter()
            .filter_map(|&(start, _)| {
                let time = NaiveTime::from_hms_opt(start as u32 / 60, start as u32 % 60, 0)?;
                let local = date.and_time(time);
                let at = self
                    .zone
                    .from_local_datetime(&local)
                    .earliest()
                    .or_else(|| {
                        self.zone
                            .from_local_datetime(&(local + Duration::hours(1)))
                            .earliest()
                    })?;
                Some(at.with_timezone(&Utc))
            })
            .collect()
    }
}

/// `Mon`, `Mon-Fri`, or a range that wraps (`Sat-Mon`): the days' indices from Monday.
fn parse_days(days: &str) -> Result<Vec<usize>, String> {
    let day = |name: &str| {
        DAYS.iter()
            .position(|d| d.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                format!(
                    "`{}` is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun",
                    name.trim()
                )
            })
    };
    match days.split_once('-') {
        None => Ok(vec![day(days)?]),
        Some((first, last)) => {
            let (first, last) = (day(first)?, day(last)?);
            let count = (last + 7 - first) % 7 + 1;
            Ok((0..count).map(|i| (first + i) % 7).collect())
        }
    }
}

/// `08:00-20:00`: the start and end as minutes since midnight; the end after the start.
fn parse_span(span: &str) -> Result<(u16, u16), String> {
    let (start, end) = span
        .split_once('-')
        .ok_or("hours are written `08:00-20:00`")?;
    let (start, end) = (parse_clock(start)?, parse_clock(end)?);
    if end <= start {
        return Err("the hours must end after they start, on the same day (`22:00-24:00,Tue 00:00-02:00` for a night)".into());
    }
    Ok((start, end))
}

/// `HH:MM` from `00:00` to `24:00`.
fn parse_clock(clock: &str) -> Result<u16, String> {
    let wrong = || format!("`{}` is not a time such as 08:00", clock.trim());
    let (hours, minutes) = clock.trim().split_once(':').ok_or_else(wrong)?;
    let digits = |part: &str, widths: std::ops::RangeInclusive<usize>| {
        widths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 1..=2) || !digits(minutes, 2..=2) {
        return Err(wrong());
    }
    let (hours, minutes): (u16, u16) = (
        hours.parse().map_err(|_| wrong())?,
        minutes.parse().map_err(|_| wrong())?,
    );
    if minutes > 59 || hours > 24 || (hours == 24 && minutes > 0) {
        return Err(wrong());
    }
    Ok(hours * 60 + minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn amsterdam() -> OfficeHours {
        OfficeHours::parse("Mon-Fri 08:00-20:00, Sat 10:00-16:00", "Europe/Amsterdam").unwrap()
    }

    #[test]
    fn open_and_closed_are_the_shops_own_time() {
        let hours = amsterdam();
        // Monday 2026-11-30, 07:30 UTC is 08:30 in Amsterdam (UTC+1): open.
        assert!(hours.is_open(at("2026-11-30T07:30:00Z")));
        // 06:59 UTC is 07:59 there: not yet; 19:00 UTC is 20:00: just closed.
        assert!(!hours.is_open(at("2026-11-30T06:59:00Z")));
        assert!(!hours.is_open(at("2026-11-30T19:00:00Z")));
        assert!(hours.is_open(at("2026-11-30T18:59:00Z")));
        // Sunday: closed all day.
        assert!(!hours.is_open(at("2026-12-06T12:00:00Z")));
    }

    #[test]
    fn the_next_opening_crosses_days_and_the_date_line() {
        let hours = amsterdam();
        // Friday 20:30 in Amsterdam: back Saturday 10:00 (09:00 UTC).
        assert_eq!(
            hours.next_opening(at("2026-12-04T19:30:00Z")),
            Some(at("2026-12-05T09:00:00Z"))
        );
        // Saturday after 16:00: back Monday 08:00.
        assert_eq!(
            hours.next_opening(at("2026-12-05T15:00:00Z")),
            Some(at("2026-12-07T07:00:00Z"))
        );
        // Open now: no "back at".
        assert_eq!(hours.next_opening(at("2026-11-30T10:00:00Z")), None);
        // Across the date line: Monday 10:00 UTC is Tuesday 00:00 in Kiritimati (UTC+14).
        let line = OfficeHours::parse("Mon 09:00-17:00", "Pacific/Kiritimati").unwrap();
        assert!(
            !line.is_open(at("2026-11-30T10:00:00Z")),
            "Tuesday 00:00 there"
        );
        assert!(
            line.is_open(at("2026-11-29T20:00:00Z")),
            "Sunday in UTC, Monday 10:00 there"
        );
        assert_eq!(
            line.next_opening(at("2026-11-30T10:00:00Z")),
            Some(at("2026-12-06T19:00:00Z"))
        );
    }

    #[test]
    fn daylight_saving_moves_the_opening_in_utc_not_in_the_shop() {
        let hours = OfficeHours::parse("Sun 08:00-12:00", "Europe/Amsterdam").unwrap();
        // Summer time starts on Sunday 2027-03-28: 08:00 there is 06:00 UTC (07:00 a week before).
        assert_eq!(
            hours.next_opening(at("2027-03-22T12:00:00Z")),
            Some(at("2027-03-28T06:00:00Z"))
        );
        assert_eq!(
            hours.next_opening(at("2027-03-15T12:00:00Z")),
            Some(at("2027-03-21T07:00:00Z"))
        );
        // An opening inside the skipped hour (02:30) moves with the clocks, to 03:30.
        let gap = OfficeHours::parse("Sun 02:30-05:00", "Europe/Amsterdam").unwrap();
        assert_eq!(
            gap.next_opening(at("2027-03-27T12:00:00Z")),
            Some(at("2027-03-28T01:30:00Z"))
        );
    }

    #[test]
    fn wrapping_days_and_full_days_read_as_written() {
        let weekend = OfficeHours::parse("Sat-Mon 00:00-24:00", "UTC").unwrap();
        assert!(weekend.is_open(at("2026-12-06T23:59:00Z")));
        assert!(weekend.is_open(at("2026-12-07T00:00:00Z")), "Monday");
        assert!(!weekend.is_open(at("2026-12-08T00:00:00Z")), "Tuesday");
    }

    #[test]
    fn bad_hours_say_what_is_wrong() {
        let wrong = |text: &str, zone: &str| OfficeHours::parse(text, zone).unwrap_err();
        assert!(wrong("Mon-Fri 08:00-20:00", "Mars/Olympus").contains("not a time zone"));
        assert!(wrong("Mon-Fry 08:00-20:00", "UTC").contains("`Fry` is not a day"));
        assert!(wrong("Mon 8-20", "UTC").contains("is not a time"));
        assert!(wrong("Mon 20:00-08:00", "UTC").contains("end after they start"));
        assert!(wrong("Mon 08:00-24:30", "UTC").contains("is not a time"));
        assert!(wrong("Mon08:00-20:00", "UTC").contains("write days, then hours"));
        assert!(wrong("", "UTC").contains("name no day"));
        assert!(wrong(&"Mon 08:00-09:00,".repeat(30), "UTC").contains("at most 300"));
    }
}
