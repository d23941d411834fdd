//! What is said, to whom, for which event: the texts (Bahasa Indonesia) of SMS and push
//! messages, built to fit one GSM-7 SMS (at most 160 characters, always with the
//! tracking code and a short link), and the push payloads SNS delivers to FCM and APNs
//! with the report id for the app's deep link.

use crate::gsm::to_gsm7;
use lapor_models::{ReportId, TrackingCode};
use serde_json::json;

/// Most characters of one GSM-7 SMS.
pub const SMS_MAX: usize = 160;

/// Who a notification is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The PICs of the report's unit (or, for escalations, its head and the regent's staff).
    Staff,
    /// The reporter.
    Reporter,
}

/// The events that notify someone, with what they say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A new report for the unit (verified and assigned, or reassigned by an admin).
    Assigned,
    /// A PIC of another unit forwarded it here.
    Forwarded,
    /// An SLA stage ran out.
    Escalated,
    /// The reporter reopened it.
    Reopened,
    /// The reporter should know: verified, forwarded, asked for information, taken up,
    /// answered, resolved, rejected, closed.
    ReporterUpdate(ReporterUpdate),
}

/// The changes a reporter is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReporterUpdate {
    Verified,
    Moved,
    InfoRequested,
    Acknowledged,
    Responded,
    Resolved,
    Rejected,
    AutoClosed,
}

impl Event {
    /// The staff event a report's `last_event.kind` stands for.
    pub fn for_staff(kind: &str) -> Option<Event> {
        Some(match kind {
            "assigned" => Event::Assigned,
            "forwarded" => Event::Forwarded,
            "escalated" => Event::Escalated,
            "reopened" => Event::Reopened,
            _ => return None,
        })
    }

    /// The reporter's event a report's `last_event.kind` stands for.
    pub fn for_reporter(kind: &str) -> Option<Event> {
        use ReporterUpdate as U;
        Some(Event::ReporterUpdate(match kind {
            "assigned" => U::Verified,
            "forwarded" => U::Moved,
            "request_info" => U::InfoRequested,
            "acknowledge" => U::Acknowledged,
            "respond" => U::Responded,
            "resolve" => U::Resolved,
            "reject" => U::Rejected,
            "auto_closed" => U::AutoClosed,
            _ => return None,
        }))
    }

    /// Whether a reporter's SMS for this event may be sent during quiet hours: only when
    /// the reporter must act (answer a question before the report lapses).
    pub fn urgent_for_reporter(self) -> bool {
        matches!(self, Event::ReporterUpdate(ReporterUpdate::InfoRequested))
    }

    /// Whether staff get an SMS as well as push (new work and overdue work: yes).
    pub fn sms_to_staff(self) -> bool {
        matches!(
            self,
            Event::Assigned | Event::Forwarded | Event::Escalated | Event::Reopened
        )
    }

    /// A short title for push.
    pub fn push_title(self) -> &'static str {
        use ReporterUpdate as U;
        match self {
            Event::Assigned => "Laporan baru untuk unit Anda",
            Event::Forwarded => "Laporan dialihkan ke unit Anda",
            Event::Escalated => "Laporan melewati batas waktu",
            Event::Reopened => "Laporan dibuka kembali",
            Event::ReporterUpdate(update) => match update {
                U::Verified => "Laporan Anda diverifikasi",
                U::Moved => "Laporan Anda dialihkan",
                U::InfoRequested => "Keterangan tambahan diperlukan",
                U::Acknowledged => "Laporan Anda ditindaklanjuti",
                U::Responded => "Tanggapan baru",
                U::Resolved => "Laporan Anda selesai ditindaklanjuti",
                U::Rejected => "Laporan Anda tidak dapat diproses",
                U::AutoClosed => "Laporan Anda ditutup",
            },
        }
    }

    /// The sentence before and after the title, for staff (the title sits between).
    fn staff_frame(self) -> (&'static str, &'static str) {
        match self {
            Event::Forwarded => ("dialihkan ke unit Anda", ""),
            Event::Escalated => ("melewati batas waktu, segera tindak lanjuti", ""),
            Event::Reopened => ("dibuka kembali oleh pelapor", ""),
            _ => ("baru untuk unit Anda", ""),
        }
    }

    /// The reporter's sentence (no title: the reporter knows the report).
    fn reporter_sentence(self) -> &'static str {
        use ReporterUpdate as U;
        match self {
            Event::ReporterUpdate(update) => match update {
                U::Verified => "telah diverifikasi dan diteruskan ke unit terkait.",
                U::Moved => "dialihkan ke unit yang berwenang.",
                U::InfoRequested => "memerlukan keterangan tambahan dari Anda. Mohon lengkapi.",
                U::Acknowledged => "sedang ditindaklanjuti.",
                U::Responded => "mendapat tanggapan baru.",
                U::Resolved => "telah ditindaklanjuti. Mohon konfirmasi atau buka kembali.",
                U::Rejected => "tidak dapat diproses. Lihat alasannya di aplikasi.",
                U::AutoClosed => "telah ditutup. Terima kasih.",
            },
            _ => "diperbarui.",
        }
    }
}

/// The short link of a report: `<base>/<code>`.
pub fn short_link(base: &str, code: &TrackingCode) -> String {
    format!("{}/{}", base.trim_end_matches('/'), code)
}

/// Cuts `text` to at most `max` characters, ending in `...` when cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max <= 3 {
        return String::new();
    }
    let mut cut: String = text.chars().take(max - 3).collect();
    while cut.ends_with(' ') {
        cut.pop();
    }
    cut.push_str("...");
    cut
}

/// The SMS for `event` about the report with this code and title: GSM-7 basic only, at
/// most [`SMS_MAX`] characters, always ending with the tracking code's link; the title is
/// shortened to fit (or left out when even a short one would not).
pub fn sms_text(event: Event, code: &TrackingCode, title: &str, link_base: &str) -> String {
    let link = to_gsm7(&short_link(link_base, code));
    let code = to_gsm7(code.as_str());
    let text = match event {
        Event::ReporterUpdate(_) => format!(
            "Lapor Bupati: Laporan {code} {} {link}",
            event.reporter_sentence()
        ),
        _ => {
            let (before, after) = event.staff_frame();
            let head = format!("Lapor Bupati: Laporan {code} {before}: ");
            let tail = format!("{after} {link}");
            let room = SMS_MAX.saturating_sub(head.chars().count() + tail.chars().count() + 1);
            let title = fit(&to_gsm7(title), room);
            if title.chars().count() < 8 {
                format!("Lapor Bupati: Laporan {code} {before}. {link}")
            } else {
                format!("{head}{title}.{tail}")
            }
        }
    };
    // The frame is fixed GSM-7 text; a very long link base is the only way past the limit.
    fit(&to_gsm7(&text), SMS_MAX)
}

/// The text of a push message (not limited to one SMS, but kept short).
pub fn push_body(event: Event, code: &TrackingCode, title: &str) -> String {
    let title = fit(title.trim(), 100);
    match event {
        Event::ReporterUpdate(_) => format!("Laporan {code} {}", event.reporter_sentence()),
        _ => format!("{code}: {title}"),
    }
}

/// The SNS message (`MessageStructure: json`) for a push: a default text and the FCM
/// (`GCM`) and APNs payloads, each carrying the report id and a deep link.
pub fn push_message(event: Event, report: &ReportId, code: &TrackingCode, title: &str) -> String {
    let heading = event.push_title();
    let body = push_body(event, code, title);
    let link = format!("lapor://reports/{report}");
    let fcm = json!({
        "notification": {"title": heading, "body": body},
        "data": {"report_id": report.to_string(), "tracking_code": code.as_str(), "deep_link": link},
    });
    let apns = json!({
        "aps": {"alert": {"title": heading, "body": body}, "sound": "default"},
        "report_id": report.to_string(),
        "tracking_code": code.as_str(),
        "deep_link": link,
    });
    json!({
        "default": format!("{heading}: {body}"),
        "GCM": fcm.to_string(),
        "APNS": apns.to_string(),
        "APNS_SANDBOX": apns.to_string(),
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gsm::{is_basic, segments};
    use proptest::prelude::*;

    const BASE: &str = "https://lapor.tegalkab.go.id/t";

    fn code() -> TrackingCode {
        "LBT-7K3Q9M".parse().unwrap()
    }

    #[test]
    fn an_assignment_sms_carries_the_code_the_link_and_the_title() {
        let text = sms_text(Event::Assigned, &code(), "Jalan berlubang", BASE);
        assert_eq!(
            text,
            "Lapor Bupati: Laporan LBT-7K3Q9M baru untuk unit Anda: Jalan berlubang. https://lapor.tegalkab.go.id/t/LBT-7K3Q9M"
        );
    }

    #[test]
    fn a_long_title_with_emoji_and_curly_quotes_is_cut_to_one_gsm7_segment() {
        let title = "“Lampu” PJU mati 💡💡 sepanjang jalan raya Slawi–Tegal, sudah dilaporkan berkali-kali ‘tanpa’ tanggapan dari dinas terkait sejak bulan lalu!!";
        for event in [
            Event::Assigned,
            Event::Forwarded,
            Event::Escalated,
            Event::Reopened,
        ] {
            let text = sms_text(event, &code(), title, BASE);
            assert!(text.chars().count() <= SMS_MAX, "{text}");
            assert!(text.chars().all(is_basic), "{text}");
            assert_eq!(segments(&text), 1);
            assert!(text.contains("LBT-7K3Q9M"));
            assert!(text.ends_with("https://lapor.tegalkab.go.id/t/LBT-7K3Q9M"));
            assert!(text.contains("\"Lampu\" PJU mati"), "{text}");
            assert!(text.contains("..."), "{text}");
        }
    }

    #[test]
    fn the_push_message_carries_the_report_id_for_the_deep_link_on_both_platforms() {
        let id: ReportId = "01890a5d-ac96-774b-bcce-b302099a8057".parse().unwrap();
        let message: serde_json::Value =
            serde_json::from_str(&push_message(Event::Assigned, &id, &code(), "Jalan")).unwrap();
        let fcm: serde_json::Value =
            serde_json::from_str(message["GCM"].as_str().unwrap()).unwrap();
        let apns: serde_json::Value =
            serde_json::from_str(message["APNS"].as_str().unwrap()).unwrap();
        assert_eq!(fcm["data"]["report_id"], id.to_string());
        assert_eq!(apns["report_id"], id.to_string());
        assert_eq!(
            apns["aps"]["alert"]["title"],
            "Laporan baru untuk unit Anda"
        );
        assert!(message["default"].is_string());
    }

    proptest! {
        #[test]
        fn every_sms_is_one_gsm7_segment_with_the_code_and_link(
            title in "\\PC{0,400}",
            kind in prop::sample::select(vec!["assigned", "forwarded", "escalated", "reopened", "resolve", "request_info", "auto_closed"]),
        ) {
            let event = Event::for_staff(kind).or_else(|| Event::for_reporter(kind)).unwrap();
            let text = sms_text(event, &code(), &title, BASE);
            prop_assert!(text.chars().count() <= SMS_MAX, "{text}");
            prop_assert!(text.chars().all(is_basic), "{text}");
            prop_assert_eq!(segments(&text), 1);
            prop_assert!(text.ends_with("https://lapor.tegalkab.go.id/t/LBT-7K3Q9M"), "{}", text);
        }
    }
}
