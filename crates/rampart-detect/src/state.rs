//! [`KeyTable`]: per-key detector state, bounded. Keys are 64-bit hashes (a client key is never
//! stored as a `String` per entry); each entry remembers when it was last seen, and a full table
//! drops the least recently seen of a small sample before admitting a new key — bounded work
//! per insert, memory flat however many distinct clients arrive.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Entries sampled when a full table must make room.
const EVICTION_SAMPLE: usize = 16;

/// The keys are already well-mixed hashes: hashing them again is wasted work.
#[derive(Default)]
pub struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type Map<V> = HashMap<u64, Slot<V>, BuildHasherDefault<IdentityHasher>>;

struct Slot<V> {
    last_seen: u32,
    value: V,
}

/// Per-key state with a cap and least-recently-seen eviction.
pub struct KeyTable<V> {
    map: Map<V>,
    cap: usize,
    evicted: u64,
}

impl<V: Default> KeyTable<V> {
    pub fn new(cap: usize) -> KeyTable<V> {
        KeyTable { map: Map::default(), cap: cap.max(1), evicted: 0 }
    }

    /// The state of `key`, created when absent (evicting one if the table is full).
    pub fn entry(&mut self, key: u64, now: u32) -> &mut V {
        if self.map.len() >= self.cap && !self.map.contains_key(&key) {
            self.evict_one();
        }
        let slot = self.map.entry(key).or_insert_with(|| Slot { last_seen: now, value: V::default() });
        slot.last_seen = slot.last_seen.max(now);
        &mut slot.value
    }

    /// The state of `key` if tracked; does not count as a visit.
    pub fn get(&self, key: u64) -> Option<&V> {
        self.map.get(&key).map(|slot| &slot.value)
    }

    pub fn get_mut(&mut self, key: u64) -> Option<&mut V> {
        self.map.get_mut(&key).map(|slot| &mut slot.value)
    }

    fn evict_one(&mut self) {
        // HashMap iteration starts at an arbitrary bucket for each table: a cheap sample.
        let oldest =
            self.map.iter().take(EVICTION_SAMPLE).min_by_key(|(_, slot)| slot.last_seen).map(|(k, _)| *k);
        if let Some(key) = oldest {
            self.map.remove(&key);
            self.evicted += 1;
        }
    }

    /// Drops keys not seen since `before`; returns how many.
    pub fn sweep(&mut self, before: u32) -> usize {
        let len = self.map.len();
        self.map.retain(|_, slot| slot.last_seen >= before);
        len - self.map.len()
    }

    /// Visits every entry (for window roll-overs and peer statistics).
    pub fn for_each_mut(&mut self, mut visit: impl FnMut(u64, &mut V)) {
        for (key, slot) in &mut self.map {
            visit(*key, &mut slot.value);
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Bytes held, approximately: the hash map's buckets (slot plus key and a control byte).
    pub fn approx_bytes(&self) -> usize {
        self.map.capacity() * (std::mem::size_of::<Slot<V>>() + std::mem::size_of::<u64>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_its_cap_and_keeps_recent_keys() {
        let mut table: KeyTable<u32> = KeyTable::new(100);
        for key in 0..10_000u64 {
            *table.entry(key.wrapping_mul(0x9E37_79B9_7F4A_7C15), key as u32) += 1;
        }
        assert_eq!(table.len(), 100);
        assert_eq!(table.evicted(), 9_900);
        // The newest key is there.
        assert!(table.get(9_999u64.wrapping_mul(0x9E37_79B9_7F4A_7C15)).is_some());
    }

    #[test]
    fn sweep_drops_idle_keys() {
        let mut table: KeyTable<u32> = KeyTable::new(100);
        table.entry(1, 10);
        table.entry(2, 50);
        assert_eq!(table.sweep(20), 1);
        assert!(table.get(1).is_none() && table.get(2).is_some());
    }
}

/// When a detector next sweeps its idle keys: at most once per `every` seconds of event time.
#[derive(Debug, Default)]
pub struct Sweeper {
    next: u32,
}

impl Sweeper {
    pub fn due(&mut self, now: u32, every: u32) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now.saturating_add(every.max(1));
        true
    }
}
