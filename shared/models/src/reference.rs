//! The regency's reference data: the region itself, its units (agencies, districts,
//! partner institutions) and the complaint categories with their subcategories and
//! routing. Kept as JSON files in `data/` so that another region swaps files, not code;
//! checked when loaded.

use crate::geo::Bounds;
use crate::ids::{CategoryId, SubcategoryId, UnitId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What kind of unit handles reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A regional agency (OPD) of the regency.
    Agency,
    /// A kecamatan office.
    District,
    /// An institution outside the regency government (police, PLN, BPJS...).
    Partner,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub kind: UnitKind,
    pub name: String,
    pub short_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subcategory {
    pub id: SubcategoryId,
    pub name: String,
    /// The unit that handles it by default.
    pub unit_id: UnitId,
    /// When true, the kecamatan of the report's location handles it instead.
    pub routes_to_district: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    /// Reports go straight to `assigned`, without the admin's verification.
    pub skip_verification: bool,
    /// Working-day limits that differ from the service's defaults for this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaOverride>,
    pub subcategories: Vec<Subcategory>,
}

/// A category's own SLA limits, in working days; absent fields keep the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaOverride {
    pub verification_days: Option<u32>,
    pub response_days: Option<u32>,
    pub follow_up_days: Option<u32>,
    pub auto_close_days: Option<u32>,
}

/// The region the service runs for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub name: String,
    pub service_name: String,
    pub kemendagri_code: String,
    pub capital: String,
    /// Prefix of tracking codes, e.g. `LBT`.
    pub tracking_prefix: String,
    /// The follow-up hashtag without `#`.
    pub hashtag: String,
    pub bounds: Bounds,
}

/// Why the reference data cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("{file} is not valid: {source}")]
    Parse {
        file: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("duplicate id {0:?}")]
    DuplicateId(String),
    #[error("subcategory {subcategory} routes to unknown unit {unit}")]
    UnknownUnit { subcategory: String, unit: String },
    #[error("category {0} has no subcategories")]
    EmptyCategory(String),
    #[error("the region's bounds are not a valid box")]
    BadBounds,
    #[error("the tracking prefix must be 2 to 4 capital letters")]
    BadTrackingPrefix,
    #[error("no district units: subcategories that route to the district cannot be served")]
    NoDistricts,
}

/// All reference data, checked, with lookups by id.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    pub region: Region,
    pub units: Vec<Unit>,
    pub categories: Vec<Category>,
    unit_index: HashMap<UnitId, usize>,
    subcategory_index: HashMap<SubcategoryId, (usize, usize)>,
}

const REGION_JSON: &str = include_str!("../data/region.json");
const UNITS_JSON: &str = include_str!("../data/units.json");
const CATEGORIES_JSON: &str = include_str!("../data/categories.json");

impl ReferenceData {
    /// Kabupaten Tegal's data, embedded in the binary.
    pub fn tegal() -> Result<Self, ReferenceError> {
        Self::from_json(REGION_JSON, UNITS_JSON, CATEGORIES_JSON)
    }

    /// Parses and checks reference data.
    pub fn from_json(region: &str, units: &str, categories: &str) -> Result<Self, ReferenceError> {
        let region: Region =
            serde_json::from_str(region).map_err(|source| ReferenceError::Parse {
                file: "region.json",
                source,
            })?;
        let units: Vec<Unit> =
            serde_json::from_str(units).map_err(|source| ReferenceError::Parse {
                file: "units.json",
                source,
            })?;
        let categories: Vec<Category> =
            serde_json::from_str(categories).map_err(|source| ReferenceError::Parse {
                file: "categories.json",
                source,
            })?;
        Self::new(region, units, categories)
    }

    pub fn new(
        region: Region,
        units: Vec<Unit>,
        categories: Vec<Category>,
    ) -> Result<Self, ReferenceError> {
        if !region.bounds.is_valid() {
            return Err(ReferenceError::BadBounds);
        }
        let prefix_ok = (2..=4).contains(&region.tracking_prefix.len())
            && region
                .tracking_prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase());
        if !prefix_ok {
            return Err(ReferenceError::BadTrackingPrefix);
        }
        let mut unit_index = HashMap::new();
        for (i, unit) in units.iter().enumerate() {
            if unit_index.insert(unit.id.clone(), i).is_some() {
                return Err(ReferenceError::DuplicateId(unit.id.to_string()));
            }
        }
        if !units.iter().any(|u| u.kind == UnitKind::District) {
            return Err(ReferenceError::NoDistricts);
        }
        let mut seen = HashSet::new();
        let mut subcategory_index = HashMap::new();
        for (ci, category) in categories.iter().enumerate() {
            if !seen.insert(category.id.to_string()) {
                return Err(ReferenceError::DuplicateId(category.id.to_string()));
            }
            if category.subcategories.is_empty() {
                return Err(ReferenceError::EmptyCategory(category.id.to_string()));
            }
            for (si, sub) in category.subcategories.iter().enumerate() {
                if !seen.insert(sub.id.to_string()) {
                    return Err(ReferenceError::DuplicateId(sub.id.to_string()));
                }
                if !unit_index.contains_key(&sub.unit_id) {
                    return Err(ReferenceError::UnknownUnit {
                        subcategory: sub.id.to_string(),
                        unit: sub.unit_id.to_string(),
                    });
                }
                subcategory_index.insert(sub.id.clone(), (ci, si));
            }
        }
        Ok(Self {
            region,
            units,
            categories,
            unit_index,
            subcategory_index,
        })
    }

    pub fn unit(&self, id: &UnitId) -> Option<&Unit> {
        self.unit_index.get(id).map(|&i| &self.units[i])
    }

    /// The district unit with this id (a kecamatan), if it is one.
    pub fn district(&self, id: &UnitId) -> Option<&Unit> {
        self.unit(id).filter(|u| u.kind == UnitKind::District)
    }

    /// A subcategory with its category.
    pub fn subcategory(&self, id: &SubcategoryId) -> Option<(&Category, &Subcategory)> {
        self.subcategory_index.get(id).map(|&(ci, si)| {
            let category = &self.categories[ci];
            (category, &category.subcategories[si])
        })
    }

    pub fn category(&self, id: &CategoryId) -> Option<&Category> {
        self.categories.iter().find(|c| &c.id == id)
    }

    /// The unit that handles a report of this subcategory located in this kecamatan.
    pub fn route(&self, subcategory: &Subcategory, kecamatan: &UnitId) -> UnitId {
        if subcategory.routes_to_district && self.district(kecamatan).is_some() {
            kecamatan.clone()
        } else {
            subcategory.unit_id.clone()
        }
    }

    pub fn subcategory_count(&self) -> usize {
        self.subcategory_index.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tegal() -> ReferenceData {
        ReferenceData::tegal().unwrap()
    }

    #[test]
    fn tegal_has_28_categories_and_166_subcategories() {
        let data = tegal();
        assert_eq!(data.categories.len(), 28);
        assert_eq!(data.subcategory_count(), 166);
        let total: usize = data.categories.iter().map(|c| c.subcategories.len()).sum();
        assert_eq!(total, 166);
    }

    #[test]
    fn tegal_has_24_agencies_18_districts_and_8_partners() {
        let data = tegal();
        let count = |kind| data.units.iter().filter(|u| u.kind == kind).count();
        assert_eq!(data.units.len(), 50);
        assert_eq!(count(UnitKind::Agency), 24);
        assert_eq!(count(UnitKind::District), 18);
        assert_eq!(count(UnitKind::Partner), 8);
    }

    #[test]
    fn the_eighteen_kecamatan_of_the_seed_are_districts() {
        let data = tegal();
        for name in [
            "Adiwerna",
            "Balapulang",
            "Bojong",
            "Bumijawa",
            "Dukuhturi",
            "Dukuhwaru",
            "Jatinegara",
            "Kedungbanteng",
            "Kramat",
            "Lebaksiu",
            "Margasari",
            "Pagerbarang",
            "Pangkah",
            "Slawi",
            "Suradadi",
            "Talang",
            "Tarub",
            "Warureja",
        ] {
            let id: UnitId = format!("kec-{}", name.to_lowercase()).parse().unwrap();
            let unit = data.district(&id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(unit.name.contains(name));
        }
    }

    #[test]
    fn ids_are_unique_and_every_subcategory_routes_to_a_unit_that_exists() {
        let data = tegal();
        let mut ids = HashSet::new();
        for unit in &data.units {
            assert!(ids.insert(format!("unit:{}", unit.id)));
        }
        for category in &data.categories {
            assert!(ids.insert(category.id.to_string()), "{}", category.id);
            for sub in &category.subcategories {
                assert!(ids.insert(sub.id.to_string()), "{}", sub.id);
                assert!(
                    data.unit(&sub.unit_id).is_some(),
                    "{} -> {}",
                    sub.id,
                    sub.unit_id
                );
            }
        }
    }

    #[test]
    fn the_seeds_most_frequent_topics_are_categorised() {
        let data = tegal();
        let names: String = data
            .categories
            .iter()
            .flat_map(|c| std::iter::once(&c.name).chain(c.subcategories.iter().map(|s| &s.name)))
            .map(|n| n.to_lowercase())
            .collect::<Vec<_>>()
            .join("|");
        for topic in [
            "jalan",
            "bansos",
            "penerangan jalan",
            "air",
            "samsat",
            "sertifikat",
        ] {
            assert!(
                names.contains(topic),
                "no category or subcategory mentions {topic}"
            );
        }
    }

    #[test]
    fn the_partner_institutions_of_the_seed_are_units() {
        let data = tegal();
        let partners: Vec<_> = data
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Partner)
            .map(|u| u.name.to_lowercase())
            .collect();
        for needle in [
            "polres",
            "samsat",
            "pertanahan",
            "pln",
            "bpjs kesehatan",
            "bpjs ketenagakerjaan",
            "agama",
            "tirta ayu",
        ] {
            assert!(partners.iter().any(|p| p.contains(needle)), "{needle}");
        }
    }

    #[test]
    fn a_district_routed_subcategory_goes_to_the_kecamatan_of_the_location() {
        let data = tegal();
        let sub = data
            .categories
            .iter()
            .flat_map(|c| &c.subcategories)
            .find(|s| s.routes_to_district)
            .expect("at least one subcategory routes to the district");
        let slawi: UnitId = "kec-slawi".parse().unwrap();
        assert_eq!(data.route(sub, &slawi), slawi);
        let agency_routed = data
            .categories
            .iter()
            .flat_map(|c| &c.subcategories)
            .find(|s| !s.routes_to_district)
            .unwrap();
        assert_eq!(data.route(agency_routed, &slawi), agency_routed.unit_id);
    }

    #[test]
    fn data_routing_to_an_unknown_unit_is_refused_at_load() {
        let region = include_str!("../data/region.json");
        let units = r#"[{"id":"kec-a","kind":"district","name":"Kecamatan A","short_name":"A"}]"#;
        let categories = r#"[{"id":"c","name":"C","skip_verification":false,"subcategories":[{"id":"s","name":"S","unit_id":"nowhere","routes_to_district":false}]}]"#;
        assert!(matches!(
            ReferenceData::from_json(region, units, categories),
            Err(ReferenceError::UnknownUnit { .. })
        ));
    }

    #[test]
    fn duplicate_ids_are_refused_at_load() {
        let region = include_str!("../data/region.json");
        let units = r#"[{"id":"kec-a","kind":"district","name":"A","short_name":"A"},{"id":"kec-a","kind":"district","name":"B","short_name":"B"}]"#;
        assert!(matches!(
            ReferenceData::from_json(region, units, "[]"),
            Err(ReferenceError::DuplicateId(_))
        ));
    }
}
