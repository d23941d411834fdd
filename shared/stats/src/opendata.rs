//! The monthly open-data CSV of public reports (`reports-YYYY-MM.csv`): one row per
//! report created in the WIB month that is not confidential, read from the public index
//! (gsi1 `PUB`, sorted by creation time) over the month's range only.
//!
//! Columns: `kode_lacak, dibuat_wib, status, kategori, subkategori, unit, kecamatan,
//! desa, lat, lon, kanal, privasi, judul, dukungan, ditanggapi_wib, selesai_wib, nilai`.
//! Never in it: the reporter (id, phone), the description, the address, confidential
//! reports. Anonymous reports: location rounded to 3 decimals (about 110 m) and no title
//! or desa. Titles have anything that looks like a phone number masked.

use chrono::{Months, NaiveDate, TimeZone};
use lapor_models::{Privacy, ReferenceData, Timestamp};
use lapor_reports::Report;
use lapor_store::{Index, ItemStore, Query, SortCondition, StoreError};

/// The header row.
pub const HEADER: &str = "kode_lacak,dibuat_wib,status,kategori,subkategori,unit,kecamatan,desa,lat,lon,kanal,privasi,judul,dukungan,ditanggapi_wib,selesai_wib,nilai";

/// Why the CSV could not be made.
#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    #[error("{0:?} is not a month YYYY-MM")]
    BadMonth(String),
    #[error("a public report could not be read")]
    Corrupt(#[source] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The first instant of a WIB month and of the next one, as sort-key prefixes.
fn month_range(month: &str) -> Option<(String, String)> {
    let start = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let end = start.checked_add_months(Months::new(1))?;
    let wib = chrono::FixedOffset::east_opt(7 * 3600)?;
    let at = |d: NaiveDate| -> Option<String> {
        let local = wib.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single()?;
        Some(Timestamp::from_utc(local.with_timezone(&chrono::Utc)).to_rfc3339())
    };
    Some((at(start)?, at(end)?))
}

/// A CSV field, quoted when it holds a comma, quote or line break; a leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so that spreadsheets never run it as a formula.
pub fn field(text: &str) -> String {
    let mut text = text.replace(['\r', '\n'], " ");
    if text.starts_with(['=', '+', '-', '@']) {
        text.insert(0, '\'');
    }
    if text.contains([',', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Masks runs that look like Indonesian phone numbers (`+62…`, `62…`, `08…`, 9+ digits
/// with spaces, dots or dashes between them).
pub fn mask_phones(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let mut j = i;
        let mut digits = String::new();
        if chars[j] == '+' {
            j += 1;
        }
        while j < chars.len()
            && (chars[j].is_ascii_digit()
                || (matches!(chars[j], ' ' | '-' | '.')
                    && j + 1 < chars.len()
                    && chars[j + 1].is_ascii_digit()
                    && !digits.is_empty()))
        {
            if chars[j].is_ascii_digit() {
                digits.push(chars[j]);
            }
            j += 1;
        }
        let phone_like =
            digits.len() >= 9 && (digits.starts_with("62") || digits.starts_with("08"));
        if phone_like {
            out.push_str("[disembunyikan]");
            i = j;
        } else {
            out.push(chars[start]);
            i = start + 1;
        }
    }
    out
}

fn when(at: Option<Timestamp>) -> String {
    at.map(|t| t.in_wib().format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// One report as a CSV row, or `None` for a confidential one.
pub fn row(report: &Report, reference: &ReferenceData) -> Option<String> {
    if report.privacy == Privacy::Confidential {
        return None;
    }
    let anonymous = report.privacy == Privacy::Anonymous;
    let (lat, lon) = if anonymous {
        (
            format!("{:.3}", report.location.lat),
            format!("{:.3}", report.location.lon),
        )
    } else {
        (
            format!("{:.6}", report.location.lat),
            format!("{:.6}", report.location.lon),
        )
    };
    let (category, subcategory) = reference
        .subcategory(&report.subcategory_id)
        .map(|(c, s)| (c.name.clone(), s.name.clone()))
        .unwrap_or_else(|| {
            (
                report.category_id.to_string(),
                report.subcategory_id.to_string(),
            )
        });
    let unit = crate::summary::unit_name(reference, report.unit_id.as_str());
    let kecamatan = crate::summary::unit_name(reference, report.location.kecamatan_id.as_str());
    let title = if anonymous {
        String::new()
    } else {
        report.title.as_deref().map(mask_phones).unwrap_or_default()
    };
    let desa = if anonymous {
        String::new()
    } else {
        report
            .location
            .desa
            .as_deref()
            .map(mask_phones)
            .unwrap_or_default()
    };
    let fields = [
        report.tracking_code.as_str().to_owned(),
        when(Some(report.created_at)),
        report.status.as_str().to_owned(),
        category,
        subcategory,
        unit,
        kecamatan,
        desa,
        lat,
        lon,
        report.channel.as_str().to_owned(),
        match report.privacy {
            Privacy::Anonymous => "anonim".to_owned(),
            _ => "publik".to_owned(),
        },
        title,
        report.support_count.to_string(),
        when(report.first_response_at),
        when(report.resolved_at),
        report
            .rating
            .as_ref()
            .map(|r| r.score.to_string())
            .unwrap_or_default(),
    ];
    Some(
        fields
            .iter()
            .map(|f| field(f))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// The CSV of a WIB month, oldest first, and the number of rows.
pub async fn month_csv(
    store: &dyn ItemStore,
    reference: &ReferenceData,
    month: &str,
) -> Result<(String, usize), OpenDataError> {
    let (start, end) = month_range(month).ok_or_else(|| OpenDataError::BadMonth(month.into()))?;
    let mut csv = String::from(HEADER);
    csv.push('\n');
    let mut rows = 0;
    let mut cursor = None;
    loop {
        let page = store
            .query(
                Query::index(Index::Gsi1, "PUB")
                    .sort(SortCondition::Between(start.clone(), end.clone()))
                    .limit(500)
                    .after(cursor.take()),
            )
            .await?;
        for item in page.items {
            // The end bound is the next month's first instant: leave it out.
            if item
                .get("gsi1sk")
                .and_then(|v| v.as_str())
                .is_some_and(|s| s >= end.as_str())
            {
                continue;
            }
            let report: Report = serde_json::from_value(serde_json::Value::Object(item))
                .map_err(OpenDataError::Corrupt)?;
            if let Some(line) = row(&report, reference) {
                csv.push_str(&line);
                csv.push('\n');
                rows += 1;
            }
        }
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => return Ok((csv, rows)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_text_are_masked_and_other_numbers_kept() {
        assert_eq!(
            mask_phones("hubungi 0812-3456-7890 atau +62 812 3456 7890"),
            "hubungi [disembunyikan] atau [disembunyikan]"
        );
        assert_eq!(
            mask_phones("Jalan RT 05 no 12, 2026"),
            "Jalan RT 05 no 12, 2026"
        );
    }

    #[test]
    fn a_field_that_a_spreadsheet_would_run_is_defused_and_commas_are_quoted() {
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("a, \"b\""), "\"a, \"\"b\"\"\"");
    }

    #[test]
    fn a_wib_month_starts_at_17_utc_the_day_before() {
        let (start, end) = month_range("2026-12").unwrap();
        assert_eq!(start, "2026-11-30T17:00:00.000Z");
        assert_eq!(end, "2026-12-31T17:00:00.000Z");
        assert!(month_range("2026-13").is_none());
    }
}
