//! Bounded summaries of the values seen at a parameter position, and a fast hasher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::shape::SegmentShape;

/// FxHash-style hasher: literal lookups on the hot path hash short route names, where SipHash
/// costs more than the rest of the lookup. Node maps are capped in size, so the weaker
/// collision resistance cannot be turned into unbounded work.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A well-mixed 64-bit hash of a value, for the distinct-count sketch.
fn value_hash(value: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(value.as_bytes());
    hasher.write_usize(value.len());
    // splitmix64 finaliser: the sketch needs uniformly spread hashes.
    let mut z = hasher.finish().wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Number of smallest hashes kept: exact distinct counts up to this many, then an estimate
/// within about 10%.
const SKETCH_SIZE: usize = 128;

/// K-minimum-values distinct counter: exact while small, bounded forever, mergeable.
#[derive(Debug, Clone, Default)]
pub(crate) struct DistinctSketch {
    smallest: Vec<u64>,
}

impl DistinctSketch {
    /// Adds a hash; true when it was new and is kept (so it belongs to a uniform sample of the
    /// distinct values).
    #[inline]
    fn insert(&mut self, hash: u64) -> bool {
        if self.smallest.len() == SKETCH_SIZE && self.smallest.last().is_some_and(|max| hash >= *max) {
            return false;
        }
        match self.smallest.binary_search(&hash) {
            Ok(_) => false,
            Err(position) => {
                self.smallest.insert(position, hash);
                self.smallest.truncate(SKETCH_SIZE);
                true
            }
        }
    }

    fn merge(&mut self, other: &DistinctSketch) {
        self.smallest.extend_from_slice(&other.smallest);
        self.smallest.sort_unstable();
        self.smallest.dedup();
        self.smallest.truncate(SKETCH_SIZE);
    }

    pub(crate) fn estimate(&self) -> u64 {
        match self.smallest.last() {
            Some(&max) if self.smallest.len() == SKETCH_SIZE && max > 0 => {
                ((SKETCH_SIZE - 1) as f64 * (u64::MAX as f64 / max as f64)) as u64
            }
            _ => self.smallest.len() as u64,
        }
    }
}

pub(crate) const MAX_EXAMPLES: usize = 16;
const MAX_EXAMPLE_LEN: usize = 256;

/// What was seen at one parameter position.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValueStats {
    sketch: DistinctSketch,
    pub(crate) examples: Vec<Box<str>>,
    /// Shapes of a uniform sample of the distinct values.
    shape_counts: [u32; SegmentShape::COUNT],
}

impl ValueStats {
    #[inline]
    pub(crate) fn record(&mut self, value: &str, shape: SegmentShape) {
        if !self.sketch.insert(value_hash(value)) {
            return;
        }
        self.shape_counts[shape.index()] = self.shape_counts[shape.index()].saturating_add(1);
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(truncate(value, MAX_EXAMPLE_LEN).into());
        }
    }

    pub(crate) fn merge(&mut self, other: &ValueStats) {
        self.sketch.merge(&other.sketch);
        for (count, more) in self.shape_counts.iter_mut().zip(other.shape_counts) {
            *count = count.saturating_add(more);
        }
        for example in &other.examples {
            if self.examples.len() >= MAX_EXAMPLES {
                break;
            }
            if !self.examples.contains(example) {
                self.examples.push(example.clone());
            }
        }
    }

    pub(crate) fn distinct(&self) -> u64 {
        self.sketch.estimate()
    }

    /// The shape of most values; mixed numeric shapes are [`SegmentShape::Digits`], other
    /// mixtures [`SegmentShape::String`].
    pub(crate) fn dominant_shape(&self) -> SegmentShape {
        let total: u64 = self.shape_counts.iter().map(|c| u64::from(*c)).sum();
        if total == 0 {
            return SegmentShape::String;
        }
        let (best, count) = self
            .shape_counts
            .iter()
            .enumerate()
            .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))
            .unwrap_or((0, &0));
        if u64::from(*count) * 5 >= total * 4 {
            return SegmentShape::from_index(best);
        }
        let numeric = u64::from(self.shape_counts[SegmentShape::Integer.index()])
            + u64::from(self.shape_counts[SegmentShape::Digits.index()]);
        if numeric == total { SegmentShape::Digits } else { SegmentShape::String }
    }
}

/// At most `max` bytes of `text`, cut on a character boundary.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_exactly_when_small_and_estimates_when_large() {
        let mut stats = ValueStats::default();
        for i in 0..100 {
            stats.record(&format!("user{i}"), SegmentShape::Mixed);
            stats.record(&format!("user{i}"), SegmentShape::Mixed);
        }
        assert_eq!(stats.distinct(), 100);
        assert_eq!(stats.examples.len(), MAX_EXAMPLES);
        for i in 100..50_000 {
            stats.record(&i.to_string(), SegmentShape::Integer);
        }
        let estimate = stats.distinct() as f64;
        assert!((40_000.0..60_000.0).contains(&estimate), "{estimate}");
        assert_eq!(stats.dominant_shape(), SegmentShape::Integer);
    }

    #[test]
    fn merges() {
        let mut a = ValueStats::default();
        let mut b = ValueStats::default();
        a.record("1", SegmentShape::Integer);
        b.record("1", SegmentShape::Integer);
        b.record("000002", SegmentShape::Digits);
        a.merge(&b);
        assert_eq!(a.distinct(), 2);
        assert_eq!(a.dominant_shape(), SegmentShape::Digits);
    }

    #[test]
    fn truncates_on_char_boundary() {
        assert_eq!(truncate("ééé", 3), "é");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
