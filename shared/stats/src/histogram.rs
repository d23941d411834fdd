//! Fixed log-scale histograms of durations (first response, resolution), kept as counter
//! attributes `<name>.<bucket>` so that the consumer only ever adds to them.
//!
//! Bucket 0 holds durations under one minute; bucket `b ≥ 1` holds
//! `[60 s · 2^((b−1)/4), 60 s · 2^(b/4))`, up to bucket [`LAST_BUCKET`] which also holds
//! everything longer (about 2.3 years). A quantile is read as the nearest-rank sample's
//! bucket and reported as the bucket's geometric midpoint `60 s · 2^((b−½)/4)`.
//!
//! **Error bound:** the exact nearest-rank quantile lies in the reported bucket, so the
//! reported value is within a factor `2^(1/8)` of it — at most **9.05 % relative error**
//! — for durations from one minute up to the last bucket's lower bound; under one minute
//! the value reported is 30 s (absolute error ≤ 30 s).

use std::collections::BTreeMap;

/// Buckets per doubling of the duration.
pub const BUCKETS_PER_DOUBLING: i32 = 4;
/// The last bucket (open-ended).
pub const LAST_BUCKET: u32 = 80;
/// The relative error bound of a quantile read from a histogram: `2^(1/8) − 1`.
pub const RELATIVE_ERROR: f64 = 0.090_507_732_665_257_66;

/// The bucket of a duration in seconds (negative durations count as zero).
pub fn bucket(seconds: i64) -> u32 {
    if seconds < 60 {
        return 0;
    }
    let ratio = seconds as f64 / 60.0;
    let index = (ratio.log2() * f64::from(BUCKETS_PER_DOUBLING)).floor() as i64 + 1;
    // Guard the float against landing one bucket off at an exact bound.
    let mut index = index.clamp(1, i64::from(LAST_BUCKET)) as u32;
    while index > 1 && seconds < lower_bound(index) {
        index -= 1;
    }
    while index < LAST_BUCKET && seconds >= lower_bound(index + 1) {
        index += 1;
    }
    index
}

/// The smallest duration (seconds, rounded up) of a bucket.
pub fn lower_bound(bucket: u32) -> i64 {
    if bucket == 0 {
        return 0;
    }
    let exponent = f64::from(bucket as i32 - 1) / f64::from(BUCKETS_PER_DOUBLING);
    (60.0 * exponent.exp2()).ceil() as i64
}

/// The value a bucket stands for (seconds): its geometric midpoint, 30 s for bucket 0.
pub fn representative(bucket: u32) -> f64 {
    if bucket == 0 {
        return 30.0;
    }
    let exponent = (f64::from(bucket as i32) - 0.5) / f64::from(BUCKETS_PER_DOUBLING);
    60.0 * exponent.exp2()
}

/// The attribute name of a bucket of histogram `name` (e.g. `frt.12`).
pub fn attribute(name: &str, bucket: u32) -> String {
    format!("{name}.{bucket}")
}

/// A histogram read back from counter attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    pub counts: BTreeMap<u32, i64>,
}

impl Histogram {
    /// The histogram `name` among a counter item's numeric attributes.
    pub fn from_attributes<'a>(
        name: &str,
        attributes: impl IntoIterator<Item = (&'a String, i64)>,
    ) -> Self {
        let prefix = format!("{name}.");
        let mut counts = BTreeMap::new();
        for (attribute, value) in attributes {
            if let Some(b) = attribute
                .strip_prefix(&prefix)
                .and_then(|b| b.parse::<u32>().ok())
            {
                if value > 0 {
                    counts.insert(b, value);
                }
            }
        }
        Self { counts }
    }

    pub fn add(&mut self, seconds: i64) {
        *self.counts.entry(bucket(seconds)).or_insert(0) += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (b, n) in &other.counts {
            *self.counts.entry(*b).or_insert(0) += n;
        }
    }

    pub fn total(&self) -> i64 {
        self.counts.values().sum()
    }

    /// The nearest-rank `q` quantile (0 < q ≤ 1) in seconds, `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as i64).clamp(1, total);
        let mut seen = 0;
        for (b, n) in &self.counts {
            seen += n;
            if seen >= rank {
                return Some(representative(*b));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_duration_falls_between_the_bounds_of_its_bucket() {
        let mut seconds = 0i64;
        while seconds < 400 * 24 * 3600 {
            let b = bucket(seconds);
            assert!(seconds >= lower_bound(b), "{seconds} below bucket {b}");
            if b < LAST_BUCKET {
                assert!(seconds < lower_bound(b + 1), "{seconds} above bucket {b}");
            }
            seconds = seconds * 21 / 20 + 7;
        }
    }

    #[test]
    fn a_quantile_read_from_buckets_is_within_the_documented_error_of_the_exact_one() {
        let samples: Vec<i64> = (0..2000).map(|i| 60 + i * i * 37 % 900_000).collect();
        let mut histogram = Histogram::default();
        for s in &samples {
            histogram.add(*s);
        }
        let mut sorted = samples.clone();
        sorted.sort();
        for q in [0.5, 0.9, 0.99] {
            let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
            let exact = sorted[rank - 1] as f64;
            let read = histogram.quantile(q).unwrap();
            assert!(
                (read - exact).abs() <= exact * RELATIVE_ERROR + 1.0,
                "q={q}: read {read}, exact {exact}"
            );
        }
        assert_eq!(Histogram::default().quantile(0.5), None);
    }
}
