//! Account takeover: a successful login after a run of failures for the same account (or from
//! a source already caught stuffing credentials — it just found a valid pair), and one token or
//! session used from many networks or devices (a stolen session replayed elsewhere).

use rampart_core::Severity;

use crate::alert::{Action, ClientKey, Confidence, DetectorKind};
use crate::config::DetectConfig;
use crate::engine::{AlertBook, Footprint, Signal, masked_username};
use crate::facts::{Facts, LoginOutcome, domain, hash_str};
use crate::state::{KeyTable, Sweeper};
use crate::window::Distinct;

use super::{client_cap, secs};

#[derive(Default)]
struct AccountRun {
    failures: u32,
    first_failure: u32,
    last_failure: u32,
    ips: Distinct<1>,
}

#[derive(Default)]
struct TokenUse {
    networks: Distinct<1>,
    devices: Distinct<1>,
}

pub(crate) struct TakeoverDetector {
    accounts: KeyTable<AccountRun>,
    tokens: KeyTable<TokenUse>,
    sweeper: Sweeper,
}

impl TakeoverDetector {
    pub(crate) fn new(config: &DetectConfig) -> TakeoverDetector {
        TakeoverDetector {
            accounts: KeyTable::new(client_cap(config.max_keys)),
            tokens: KeyTable::new(client_cap(config.max_keys)),
            sweeper: Sweeper::default(),
        }
    }

    pub(crate) fn observe(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        let cfg = &config.takeover;
        let window = secs(cfg.window_secs);
        let now = facts.now;
        let action = config.action_of(cfg.action);
        if let Some(login) = &facts.login
            && let Some(username) = login.username.as_deref()
        {
            let user_hash = hash_str(domain::USERNAME, username);
            let shown = masked_username(username);
            match login.outcome {
                LoginOutcome::Failure => {
                    let run = self.accounts.entry(user_hash, now);
                    if run.failures == 0 || now.saturating_sub(run.last_failure) > window {
                        *run = AccountRun { first_failure: now, ..AccountRun::default() };
                    }
                    run.failures += 1;
                    run.last_failure = now;
                    run.ips.insert(now, window, facts.ip_hash);
                }
                LoginOutcome::Success => {
                    let from_stuffer = book.is_open(DetectorKind::CredentialStuffing, facts.ip_hash)
                        || book.is_open(DetectorKind::BruteForce, facts.ip_hash)
                        || book.is_open(DetectorKind::CredentialStuffing, facts.prefix_hash);
                    let run = self.accounts.get_mut(user_hash).map(std::mem::take).unwrap_or_default();
                    let recent = run.failures > 0 && now.saturating_sub(run.last_failure) <= window;
                    let after_run = recent && run.failures >= cfg.failures_before_success;
                    // The success comes from where the failures came from (or from a source
                    // caught stuffing): the attacker got in. From an address that never failed,
                    // it is most likely the account's owner after an attack on it: reported,
                    // never decided against (that would block the victim).
                    let same_source = facts.ip.is_some() && run.ips.contains(facts.ip_hash);
                    let took_over = (after_run && same_source) || from_stuffer;
                    if !(took_over || after_run) {
                        return self.observe_token(facts, book, config);
                    }
                    let span = run.last_failure.saturating_sub(run.first_failure);
                    let (confidence, severity, summary) = if !took_over {
                        (
                            Confidence::Low,
                            Severity::Medium,
                            format!(
                                "login for {shown} succeeded from another address after {} failures in {span} s: check with the customer",
                                run.failures
                            ),
                        )
                    } else {
                        // A person mistypes a few times over minutes; a tool tries many in
                        // seconds, or from several addresses.
                        let fast =
                            run.failures >= 3 && now.saturating_sub(run.first_failure) <= run.failures * 6;
                        let confidence = if from_stuffer || fast || run.ips.estimate() >= 2.0 {
                            Confidence::High
                        } else {
                            Confidence::Medium
                        };
                        let summary = if from_stuffer && !after_run {
                            format!(
                                "login for {shown} succeeded from a source caught stuffing credentials: a valid password was found"
                            )
                        } else {
                            format!(
                                "login for {shown} succeeded after {} failures in {span} s from the same source",
                                run.failures
                            )
                        };
                        (confidence, Severity::Critical, summary)
                    };
                    book.raise(
                        Signal {
                            detector: DetectorKind::AccountTakeover,
                            key: ClientKey::Username(shown.clone()),
                            key_hash: user_hash,
                            confidence,
                            severity,
                            // The account cannot be blocked at the edge; the address that took
                            // it over can.
                            action: Action::Report,
                            summary,
                            measures: vec![
                                ("failures_before_success", f64::from(run.failures)),
                                ("source_ips", run.ips.estimate()),
                            ],
                            related: facts.ip.map(ClientKey::Ip).into_iter().collect(),
                            quiet_secs: window,
                        },
                        facts,
                        &format!("login succeeded for {shown}"),
                    );
                    if took_over && let Some(ip) = facts.ip {
                        book.decide_participant(
                            DetectorKind::AccountTakeover,
                            user_hash,
                            ClientKey::Ip(ip),
                            facts.ip_hash,
                            facts,
                            action,
                        );
                    }
                }
                LoginOutcome::Unknown => {}
            }
        }

        self.observe_token(facts, book, config);
    }

    /// One token, many networks or devices.
    fn observe_token(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        let cfg = &config.takeover;
        let window = secs(cfg.window_secs);
        let now = facts.now;
        let action = config.action_of(cfg.action);
        let Some(token) = facts.credential.as_deref() else { return };
        // A token the API refuses is not a session (junk, expired, forged): nothing to share.
        if matches!(facts.status, Some(401 | 403)) {
            return;
        }
        let token_hash = hash_str(domain::TOKEN, token);
        let usage = self.tokens.entry(token_hash, now);
        usage.networks.insert(now, window, facts.prefix_hash);
        usage.devices.insert(now, window, facts.device_hash);
        if book.settled(DetectorKind::SessionSharing, token_hash, facts, "token reused") {
            return;
        }
        let networks = usage.networks.estimate();
        let devices = usage.devices.estimate();
        // Devices alone (a family on one Wi-Fi, a browser upgrade) need a second network too.
        if networks >= f64::from(cfg.networks_per_token)
            || (devices >= f64::from(cfg.devices_per_token) && networks >= 2.0)
        {
            // Moving between home Wi-Fi and a carrier changes the network, not the device.
            let confidence = if networks >= f64::from(cfg.networks_per_token) && devices >= 2.0 {
                Confidence::High
            } else {
                Confidence::Medium
            };
            let who = facts.identity.map(|i| format!(" of {i}")).unwrap_or_default();
            book.raise(
                Signal {
                    detector: DetectorKind::SessionSharing,
                    key: ClientKey::Token(token.to_owned()),
                    key_hash: token_hash,
                    confidence,
                    severity: if confidence == Confidence::High { Severity::High } else { Severity::Medium },
                    action,
                    summary: format!(
                        "one session token{who} used from {networks:.0} networks and {devices:.0} devices in {window} s"
                    ),
                    measures: vec![("networks", networks), ("devices", devices)],
                    related: facts
                        .identity
                        .map(|i| ClientKey::Identity(i.to_owned()))
                        .into_iter()
                        .chain(facts.ip.map(ClientKey::Ip))
                        .collect(),
                    quiet_secs: window,
                },
                facts,
                "token used from a new network or device",
            );
        }
    }

    pub(crate) fn housekeeping(&mut self, now: u32, config: &DetectConfig) {
        if self.sweeper.due(now, 60) {
            let idle = now.saturating_sub(2 * secs(config.takeover.window_secs));
            self.accounts.sweep(idle);
            self.tokens.sweep(idle);
        }
    }

    pub(crate) fn footprint(&self) -> Footprint {
        Footprint::of(&self.accounts).plus(Footprint::of(&self.tokens))
    }
}
