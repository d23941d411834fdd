//! What each kind of feed holds, checked whole: every broken rule is reported with the
//! field it concerns (in Bahasa Indonesia and English) so that the admin screen can mark
//! all of them at once. Rich text is cut down to the allow-list of [`crate::sanitize`];
//! images and media are upload ids (checked against the uploads by the repository).
//! Also the stored item: its publication state, when it became or becomes visible,
//! and the views the public and admins get of it.

use crate::kind::FeedKind;
use crate::sanitize::{plain_text, safe_url, sanitize_html};
use crate::text::{clean, tokens};
use lapor_api::Problem;
use lapor_models::{GeoPoint, ReferenceData, Timestamp, UnitId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt;
use std::str::FromStr;

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 500;
pub const BODY_MAX: usize = 20_000;
pub const DESCRIPTION_MAX: usize = 4_000;
pub const CAPTION_MAX: usize = 1_000;
pub const NAME_MAX: usize = 120;
pub const PRODUCTS_MAX: usize = 20;
pub const PRODUCT_MAX: usize = 100;
pub const MEDIA_MAX: usize = 10;
pub const URL_MAX: usize = 2_000;
/// Most search tokens one UMKM entry is indexed by (each is one index item, written in
/// the same transaction as the entry: 1 + 12 removed + 12 added stays within 25).
pub const TOKENS_MAX: usize = 12;

pub use lapor_models::Violation;

/// The id of a feed item: a UUIDv7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FeedId(uuid::Uuid);

impl FeedId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    pub const fn from_u128(value: u128) -> Self {
        Self(uuid::Uuid::from_u128(value))
    }
}

impl fmt::Display for FeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl FromStr for FeedId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Self)
    }
}

/// `news`: an article, usually pulled from the regency secretariat's website.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct News {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Rich text, sanitized.
    pub body: String,
    /// An upload (`purpose` `feed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// An https image elsewhere (news pulled from the website carry these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_link: Option<String>,
    /// When the source published it; the time of publication here when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
}

/// How prominently an announcement is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

/// `announcement`: shown only while valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    pub title: String,
    pub body: String,
    pub valid_from: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Timestamp>,
    #[serde(default)]
    pub priority: Priority,
}

impl Announcement {
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.valid_from <= now && self.valid_until.is_none_or(|until| now < until)
    }
}

/// `infographic`: one image with a caption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Infographic {
    pub title: String,
    pub image_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// `podcast`: one episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Podcast {
    pub title: String,
    pub description: String,
    pub audio_url: String,
    pub duration_seconds: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
}

/// `jalabia`: the regency's content programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jalabia {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub media_ids: Vec<String>,
}

/// The business categories of the UMKM Bangkit directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UmkmCategory {
    Kuliner,
    Kerajinan,
    Fesyen,
    Pertanian,
    Perikanan,
    Peternakan,
    Jasa,
    Perdagangan,
    Lainnya,
}

impl UmkmCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            UmkmCategory::Kuliner => "kuliner",
            UmkmCategory::Kerajinan => "kerajinan",
            UmkmCategory::Fesyen => "fesyen",
            UmkmCategory::Pertanian => "pertanian",
            UmkmCategory::Perikanan => "perikanan",
            UmkmCategory::Peternakan => "peternakan",
            UmkmCategory::Jasa => "jasa",
            UmkmCategory::Perdagangan => "perdagangan",
            UmkmCategory::Lainnya => "lainnya",
        }
    }
}

impl FromStr for UmkmCategory {
    type Err = serde_json::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(Value::from(s))
    }
}

/// `umkm`: one business of the UMKM Bangkit directory. Its contacts are the business's
/// public contacts, shown by design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Umkm {
    pub business_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_public_name: Option<String>,
    pub kecamatan_id: String,
    pub category: UmkmCategory,
    pub description: String,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub photo_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    #[serde(default)]
    pub verified: bool,
}

impl Umkm {
    /// The search tokens of the entry: name, category, products, then owner's public name.
    pub fn search_tokens(&self) -> Vec<String> {
        let mut text = format!("{} {}", self.business_name, self.category.as_str());
        for product in &self.products {
            text.push(' ');
            text.push_str(product);
        }
        if let Some(owner) = &self.owner_public_name {
            text.push(' ');
            text.push_str(owner);
        }
        let mut all = tokens(&text);
        all.truncate(TOKENS_MAX);
        all
    }
}

/// The kinds of emergency service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyService {
    General,
    Police,
    Ambulance,
    Fire,
    Pln,
    Pdam,
    Bpbd,
    Sar,
    Hospital,
    Other,
}

/// `emergency`: one number to call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    pub name: String,
    pub number: String,
    pub service: EmergencyService,
    #[serde(default)]
    pub twenty_four_hours: bool,
    /// The kecamatan it serves; the whole regency when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kecamatan_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The content of one item, of one kind.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedContent {
    News(News),
    Announcement(Announcement),
    Infographic(Infographic),
    Podcast(Podcast),
    Jalabia(Jalabia),
    Umkm(Umkm),
    Emergency(Emergency),
}

/// An upload a content refers to, with the field that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRef {
    pub field: String,
    pub id: String,
}

impl FeedContent {
    pub fn kind(&self) -> FeedKind {
        match self {
            FeedContent::News(_) => FeedKind::News,
            FeedContent::Announcement(_) => FeedKind::Announcement,
            FeedContent::Infographic(_) => FeedKind::Infographic,
            FeedContent::Podcast(_) => FeedKind::Podcast,
            FeedContent::Jalabia(_) => FeedKind::Jalabia,
            FeedContent::Umkm(_) => FeedKind::Umkm,
            FeedContent::Emergency(_) => FeedKind::Emergency,
        }
    }

    /// Parses a request body as the content of `kind`, naming the field at fault.
    pub fn from_json(kind: FeedKind, bytes: &[u8]) -> Result<Self, Problem> {
        fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
            lapor_api::body::parse_json(bytes)
        }
        Ok(match kind {
            FeedKind::News => FeedContent::News(parse(bytes)?),
            FeedKind::Announcement => FeedContent::Announcement(parse(bytes)?),
            FeedKind::Infographic => FeedContent::Infographic(parse(bytes)?),
            FeedKind::Podcast => FeedContent::Podcast(parse(bytes)?),
            FeedKind::Jalabia => FeedContent::Jalabia(parse(bytes)?),
            FeedKind::Umkm => FeedContent::Umkm(parse(bytes)?),
            FeedKind::Emergency => FeedContent::Emergency(parse(bytes)?),
        })
    }

    /// The stored content of `kind`.
    pub fn from_value(kind: FeedKind, value: Value) -> Result<Self, serde_json::Error> {
        Ok(match kind {
            FeedKind::News => FeedContent::News(serde_json::from_value(value)?),
            FeedKind::Announcement => FeedContent::Announcement(serde_json::from_value(value)?),
            FeedKind::Infographic => FeedContent::Infographic(serde_json::from_value(value)?),
            FeedKind::Podcast => FeedContent::Podcast(serde_json::from_value(value)?),
            FeedKind::Jalabia => FeedContent::Jalabia(serde_json::from_value(value)?),
            FeedKind::Umkm => FeedContent::Umkm(serde_json::from_value(value)?),
            FeedKind::Emergency => FeedContent::Emergency(serde_json::from_value(value)?),
        })
    }

    pub fn to_value(&self) -> Value {
        let value = match self {
            FeedContent::News(c) => serde_json::to_value(c),
            FeedContent::Announcement(c) => serde_json::to_value(c),
            FeedContent::Infographic(c) => serde_json::to_value(c),
            FeedContent::Podcast(c) => serde_json::to_value(c),
            FeedContent::Jalabia(c) => serde_json::to_value(c),
            FeedContent::Umkm(c) => serde_json::to_value(c),
            FeedContent::Emergency(c) => serde_json::to_value(c),
        };
        value.unwrap_or(Value::Null)
    }

    /// The time the content itself says it was published (news, podcast).
    pub fn own_published_at(&self) -> Option<Timestamp> {
        match self {
            FeedContent::News(n) => n.published_at,
            FeedContent::Podcast(p) => p.published_at,
            _ => None,
        }
    }

    /// The uploads the content names, with their fields.
    pub fn uploads(&self) -> Vec<UploadRef> {
        let one = |field: &str, id: &Option<String>| {
            id.iter()
                .map(|id| UploadRef {
                    field: field.to_owned(),
                    id: id.clone(),
                })
                .collect::<Vec<_>>()
        };
        let many = |field: &str, ids: &[String]| {
            ids.iter()
                .enumerate()
                .map(|(i, id)| UploadRef {
                    field: format!("{field}[{i}]"),
                    id: id.clone(),
                })
                .collect::<Vec<_>>()
        };
        match self {
            FeedContent::News(n) => one("image_id", &n.image_id),
            FeedContent::Infographic(i) => one("image_id", &Some(i.image_id.clone())),
            FeedContent::Jalabia(j) => many("media_ids", &j.media_ids),
            FeedContent::Umkm(u) => many("photo_ids", &u.photo_ids),
            _ => Vec::new(),
        }
    }

    /// The content with its text cleaned and its rich text sanitized, or every rule it
    /// breaks.
    pub fn validate(self, reference: &ReferenceData) -> Result<FeedContent, Vec<Violation>> {
        let mut c = Checker::new(reference);
        let content = match self {
            FeedContent::News(n) => FeedContent::News(News {
                title: c.text("title", &n.title, TITLE_MAX),
                summary: c.optional_text("summary", &n.summary, SUMMARY_MAX),
                body: c.html("body", &n.body, BODY_MAX),
                image_id: c.upload_id("image_id", n.image_id),
                image_url: c.optional_url("image_url", n.image_url, &["https://"]),
                source_link: c.optional_url("source_link", n.source_link, &["http://", "https://"]),
                published_at: n.published_at,
            }),
            FeedContent::Announcement(a) => {
                if a.valid_until.is_some_and(|until| until <= a.valid_from) {
                    c.violations.push(Violation::new(
                        "valid_until",
                        "before_start",
                        "valid_until harus setelah valid_from.",
                        "valid_until must be after valid_from.",
                    ));
                }
                FeedContent::Announcement(Announcement {
                    title: c.text("title", &a.title, TITLE_MAX),
                    body: c.html("body", &a.body, BODY_MAX),
                    ..a
                })
            }
            FeedContent::Infographic(i) => FeedContent::Infographic(Infographic {
                title: c.text("title", &i.title, TITLE_MAX),
                image_id: c
                    .upload_id("image_id", Some(i.image_id))
                    .unwrap_or_default(),
                caption: c.optional_text("caption", &i.caption, CAPTION_MAX),
            }),
            FeedContent::Podcast(p) => {
                if p.duration_seconds == 0 || p.duration_seconds > 24 * 3600 {
                    c.violations.push(Violation::new(
                        "duration_seconds",
                        "out_of_range",
                        "Durasi 1 detik sampai 24 jam.",
                        "Duration from 1 second to 24 hours.",
                    ));
                }
                FeedContent::Podcast(Podcast {
                    title: c.text("title", &p.title, TITLE_MAX),
                    description: c.html("description", &p.description, DESCRIPTION_MAX),
                    audio_url: c.url("audio_url", &p.audio_url, &["https://"]),
                    duration_seconds: p.duration_seconds,
                    published_at: p.published_at,
                })
            }
            FeedContent::Jalabia(j) => FeedContent::Jalabia(Jalabia {
                title: c.text("title", &j.title, TITLE_MAX),
                body: c.html("body", &j.body, BODY_MAX),
                media_ids: c.upload_ids("media_ids", j.media_ids),
            }),
            FeedContent::Umkm(u) => {
                if let Some(point) = u.location {
                    if !reference.region.bounds.contains(point) {
                        c.violations.push(Violation::new(
                            "location",
                            "out_of_bounds",
                            "Titik di luar wilayah Kabupaten Tegal.",
                            "The point is outside Kabupaten Tegal.",
                        ));
                    }
                }
                let mut products = Vec::new();
                if u.products.len() > PRODUCTS_MAX {
                    c.violations.push(Violation::new(
                        "products",
                        "too_many",
                        format!("Paling banyak {PRODUCTS_MAX} produk."),
                        format!("At most {PRODUCTS_MAX} products."),
                    ));
                }
                for (i, product) in u.products.iter().enumerate() {
                    products.push(c.text(&format!("products[{i}]"), product, PRODUCT_MAX));
                }
                if u.whatsapp.is_none() && u.phone.is_none() {
                    c.violations.push(Violation::new(
                        "whatsapp",
                        "required",
                        "Isi nomor WhatsApp atau telepon usaha.",
                        "Give the business's WhatsApp or phone number.",
                    ));
                }
                FeedContent::Umkm(Umkm {
                    business_name: c.text("business_name", &u.business_name, NAME_MAX),
                    owner_public_name: c.optional_text(
                        "owner_public_name",
                        &u.owner_public_name,
                        NAME_MAX,
                    ),
                    kecamatan_id: c.kecamatan("kecamatan_id", &u.kecamatan_id),
                    category: u.category,
                    description: c.text("description", &u.description, DESCRIPTION_MAX),
                    products,
                    photo_ids: c.upload_ids("photo_ids", u.photo_ids),
                    whatsapp: u.whatsapp.map(|n| c.phone("whatsapp", &n)),
                    phone: u.phone.map(|n| c.phone("phone", &n)),
                    location: u.location,
                    verified: u.verified,
                })
            }
            FeedContent::Emergency(e) => FeedContent::Emergency(Emergency {
                name: c.text("name", &e.name, NAME_MAX),
                number: c.phone("number", &e.number),
                service: e.service,
                twenty_four_hours: e.twenty_four_hours,
                kecamatan_id: e.kecamatan_id.map(|k| c.kecamatan("kecamatan_id", &k)),
                note: c.optional_text("note", &e.note, CAPTION_MAX),
            }),
        };
        if c.violations.is_empty() {
            Ok(content)
        } else {
            Err(c.violations)
        }
    }
}

/// Collects broken rules while cleaning values.
struct Checker<'a> {
    reference: &'a ReferenceData,
    violations: Vec<Violation>,
}

impl<'a> Checker<'a> {
    fn new(reference: &'a ReferenceData) -> Self {
        Self {
            reference,
            violations: Vec::new(),
        }
    }

    fn too_long(&mut self, field: &str, max: usize) {
        self.violations.push(Violation::new(
            field,
            "too_long",
            format!("Paling banyak {max} karakter."),
            format!("At most {max} characters."),
        ));
    }

    fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        match clean(value) {
            None => {
                self.violations.push(Violation::new(
                    field,
                    "control_characters",
                    "Teks berisi karakter yang tidak diizinkan.",
                    "The text holds characters that are not allowed.",
                ));
                String::new()
            }
            Some(t) if t.is_empty() => {
                self.violations.push(Violation::new(
                    field,
                    "required",
                    "Wajib diisi.",
                    "This field is required.",
                ));
                t
            }
            Some(t) if t.chars().count() > max => {
                self.too_long(field, max);
                t
            }
            Some(t) => t,
        }
    }

    fn optional_text(&mut self, field: &str, value: &Option<String>, max: usize) -> Option<String> {
        let value = value.as_deref()?;
        if value.trim().is_empty() {
            return None;
        }
        Some(self.text(field, value, max))
    }

    fn html(&mut self, field: &str, value: &str, max: usize) -> String {
        let clean = sanitize_html(value.trim());
        if plain_text(&clean).is_empty() && !clean.contains("<img") {
            self.violations.push(Violation::new(
                field,
                "required",
                "Wajib diisi.",
                "This field is required.",
            ));
        } else if clean.chars().count() > max {
            self.too_long(field, max);
        }
        clean
    }

    fn url(&mut self, field: &str, value: &str, schemes: &[&str]) -> String {
        if value.len() > URL_MAX {
            self.too_long(field, URL_MAX);
            return String::new();
        }
        match safe_url(value, schemes) {
            Some(url) => url,
            None => {
                let allowed = schemes
                    .iter()
                    .map(|s| s.trim_end_matches("://"))
                    .collect::<Vec<_>>()
                    .join("/");
                self.violations.push(Violation::new(
                    field,
                    "invalid_url",
                    format!("Harus alamat web lengkap ({allowed})."),
                    format!("Must be a full web address ({allowed})."),
                ));
                String::new()
            }
        }
    }

    fn optional_url(
        &mut self,
        field: &str,
        value: Option<String>,
        schemes: &[&str],
    ) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        Some(self.url(field, &value, schemes))
    }

    fn upload_id(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = value?.trim().to_owned();
        let valid = (1..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            self.violations.push(Violation::new(
                field,
                "invalid",
                "Id unggahan tidak valid.",
                "Not a valid upload id.",
            ));
        }
        Some(value)
    }

    fn upload_ids(&mut self, field: &str, values: Vec<String>) -> Vec<String> {
        if values.len() > MEDIA_MAX {
            self.violations.push(Violation::new(
                field,
                "too_many",
                format!("Paling banyak {MEDIA_MAX} berkas."),
                format!("At most {MEDIA_MAX} files."),
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            let item_field = format!("{field}[{i}]");
            if let Some(id) = self.upload_id(&item_field, Some(value)) {
                if seen.contains(&id) {
                    self.violations.push(Violation::new(
                        item_field,
                        "duplicate",
                        "Berkas yang sama disebut dua kali.",
                        "The same file is named twice.",
                    ));
                } else {
                    seen.push(id);
                }
            }
        }
        seen
    }

    fn kecamatan(&mut self, field: &str, value: &str) -> String {
        let known = value
            .parse::<UnitId>()
            .ok()
            .and_then(|id| self.reference.district(&id).map(|_| ()))
            .is_some();
        if !known {
            self.violations.push(Violation::new(
                field,
                "unknown_kecamatan",
                "Kecamatan tidak dikenal (lihat GET /v1/units?kind=district).",
                "Unknown kecamatan (see GET /v1/units?kind=district).",
            ));
        }
        value.to_owned()
    }

    /// A phone number: digits with an optional leading `+`; spaces, dots, dashes and
    /// brackets are dropped. 3 (112) to 15 digits (E.164).
    fn phone(&mut self, field: &str, value: &str) -> String {
        let trimmed = value.trim();
        let plus = trimmed.starts_with('+');
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let only_allowed = trimmed.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')') || (c == '+' && i == 0)
        });
        if !only_allowed || !(3..=15).contains(&digits.len()) {
            self.violations.push(Violation::new(
                field,
                "invalid_phone",
                "Nomor telepon 3 sampai 15 angka, boleh diawali +.",
                "A phone number of 3 to 15 digits, optionally starting with +.",
            ));
        }
        if plus {
            format!("+{digits}")
        } else {
            digits
        }
    }
}

/// Where an item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedState {
    /// Written, never shown.
    Draft,
    /// Shown from `publish_at` on.
    Scheduled,
    /// Shown.
    Published,
    /// Taken down; kept for admins.
    Unpublished,
}

/// Where an ingested item came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// `news` or `podcast`.
    pub feed: String,
    /// The guid (RSS), id (Atom) or link the item was known by.
    pub guid: String,
}

/// One stored item.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    pub id: FeedId,
    pub state: FeedState,
    /// When a scheduled item becomes visible.
    pub publish_at: Option<Timestamp>,
    /// Its place in the lists: when it became (or becomes) visible. Set while published
    /// or scheduled.
    pub listed_at: Option<Timestamp>,
    pub content: FeedContent,
    /// Seeded from public sources: an admin should confirm it.
    pub needs_confirmation: bool,
    pub source: Option<Source>,
    /// The uploads the content names, copied to the public site (see [`crate::media`]).
    pub media: Vec<crate::media::PublicMedia>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl FeedItem {
    pub fn kind(&self) -> FeedKind {
        self.content.kind()
    }

    /// Whether the public sees it at `now`.
    pub fn is_visible_at(&self, now: Timestamp) -> bool {
        matches!(self.state, FeedState::Published | FeedState::Scheduled)
            && self.listed_at.is_some_and(|at| at <= now)
    }

    /// The state as admins see it at `now`: a scheduled item whose time has come is
    /// published.
    pub fn state_at(&self, now: Timestamp) -> FeedState {
        if self.state == FeedState::Scheduled && self.is_visible_at(now) {
            FeedState::Published
        } else {
            self.state
        }
    }

    /// The publication time shown: the content's own, else when it was listed.
    pub fn published_at(&self) -> Option<Timestamp> {
        self.content.own_published_at().or(self.listed_at)
    }

    /// The public view: the content's fields with id, kind and times.
    pub fn public_view(&self) -> Value {
        let mut view = match self.content.to_value() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        view.insert("id".into(), json!(self.id));
        view.insert("kind".into(), json!(self.kind()));
        view.insert("published_at".into(), json!(self.published_at()));
        view.insert("updated_at".into(), json!(self.updated_at));
        if self.needs_confirmation {
            view.insert("needs_confirmation".into(), Value::Bool(true));
        }
        if !self.media.is_empty() {
            view.insert("media".into(), json!(self.media));
        }
        Value::Object(view)
    }

    /// What admins see: the public view with the state and bookkeeping.
    pub fn admin_view(&self, now: Timestamp) -> Value {
        let mut view = self.public_view();
        if let Some(map) = view.as_object_mut() {
            map.insert("state".into(), json!(self.state_at(now)));
            map.insert("publish_at".into(), json!(self.publish_at));
            map.insert("listed_at".into(), json!(self.listed_at));
            map.insert("created_at".into(), json!(self.created_at));
            map.insert("version".into(), json!(self.version));
            map.insert(
                "needs_confirmation".into(),
                Value::Bool(self.needs_confirmation),
            );
            if let Some(source) = &self.source {
                map.insert("source".into(), json!(source));
            }
        }
        view
    }
}
