//! Volumetric abuse: the request rate of an IP or identity against an absolute ceiling and
//! against what the other clients do, the rate of each endpoint against its own learned EWMA
//! (after a warm-up), and surges of an endpoint's 5xx share. The top talkers behind an
//! endpoint's surge come from a count-min sketch of (endpoint, client) per minute.

use std::net::IpAddr;

use rampart_core::Severity;

use crate::alert::{ClientKey, Confidence, DetectorKind};
use crate::config::DetectConfig;
use crate::engine::{AlertBook, Footprint, Signal};
use crate::facts::{Facts, hash_pair};
use crate::sketch::{CountMin, HyperLogLog};
use crate::state::{KeyTable, Sweeper};
use crate::window::{Ewma, PeerHistogram, SlidingCount};

use super::client_cap;

const MINUTE: u32 = 60;
/// An endpoint needs this many requests in a minute before its rate can be a surge.
const MIN_SURGE_REQUESTS: u32 = 120;
/// And this many 5xx answers before its error share can be.
const MIN_SURGE_ERRORS: u32 = 20;

#[derive(Default)]
struct Rate {
    minute: SlidingCount,
}

#[derive(Default)]
struct EndpointRate {
    minute_start: u32,
    requests: u32,
    errors: u32,
    rate: Ewma,
    error_share: Ewma,
    top_client: u64,
    top_ip_hash: u64,
    top_count: u32,
    top_ip: Option<IpAddr>,
}

pub(crate) struct VolumetricDetector {
    ips: KeyTable<Rate>,
    identities: KeyTable<Rate>,
    endpoints: KeyTable<EndpointRate>,
    talkers: CountMin,
    talkers_minute: u32,
    /// Distinct clients this minute (a botnet flood versus one client).
    clients: HyperLogLog,
    peers: PeerHistogram,
    minutes_seen: u32,
    peer_sweeper: Sweeper,
    sweeper: Sweeper,
}

impl VolumetricDetector {
    pub(crate) fn new(config: &DetectConfig) -> VolumetricDetector {
        VolumetricDetector {
            ips: KeyTable::new(client_cap(config.max_keys)),
            identities: KeyTable::new(client_cap(config.max_keys)),
            endpoints: KeyTable::new(50_000),
            talkers: CountMin::new(1 << 14),
            talkers_minute: 0,
            clients: HyperLogLog::default(),
            peers: PeerHistogram::default(),
            minutes_seen: 0,
            peer_sweeper: Sweeper::default(),
            sweeper: Sweeper::default(),
        }
    }

    pub(crate) fn observe(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        let cfg = &config.volumetric;
        let now = facts.now;
        let warm = self.minutes_seen >= cfg.warmup_minutes;
        let peer_limit = f64::from(cfg.min_per_minute).max(cfg.peer_factor * self.peers.quantile(0.9));
        let action = config.action_of(cfg.action);

        let keys = [
            (facts.ip.map(ClientKey::Ip), facts.ip_hash, &mut self.ips),
            (
                facts.identity.map(|i| ClientKey::Identity(i.to_owned())),
                facts.actor_hash,
                &mut self.identities,
            ),
        ];
        for (key, hash, table) in keys {
            let Some(key) = key else { continue };
            let rate = table.entry(hash, now).minute.add_get(now, MINUTE, 1);
            if book.settled(DetectorKind::Volumetric, hash, facts, "request") {
                continue;
            }
            let confidence = if rate >= f64::from(cfg.max_per_minute) {
                Confidence::High
            } else if warm && rate >= peer_limit {
                Confidence::Medium
            } else {
                continue;
            };
            book.raise(
                Signal {
                    detector: DetectorKind::Volumetric,
                    summary: format!(
                        "{key} sent {rate:.0} requests in a minute (ceiling {}, peers' 90th percentile {:.0})",
                        cfg.max_per_minute,
                        self.peers.quantile(0.9)
                    ),
                    key,
                    key_hash: hash,
                    confidence,
                    severity: Severity::Medium,
                    action,
                    measures: vec![("rate_per_min", rate), ("peer_limit_per_min", peer_limit)],
                    related: if facts.identity.is_some() && hash == facts.actor_hash {
                        facts.ip.map(ClientKey::Ip).into_iter().collect()
                    } else {
                        Vec::new()
                    },
                    quiet_secs: 120,
                },
                facts,
                "request",
            );
        }

        // Per endpoint, against its own history.
        if now / MINUTE != self.talkers_minute {
            self.talkers_minute = now / MINUTE;
            self.talkers.clear();
            self.clients.clear();
        }
        let talker = self.talkers.add(hash_pair(facts.endpoint_hash, facts.actor_hash));
        self.clients.insert(facts.actor_hash);
        let endpoint = self.endpoints.entry(facts.endpoint_hash, now);
        if now >= endpoint.minute_start + MINUTE {
            let surging = book.is_open(DetectorKind::Volumetric, facts.endpoint_hash);
            if endpoint.requests > 0 && !surging {
                endpoint.rate.update(f64::from(endpoint.requests), 0.1);
                endpoint.error_share.update(f64::from(endpoint.errors) / f64::from(endpoint.requests), 0.1);
            }
            endpoint.minute_start = now - now % MINUTE;
            endpoint.requests = 0;
            endpoint.errors = 0;
            endpoint.top_count = 0;
        }
        endpoint.requests += 1;
        if facts.status.is_some_and(|s| s >= 500) {
            endpoint.errors += 1;
        }
        if talker > endpoint.top_count {
            endpoint.top_count = talker;
            endpoint.top_client = facts.actor_hash;
            endpoint.top_ip = facts.ip;
            endpoint.top_ip_hash = facts.ip_hash;
        }
        let learned = endpoint.rate.samples >= cfg.warmup_minutes.max(1);
        if !learned || endpoint.requests < MIN_SURGE_REQUESTS {
            return;
        }
        let label = facts.endpoint();
        let top = endpoint.top_ip.map(ClientKey::Ip).into_iter().collect::<Vec<_>>();
        let requests = f64::from(endpoint.requests);
        let mean = endpoint.rate.mean;
        let spread = endpoint.rate.std_dev().max(mean.sqrt()).max(1.0);
        let share = f64::from(endpoint.top_count) / requests;
        // A surge that one client makes, and that an alert on that client already covers, is
        // that alert: one scraper must not also raise one alert per endpoint it reads.
        let explained = share >= 0.5
            && [
                DetectorKind::Volumetric,
                DetectorKind::Scraping,
                DetectorKind::BolaEnumeration,
                DetectorKind::PathProbing,
            ]
            .into_iter()
            .any(|detector| {
                book.is_open(detector, endpoint.top_client) || book.is_open(detector, endpoint.top_ip_hash)
            });
        if !explained
            && !book.touch(DetectorKind::Volumetric, facts.endpoint_hash, facts, "request")
            && requests > mean + cfg.endpoint_sigma * spread
            && requests > 3.0 * mean
        {
            book.raise(
                Signal {
                    detector: DetectorKind::Volumetric,
                    summary: format!(
                        "{label}: {requests:.0} requests this minute against a learned {mean:.0} ± {spread:.0}; top client sent {:.0}% of them, {:.0} distinct clients",
                        share * 100.0,
                        self.clients.estimate()
                    ),
                    key: ClientKey::Endpoint(label.clone()),
                    key_hash: facts.endpoint_hash,
                    confidence: Confidence::Medium,
                    severity: Severity::Medium,
                    // No one client to act on: the per-key limits handle the top talker.
                    action: crate::alert::Action::Report,
                    measures: vec![
                        ("requests_per_min", requests),
                        ("baseline_per_min", mean),
                        ("top_client_share", share),
                        ("distinct_clients", self.clients.estimate()),
                    ],
                    related: top.clone(),
                    quiet_secs: 180,
                },
                facts,
                "request",
            );
        }
        let errors = f64::from(endpoint.errors);
        let share = errors / requests;
        if endpoint.errors >= MIN_SURGE_ERRORS
            && !book.touch(DetectorKind::ErrorSurge, facts.endpoint_hash, facts, "server error")
            && share >= 0.2
            && share >= cfg.error_factor * endpoint.error_share.mean
        {
            book.raise(
                Signal {
                    detector: DetectorKind::ErrorSurge,
                    summary: format!(
                        "{label}: {:.0}% server errors this minute against a learned {:.1}%",
                        share * 100.0,
                        endpoint.error_share.mean * 100.0
                    ),
                    key: ClientKey::Endpoint(label),
                    key_hash: facts.endpoint_hash,
                    confidence: Confidence::Medium,
                    severity: Severity::Medium,
                    action: crate::alert::Action::Report,
                    measures: vec![
                        ("error_share", share),
                        ("baseline_error_share", endpoint.error_share.mean),
                    ],
                    related: top,
                    quiet_secs: 180,
                },
                facts,
                "server error",
            );
        }
    }

    pub(crate) fn housekeeping(&mut self, now: u32, _config: &DetectConfig) {
        if self.peer_sweeper.due(now, MINUTE) {
            self.minutes_seen += 1;
            self.peers.decay();
            let peers = &mut self.peers;
            self.ips.for_each_mut(|_, rate| {
                let per_minute = rate.minute.get(now, MINUTE);
                if per_minute >= 1.0 {
                    peers.add(per_minute as u64);
                }
            });
        }
        if self.sweeper.due(now, MINUTE) {
            let idle = now.saturating_sub(2 * MINUTE);
            self.ips.sweep(idle);
            self.identities.sweep(idle);
            self.endpoints.sweep(now.saturating_sub(86_400));
        }
    }

    pub(crate) fn footprint(&self) -> Footprint {
        let tables = Footprint::of(&self.ips)
            .plus(Footprint::of(&self.identities))
            .plus(Footprint::of(&self.endpoints));
        Footprint { bytes: tables.bytes + self.talkers.bytes() + 1024, ..tables }
    }
}
