//! Sketches for counts over unbounded key spaces in fixed memory: a count-min sketch (how often
//! did this client hit this endpoint this minute, for the top talkers behind a flood) and a
//! HyperLogLog (how many distinct clients an endpoint saw, to tell a botnet from one client).

/// Count-min sketch: `DEPTH` rows of `width` counters; an estimate never undercounts and
/// overcounts by at most `e / width` of the total with probability `1 - e^-DEPTH`.
#[derive(Debug, Clone)]
pub struct CountMin {
    width: usize,
    rows: Vec<u32>,
}

const DEPTH: usize = 4;

impl CountMin {
    /// `width` is rounded up to a power of two.
    pub fn new(width: usize) -> CountMin {
        let width = width.max(16).next_power_of_two();
        CountMin { width, rows: vec![0; width * DEPTH] }
    }

    fn cells(&self, hash: u64) -> [usize; DEPTH] {
        // Kirsch–Mitzenmacher: row i uses h1 + i*h2, from the two halves of one 64-bit hash.
        let h1 = hash as u32 as usize;
        let h2 = (hash >> 32) as usize | 1;
        let mask = self.width - 1;
        std::array::from_fn(|row| row * self.width + (h1.wrapping_add(row.wrapping_mul(h2)) & mask))
    }

    /// Adds one and returns the new estimate.
    pub fn add(&mut self, hash: u64) -> u32 {
        let cells = self.cells(hash);
        let mut estimate = u32::MAX;
        for cell in cells {
            let counter = &mut self.rows[cell];
            *counter = counter.saturating_add(1);
            estimate = estimate.min(*counter);
        }
        estimate
    }

    pub fn estimate(&self, hash: u64) -> u32 {
        self.cells(hash).into_iter().map(|cell| self.rows[cell]).min().unwrap_or(0)
    }

    pub fn clear(&mut self) {
        self.rows.fill(0);
    }

    pub fn bytes(&self) -> usize {
        self.rows.len() * std::mem::size_of::<u32>()
    }
}

/// HyperLogLog with 2^P registers (P = 10: 1 KiB, about 3% standard error).
#[derive(Debug, Clone)]
pub struct HyperLogLog {
    registers: Vec<u8>,
}

const HLL_P: u32 = 10;

impl Default for HyperLogLog {
    fn default() -> Self {
        HyperLogLog { registers: vec![0; 1 << HLL_P] }
    }
}

impl HyperLogLog {
    pub fn insert(&mut self, hash: u64) {
        let index = (hash >> (64 - HLL_P)) as usize;
        let rest = (hash << HLL_P) | (1 << (HLL_P - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if let Some(register) = self.registers.get_mut(index)
            && rank > *register
        {
            *register = rank;
        }
    }

    pub fn estimate(&self) -> f64 {
        let m = self.registers.len() as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.registers.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        if raw <= 2.5 * m && zeros > 0 {
            // Small ranges: linear counting is exact-er.
            m * (m / zeros as f64).ln()
        } else {
            raw
        }
    }

    pub fn clear(&mut self) {
        self.registers.fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mix(value: u64) -> u64 {
        let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn count_min_never_undercounts_and_finds_the_heavy_hitter() {
        let mut sketch = CountMin::new(1024);
        for i in 0..20_000u64 {
            sketch.add(mix(i % 5_000));
        }
        for _ in 0..3_000 {
            sketch.add(mix(999_999));
        }
        assert!(sketch.estimate(mix(999_999)) >= 3_000);
        assert!(sketch.estimate(mix(999_999)) < 3_200);
        assert!(sketch.estimate(mix(1)) >= 4);
    }

    #[test]
    fn hyperloglog_within_ten_percent() {
        for n in [50u64, 1_000, 100_000] {
            let mut hll = HyperLogLog::default();
            for i in 0..n {
                hll.insert(mix(i));
                hll.insert(mix(i));
            }
            let estimate = hll.estimate();
            let error = (estimate - n as f64).abs() / n as f64;
            assert!(error < 0.1, "n={n} estimate={estimate}");
        }
    }
}
