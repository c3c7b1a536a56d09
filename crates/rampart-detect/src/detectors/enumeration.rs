//! BOLA enumeration: one client touching many distinct object IDs of one endpoint, with
//! sequential IDs or a high share of 401/403/404 answers — someone walking other customers'
//! objects, whether the API lets them (sequential successes) or not (denials).

use rampart_core::Severity;

use crate::alert::{Confidence, DetectorKind};
use crate::config::DetectConfig;
use crate::engine::{AlertBook, Footprint, Signal};
use crate::facts::{Facts, hash_pair};
use crate::state::{KeyTable, Sweeper};
use crate::window::{Distinct, SlidingCount};

use super::{actor_key, client_cap, related_ip, secs};

/// How close to the previous numeric ID a request must be to count as walking a range.
const SEQUENTIAL_DISTANCE: u64 = 64;

#[derive(Default)]
struct Walk {
    ids: Distinct<2>,
    requests: SlidingCount,
    denied: SlidingCount,
    sequential: SlidingCount,
    last_id: u64,
}

pub(crate) struct EnumerationDetector {
    walks: KeyTable<Walk>,
    sweeper: Sweeper,
}

impl EnumerationDetector {
    pub(crate) fn new(config: &DetectConfig) -> EnumerationDetector {
        EnumerationDetector { walks: KeyTable::new(client_cap(config.max_keys)), sweeper: Sweeper::default() }
    }

    pub(crate) fn observe(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        let Some((object_hash, numeric)) = facts.object else { return };
        let cfg = &config.enumeration;
        let window = secs(cfg.window_secs);
        let now = facts.now;
        let denied = matches!(facts.status, Some(401 | 403 | 404));
        let walk = self.walks.entry(hash_pair(facts.actor_hash, facts.endpoint_hash), now);
        walk.ids.insert(now, window, object_hash);
        walk.requests.add(now, window, 1);
        if denied {
            walk.denied.add(now, window, 1);
        }
        if let Some(id) = numeric {
            // Near the previous ID rather than next to it: a fuzzer with 40 threads walks a range
            // out of order.
            if walk.last_id != 0 && id != walk.last_id && id.abs_diff(walk.last_id) <= SEQUENTIAL_DISTANCE {
                walk.sequential.add(now, window, 1);
            }
            walk.last_id = id;
        }
        let note = if denied { "object denied or missing" } else { "object read" };
        if book.settled(DetectorKind::BolaEnumeration, facts.actor_hash, facts, note) {
            return;
        }
        let ids = walk.ids.estimate();
        if ids < f64::from(cfg.distinct_ids) {
            return;
        }
        let requests = walk.requests.get(now, window).max(1.0);
        let denied_share = walk.denied.get(now, window) / requests;
        let sequential_share = walk.sequential.get(now, window) / requests;
        let confidence = if denied_share >= cfg.denied_share || sequential_share >= cfg.sequential_share {
            Confidence::High
        } else if ids >= 3.0 * f64::from(cfg.distinct_ids) {
            Confidence::Medium
        } else {
            return;
        };
        let key = actor_key(facts);
        book.raise(
            Signal {
                detector: DetectorKind::BolaEnumeration,
                summary: format!(
                    "{key} touched {ids:.0} distinct objects of {} in {window} s ({:.0}% denied or missing, {:.0}% sequential)",
                    facts.endpoint(),
                    denied_share * 100.0,
                    sequential_share * 100.0
                ),
                key,
                key_hash: facts.actor_hash,
                confidence,
                severity: if denied_share < cfg.denied_share { Severity::Critical } else { Severity::High },
                action: config.action_of(cfg.action),
                measures: vec![
                    ("distinct_objects", ids),
                    ("denied_share", denied_share),
                    ("sequential_share", sequential_share),
                ],
                related: related_ip(facts),
                quiet_secs: window,
            },
            facts,
            note,
        );
    }

    pub(crate) fn housekeeping(&mut self, now: u32, config: &DetectConfig) {
        if self.sweeper.due(now, 60) {
            self.walks.sweep(now.saturating_sub(2 * secs(config.enumeration.window_secs)));
        }
    }

    pub(crate) fn footprint(&self) -> Footprint {
        Footprint::of(&self.walks)
    }
}
