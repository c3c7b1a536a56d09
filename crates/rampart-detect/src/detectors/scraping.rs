//! Scraping and data harvesting: a client pulling far more records carrying sensitive data, or
//! far more pages of list endpoints, than the other clients do.
//!
//! Records are counted on each JSON answer by a byte scan (elements of the first array, or one
//! record for an object). Whether an endpoint's records carry sensitive data is learned by
//! running the sensitive-data engine on a sample of its answers (the first few, then one in
//! 64): per-exchange cost stays a scan of the body, not a classification.

use std::sync::Arc;

use rampart_core::Severity;
use rampart_sensitive::{Classifier, ClassifierConfig};

use crate::alert::{Confidence, DetectorKind};
use crate::config::DetectConfig;
use crate::engine::{AlertBook, Footprint, Signal};
use crate::facts::{Facts, domain, hash_pair, hash_str};
use crate::state::{KeyTable, Sweeper};
use crate::window::{Distinct, PeerHistogram, SlidingCount};

use super::{actor_key, client_cap, related_ip, secs};

/// Answers of an endpoint classified before sampling starts.
const FIRST_SAMPLES: u32 = 5;
/// Then one in this many.
const SAMPLE_EVERY: u32 = 64;
/// Bodies larger than this are not classified (they are still counted).
const MAX_SAMPLE_BYTES: usize = 256 * 1024;
/// The peers' quantile a client is compared with: the 90th, not the 99th, so that with a few
/// hundred clients the harvester itself is not the measure.
const PEER_QUANTILE: f64 = 0.9;
/// How far past its limit a harvest is taken for certain (and rate-limited): an employee working
/// through a queue of customers can pass the limit; three times it, in one window, is a harvest.
const HIGH_CONFIDENCE_RATIO: f64 = 3.0;
/// Query parameters that page through a list.
const PAGE_PARAMETERS: [&str; 10] =
    ["page", "offset", "cursor", "after", "start", "skip", "from", "pagetoken", "page_number", "pageNumber"];

#[derive(Default)]
struct Harvest {
    records: SlidingCount,
    sensitive: SlidingCount,
    pages: Distinct<2>,
}

#[derive(Default)]
struct EndpointProfile {
    answers: u32,
    /// Share of records carrying at least one sensitive value (learned).
    sensitive_share: f64,
    samples: u32,
}

pub(crate) struct ScrapingDetector {
    clients: KeyTable<Harvest>,
    endpoints: KeyTable<EndpointProfile>,
    classifier: Option<Arc<Classifier>>,
    peers_records: PeerHistogram,
    peers_sensitive: PeerHistogram,
    peers_pages: PeerHistogram,
    sweeper: Sweeper,
    peer_sweeper: Sweeper,
}

impl ScrapingDetector {
    pub(crate) fn new(config: &DetectConfig) -> ScrapingDetector {
        let classifier = Classifier::try_new(ClassifierConfig::default())
            .map_err(
                |error| tracing::warn!(%error, "scraping: no sensitive-data engine; counting all records"),
            )
            .ok()
            .map(Arc::new);
        ScrapingDetector {
            clients: KeyTable::new(client_cap(config.max_keys)),
            endpoints: KeyTable::new(50_000),
            classifier,
            peers_records: PeerHistogram::default(),
            peers_sensitive: PeerHistogram::default(),
            peers_pages: PeerHistogram::default(),
            sweeper: Sweeper::default(),
            peer_sweeper: Sweeper::default(),
        }
    }

    pub(crate) fn observe(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        if facts.method != "GET" || !facts.status.is_some_and(|s| (200..300).contains(&s)) {
            return;
        }
        let Some(body) = facts.exchange.response.as_ref().and_then(|r| r.body.as_ref()) else { return };
        let Some(text) = body.text.as_deref() else { return };
        let Some(records) = count_records(text.as_bytes()) else { return };
        let cfg = &config.scraping;
        let window = secs(cfg.window_secs);
        let now = facts.now;

        let profile = self.endpoints.entry(facts.endpoint_hash, now);
        profile.answers = profile.answers.saturating_add(1);
        if (profile.samples < FIRST_SAMPLES || profile.answers.is_multiple_of(SAMPLE_EVERY))
            && text.len() <= MAX_SAMPLE_BYTES
            && let Some(classifier) = &self.classifier
            && let Ok(detections) = classifier.scan_json(text.as_bytes())
        {
            let share = (detections.len() as f64 / f64::from(records.max(1))).min(1.0);
            profile.samples += 1;
            profile.sensitive_share += (share - profile.sensitive_share) / f64::from(profile.samples.min(20));
        }
        let sensitive = (f64::from(records) * profile.sensitive_share).round() as u32;

        let page = facts.exchange.request.query.iter().find(|(name, value)| {
            !value.is_empty()
                && PAGE_PARAMETERS.iter().any(|p| name.eq_ignore_ascii_case(p))
                && value != "0"
                && value != "1"
        });
        // A single record with nothing sensitive is an ordinary read: no state for it.
        if records <= 1 && sensitive == 0 && page.is_none() && self.clients.get(facts.actor_hash).is_none() {
            return;
        }
        let harvest = self.clients.entry(facts.actor_hash, now);
        harvest.records.add(now, window, records);
        harvest.sensitive.add(now, window, sensitive);
        if let Some((_, value)) = page {
            // Page numbers per endpoint: deep paging through one list is harvesting; the second
            // page of each of a hundred accounts (an aggregator) is one page.
            harvest.pages.insert(now, window, hash_pair(facts.endpoint_hash, hash_str(domain::PAGE, value)));
        }
        let note = format!("{records} records ({sensitive} with sensitive data)");
        if book.settled(DetectorKind::Scraping, facts.actor_hash, facts, &note) {
            // Keep the measures current: the size of the harvest is the evidence.
            return;
        }
        let records_now = harvest.records.get(now, window);
        let sensitive_now = harvest.sensitive.get(now, window);
        let pages_now = harvest.pages.estimate();
        let factor = cfg.peer_factor;
        let sensitive_limit =
            f64::from(cfg.min_sensitive_records).max(factor * self.peers_sensitive.quantile(PEER_QUANTILE));
        let pages_limit = f64::from(cfg.min_pages).max(factor * self.peers_pages.quantile(PEER_QUANTILE));
        // All records, sensitive or not, at a higher floor: bulk export of anything.
        let records_limit = (4.0 * f64::from(cfg.min_sensitive_records))
            .max(factor * self.peers_records.quantile(PEER_QUANTILE));
        let over = [
            (sensitive_now / sensitive_limit, "sensitive records"),
            (pages_now / pages_limit, "pages"),
            (records_now / records_limit, "records"),
        ];
        let Some(&(ratio, what)) = over.iter().max_by(|a, b| a.0.total_cmp(&b.0)) else { return };
        if ratio < 1.0 {
            return;
        }
        let key = actor_key(facts);
        book.raise(
            Signal {
                detector: DetectorKind::Scraping,
                summary: format!(
                    "{key} pulled {sensitive_now:.0} sensitive records, {records_now:.0} records and {pages_now:.0} pages in {window} s — {ratio:.1}× the limit on {what} (peers' 90th percentile: {:.0} sensitive records)",
                    self.peers_sensitive.quantile(PEER_QUANTILE)
                ),
                key,
                key_hash: facts.actor_hash,
                // Three times the limit is not a busy employee or a steady aggregator.
                confidence: if ratio >= HIGH_CONFIDENCE_RATIO { Confidence::High } else { Confidence::Medium },
                severity: if sensitive_now >= sensitive_limit { Severity::High } else { Severity::Medium },
                action: config.action_of(cfg.action),
                measures: vec![
                    ("sensitive_records", sensitive_now),
                    ("records", records_now),
                    ("pages", pages_now),
                    ("limit_sensitive_records", sensitive_limit),
                    ("limit_pages", pages_limit),
                ],
                related: related_ip(facts),
                quiet_secs: window,
            },
            facts,
            &note,
        );
    }

    pub(crate) fn housekeeping(&mut self, now: u32, config: &DetectConfig) {
        let window = secs(config.scraping.window_secs);
        if self.peer_sweeper.due(now, 60) {
            // What the other clients pull: each active client's current window, decayed history.
            self.peers_records.decay();
            self.peers_sensitive.decay();
            self.peers_pages.decay();
            let (records, sensitive, pages) =
                (&mut self.peers_records, &mut self.peers_sensitive, &mut self.peers_pages);
            self.clients.for_each_mut(|_, harvest| {
                let pulled = harvest.records.get(now, window);
                if pulled > 0.0 {
                    records.add(pulled as u64);
                    sensitive.add(harvest.sensitive.get(now, window) as u64);
                    pages.add(harvest.pages.estimate() as u64);
                }
            });
        }
        if self.sweeper.due(now, 60) {
            self.clients.sweep(now.saturating_sub(2 * window));
        }
    }

    pub(crate) fn footprint(&self) -> Footprint {
        Footprint::of(&self.clients).plus(Footprint::of(&self.endpoints))
    }
}

/// Records in a JSON answer: the elements of the first array within two levels (a bare list,
/// or `{"data": [...]}`), or 1 for an object without one. `None` when it is not JSON.
pub(crate) fn count_records(body: &[u8]) -> Option<u32> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    let first = body[start];
    if first != b'[' && first != b'{' {
        return None;
    }
    let mut depth = 0u32;
    let mut in_string = false;
    let mut escaped = false;
    // Depth of the array being counted, its element count, and whether it has an element yet.
    let mut counting: Option<u32> = None;
    let mut elements = 0u32;
    let mut saw_element = false;
    for &byte in &body[start..] {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            if counting == Some(depth) {
                saw_element = true;
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                if counting == Some(depth) {
                    saw_element = true;
                }
            }
            b'[' | b'{' => {
                if counting == Some(depth) {
                    saw_element = true;
                }
                depth += 1;
                if byte == b'[' && counting.is_none() && depth <= 2 {
                    counting = Some(depth);
                }
            }
            b']' | b'}' => {
                if counting == Some(depth) {
                    return Some(elements + u32::from(saw_element));
                }
                depth = depth.saturating_sub(1);
            }
            b',' if counting == Some(depth) => {
                elements += 1;
                saw_element = false;
            }
            b if b.is_ascii_whitespace() => {}
            _ => {
                if counting == Some(depth) {
                    saw_element = true;
                }
            }
        }
    }
    // A truncated body: what was counted, or one record.
    Some(if counting.is_some() { elements + u32::from(saw_element) } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::count_records;

    #[test]
    fn counts_records() {
        assert_eq!(count_records(br#"[{"a":1},{"a":[1,2]},{"a":"x,y"}]"#), Some(3));
        assert_eq!(count_records(br#"{"data":[{"a":1},{"b":2}],"next":"c"}"#), Some(2));
        assert_eq!(count_records(br#"{"id":1,"name":"x"}"#), Some(1));
        assert_eq!(count_records(b"[]"), Some(0));
        assert_eq!(count_records(b"  [1, 2, 3]"), Some(3));
        assert_eq!(count_records(b"<html>"), None);
        assert_eq!(count_records(br#"[{"a":"]"},{"b":"\"],"}]"#), Some(2));
    }
}
