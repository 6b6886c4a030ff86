//! When a hand-off document was made: RFC 3339 in UTC to the second
//! (`2026-12-04T22:03:09Z`), readable by both admins and sortable as text.

use std::time::{SystemTime, UNIX_EPOCH};

/// `at` as `YYYY-MM-DDTHH:MM:SSZ`. Times before 1970 are written as 1970.
pub fn rfc3339(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Whether `text` has the form [`rfc3339`] writes, with a real date.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
            .then(|| text[r].parse::<u32>().unwrap_or(u32::MAX))
    };
    let shape = b.len() == 20
        && (b[4], b[7], b[10], b[13], b[16], b[19]) == (b'-', b'-', b'T', b':', b':', b'Z');
    let parts = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    );
    match parts {
        (Some(y), Some(m), Some(d), Some(h), Some(min), Some(s)) if shape => {
            (1..=12).contains(&m)
                && (1..=days_in_month(y, m)).contains(&d)
                && h < 24
                && min < 60
                && s < 60
        }
        _ => false,
    }
}

fn days_in_month(y: u32, m: u32) -> u32 {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Days since 1970-01-01 to (year, month, day): H. Hinnant's civil_from_days.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn known_instants() {
        let at = |s| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_421_789), "2026-12-04T22:03:09Z");
        assert!(is_rfc3339(&at(1_796_421_789)));
    }

    #[test]
    fn other_forms_are_refused() {
        for bad in [
            "2026-12-04 22:03:09Z",
            "2026-12-04T22:03:09+01:00",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-04T24:00:00Z",
            "yesterday",
            "",
        ] {
            assert!(!is_rfc3339(bad), "{bad:?}");
        }
        assert!(is_rfc3339("2024-02-29T23:59:59Z"));
    }
}
