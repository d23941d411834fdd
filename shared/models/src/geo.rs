//! Places: a point checked against the regency's bounds, and a report's location.

use crate::ids::UnitId;
use serde::{Deserialize, Serialize};

/// A WGS 84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A latitude/longitude box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

impl Bounds {
    pub fn contains(&self, p: GeoPoint) -> bool {
        p.lat.is_finite()
            && p.lon.is_finite()
            && (self.min_lat..=self.max_lat).contains(&p.lat)
            && (self.min_lon..=self.max_lon).contains(&p.lon)
    }

    pub fn is_valid(&self) -> bool {
        self.min_lat < self.max_lat
            && self.min_lon < self.max_lon
            && (-90.0..=90.0).contains(&self.min_lat)
            && (-90.0..=90.0).contains(&self.max_lat)
            && (-180.0..=180.0).contains(&self.min_lon)
            && (-180.0..=180.0).contains(&self.max_lon)
    }
}

impl GeoPoint {
    /// Distance in metres (haversine, mean Earth radius).
    pub fn distance_m(&self, other: GeoPoint) -> f64 {
        const R: f64 = 6_371_000.0;
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dla = la2 - la1;
        let dlo = (other.lon - self.lon).to_radians();
        let a = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }

    /// The point rounded to `decimals` places (3 ≈ 110 m), for public output of
    /// locations that must not pinpoint a home.
    pub fn rounded(&self, decimals: i32) -> GeoPoint {
        let f = 10f64.powi(decimals);
        GeoPoint {
            lat: (self.lat * f).round() / f,
            lon: (self.lon * f).round() / f,
        }
    }
}

/// Where a report is: a point, its kecamatan (as the id of that kecamatan's district
/// unit), and optionally the desa and a free address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub kecamatan_id: UnitId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desa: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl Location {
    pub fn point(&self) -> GeoPoint {
        GeoPoint {
            lat: self.lat,
            lon: self.lon,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEGAL: Bounds = Bounds {
        min_lat: -7.26,
        max_lat: -6.04,
        min_lon: 108.95,
        max_lon: 109.36,
    };

    #[test]
    fn slawi_is_inside_the_regency_and_jakarta_is_not() {
        assert!(TEGAL.contains(GeoPoint {
            lat: -6.98,
            lon: 109.14
        }));
        assert!(!TEGAL.contains(GeoPoint {
            lat: -6.2,
            lon: 106.8
        }));
        assert!(!TEGAL.contains(GeoPoint {
            lat: f64::NAN,
            lon: 109.1
        }));
    }

    #[test]
    fn distance_of_one_thousandth_degree_of_latitude_is_about_111_metres() {
        let a = GeoPoint {
            lat: -6.98,
            lon: 109.14,
        };
        let b = GeoPoint {
            lat: -6.981,
            lon: 109.14,
        };
        let d = a.distance_m(b);
        assert!((d - 111.2).abs() < 1.0, "{d}");
    }
}
