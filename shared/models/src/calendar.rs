//! The working-day calendar behind SLA deadlines.
//!
//! In SP4N-LAPOR! a report's deadlines count **working days**: Monday to Friday, minus
//! the national holidays (hari libur nasional) and collective leave days (cuti bersama)
//! that the joint decree of three ministers (SKB 3 Menteri) sets each year. A deadline
//! ends at 23:59:59 WIB of its last working day; dates are always read in WIB, the
//! regency's time zone, whatever the UTC date of the instant.
//!
//! The non-working days are kept per year in `data/holidays/<year>.json`, embedded when
//! compiling and checked when loaded, so a new decree means a new or changed data file,
//! not code. A file may say `"provisional": true` when it lists expected dates before the
//! decree is published.
//!
//! Dates in years without a data file fall back to Monday–Friday only: no holiday is
//! known there, so every weekday counts as a working day. [`WorkingCalendar::covers`]
//! tells whether a year has its data.

use crate::time::{Timestamp, WIB_OFFSET_SECONDS};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The embedded data files, one per year.
const EMBEDDED: &[(&str, &str)] = &[
    ("2025.json", include_str!("../data/holidays/2025.json")),
    ("2026.json", include_str!("../data/holidays/2026.json")),
    ("2027.json", include_str!("../data/holidays/2027.json")),
];

/// The last second of a day: deadlines end then (in WIB).
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(t) => t,
    None => panic!("23:59:59 is a valid time"),
};

/// Why a holiday data file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// Not valid JSON, or not the expected shape (including an unknown `kind`).
    #[error("{file} is not valid: {source}")]
    Parse {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    /// A date outside the year the file is for.
    #[error("{file} is for {year} but lists {date}")]
    WrongYear {
        file: String,
        year: i32,
        date: NaiveDate,
    },
    /// The same date twice in one file.
    #[error("{0} is listed twice")]
    Duplicate(NaiveDate),
    /// Two files for the same year.
    #[error("two files are for the year {0}")]
    DuplicateYear(i32),
    /// A day without a name.
    #[error("{0} has no name")]
    EmptyName(NaiveDate),
}

/// Why a day is not a working day, as the decree says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DayKind {
    /// Hari libur nasional.
    Holiday,
    /// Cuti bersama.
    CollectiveLeave,
}

/// One year's data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    /// The decree the dates come from; kept in the file for people, not used here.
    #[allow(dead_code)]
    source: String,
    /// Dates expected before the decree is published.
    #[serde(default)]
    #[allow(dead_code)]
    provisional: bool,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    days: Vec<DayEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayEntry {
    date: NaiveDate,
    name: String,
    #[allow(dead_code)]
    kind: DayKind,
}

/// Working days in Indonesia: Monday–Friday minus the non-working dates of the loaded
/// years; outside those years, Monday–Friday only.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    /// Non-working dates (holidays and collective leave) with their names.
    days_off: BTreeMap<NaiveDate, String>,
    /// Years that have a data file.
    years: BTreeSet<i32>,
}

impl WorkingCalendar {
    /// The national calendar from the data files embedded in this crate.
    pub fn indonesia() -> Result<Self, CalendarError> {
        Self::load(
            EMBEDDED
                .iter()
                .map(|(name, text)| ((*name).to_string(), *text)),
        )
    }

    /// A calendar from the texts of year files (same shape as `data/holidays/*.json`),
    /// each parsed and checked. In errors the files are named `file #1`, `file #2`...
    pub fn from_years(files: &[&str]) -> Result<Self, CalendarError> {
        Self::load(
            files
                .iter()
                .enumerate()
                .map(|(i, text)| (format!("file #{}", i + 1), *text)),
        )
    }

    fn load<'a>(files: impl Iterator<Item = (String, &'a str)>) -> Result<Self, CalendarError> {
        let mut calendar = Self::default();
        for (file, text) in files {
            let parsed: YearFile = match serde_json::from_str(text) {
                Ok(parsed) => parsed,
                Err(source) => return Err(CalendarError::Parse { file, source }),
            };
            if !calendar.years.insert(parsed.year) {
                return Err(CalendarError::DuplicateYear(parsed.year));
            }
            // Dates are checked to be in the file's year and years are distinct, so a
            // date already present can only come from this same file.
            for day in parsed.days {
                if day.date.year() != parsed.year {
                    return Err(CalendarError::WrongYear {
                        file,
                        year: parsed.year,
                        date: day.date,
                    });
                }
                if day.name.trim().is_empty() {
                    return Err(CalendarError::EmptyName(day.date));
                }
                if calendar.days_off.insert(day.date, day.name).is_some() {
                    return Err(CalendarError::Duplicate(day.date));
                }
            }
        }
        Ok(calendar)
    }

    /// Whether `date` is a working day: a weekday that is neither a holiday nor a
    /// collective leave day. In years without data, every weekday is one.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.days_off.contains_key(&date)
    }

    /// The name of the holiday or collective leave on `date`, if any (weekends have
    /// none unless a holiday falls on them).
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.days_off.get(&date).map(String::as_str)
    }

    /// Whether a data file exists for `year`; if not, that year counts Monday–Friday only.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The deadline `days` working days after `start`: the WIB date of start, then count
    /// `days` working days after it (the start day itself never counts), ending 23:59:59
    /// WIB, returned as a [`Timestamp`] (UTC). `days = 0` → end of the start day if it is
    /// a working day, else end of the next working day.
    pub fn deadline_after(&self, start: Timestamp, days: u32) -> Timestamp {
        let start_date = wib_date(start);
        let last = if days == 0 && self.is_working_day(start_date) {
            start_date
        } else {
            let mut date = start_date;
            let mut counted = 0;
            // Stops at the end of the calendar if no later date is left to count.
            while let Some(next) = date.succ_opt() {
                date = next;
                if self.is_working_day(date) {
                    counted += 1;
                    if counted >= days.max(1) {
                        break;
                    }
                }
            }
            date
        };
        end_of_wib_day(last)
    }

    /// Working days elapsed from `from` to `to`, by their WIB dates: the working days
    /// after `from`'s date up to and including `to`'s date. 0 on the same day or when
    /// `to` is before `from`. For `days >= 1`,
    /// `working_days_between(t, deadline_after(t, days)) == days`.
    pub fn working_days_between(&self, from: Timestamp, to: Timestamp) -> u32 {
        let (from, to) = (wib_date(from), wib_date(to));
        if to <= from {
            return 0;
        }
        from.iter_days()
            .skip(1)
            .take_while(|date| *date <= to)
            .filter(|date| self.is_working_day(*date))
            .fold(0u32, |n, _| n.saturating_add(1))
    }
}

/// The calendar date of an instant in WIB.
fn wib_date(t: Timestamp) -> NaiveDate {
    t.in_wib().date_naive()
}

/// 23:59:59 WIB of `date`, as a UTC timestamp.
fn end_of_wib_day(date: NaiveDate) -> Timestamp {
    let wib_as_utc = date.and_time(END_OF_DAY).and_utc();
    let utc = wib_as_utc
        .checked_sub_signed(TimeDelta::seconds(i64::from(WIB_OFFSET_SECONDS)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    Timestamp::from_utc(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> WorkingCalendar {
        WorkingCalendar::indonesia().expect("the embedded holiday files load")
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("a valid date")
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).expect("a valid RFC 3339 time")
    }

    #[test]
    fn every_embedded_data_file_loads_and_covers_its_year() {
        let cal = calendar();
        for year in [2025, 2026, 2027] {
            assert!(cal.covers(year), "{year} should be covered");
        }
        assert!(!cal.covers(2024));
        assert!(!cal.covers(2028));
        for (name, text) in EMBEDDED {
            let single = WorkingCalendar::from_years(&[*text]);
            assert!(single.is_ok(), "{name}: {:?}", single.err());
        }
    }

    #[test]
    fn the_2026_decree_has_17_holidays_and_8_collective_leave_days() {
        let file: YearFile = serde_json::from_str(EMBEDDED[1].1).expect("2026 parses");
        assert_eq!(file.year, 2026);
        let holidays = file.days.iter().filter(|d| d.kind == DayKind::Holiday);
        let leave = file
            .days
            .iter()
            .filter(|d| d.kind == DayKind::CollectiveLeave);
        assert_eq!(holidays.count(), 17);
        assert_eq!(leave.count(), 8);
    }

    #[test]
    fn independence_day_2026_is_named() {
        let cal = calendar();
        let name = cal
            .holiday_name(date("2026-08-17"))
            .expect("17 August is a holiday");
        assert!(name.contains("Kemerdekaan"), "{name}");
        assert!(!cal.is_working_day(date("2026-08-17")));
        assert_eq!(cal.holiday_name(date("2026-08-18")), None);
        assert!(cal.is_working_day(date("2026-08-18")));
    }

    #[test]
    fn the_idul_fitri_1447_block_is_not_working() {
        let cal = calendar();
        // Nyepi leave, Nyepi, cuti bersama, Idul Fitri (Sat–Sun), cuti bersama ×2.
        for d in 18..=24 {
            let day = NaiveDate::from_ymd_opt(2026, 3, d).expect("a March date");
            assert!(!cal.is_working_day(day), "{day} should be off");
        }
        assert!(cal.is_working_day(date("2026-03-17")));
        assert!(cal.is_working_day(date("2026-03-25")));
    }

    #[test]
    fn a_report_on_the_thursday_before_idul_fitri_gets_its_deadline_after_the_whole_break() {
        let cal = calendar();
        // Thursday 19 March 2026, 10:00 WIB.
        let submitted = at("2026-03-19T10:00:00+07:00");
        // Off: 20 (cuti), 21–22 (Idul Fitri), 23–24 (cuti); then 25, 26, 27 count.
        let deadline = cal.deadline_after(submitted, 3);
        assert_eq!(deadline, at("2026-03-27T23:59:59+07:00"));
    }

    #[test]
    fn a_deadline_across_the_year_end_skips_christmas_leave_weekends_and_new_year() {
        let cal = calendar();
        // Wednesday 23 December 2026. Off: 24 (cuti), 25 (Natal), 26–27 (weekend),
        // then 28, 29, 30, 31 count, 1 Jan 2027 (Tahun Baru), 2–3 (weekend), 4 Jan counts.
        let submitted = at("2026-12-23T09:00:00+07:00");
        let deadline = cal.deadline_after(submitted, 5);
        assert_eq!(deadline, at("2027-01-04T23:59:59+07:00"));
    }

    #[test]
    fn the_deadline_instant_is_23_59_59_wib_which_is_16_59_59_utc() {
        let cal = calendar();
        let deadline = cal.deadline_after(at("2026-12-01T08:00:00+07:00"), 1);
        assert_eq!(deadline.to_rfc3339(), "2026-12-02T16:59:59.000Z");
        assert_eq!(deadline.in_wib().time(), END_OF_DAY);
    }

    #[test]
    fn a_friday_evening_submission_counts_from_fridays_wib_date() {
        let cal = calendar();
        // Friday 4 December 2026, 23:30 WIB = 16:30 UTC.
        let submitted = at("2026-12-04T16:30:00Z");
        assert_eq!(submitted, at("2026-12-04T23:30:00+07:00"));
        assert_eq!(
            cal.deadline_after(submitted, 1),
            at("2026-12-07T23:59:59+07:00")
        );
        assert_eq!(
            cal.deadline_after(submitted, 0),
            at("2026-12-04T23:59:59+07:00")
        );
    }

    #[test]
    fn an_early_friday_morning_wib_counts_as_friday_though_it_is_thursday_in_utc() {
        let cal = calendar();
        // Friday 4 December 2026, 05:00 WIB = Thursday 3 December, 22:00 UTC.
        let submitted = at("2026-12-03T22:00:00Z");
        assert_eq!(
            cal.deadline_after(submitted, 1),
            at("2026-12-07T23:59:59+07:00")
        );
        assert_eq!(
            cal.deadline_after(submitted, 0),
            at("2026-12-04T23:59:59+07:00")
        );
    }

    #[test]
    fn a_saturday_submission_counts_from_monday() {
        let cal = calendar();
        // Saturday 5 December 2026.
        let submitted = at("2026-12-05T10:00:00+07:00");
        assert_eq!(
            cal.deadline_after(submitted, 0),
            at("2026-12-07T23:59:59+07:00")
        );
        assert_eq!(
            cal.deadline_after(submitted, 1),
            at("2026-12-07T23:59:59+07:00")
        );
        assert_eq!(
            cal.deadline_after(submitted, 3),
            at("2026-12-09T23:59:59+07:00")
        );
    }

    #[test]
    fn zero_days_on_a_holiday_ends_on_the_next_working_day() {
        let cal = calendar();
        // Independence Day 2026 is a Monday.
        let submitted = at("2026-08-17T09:00:00+07:00");
        assert_eq!(
            cal.deadline_after(submitted, 0),
            at("2026-08-18T23:59:59+07:00")
        );
    }

    #[test]
    fn working_days_between_counts_wib_dates_after_the_first() {
        let cal = calendar();
        let thursday = at("2026-03-19T10:00:00+07:00");
        assert_eq!(
            cal.working_days_between(thursday, at("2026-03-24T12:00:00+07:00")),
            0
        );
        assert_eq!(
            cal.working_days_between(thursday, at("2026-03-25T08:00:00+07:00")),
            1
        );
        assert_eq!(
            cal.working_days_between(thursday, at("2026-03-27T23:59:59+07:00")),
            3
        );
        // Same WIB day, and backwards.
        assert_eq!(
            cal.working_days_between(thursday, at("2026-03-19T23:00:00+07:00")),
            0
        );
        assert_eq!(
            cal.working_days_between(at("2026-03-27T10:00:00+07:00"), thursday),
            0
        );
        // An ordinary week: Monday to the next Monday is five working days.
        let monday = at("2026-11-02T09:00:00+07:00");
        assert_eq!(
            cal.working_days_between(monday, at("2026-11-09T09:00:00+07:00")),
            5
        );
    }

    #[test]
    fn working_days_between_a_start_and_its_deadline_is_the_days_asked() {
        let cal = calendar();
        let start = at("2025-12-20T15:00:00Z");
        for days in 1..=400 {
            let deadline = cal.deadline_after(start, days);
            assert_eq!(cal.working_days_between(start, deadline), days, "{days}");
        }
    }

    #[test]
    fn years_without_data_fall_back_to_monday_to_friday() {
        let cal = calendar();
        // 1 January 2030 is a Tuesday; without a 2030 file it counts as working.
        assert!(!cal.covers(2030));
        assert!(cal.is_working_day(date("2030-01-01")));
        assert!(!cal.is_working_day(date("2030-01-05")));
        // Friday 4 January 2030 + 1 working day = Monday 7 January.
        let deadline = cal.deadline_after(at("2030-01-04T10:00:00+07:00"), 1);
        assert_eq!(deadline, at("2030-01-07T23:59:59+07:00"));
    }

    #[test]
    fn a_malformed_file_is_refused() {
        let not_json = WorkingCalendar::from_years(&["{\"year\": 2026, \"days\": ["]);
        assert!(matches!(not_json, Err(CalendarError::Parse { .. })));

        let bad_kind = r#"{"year": 2026, "source": "x", "days": [
            {"date": "2026-01-01", "name": "Tahun Baru", "kind": "bank_holiday"}]}"#;
        assert!(matches!(
            WorkingCalendar::from_years(&[bad_kind]),
            Err(CalendarError::Parse { .. })
        ));

        let bad_date = r#"{"year": 2026, "source": "x", "days": [
            {"date": "2026-02-30", "name": "Nope", "kind": "holiday"}]}"#;
        assert!(matches!(
            WorkingCalendar::from_years(&[bad_date]),
            Err(CalendarError::Parse { .. })
        ));

        let wrong_year = r#"{"year": 2026, "source": "x", "days": [
            {"date": "2027-01-01", "name": "Tahun Baru", "kind": "holiday"}]}"#;
        assert!(matches!(
            WorkingCalendar::from_years(&[wrong_year]),
            Err(CalendarError::WrongYear { year: 2026, .. })
        ));

        let duplicate = r#"{"year": 2026, "source": "x", "days": [
            {"date": "2026-01-01", "name": "Tahun Baru", "kind": "holiday"},
            {"date": "2026-01-01", "name": "Tahun Baru lagi", "kind": "collective_leave"}]}"#;
        assert!(matches!(
            WorkingCalendar::from_years(&[duplicate]),
            Err(CalendarError::Duplicate(d)) if d == date("2026-01-01")
        ));

        let empty_name = r#"{"year": 2026, "source": "x", "days": [
            {"date": "2026-01-01", "name": " ", "kind": "holiday"}]}"#;
        assert!(matches!(
            WorkingCalendar::from_years(&[empty_name]),
            Err(CalendarError::EmptyName(_))
        ));

        let same_year = r#"{"year": 2026, "source": "x", "days": []}"#;
        assert!(matches!(
            WorkingCalendar::from_years(&[same_year, same_year]),
            Err(CalendarError::DuplicateYear(2026))
        ));
    }

    #[test]
    fn a_parse_error_names_the_file() {
        let err = WorkingCalendar::from_years(&["{}", "oops"]).expect_err("refused");
        assert!(err.to_string().starts_with("file #1"), "{err}");
    }
}
