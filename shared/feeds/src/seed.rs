//! The public emergency numbers, seeded published and flagged `needs_confirmation` for
//! an admin to check and confirm (`POST /v1/admin/feeds/emergency/{id}/confirm`).
//! Sources: the national numbers (112, 110, 113, 118/119, PLN 123); Kabupaten Tegal runs
//! its own 112 call centre since 17 August 2022 (Diskominfo, reported by Tribun Pantura,
//! 30 Nov 2023); the call centre of the regency's water utility (PDAM, now Perumda Air
//! Minum Tirta Ayu) as reported by Tribun Jateng (15 Oct 2019). BPBD Kabupaten Tegal's
//! own number was not found in a public source and is left for admins to add.
//!
//! Seeding is safe at every start: the ids are fixed, each item is written only if
//! absent, and a marker records that the seed ran, so an entry an admin deleted does
//! not come back.

use crate::model::{Emergency, EmergencyService, FeedContent, FeedId, FeedItem, FeedState};
use crate::repository::{FeedRepository, RepositoryError};
use lapor_models::Timestamp;
use lapor_store::{Condition, Key, StoreError};
use serde_json::json;

/// The key of the marker the seed leaves.
pub fn marker_key() -> Key {
    Key::new("META", "SEED#feeds-emergency")
}

/// The seeded numbers: (fixed id, name, number, service, 24 hours, note).
pub fn emergency_numbers() -> Vec<(FeedId, Emergency)> {
    let entry = |n: u128, name: &str, number: &str, service, note: &str| {
        (
            FeedId::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0000 | n),
            Emergency {
                name: name.to_owned(),
                number: number.to_owned(),
                service,
                twenty_four_hours: true,
                kecamatan_id: None,
                note: Some(note.to_owned()),
            },
        )
    };
    vec![
        entry(0x112, "Call Center 112 Kabupaten Tegal", "112", EmergencyService::General,
            "Nomor darurat nasional, bebas pulsa. Di Kabupaten Tegal dilayani call center 112 Pemkab Tegal (Polres, PLN, PMI, BPBD, dinas terkait, RSUD)."),
        entry(0x110, "Polisi", "110", EmergencyService::Police, "Nomor darurat kepolisian (nasional)."),
        entry(0x113, "Pemadam Kebakaran", "113", EmergencyService::Fire, "Nomor darurat pemadam kebakaran (nasional)."),
        entry(0x118, "Ambulans", "118", EmergencyService::Ambulance, "Nomor ambulans gawat darurat (nasional)."),
        entry(0x119, "Ambulans / Layanan Kesehatan (SPGDT)", "119", EmergencyService::Ambulance, "Nomor layanan gawat darurat kesehatan Kemenkes (nasional)."),
        entry(0x123, "PLN Contact Center", "123", EmergencyService::Pln, "Gangguan listrik; dari ponsel tambahkan kode area (misalnya 0283-123)."),
        entry(0x300, "Perumda Air Minum Tirta Ayu (PDAM) Kabupaten Tegal", "087730550300", EmergencyService::Pdam,
            "Call center gangguan air menurut pemberitaan 2019; perlu dipastikan masih berlaku."),
    ]
}

/// Seeds the emergency numbers if they were never seeded; returns how many items it wrote.
pub async fn seed_emergency_numbers(
    repository: &FeedRepository,
    now: Timestamp,
) -> Result<usize, RepositoryError> {
    let store = repository.store();
    if store.get(&marker_key()).await?.is_some() {
        return Ok(0);
    }
    let mut written = 0;
    for (id, emergency) in emergency_numbers() {
        let item = FeedItem {
            media: Vec::new(),
            id,
            state: FeedState::Published,
            publish_at: None,
            listed_at: Some(now),
            content: FeedContent::Emergency(emergency),
            needs_confirmation: true,
            source: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        if repository.put_seeded(&item).await? {
            written += 1;
        }
    }
    let marker = json!({
        "pk": marker_key().pk, "sk": marker_key().sk, "type": "seed",
        "seeded_at": now, "items": written,
    });
    let marker = match marker {
        serde_json::Value::Object(map) => map,
        _ => return Ok(written),
    };
    match store.put(marker, Some(Condition::NotExists)).await {
        Ok(()) | Err(StoreError::ConditionFailed) => Ok(written),
        Err(error) => Err(error.into()),
    }
}
