//! Prometheus metrics: requests by route and status class, a latency histogram, decisions by
//! reason, tap drops, open connections, and what detection analysed, alerted on and decided. Counters are plain atomics (routes are known at start,
//! reasons are static ids), so the hot path never takes a lock but to add a reason first seen.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rampart_detect::DetectorKind;

use crate::detection::DetectionStats;
use crate::tap::TapStats;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Debug)]
pub struct Metrics {
    /// Route names; index `routes.len()` is "no route".
    routes: Vec<String>,
    /// Per route, per status class (index 0 for anything outside 1xx–5xx).
    requests: Vec<[AtomicU64; 6]>,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    decisions: RwLock<BTreeMap<&'static str, AtomicU64>>,
    pub open_connections: AtomicI64,
    pub rejected_connections: AtomicU64,
    pub upstream_errors: AtomicU64,
    pub unbuffered_responses: AtomicU64,
    /// The detection thread's counters, when detection runs.
    detection: Option<Arc<DetectionStats>>,
}

impl Metrics {
    pub fn new(route_names: Vec<String>) -> Metrics {
        let slots = route_names.len() + 1;
        Metrics {
            routes: route_names,
            requests: (0..slots).map(|_| Default::default()).collect(),
            latency_buckets: Default::default(),
            latency_count: AtomicU64::new(0),
            latency_sum_micros: AtomicU64::new(0),
            decisions: RwLock::new(BTreeMap::new()),
            open_connections: AtomicI64::new(0),
            rejected_connections: AtomicU64::new(0),
            upstream_errors: AtomicU64::new(0),
            unbuffered_responses: AtomicU64::new(0),
            detection: None,
        }
    }

    /// Shows the detection thread's counters too.
    pub fn with_detection(mut self, stats: Arc<DetectionStats>) -> Metrics {
        self.detection = Some(stats);
        self
    }

    pub fn detection(&self) -> Option<&Arc<DetectionStats>> {
        self.detection.as_ref()
    }

    /// One finished request: `route` is the index in the router, `None` when none matched.
    pub fn record(&self, route: Option<usize>, status: u16, elapsed: Duration) {
        let slot = route.filter(|r| *r < self.routes.len()).unwrap_or(self.routes.len());
        let class = usize::from(status / 100).min(5);
        if let Some(counters) = self.requests.get(slot) {
            counters[class].fetch_add(1, Ordering::Relaxed);
        }
        let seconds = elapsed.as_secs_f64();
        if let Some(bucket) = LATENCY_BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add(elapsed.as_micros().min(u128::from(u64::MAX)) as u64, Ordering::Relaxed);
    }

    /// A check decided something (`blocked-ip`, `jwt-expired`, `rate-limited`, …).
    pub fn decision(&self, reason: &'static str) {
        if let Ok(decisions) = self.decisions.read()
            && let Some(counter) = decisions.get(reason)
        {
            counter.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if let Ok(mut decisions) = self.decisions.write() {
            decisions.entry(reason).or_default().fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn decisions(&self, reason: &str) -> u64 {
        self.decisions.read().ok().and_then(|d| d.get(reason).map(|c| c.load(Ordering::Relaxed))).unwrap_or(0)
    }

    /// The counters as JSON, for the control plane's metrics route: `gateway` (requests by
    /// status class, refusals by reason, connections) and `detection` (when it runs).
    pub fn snapshot(&self) -> serde_json::Value {
        let mut by_class = std::collections::BTreeMap::new();
        let mut requests = 0;
        for counters in &self.requests {
            for (class, counter) in counters.iter().enumerate() {
                let value = counter.load(Ordering::Relaxed);
                requests += value;
                if value > 0 {
                    let class = if class == 0 { "other".to_owned() } else { format!("{class}xx") };
                    *by_class.entry(class).or_insert(0u64) += value;
                }
            }
        }
        let refusals: BTreeMap<&str, u64> = self
            .decisions
            .read()
            .map(|d| d.iter().map(|(reason, count)| (*reason, count.load(Ordering::Relaxed))).collect())
            .unwrap_or_default();
        let detection = self.detection.as_ref().map(|d| {
            serde_json::json!({
                "monitor": d.monitor,
                "analysed": d.analysed.load(Ordering::Relaxed),
                "allowlisted": d.allowlisted.load(Ordering::Relaxed),
                "alerts_opened": d.alerts_opened_total(),
                "alerts_open": d.alerts_open.load(Ordering::Relaxed),
                "decisions_applied": d.decisions_applied.load(Ordering::Relaxed),
                "tracked_keys": d.tracked_keys.load(Ordering::Relaxed),
                "state_bytes": d.state_bytes.load(Ordering::Relaxed),
            })
        });
        serde_json::json!({
            "gateway": {
                "requests": requests,
                "refused": refusals.values().sum::<u64>(),
                "refusals": refusals,
                "by_status_class": by_class,
                "upstream_errors": self.upstream_errors.load(Ordering::Relaxed),
                "open_connections": self.open_connections.load(Ordering::Relaxed),
                "rejected_connections": self.rejected_connections.load(Ordering::Relaxed),
            },
            "detection": detection,
        })
    }

    /// The text exposition format.
    pub fn render(&self, tap: Option<&TapStats>) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP rampart_requests_total Requests answered, by route and status class.\n");
        out.push_str("# TYPE rampart_requests_total counter\n");
        for (slot, counters) in self.requests.iter().enumerate() {
            let route = self.routes.get(slot).map_or("(none)", String::as_str);
            for (class, counter) in counters.iter().enumerate() {
                let value = counter.load(Ordering::Relaxed);
                if value > 0 {
                    let class = if class == 0 { "other".to_owned() } else { format!("{class}xx") };
                    let _ = writeln!(
                        out,
                        "rampart_requests_total{{route=\"{}\",status=\"{class}\"}} {value}",
                        escape(route)
                    );
                }
            }
        }
        out.push_str(
            "# HELP rampart_request_duration_seconds Time from request to the end of the response headers.\n",
        );
        out.push_str("# TYPE rampart_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "rampart_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "rampart_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "rampart_request_duration_seconds_sum {}",
            self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "rampart_request_duration_seconds_count {count}");
        out.push_str("# HELP rampart_decisions_total Checks that decided something, by reason.\n");
        out.push_str("# TYPE rampart_decisions_total counter\n");
        if let Ok(decisions) = self.decisions.read() {
            for (reason, counter) in decisions.iter() {
                let _ = writeln!(
                    out,
                    "rampart_decisions_total{{reason=\"{}\"}} {}",
                    escape(reason),
                    counter.load(Ordering::Relaxed)
                );
            }
        }
        let gauges = [
            (
                "rampart_open_connections",
                "gauge",
                "Client connections open.",
                self.open_connections.load(Ordering::Relaxed),
            ),
            (
                "rampart_rejected_connections_total",
                "counter",
                "Connections closed at once because max_connections was reached.",
                self.rejected_connections.load(Ordering::Relaxed) as i64,
            ),
            (
                "rampart_upstream_errors_total",
                "counter",
                "Upstream connection failures and timeouts.",
                self.upstream_errors.load(Ordering::Relaxed) as i64,
            ),
            (
                "rampart_unbuffered_responses_total",
                "counter",
                "Responses too large to mask or validate, passed through unchanged.",
                self.unbuffered_responses.load(Ordering::Relaxed) as i64,
            ),
        ];
        for (name, kind, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        if let Some(tap) = tap {
            for (name, help, value) in [
                ("rampart_tap_offered_total", "Exchanges offered to the tap.", &tap.offered),
                (
                    "rampart_tap_dropped_total",
                    "Exchanges dropped because the tap queue was full.",
                    &tap.dropped,
                ),
                ("rampart_tap_written_total", "Exchanges written by the tap.", &tap.written),
                ("rampart_tap_write_errors_total", "Tap write failures.", &tap.write_errors),
            ] {
                let _ = writeln!(
                    out,
                    "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                    value.load(Ordering::Relaxed)
                );
            }
        }
        if let Some(detection) = &self.detection {
            render_detection(&mut out, detection);
        }
        out
    }
}

fn render_detection(out: &mut String, stats: &DetectionStats) {
    let mode = if stats.monitor { "monitor" } else { "enforce" };
    let _ = writeln!(
        out,
        "# HELP rampart_detect_info Detection runs; `mode` is enforce or monitor (report only).\n\
         # TYPE rampart_detect_info gauge\nrampart_detect_info{{mode=\"{mode}\"}} 1"
    );
    let counters = [
        ("rampart_detect_exchanges_total", "Exchanges run through the detectors.", &stats.analysed),
        (
            "rampart_detect_allowlisted_total",
            "Exchanges from allowlisted addresses, not analysed.",
            &stats.allowlisted,
        ),
        (
            "rampart_detect_decisions_applied_total",
            "Detector decisions handed to the blocklist.",
            &stats.decisions_applied,
        ),
        (
            "rampart_detect_decisions_unenforceable_total",
            "Detector decisions on keys no request is refused by (username, device, endpoint, global).",
            &stats.decisions_unenforceable,
        ),
        (
            "rampart_detect_alerts_written_total",
            "Alert lines written to the alerts file.",
            &stats.alerts_written,
        ),
        ("rampart_detect_alert_write_errors_total", "Alerts-file write failures.", &stats.alert_write_errors),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
            value.load(Ordering::Relaxed)
        );
    }
    out.push_str("# HELP rampart_detect_alerts_total Alerts opened, by detector.\n");
    out.push_str("# TYPE rampart_detect_alerts_total counter\n");
    for (kind, count) in DetectorKind::ALL.iter().zip(&stats.alerts_opened) {
        let _ = writeln!(
            out,
            "rampart_detect_alerts_total{{detector=\"{kind}\"}} {}",
            count.load(Ordering::Relaxed)
        );
    }
    let gauges = [
        ("rampart_detect_alerts_open", "Alerts open now.", &stats.alerts_open),
        ("rampart_detect_tracked_keys", "Client keys the detectors track.", &stats.tracked_keys),
        ("rampart_detect_state_bytes", "Approximate memory of the detectors' state.", &stats.state_bytes),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
            value.load(Ordering::Relaxed)
        );
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_in_the_text_format() {
        let metrics = Metrics::new(vec!["bank".to_owned()]);
        metrics.record(Some(0), 200, Duration::from_micros(800));
        metrics.record(Some(0), 503, Duration::from_millis(30));
        metrics.record(None, 404, Duration::from_micros(100));
        metrics.decision("rate-limited");
        metrics.decision("rate-limited");
        let text = metrics.render(None);
        assert!(text.contains("rampart_requests_total{route=\"bank\",status=\"2xx\"} 1"), "{text}");
        assert!(text.contains("rampart_requests_total{route=\"bank\",status=\"5xx\"} 1"));
        assert!(text.contains("rampart_requests_total{route=\"(none)\",status=\"4xx\"} 1"));
        assert!(text.contains("rampart_request_duration_seconds_bucket{le=\"0.001\"} 2"));
        assert!(text.contains("rampart_request_duration_seconds_count 3"));
        assert!(text.contains("rampart_decisions_total{reason=\"rate-limited\"} 2"));
        assert_eq!(metrics.decisions("rate-limited"), 2);
        assert!(!text.contains("rampart_detect"), "{text}");
    }

    #[test]
    fn detection_counters_render_when_detection_runs() {
        let stats = Arc::new(DetectionStats::default());
        stats.analysed.fetch_add(7, Ordering::Relaxed);
        stats.alerts_opened[0].fetch_add(2, Ordering::Relaxed);
        stats.decisions_applied.fetch_add(1, Ordering::Relaxed);
        stats.alerts_open.store(1, Ordering::Relaxed);
        let text = Metrics::new(Vec::new()).with_detection(stats).render(None);
        assert!(text.contains("rampart_detect_info{mode=\"enforce\"} 1"), "{text}");
        assert!(text.contains("rampart_detect_exchanges_total 7"), "{text}");
        assert!(text.contains("rampart_detect_alerts_total{detector=\"credential-stuffing\"} 2"), "{text}");
        assert!(text.contains("rampart_detect_decisions_applied_total 1"), "{text}");
        assert!(text.contains("rampart_detect_alerts_open 1"), "{text}");
    }
}
