//! Credential stuffing and brute force: failed logins per IP, per /24 (/64), per device id and
//! per username, usernames per IP and per device, and the global failure ratio against its learned baseline — which is how
//! a low-and-slow botnet (two or three attempts per IP) shows. While such an attack is on, IPs
//! that fail on several usernames without a success are taken as its members.

use rampart_core::Severity;

use crate::alert::{Action, ClientKey, Confidence, DetectorKind};
use crate::config::DetectConfig;
use crate::engine::{AlertBook, Footprint, Signal, masked_username};
use crate::facts::{Facts, LoginOutcome, domain, hash_str};
use crate::state::{KeyTable, Sweeper};
use crate::window::{Distinct, Ewma, SlidingCount};

use super::{client_cap, secs};

/// Failure share below which a source is not attacking: a carrier NAT with hundreds of
/// customers has a few typos among many successes.
const MIN_FAILURE_SHARE: f64 = 0.6;
/// Minutes in the global ratio's window: low-and-slow attacks need a long one.
const GLOBAL_MINUTES: usize = 10;

#[derive(Default)]
struct SourceLogins {
    failures: SlidingCount,
    successes: SlidingCount,
    /// Usernames failed (per IP), or IPs failing (per prefix). Only sources with failures have
    /// state, so 4 words (few collisions at the thresholds) cost little.
    distinct: Distinct<4>,
}

#[derive(Default)]
struct AccountLogins {
    failures: SlidingCount,
    ips: Distinct<1>,
}

#[derive(Default)]
struct GlobalRatio {
    minute: u32,
    attempts: [u32; GLOBAL_MINUTES],
    failures: [u32; GLOBAL_MINUTES],
    baseline: Ewma,
    minutes_seen: u32,
}

impl GlobalRatio {
    fn advance(&mut self, now: u32, learn: bool) {
        let minute = now / 60;
        while self.minute < minute {
            let slot = (self.minute as usize) % GLOBAL_MINUTES;
            if learn && self.attempts[slot] >= 3 {
                let ratio = f64::from(self.failures[slot]) / f64::from(self.attempts[slot]);
                self.baseline.update(ratio, 0.05);
            }
            self.minutes_seen = self.minutes_seen.saturating_add(1);
            self.minute += 1;
            let next = (self.minute as usize) % GLOBAL_MINUTES;
            self.attempts[next] = 0;
            self.failures[next] = 0;
            if minute - self.minute > GLOBAL_MINUTES as u32 {
                // A long gap: skip ahead, the window is empty anyway.
                self.attempts = [0; GLOBAL_MINUTES];
                self.failures = [0; GLOBAL_MINUTES];
                self.minute = minute;
            }
        }
    }

    fn totals(&self) -> (u32, u32) {
        (self.attempts.iter().sum(), self.failures.iter().sum())
    }
}

pub(crate) struct CredentialDetector {
    ips: KeyTable<SourceLogins>,
    prefixes: KeyTable<SourceLogins>,
    devices: KeyTable<SourceLogins>,
    accounts: KeyTable<AccountLogins>,
    global: GlobalRatio,
    sweeper: Sweeper,
}

fn failure_share(source: &SourceLogins, now: u32, window: u32) -> (f64, f64) {
    let failures = source.failures.get(now, window);
    let successes = source.successes.get(now, window);
    (failures, failures / (failures + successes).max(1.0))
}

impl SourceLogins {
    /// Counts a login of this source (`distinct_hash`: the username tried, or the address).
    fn record(&mut self, failed: bool, distinct_hash: Option<u64>, now: u32, window: u32) {
        if failed {
            self.failures.add(now, window, 1);
            if let Some(hash) = distinct_hash {
                self.distinct.insert(now, window, hash);
            }
        } else {
            self.successes.add(now, window, 1);
        }
    }

    /// Failures, distinct usernames and failure share when this source is stuffing: many
    /// usernames, mostly failing.
    fn stuffing(&self, now: u32, window: u32, usernames_needed: u32) -> Option<(f64, f64, f64)> {
        let (failures, share) = failure_share(self, now, window);
        let usernames = self.distinct.estimate();
        let needed = f64::from(usernames_needed);
        (usernames >= needed && failures >= needed && share >= MIN_FAILURE_SHARE)
            .then_some((failures, usernames, share))
    }
}

impl CredentialDetector {
    pub(crate) fn new(config: &DetectConfig) -> CredentialDetector {
        CredentialDetector {
            ips: KeyTable::new(client_cap(config.max_keys)),
            prefixes: KeyTable::new(client_cap(config.max_keys / 4)),
            devices: KeyTable::new(client_cap(config.max_keys / 4)),
            accounts: KeyTable::new(client_cap(config.max_keys)),
            global: GlobalRatio::default(),
            sweeper: Sweeper::default(),
        }
    }

    pub(crate) fn observe(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        let Some(login) = &facts.login else { return };
        if login.outcome == LoginOutcome::Unknown {
            return;
        }
        let cfg = &config.credential;
        let window = secs(cfg.window_secs);
        let now = facts.now;
        let failed = login.outcome == LoginOutcome::Failure;
        let username_hash = login.username.as_deref().map(|u| hash_str(domain::USERNAME, u));
        let shown_user = login.username.as_deref().map(masked_username);
        let note = match (&shown_user, failed) {
            (Some(user), true) => format!("login failed for {user}"),
            (None, true) => "login failed".to_owned(),
            (Some(user), false) => format!("login succeeded for {user}"),
            (None, false) => "login succeeded".to_owned(),
        };
        let action = config.action_of(cfg.action);
        let quiet = window;

        // Per IP.
        let mut source_explained = false;
        // Sources get state at their first failure; successes before it do not matter.
        let source = match facts.ip {
            Some(_) if failed => Some(self.ips.entry(facts.ip_hash, now)),
            Some(_) => self.ips.get_mut(facts.ip_hash),
            None => None,
        };
        if let (Some(ip), Some(source)) = (facts.ip, source) {
            source.record(failed, username_hash, now, window);
            source_explained = book.is_open(DetectorKind::CredentialStuffing, facts.ip_hash)
                || book.is_open(DetectorKind::BruteForce, facts.ip_hash);
            // Both may be open (a brute force that turned to many usernames): count for both.
            let stuffing_settled =
                book.settled(DetectorKind::CredentialStuffing, facts.ip_hash, facts, &note);
            let brute_settled = book.settled(DetectorKind::BruteForce, facts.ip_hash, facts, &note);
            if failed && !stuffing_settled && !brute_settled {
                let (failures, share) = failure_share(source, now, window);
                let usernames = source.distinct.estimate();
                let measures =
                    vec![("failures", failures), ("distinct_usernames", usernames), ("failure_share", share)];
                if source.stuffing(now, window, cfg.usernames_per_ip).is_some() {
                    book.raise(
                        Signal {
                            detector: DetectorKind::CredentialStuffing,
                            key: ClientKey::Ip(ip),
                            key_hash: facts.ip_hash,
                            confidence: Confidence::High,
                            severity: Severity::High,
                            action,
                            summary: format!(
                                "{failures:.0} failed logins for {usernames:.0} different usernames from {ip} in {window} s"
                            ),
                            measures,
                            related: facts.prefix.map(ClientKey::Prefix).into_iter().collect(),
                            quiet_secs: quiet,
                        },
                        facts,
                        &note,
                    );
                    source_explained = true;
                } else if failures >= f64::from(cfg.failures_per_ip) && share >= MIN_FAILURE_SHARE {
                    book.raise(
                        Signal {
                            detector: DetectorKind::BruteForce,
                            key: ClientKey::Ip(ip),
                            key_hash: facts.ip_hash,
                            confidence: Confidence::High,
                            severity: Severity::High,
                            action,
                            summary: format!("{failures:.0} failed logins from {ip} in {window} s"),
                            measures,
                            related: Vec::new(),
                            quiet_secs: quiet,
                        },
                        facts,
                        &note,
                    );
                    source_explained = true;
                }
            }
        }

        // Per device: a stuffing tool that rotates addresses but keeps its device id.
        if let Some(device) = facts.device_id {
            let device_hash = hash_str(domain::DEVICE, device);
            let source = if failed {
                Some(self.devices.entry(device_hash, now))
            } else {
                self.devices.get_mut(device_hash)
            };
            if let Some(source) = source {
                source.record(failed, username_hash, now, window);
                if book.touch(DetectorKind::CredentialStuffing, device_hash, facts, &note) {
                    source_explained = true;
                    if failed && let Some(ip) = facts.ip {
                        book.decide_participant(
                            DetectorKind::CredentialStuffing,
                            device_hash,
                            ClientKey::Ip(ip),
                            facts.ip_hash,
                            facts,
                            action,
                        );
                    }
                } else if failed
                    && let Some((failures, usernames, share)) =
                        source.stuffing(now, window, cfg.usernames_per_ip)
                {
                    let shown: String = device.chars().take(12).collect();
                    book.raise(
                            Signal {
                                detector: DetectorKind::CredentialStuffing,
                                key: ClientKey::Device(format!("{shown}…#{:06x}", device_hash >> 40)),
                                key_hash: device_hash,
                                confidence: Confidence::High,
                                severity: Severity::High,
                                // A device id cannot be blocked at the edge: the addresses it uses can.
                                action: Action::Report,
                                summary: format!(
                                    "{failures:.0} failed logins for {usernames:.0} different usernames from one device id in {window} s"
                                ),
                                measures: vec![("failures", failures), ("distinct_usernames", usernames), ("failure_share", share)],
                                related: facts.ip.map(ClientKey::Ip).into_iter().collect(),
                                quiet_secs: quiet,
                            },
                            facts,
                            &note,
                        );
                    if let Some(ip) = facts.ip {
                        book.decide_participant(
                            DetectorKind::CredentialStuffing,
                            device_hash,
                            ClientKey::Ip(ip),
                            facts.ip_hash,
                            facts,
                            action,
                        );
                    }
                    source_explained = true;
                }
            }
        }

        // Per /24 or /64: a stuffing run spread over the addresses of one network.
        let source = match facts.prefix {
            Some(_) if failed => Some(self.prefixes.entry(facts.prefix_hash, now)),
            Some(_) => self.prefixes.get_mut(facts.prefix_hash),
            None => None,
        };
        if let (Some(prefix), Some(source)) = (facts.prefix, source) {
            source.record(failed, Some(facts.ip_hash), now, window);
            if failed && !book.touch(DetectorKind::CredentialStuffing, facts.prefix_hash, facts, &note) {
                let (failures, share) = failure_share(source, now, window);
                let ips = source.distinct.estimate();
                if failures >= f64::from(cfg.failures_per_prefix) && ips >= 3.0 && share >= MIN_FAILURE_SHARE
                {
                    // Blocking a network takes more certainty than blocking one address.
                    let confidence =
                        if share >= 0.9 && ips >= 5.0 { Confidence::High } else { Confidence::Medium };
                    book.raise(
                        Signal {
                            detector: DetectorKind::CredentialStuffing,
                            key: ClientKey::Prefix(prefix),
                            key_hash: facts.prefix_hash,
                            confidence,
                            severity: Severity::High,
                            action,
                            summary: format!(
                                "{failures:.0} failed logins from {ips:.0} addresses of {prefix} in {window} s"
                            ),
                            measures: vec![("failures", failures), ("distinct_ips", ips), ("failure_share", share)],
                            related: Vec::new(),
                            quiet_secs: quiet,
                        },
                        facts,
                        &note,
                    );
                    source_explained = true;
                }
            }
        }

        // Per username: one account attacked from many addresses.
        if let (Some(user_hash), Some(shown), true) = (username_hash, &shown_user, failed) {
            let account = self.accounts.entry(user_hash, now);
            account.failures.add(now, window, 1);
            account.ips.insert(now, window, facts.ip_hash);
            let failures = account.failures.get(now, window);
            let ips = account.ips.estimate();
            if book.touch(DetectorKind::BruteForce, user_hash, facts, &note) {
                source_explained = true;
                if let Some(ip) = facts.ip {
                    book.decide_participant(
                        DetectorKind::BruteForce,
                        user_hash,
                        ClientKey::Ip(ip),
                        facts.ip_hash,
                        facts,
                        action,
                    );
                }
            } else if failures >= f64::from(cfg.failures_per_username)
                && ips >= f64::from(cfg.ips_per_username)
            {
                book.raise(
                    Signal {
                        detector: DetectorKind::BruteForce,
                        key: ClientKey::Username(shown.clone()),
                        key_hash: user_hash,
                        confidence: Confidence::High,
                        severity: Severity::High,
                        // A username cannot be blocked at the edge: its attackers' addresses are.
                        action: Action::Report,
                        summary: format!(
                            "{failures:.0} failed logins for {shown} from {ips:.0} addresses in {window} s"
                        ),
                        measures: vec![("failures", failures), ("distinct_ips", ips)],
                        related: facts.ip.map(ClientKey::Ip).into_iter().collect(),
                        quiet_secs: quiet,
                    },
                    facts,
                    &note,
                );
                if let Some(ip) = facts.ip {
                    book.decide_participant(
                        DetectorKind::BruteForce,
                        user_hash,
                        ClientKey::Ip(ip),
                        facts.ip_hash,
                        facts,
                        action,
                    );
                }
                source_explained = true;
            }
        }

        // Global ratio: failures no other alert explains, against the learned baseline.
        let global_key = hash_str(domain::IP, "global");
        let under_attack = book.is_open(DetectorKind::DistributedLoginAttack, global_key);
        self.global.advance(now, !under_attack);
        let slot = (self.global.minute as usize) % GLOBAL_MINUTES;
        self.global.attempts[slot] += 1;
        if failed && !source_explained {
            self.global.failures[slot] += 1;
        }
        if !failed {
            return;
        }
        if !source_explained && self.global.minutes_seen >= cfg.warmup_minutes {
            let (attempts, failures) = self.global.totals();
            let ratio = f64::from(failures) / f64::from(attempts.max(1));
            let baseline = self.global.baseline.mean;
            // While the ratio stays high, each failure counts towards the alert and refreshes
            // its figures; once it falls back, ordinary typos no longer keep it open.
            if failures >= cfg.global_min_failures
                && ratio >= cfg.global_min_ratio
                && ratio >= cfg.global_ratio_factor * baseline
            {
                if under_attack {
                    book.touch(DetectorKind::DistributedLoginAttack, global_key, facts, &note);
                }
                book.raise(
                    Signal {
                        detector: DetectorKind::DistributedLoginAttack,
                        key: ClientKey::Global,
                        key_hash: global_key,
                        confidence: Confidence::High,
                        severity: Severity::High,
                        action: Action::Report,
                        summary: format!(
                            "login failure ratio {:.0}% over {GLOBAL_MINUTES} min against a baseline of {:.1}%: a distributed credential attack",
                            ratio * 100.0,
                            baseline * 100.0
                        ),
                        measures: vec![
                            ("failures", f64::from(failures)),
                            ("attempts", f64::from(attempts)),
                            ("failure_ratio", ratio),
                            ("baseline_ratio", baseline),
                        ],
                        related: Vec::new(),
                        quiet_secs: 600,
                    },
                    facts,
                    &note,
                );
            }
        }
        // Members of the distributed attack: several usernames failed, nothing succeeded.
        if book.is_open(DetectorKind::DistributedLoginAttack, global_key)
            && let Some(ip) = facts.ip
            && let Some(source) = self.ips.get(facts.ip_hash)
        {
            let failures = source.failures.get(now, window);
            let successes = source.successes.get(now, window);
            if failures >= f64::from(cfg.failures_per_ip_under_attack)
                && source.distinct.estimate() >= 2.0
                && successes < 0.5
            {
                book.decide_participant(
                    DetectorKind::DistributedLoginAttack,
                    global_key,
                    ClientKey::Ip(ip),
                    facts.ip_hash,
                    facts,
                    action,
                );
            }
        }
    }

    pub(crate) fn housekeeping(&mut self, now: u32, config: &DetectConfig) {
        if self.sweeper.due(now, 60) {
            let idle = now.saturating_sub(2 * secs(config.credential.window_secs));
            self.ips.sweep(idle);
            self.prefixes.sweep(idle);
            self.devices.sweep(idle);
            self.accounts.sweep(idle);
        }
    }

    pub(crate) fn footprint(&self) -> Footprint {
        Footprint::of(&self.ips)
            .plus(Footprint::of(&self.prefixes))
            .plus(Footprint::of(&self.devices))
            .plus(Footprint::of(&self.accounts))
    }
}
