//! RFC 3339 timestamps (`2024-05-01T12:00:00.123456Z`, `...+02:00`) to and
//! from microseconds since the Unix epoch: parsing for HAR `startedDateTime`,
//! formatting for replay reports. Proleptic Gregorian calendar, no leap
//! seconds (a `:60` second is read as `:59`).

use crate::exchange::Micros;

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Days from 1970-01-01 to the given civil date (negative before it).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Count from 0000-03-01 so the leap day ends each 4-year cycle.
    let (y, m) = if month <= 2 {
        (year - 1, i64::from(month) + 9)
    } else {
        (year, i64::from(month) - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719_468 days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The civil date (year, month, day) of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A cursor over the timestamp text.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, count: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..count {
            let b = *self.bytes.get(self.at)?;
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
            self.at += 1;
        }
        Some(value)
    }

    fn expect(&mut self, options: &[u8]) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        if options.contains(&b) {
            self.at += 1;
            Some(b)
        } else {
            None
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }
}

/// Parses an RFC 3339 date-time into microseconds since the epoch. Fractions
/// beyond microseconds are cut; `None` when the text is not a valid date-time.
pub fn parse(text: &str) -> Option<Micros> {
    let mut c = Cursor {
        bytes: text.trim().as_bytes(),
        at: 0,
    };
    let year = i64::from(c.digits(4)?);
    c.expect(b"-")?;
    let month = c.digits(2)?;
    c.expect(b"-")?;
    let day = c.digits(2)?;
    c.expect(b"Tt ")?;
    let hour = c.digits(2)?;
    c.expect(b":")?;
    let minute = c.digits(2)?;
    c.expect(b":")?;
    let second = c.digits(2)?.min(59);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
    {
        return None;
    }
    let mut micros = 0i64;
    if c.expect(b".,").is_some() {
        let mut scale = 100_000i64;
        let mut any = false;
        while let Some(b) = c.peek().filter(u8::is_ascii_digit) {
            micros += i64::from(b - b'0') * scale;
            scale /= 10;
            c.at += 1;
            any = true;
        }
        if !any {
            return None;
        }
    }
    let offset_seconds = match c.expect(b"Zz+-")? {
        b'Z' | b'z' => 0,
        sign => {
            let oh = i64::from(c.digits(2)?);
            c.expect(b":");
            let om = i64::from(c.digits(2)?);
            let total = oh * 3600 + om * 60;
            if sign == b'-' {
                -total
            } else {
                total
            }
        }
    };
    if c.at != c.bytes.len() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * SECONDS_PER_DAY
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
        - offset_seconds;
    Some(seconds * MICROS_PER_SECOND + micros)
}

/// Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn format(micros: Micros) -> String {
    let seconds = micros.div_euclid(MICROS_PER_SECOND);
    let fraction = micros.rem_euclid(MICROS_PER_SECOND);
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let in_day = seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction:06}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse("1970-01-01T00:00:01.5Z"), Some(1_500_000));
        assert_eq!(
            parse("2024-02-29T12:30:00.123456789+02:00"),
            Some(1_709_202_600_123_456)
        );
        assert_eq!(
            parse("2024-02-29T10:30:00.123456Z"),
            parse("2024-02-29T12:30:00.123456+02:00")
        );
        assert_eq!(
            parse("2001-09-09T01:46:40-00:00"),
            Some(1_000_000_000_000_000)
        );
    }

    #[test]
    fn rejects_invalid_dates() {
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00Zjunk",
            "24-01-01T00:00:00Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for text in [
            "1970-01-01T00:00:00.000000Z",
            "2024-02-29T10:30:00.123456Z",
            "1969-12-31T23:59:59.999999Z",
            "2100-03-01T00:00:00.000001Z",
        ] {
            let micros = parse(text).unwrap();
            assert_eq!(format(micros), text);
        }
    }
}
