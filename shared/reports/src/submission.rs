//! The rules a new report must meet. A request is checked whole: every broken rule is
//! reported with the field it concerns, in Bahasa Indonesia and English, so that the app
//! can mark all of them at once.

use crate::model::Channel;
use lapor_models::{CategoryId, GeoPoint, Location, Privacy, ReferenceData, SubcategoryId, UnitId};
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 150;
pub const DESCRIPTION_MIN: usize = 10;
pub const DESCRIPTION_MAX: usize = 4000;
pub const DESA_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 300;
pub const MEDIA_MAX: usize = 5;

pub use lapor_models::Violation;

/// The location as the app sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationRequest {
    pub lat: f64,
    pub lon: f64,
    pub kecamatan_id: String,
    #[serde(default)]
    pub desa: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// `POST /v1/reports` as the app sends it; ids are checked by [`SubmitRequest::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    pub subcategory_id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub description: String,
    pub location: LocationRequest,
    #[serde(default)]
    pub privacy: Privacy,
    #[serde(default)]
    pub media_ids: Vec<String>,
    #[serde(default)]
    pub channel: Channel,
}

/// A submission that meets every rule, routed to its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub category_id: CategoryId,
    pub subcategory_id: SubcategoryId,
    pub unit_id: UnitId,
    pub skip_verification: bool,
    pub title: Option<String>,
    pub description: String,
    pub location: Location,
    pub privacy: Privacy,
    pub media_ids: Vec<String>,
    pub channel: Channel,
}

/// Text as people typed it: trimmed, line ends unified, no control characters but line
/// breaks and tabs.
fn clean_text(text: &str) -> Result<String, ()> {
    let text = text.replace("\r\n", "\n");
    let trimmed = text.trim();
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(());
    }
    Ok(trimmed.to_owned())
}

fn optional_text(
    value: &Option<String>,
    field: &str,
    max: usize,
    violations: &mut Vec<Violation>,
) -> Option<String> {
    let text = value.as_deref()?;
    match clean_text(text) {
        Err(()) => {
            violations.push(control_characters(field));
            None
        }
        Ok(t) if t.is_empty() => None,
        Ok(t) if t.chars().count() > max => {
            violations.push(Violation::new(
                field,
                "too_long",
                format!("Paling banyak {max} karakter."),
                format!("At most {max} characters."),
            ));
            None
        }
        Ok(t) => Some(t),
    }
}

fn control_characters(field: &str) -> Violation {
    Violation::new(
        field,
        "control_characters",
        "Teks berisi karakter yang tidak diizinkan.",
        "The text holds characters that are not allowed.",
    )
}

impl SubmitRequest {
    /// Checks every rule; routes the report to its unit.
    pub fn validate(&self, reference: &ReferenceData) -> Result<NewReport, Vec<Violation>> {
        let mut violations = Vec::new();

        let subcategory = self
            .subcategory_id
            .parse::<SubcategoryId>()
            .ok()
            .and_then(|id| reference.subcategory(&id));
        if subcategory.is_none() {
            violations.push(Violation::new(
                "subcategory_id",
                "unknown_subcategory",
                "Subkategori tidak dikenal; lihat GET /v1/categories.",
                "Unknown subcategory; see GET /v1/categories.",
            ));
        }

        let title = optional_text(&self.title, "title", TITLE_MAX, &mut violations);

        let description = match clean_text(&self.description) {
            Err(()) => {
                violations.push(control_characters("description"));
                String::new()
            }
            Ok(text) => {
                let n = text.chars().count();
                if n < DESCRIPTION_MIN {
                    violations.push(Violation::new(
                        "description",
                        "too_short",
                        format!("Uraian paling sedikit {DESCRIPTION_MIN} karakter."),
                        format!("The description needs at least {DESCRIPTION_MIN} characters."),
                    ));
                } else if n > DESCRIPTION_MAX {
                    violations.push(Violation::new(
                        "description",
                        "too_long",
                        format!("Uraian paling banyak {DESCRIPTION_MAX} karakter."),
                        format!("The description may have at most {DESCRIPTION_MAX} characters."),
                    ));
                }
                text
            }
        };

        let point = GeoPoint {
            lat: self.location.lat,
            lon: self.location.lon,
        };
        if !reference.region.bounds.contains(point) {
            violations.push(Violation::new(
                "location",
                "out_of_bounds",
                format!("Lokasi berada di luar wilayah {}.", reference.region.name),
                format!("The location is outside {}.", reference.region.name),
            ));
        }
        let kecamatan = self
            .location
            .kecamatan_id
            .parse::<UnitId>()
            .ok()
            .filter(|id| reference.district(id).is_some());
        if kecamatan.is_none() {
            violations.push(Violation::new(
                "location.kecamatan_id",
                "unknown_kecamatan",
                "Kecamatan tidak dikenal; pakai id unit kecamatan dari GET /v1/units?kind=district.",
                "Unknown kecamatan; use a district unit id from GET /v1/units?kind=district.",
            ));
        }
        let desa = optional_text(
            &self.location.desa,
            "location.desa",
            DESA_MAX,
            &mut violations,
        );
        let address = optional_text(
            &self.location.address,
            "location.address",
            ADDRESS_MAX,
            &mut violations,
        );

        if self.media_ids.len() > MEDIA_MAX {
            violations.push(Violation::new(
                "media_ids",
                "too_many",
                format!("Paling banyak {MEDIA_MAX} foto atau video."),
                format!("At most {MEDIA_MAX} photos or videos."),
            ));
        }
        for (i, id) in self.media_ids.iter().enumerate() {
            if self.media_ids[..i].contains(id) {
                violations.push(Violation::new(
                    format!("media_ids[{i}]"),
                    "duplicate",
                    "Berkas ini sudah dilampirkan.",
                    "This file is already attached.",
                ));
            }
        }

        if !matches!(self.channel, Channel::App | Channel::Web) {
            violations.push(Violation::new(
                "channel",
                "not_allowed",
                "Warga melapor melalui aplikasi atau web.",
                "Citizens report through the app or the web.",
            ));
        }

        match (subcategory, kecamatan) {
            (Some((category, sub)), Some(kecamatan)) if violations.is_empty() => Ok(NewReport {
                category_id: category.id.clone(),
                subcategory_id: sub.id.clone(),
                unit_id: reference.route(sub, &kecamatan),
                skip_verification: category.skip_verification,
                title,
                description,
                location: Location {
                    lat: point.lat,
                    lon: point.lon,
                    kecamatan_id: kecamatan,
                    desa,
                    address,
                },
                privacy: self.privacy,
                media_ids: self.media_ids.clone(),
                channel: self.channel,
            }),
            _ => Err(violations),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reference() -> ReferenceData {
        ReferenceData::tegal().unwrap()
    }

    fn request(patch: serde_json::Value) -> SubmitRequest {
        let mut body = json!({
            "subcategory_id": first_subcategory(false),
            "description": "Jalan berlubang besar di depan balai desa, membahayakan pengendara.",
            "location": {"lat": -6.9824, "lon": 109.1364, "kecamatan_id": "kec-slawi"}
        });
        merge(&mut body, patch);
        serde_json::from_value(body).unwrap()
    }

    fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
        if let (Some(base), serde_json::Value::Object(patch)) = (base.as_object_mut(), patch) {
            for (k, v) in patch {
                match (base.get_mut(&k), v) {
                    (
                        Some(existing @ serde_json::Value::Object(_)),
                        v @ serde_json::Value::Object(_),
                    ) => merge(existing, v),
                    (_, v) => {
                        base.insert(k, v);
                    }
                }
            }
        }
    }

    fn first_subcategory(to_district: bool) -> String {
        reference()
            .categories
            .iter()
            .flat_map(|c| &c.subcategories)
            .find(|s| s.routes_to_district == to_district)
            .unwrap()
            .id
            .to_string()
    }

    fn codes(result: Result<NewReport, Vec<Violation>>) -> Vec<(String, &'static str)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|v| (v.field, v.code))
            .collect()
    }

    #[test]
    fn a_valid_submission_is_routed_to_the_subcategorys_unit() {
        let data = reference();
        let new = request(json!({})).validate(&data).unwrap();
        let (_, sub) = data.subcategory(&new.subcategory_id).unwrap();
        assert_eq!(new.unit_id, sub.unit_id);
        assert_eq!(new.privacy, Privacy::Public);
    }

    #[test]
    fn a_district_matter_is_routed_to_the_kecamatan_of_the_location() {
        let new = request(json!({"subcategory_id": first_subcategory(true),
            "location": {"kecamatan_id": "kec-adiwerna"}}))
        .validate(&reference())
        .unwrap();
        assert_eq!(new.unit_id.as_str(), "kec-adiwerna");
    }

    #[test]
    fn submission_is_rejected_when_location_is_outside_the_regency() {
        let result =
            request(json!({"location": {"lat": -6.2, "lon": 106.8}})).validate(&reference());
        assert_eq!(codes(result), vec![("location".into(), "out_of_bounds")]);
    }

    #[test]
    fn submission_is_rejected_when_the_kecamatan_is_not_a_district() {
        let result = request(json!({"location": {"kecamatan_id": "dpupr"}})).validate(&reference());
        assert_eq!(
            codes(result),
            vec![("location.kecamatan_id".into(), "unknown_kecamatan")]
        );
    }

    #[test]
    fn submission_is_rejected_when_the_subcategory_is_unknown() {
        let result = request(json!({"subcategory_id": "no-such-thing"})).validate(&reference());
        assert_eq!(
            codes(result),
            vec![("subcategory_id".into(), "unknown_subcategory")]
        );
    }

    #[test]
    fn submission_is_rejected_when_the_description_is_shorter_than_ten_characters() {
        let result = request(json!({"description": "  rusak   "})).validate(&reference());
        assert_eq!(codes(result), vec![("description".into(), "too_short")]);
    }

    #[test]
    fn submission_is_rejected_when_the_description_is_longer_than_4000_characters() {
        let result = request(json!({"description": "a".repeat(4001)})).validate(&reference());
        assert_eq!(codes(result), vec![("description".into(), "too_long")]);
        assert!(request(json!({"description": "é".repeat(4000)}))
            .validate(&reference())
            .is_ok());
    }

    #[test]
    fn submission_is_rejected_when_the_title_is_longer_than_150_characters() {
        let result = request(json!({"title": "x".repeat(151)})).validate(&reference());
        assert_eq!(codes(result), vec![("title".into(), "too_long")]);
    }

    #[test]
    fn submission_is_rejected_when_text_holds_control_characters() {
        let result = request(json!({"description": "jalan rusak\u{0007} parah sekali"}))
            .validate(&reference());
        assert_eq!(
            codes(result),
            vec![("description".into(), "control_characters")]
        );
    }

    #[test]
    fn submission_is_rejected_with_more_than_five_media_or_a_repeated_one() {
        let result =
            request(json!({"media_ids": ["a","b","c","d","e","f"]})).validate(&reference());
        assert_eq!(codes(result), vec![("media_ids".into(), "too_many")]);
        let result = request(json!({"media_ids": ["a","a"]})).validate(&reference());
        assert_eq!(codes(result), vec![("media_ids[1]".into(), "duplicate")]);
    }

    #[test]
    fn submission_is_rejected_when_a_citizen_claims_the_whatsapp_channel() {
        let result = request(json!({"channel": "whatsapp"})).validate(&reference());
        assert_eq!(codes(result), vec![("channel".into(), "not_allowed")]);
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let result = request(json!({"subcategory_id": "x", "description": "short",
            "location": {"lat": 0.0, "lon": 0.0}}))
        .validate(&reference());
        assert_eq!(codes(result).len(), 3);
    }
}
