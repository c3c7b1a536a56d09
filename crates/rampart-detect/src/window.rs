//! Small fixed-size window primitives kept per key: a two-bucket sliding counter, a
//! linear-counting distinct counter, and an exponentially weighted mean and variance.
//!
//! All take time as whole seconds passed in by the caller (event time), so replays of recorded
//! traffic and tests see exactly what a live run would.

/// Events in the last `window` seconds, estimated from the current and the previous bucket
/// (each `window` long), the previous one weighted by how much of it still overlaps the window.
/// 12 bytes; error at most one bucket's skew, which thresholds tolerate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlidingCount {
    /// Start of the current bucket, seconds since the engine's epoch.
    bucket_start: u32,
    current: u32,
    previous: u32,
}

impl SlidingCount {
    fn roll(&mut self, now: u32, window: u32) {
        let window = window.max(1);
        if now < self.bucket_start.saturating_add(window) {
            return;
        }
        let buckets_passed = (now - self.bucket_start) / window;
        self.previous = if buckets_passed == 1 { self.current } else { 0 };
        self.current = 0;
        self.bucket_start += buckets_passed * window;
    }

    /// Counts `n` events at `now`.
    pub fn add(&mut self, now: u32, window: u32, n: u32) {
        self.roll(now, window);
        self.current = self.current.saturating_add(n);
    }

    /// Events in the `window` seconds before `now`.
    pub fn get(&self, now: u32, window: u32) -> f64 {
        let mut copy = *self;
        copy.roll(now, window);
        let into_bucket = f64::from(now.saturating_sub(copy.bucket_start)) / f64::from(window.max(1));
        f64::from(copy.current) + f64::from(copy.previous) * (1.0 - into_bucket.min(1.0))
    }

    /// Counts `n` events and returns the windowed total.
    pub fn add_get(&mut self, now: u32, window: u32, n: u32) -> f64 {
        self.add(now, window, n);
        self.get(now, window)
    }
}

/// Distinct values seen over the last one to two windows, by linear counting on two bitmaps
/// of `64 * WORDS` bits (current and previous window; the estimate is of their union).
/// With 4 words (256 bits, 64 bytes in all) the estimate is within a few percent up to ~300
/// distinct values and saturates near 1,400: thresholds here are tens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Distinct<const WORDS: usize> {
    bucket_start: u32,
    current: [u64; WORDS],
    previous: [u64; WORDS],
}

impl<const WORDS: usize> Default for Distinct<WORDS> {
    fn default() -> Self {
        Distinct { bucket_start: 0, current: [0; WORDS], previous: [0; WORDS] }
    }
}

impl<const WORDS: usize> Distinct<WORDS> {
    const BITS: u64 = 64 * WORDS as u64;

    fn roll(&mut self, now: u32, window: u32) {
        let window = window.max(1);
        if now < self.bucket_start.saturating_add(window) {
            return;
        }
        let buckets_passed = (now - self.bucket_start) / window;
        self.previous = if buckets_passed == 1 { self.current } else { [0; WORDS] };
        self.current = [0; WORDS];
        self.bucket_start += buckets_passed * window;
    }

    /// Adds a value by its hash; returns whether its bit was new (a new value, almost surely,
    /// while the bitmap is sparse).
    pub fn insert(&mut self, now: u32, window: u32, hash: u64) -> bool {
        self.roll(now, window);
        // The high bits: the low ones already chose the table shard.
        let bit = (hash >> 32) % Self::BITS;
        let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
        let seen = (self.current[word] | self.previous[word]) & mask != 0;
        self.current[word] |= mask;
        !seen
    }

    /// Whether a value was (almost surely) seen in the current or previous window; false
    /// positives at the bitmap's fill rate.
    pub fn contains(&self, hash: u64) -> bool {
        let bit = (hash >> 32) % Self::BITS;
        let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
        (self.current[word] | self.previous[word]) & mask != 0
    }

    /// Estimated distinct values over the current and previous windows.
    pub fn estimate(&self) -> f64 {
        let set: u32 = self.current.iter().zip(&self.previous).map(|(a, b)| (a | b).count_ones()).sum();
        let m = Self::BITS as f64;
        if set == 0 {
            return 0.0;
        }
        let zeros = m - f64::from(set);
        if zeros < 1.0 {
            // Saturated: the largest value linear counting can tell.
            return m * m.ln();
        }
        -m * (zeros / m).ln()
    }
}

/// Exponentially weighted mean and variance (West's update): the learned baseline of a rate or
/// a ratio, with the number of samples so a warm-up can be required.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ewma {
    pub mean: f64,
    pub variance: f64,
    pub samples: u32,
}

impl Ewma {
    /// Folds in a sample with weight `alpha` (the first sample sets the mean).
    pub fn update(&mut self, value: f64, alpha: f64) {
        if self.samples == 0 {
            self.mean = value;
            self.variance = 0.0;
        } else {
            let diff = value - self.mean;
            let increment = alpha * diff;
            self.mean += increment;
            self.variance = (1.0 - alpha) * (self.variance + diff * increment);
        }
        self.samples = self.samples.saturating_add(1);
    }

    pub fn std_dev(&self) -> f64 {
        self.variance.max(0.0).sqrt()
    }
}

/// A distribution of per-client totals on a log2 scale (bucket `b` holds values in
/// `[2^b, 2^(b+1))`), decayed so that it follows the traffic: what "the other clients" do,
/// for peer comparisons, in 33 counters.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerHistogram {
    buckets: [f64; 33],
    total: f64,
}

impl Default for PeerHistogram {
    fn default() -> Self {
        PeerHistogram { buckets: [0.0; 33], total: 0.0 }
    }
}

impl PeerHistogram {
    pub fn add(&mut self, value: u64) {
        let bucket = if value == 0 { 0 } else { (64 - value.leading_zeros()) as usize };
        self.buckets[bucket.min(32)] += 1.0;
        self.total += 1.0;
    }

    /// Halves every count: old clients weigh less than new ones.
    pub fn decay(&mut self) {
        for bucket in &mut self.buckets {
            *bucket *= 0.5;
        }
        self.total *= 0.5;
    }

    /// Clients observed (decayed).
    pub fn samples(&self) -> f64 {
        self.total
    }

    /// The upper bound of the bucket holding quantile `q` (0..=1): an over-estimate by at most
    /// a factor of two, on the safe side for "far more than its peers".
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let target = self.total * q.clamp(0.0, 1.0);
        let mut seen = 0.0;
        for (bucket, count) in self.buckets.iter().enumerate() {
            seen += count;
            if seen >= target {
                return if bucket == 0 { 0.0 } else { (1u64 << bucket.min(62)) as f64 };
            }
        }
        (1u64 << 32) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_count_forgets_old_buckets() {
        let mut count = SlidingCount::default();
        for second in 0..60 {
            count.add(second, 60, 1);
        }
        assert_eq!(count.get(59, 60), 60.0);
        // Half-way into the next window, half of the previous one still counts.
        assert!((count.get(90, 60) - 30.0).abs() < 1e-9);
        assert_eq!(count.get(200, 60), 0.0);
    }

    /// SplitMix64: a fixed, well-mixed hash, so the test does not depend on the process's
    /// random hash seed (one estimate with 256 bits is off by more than 10% in about one run
    /// out of twenty, which made a single-sample test flaky).
    fn mix(mut x: u64) -> u64 {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }

    #[test]
    fn distinct_estimates_are_unbiased_and_within_a_quarter_every_time() {
        // 200 distinct values (each inserted twice) in 256 bits, with 100 independent hashings.
        let mut sum = 0.0;
        for family in 0..100u64 {
            let mut distinct = Distinct::<4>::default();
            for value in 0..200u64 {
                let hash = mix(value ^ family.wrapping_mul(0x51_7cc1_b727_220a));
                distinct.insert(0, 600, hash);
                distinct.insert(0, 600, hash);
            }
            let estimate = distinct.estimate();
            assert!((150.0..=250.0).contains(&estimate), "family {family}: {estimate}");
            sum += estimate;
        }
        let mean = sum / 100.0;
        assert!((194.0..=206.0).contains(&mean), "mean of 100 estimates: {mean}");
    }

    #[test]
    fn distinct_window_rolls() {
        let mut distinct = Distinct::<4>::default();
        assert!(distinct.insert(0, 10, 1 << 40));
        assert!(!distinct.insert(5, 10, 1 << 40));
        // Still remembered one window later (previous bucket), forgotten two later.
        assert!(!distinct.insert(12, 10, 1 << 40));
        assert!(distinct.insert(40, 10, 1 << 40));
    }

    #[test]
    fn ewma_learns_mean() {
        let mut ewma = Ewma::default();
        for _ in 0..200 {
            ewma.update(10.0, 0.1);
        }
        assert!((ewma.mean - 10.0).abs() < 1e-6);
        assert!(ewma.std_dev() < 1e-6);
    }

    #[test]
    fn peer_quantile_is_an_upper_bound() {
        let mut peers = PeerHistogram::default();
        for value in 1..=100 {
            peers.add(value);
        }
        let p99 = peers.quantile(0.99);
        assert!((99.0..=256.0).contains(&p99), "{p99}");
    }
}
