//! Points in time: parsing `--now`, RFC 3339 for the store, and durations.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub type Time = OffsetDateTime;

/// Parses `--now`: RFC 3339 (any offset) or Unix seconds (fractions allowed).
pub fn parse_time(s: &str) -> Result<Time> {
    let s = s.trim();
    // Digits only (f64's parser alone would also take "inf" and "1e9").
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && s.parse::<f64>().is_ok()
    {
        return unix_decimal(s)
            .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
            .ok_or_else(|| anyhow!("{s} Unix seconds is out of range"));
    }
    // The parser's own words ("the 'year' component could not be parsed",
    // twice over through its source chain) would push the remedy off the end.
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
        anyhow!("{s:?} is not a time (use RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)")
    })?;
    Ok(t.to_offset(time::UtcOffset::UTC))
}

/// Decimal Unix seconds as nanoseconds, digit by digit rather than through
/// a float (which keeps only about 0.2 µs of a present-day time), so that
/// `--now` is exactly the time it says; past nanoseconds it rounds.
fn unix_decimal(s: &str) -> Option<i128> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut nanos = whole.checked_mul(1_000_000_000)?;
    let mut scale = 100_000_000;
    for (i, digit) in fraction.bytes().enumerate() {
        let digit = i128::from(digit.checked_sub(b'0').filter(|d| *d <= 9)?);
        match i {
            0..=8 => {
                nanos += digit * scale;
                scale /= 10;
            }
            9 if digit >= 5 => nanos += 1,
            _ => {}
        }
    }
    Some(if negative { -nanos } else { nanos })
}

pub fn from_unix(secs: f64) -> Option<Time> {
    if !secs.is_finite() {
        return None;
    }
    let nanos = (secs * 1e9).round();
    if nanos.abs() > i128::MAX as f64 {
        return None;
    }
    OffsetDateTime::from_unix_timestamp_nanos(nanos as i128).ok()
}

/// RFC 3339 in UTC, whole seconds: how the store and `list` show times.
pub fn format(t: Time) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// `t` rounded down to a whole second.
pub fn floor_second(t: Time) -> Time {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// `t` rounded up to a whole second.
pub fn ceil_second(t: Time) -> Time {
    if t.nanosecond() == 0 {
        return t;
    }
    let whole = t.replace_nanosecond(0).unwrap_or(t);
    whole.checked_add(time::Duration::SECOND).unwrap_or(whole)
}

/// Reads a time the store wrote.
pub fn parse_rfc3339(s: &str) -> Result<Time> {
    if let Some(t) = utc_seconds(s) {
        return Ok(t);
    }
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .with_context(|| format!("{s:?} is not an RFC 3339 time"))
}

/// The form jwkctl writes, `2026-01-02T03:04:05Z`, read without the general
/// parser (a store holds three times per key, read on every command); any
/// other form, and any value the calendar refuses, is left to the parser.
fn utc_seconds(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u16, |n, &digit| {
            digit
                .is_ascii_digit()
                .then(|| n * 10 + u16::from(digit - b'0'))
        })
    };
    let month = time::Month::try_from(u8::try_from(number(5, 7)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::from(number(0, 4)?),
        month,
        u8::try_from(number(8, 10)?).ok()?,
    )
    .ok()?;
    let hms = [number(11, 13)?, number(14, 16)?, number(17, 19)?].map(|n| u8::try_from(n).ok());
    let [Some(h), Some(m), Some(sec)] = hms else {
        return None;
    };
    let time = time::Time::from_hms(h, m, sec).ok()?;
    Some(time::PrimitiveDateTime::new(date, time).assume_utc())
}

/// Whole seconds since the epoch, as `iat`/`exp` carry them.
pub fn unix_secs(t: Time) -> i64 {
    t.unix_timestamp()
}

/// Seconds since the epoch with fractions, for comparing NumericDates.
pub fn unix_f64(t: Time) -> f64 {
    t.unix_timestamp_nanos() as f64 / 1e9
}

pub fn add(t: Time, d: Duration) -> Result<Time> {
    t.checked_add(time::Duration::try_from(d).unwrap_or(time::Duration::MAX))
        .ok_or_else(|| anyhow!("{} after {} is out of range", show_duration(d), format(t)))
}

pub fn sub(t: Time, d: Duration) -> Time {
    t.checked_sub(time::Duration::try_from(d).unwrap_or(time::Duration::MAX))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Parses a humantime duration (`15m`, `1d`, `24h`) for clap.
///
/// Months and years are refused: humantime reads `15M` as 15 months
/// (30.44 days each), so a mistyped minute would mint tokens that live for
/// a year, and neither unit is a whole number of days.
pub fn parse_duration(s: &str) -> Result<Duration> {
    parse_duration_in(s, "m")
}

/// [`parse_duration`] for an option whose spans are usually counted in
/// `unit` (`s`, `m`, `h` or `d`): a bare number is told to add that one.
pub fn parse_duration_in(s: &str, unit: &str) -> Result<Duration> {
    let s = s.trim();
    if units(s).any(|unit| MONTHS_AND_YEARS.contains(&unit)) {
        bail!(
            "months and years are not accepted (M means months: minutes are m or min; write longer spans in days, like 30d or 365d)"
        );
    }
    humantime::parse_duration(s).map_err(|e| match e {
        humantime::DurationError::UnknownUnit {
            unit: typed, value, ..
        } if typed.is_empty() => {
            let word = match unit {
                "s" => "seconds",
                "h" => "hours",
                "d" => "days",
                _ => "minutes",
            };
            anyhow!("{value} has no unit (write {value}{unit} for {word}; {UNITS})")
        }
        humantime::DurationError::UnknownUnit { unit: typed, .. } => {
            anyhow!("unknown unit {typed:?} ({UNITS})")
        }
        e => anyhow!("{e} (use a duration like 90s, 15m, 24h or 30d)"),
    })
}

/// The units jwkctl's durations take, for error messages.
const UNITS: &str = "units: ms, s, m or min, h, d, w";

/// humantime's spellings of its month and year units.
const MONTHS_AND_YEARS: [&str; 8] = ["M", "month", "months", "y", "yr", "yrs", "year", "years"];

/// The unit words of a duration: its runs of letters (`1h 30m` → h, m).
fn units(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphabetic())
        .filter(|unit| !unit.is_empty())
}

/// The shortest exact humantime spelling of a duration (`24h`, `90s`).
pub fn show_duration(d: Duration) -> String {
    let s = d.as_secs();
    if d.subsec_nanos() != 0 {
        return humantime::format_duration(d).to_string();
    }
    if s == 0 {
        return "0s".to_owned();
    }
    if s.is_multiple_of(86_400) && s >= 2 * 86_400 {
        return format!("{}d", s / 86_400);
    }
    let parts = [(s / 3600, "h"), (s / 60 % 60, "m"), (s % 60, "s")];
    let shown: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n != 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    shown.join(" ")
}

/// The time of a run: when it started (or `--now`), and whether `--now`
/// pinned it.
#[derive(Clone, Copy, Debug)]
pub struct RunClock {
    pub start: Time,
    pub pinned: bool,
}

impl RunClock {
    /// The time once the store is held: a writer that waited for the lock
    /// (or retried a check-and-set) must not judge states by the time it
    /// started, or a key another writer added meanwhile looks pending.
    pub fn now_again(self) -> Time {
        if self.pinned {
            self.start
        } else {
            Time::now_utc().max(self.start)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_accepts_rfc3339_offsets_and_unix_seconds() {
        let z = parse_time("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(parse_time("2026-01-02T05:04:05+02:00").unwrap(), z);
        assert_eq!(parse_time("2026-01-01T22:34:05-04:30").unwrap(), z);
        assert_eq!(parse_time(&z.unix_timestamp().to_string()).unwrap(), z);
        assert_eq!(unix_f64(parse_time("1.5").unwrap()), 1.5);
        // Exactly, not through a float.
        let t = parse_time("1767323045.123456789").unwrap();
        assert_eq!(t.unix_timestamp_nanos(), 1_767_323_045_123_456_789);
        assert_eq!(
            parse_time("-1.25").unwrap().unix_timestamp_nanos(),
            -1_250_000_000
        );
        assert_eq!(
            parse_time("2.0000000005").unwrap().unix_timestamp_nanos(),
            2_000_000_001
        );
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2026-01-02 03:04").is_err());
    }

    #[test]
    fn the_form_jwkctl_writes_reads_as_the_parser_reads_it() {
        for text in [
            "2026-01-02T03:04:05Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
        ] {
            let general = OffsetDateTime::parse(text, &Rfc3339).unwrap();
            assert_eq!(utc_seconds(text), Some(general), "{text}");
            assert_eq!(parse_rfc3339(text).unwrap(), general, "{text}");
        }
        // Left to the parser: what it takes, it reads; what it refuses is
        // refused.
        for text in [
            "2026-01-02T03:04:05+00:00",
            "2026-01-02t03:04:05z",
            "2026-01-02T03:04:05.5Z",
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-02T24:00:00Z",
            "2026-01-02T03:04:60Z",
            "2026-01-0xT03:04:05Z",
            "+026-01-02T03:04:05Z",
        ] {
            assert_eq!(utc_seconds(text), None, "{text}");
            assert_eq!(
                parse_rfc3339(text).ok(),
                OffsetDateTime::parse(text, &Rfc3339)
                    .ok()
                    .map(|t| t.to_offset(time::UtcOffset::UTC)),
                "{text}"
            );
        }
    }

    #[test]
    fn format_is_utc_seconds() {
        let t = parse_time("2026-01-02T05:04:05.75+02:00").unwrap();
        assert_eq!(format(t), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn months_and_years_are_refused() {
        for text in [
            "15M", "1M", "1 month", "2months", "1y", "1yr", "2 years", "1d 1M", "1h15M",
        ] {
            let err = parse_duration(text).unwrap_err().to_string();
            assert!(
                err.contains("months and years are not accepted"),
                "{text}: {err}"
            );
        }
        for (text, secs) in [
            ("15m", 900),
            ("15min", 900),
            ("1d 2h", 93_600),
            ("2w", 1_209_600),
        ] {
            assert_eq!(
                parse_duration(text).unwrap(),
                Duration::from_secs(secs),
                "{text}"
            );
        }
    }

    #[test]
    fn a_bare_number_is_told_the_unit_of_its_option() {
        let err = |s, unit| format!("{:#}", parse_duration_in(s, unit).unwrap_err());
        assert_eq!(
            err("30", "d"),
            "30 has no unit (write 30d for days; units: ms, s, m or min, h, d, w)"
        );
        assert_eq!(
            err(" 15 ", "m"),
            "15 has no unit (write 15m for minutes; units: ms, s, m or min, h, d, w)"
        );
        assert_eq!(
            err("3x", "m"),
            "unknown unit \"x\" (units: ms, s, m or min, h, d, w)"
        );
    }

    #[test]
    fn durations_show_round_trip() {
        for (text, shown) in [
            ("24h", "24h"),
            ("1d", "24h"),
            ("30d", "30d"),
            ("90s", "1m 30s"),
            ("15m", "15m"),
            ("1445m", "24h 5m"),
        ] {
            let d = parse_duration(text).unwrap();
            assert_eq!(show_duration(d), shown);
            assert_eq!(parse_duration(shown).unwrap(), d);
        }
    }
}
