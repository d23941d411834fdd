//! Geohash cells: nearby reports are found by querying the few cells around a point,
//! never by scanning. Cells of 5 symbols (about 4.9 × 4.9 km) partition the map items;
//! 6-symbol cells (about 1.2 × 0.6 km) narrow a query within a partition.

use lapor_models::GeoPoint;

const BASE32: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";

/// The geohash of a point with `precision` symbols (1 to 12).
pub fn encode(point: GeoPoint, precision: usize) -> String {
    let (mut lat_lo, mut lat_hi) = (-90.0f64, 90.0f64);
    let (mut lon_lo, mut lon_hi) = (-180.0f64, 180.0f64);
    let mut hash = String::with_capacity(precision);
    let mut even = true;
    let mut bit = 0;
    let mut ch = 0usize;
    while hash.len() < precision.clamp(1, 12) {
        if even {
            let mid = (lon_lo + lon_hi) / 2.0;
            if point.lon >= mid {
                ch = (ch << 1) | 1;
                lon_lo = mid;
            } else {
                ch <<= 1;
                lon_hi = mid;
            }
        } else {
            let mid = (lat_lo + lat_hi) / 2.0;
            if point.lat >= mid {
                ch = (ch << 1) | 1;
                lat_lo = mid;
            } else {
                ch <<= 1;
                lat_hi = mid;
            }
        }
        even = !even;
        bit += 1;
        if bit == 5 {
            hash.push(BASE32[ch] as char);
            bit = 0;
            ch = 0;
        }
    }
    hash
}

/// Size in degrees (lat, lon) of a cell with `precision` symbols.
pub fn cell_size(precision: usize) -> (f64, f64) {
    let bits = precision * 5;
    let lon_bits = bits.div_ceil(2);
    let lat_bits = bits / 2;
    (
        180.0 / f64::powi(2.0, lat_bits as i32),
        360.0 / f64::powi(2.0, lon_bits as i32),
    )
}

/// Every cell of `precision` symbols that touches the circle of `radius_m` metres
/// around `center` (sampled on a grid finer than the cells, so none is missed).
pub fn cells_covering(center: GeoPoint, radius_m: f64, precision: usize) -> Vec<String> {
    let dlat = radius_m / 111_320.0;
    let dlon = radius_m / (111_320.0 * center.lat.to_radians().cos().max(0.01));
    let (cell_lat, cell_lon) = cell_size(precision);
    let (step_lat, step_lon) = (cell_lat / 2.0, cell_lon / 2.0);
    let mut cells = Vec::new();
    let mut lat = center.lat - dlat;
    while lat <= center.lat + dlat + step_lat {
        let mut lon = center.lon - dlon;
        while lon <= center.lon + dlon + step_lon {
            let p = GeoPoint {
                lat: lat.min(center.lat + dlat),
                lon: lon.min(center.lon + dlon),
            };
            let cell = encode(p, precision);
            if !cells.contains(&cell) {
                cells.push(cell);
            }
            lon += step_lon;
        }
        lat += step_lat;
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_point_has_its_published_geohash() {
        // The classic example: 57.64911, 10.40744 is u4pruydqqvj.
        let p = GeoPoint {
            lat: 57.64911,
            lon: 10.40744,
        };
        assert_eq!(encode(p, 11), "u4pruydqqvj");
    }

    #[test]
    fn the_cells_around_a_point_include_its_own_and_those_within_the_radius() {
        let slawi = GeoPoint {
            lat: -6.9824,
            lon: 109.1364,
        };
        let cells = cells_covering(slawi, 500.0, 6);
        assert!(cells.contains(&encode(slawi, 6)));
        assert!(cells.len() <= 9, "{cells:?}");
        // A point 450 m east is in one of the cells.
        let east = GeoPoint {
            lat: slawi.lat,
            lon: slawi.lon + 450.0 / 110_500.0,
        };
        assert!(cells.contains(&encode(east, 6)));
    }
}
