//! A seeded traffic simulator of an open-banking API (`api.bank.example`): a couple of hours of
//! benign customers, partners, staff and probes, with attacks interleaved, and the ground truth
//! of every attack.
//!
//! Deterministic: every actor draws from its own splitmix64 stream derived from the seed and
//! its name, so the same seed gives the same exchanges byte for byte, and a per-family scenario
//! (benign traffic + one attack family) has the same shape as the full one. No dependency
//! beyond what `rampart-detect` already has.
//!
//! # What is generated
//!
//! Benign ([`benign`]):
//! * 500 customers (150 in a per-family scenario, [`bank::Bank`]): each with a home IP in a residential /24 shared with other
//!   customers (8% share a household IP), 45% with the bank's app (`x-device-id`), most of those
//!   on one of 4 mobile-carrier NAT addresses shared by dozens of customers. Sessions about once
//!   an hour: login (5% with a typo first, 1.5% a forgotten password: 2-4 failures, sometimes
//!   giving up), then accounts, account details, transaction pages 1-3, beneficiaries, profile
//!   (PII: name, e-mail, phone, a valid NRIC or MyKad), FX rates, and in a quarter of sessions a
//!   transfer after reading accounts and beneficiaries, half of them with an SMS OTP step-up.
//!   Human think times; app home screens fire 3 calls at once; 12% of mobile sessions roam to
//!   the home Wi-Fi mid-session (same token, second network).
//! * A partner aggregator (one IP, `x-api-key`, identity `apikey:partner-fintech`, user agent
//!   `Go-http-client/2.0`) reading its ~40% of linked customers' accounts and transactions at
//!   ~1.25 req/s: hundreds of distinct account ids every few minutes.
//! * 4 staff on the corporate network (`jwt:staff-000N`) listing `/customers?page=N`, a few
//!   pages at a time (50 customers' PII per page).
//! * The load balancer's health check (`GET /health` every 10 s).
//! * 0.3% 502/503 blips on reads.
//!
//! Attacks ([`attacks`]): see [`attacks::SCHEDULE`] and each generator's `note`.
//!
//! Address plan: residential, mobile, hosting and proxy addresses come from disjoint first
//! octets, so an attacker never shares a /24 with a customer (a /24 decision on an attacker can
//! be judged without ambiguity).

#![allow(dead_code)]

pub mod attacks;
pub mod bank;
pub mod benign;
pub mod eval;
pub mod traffic;
pub mod util;

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};
use rampart_core::Exchange;
use rampart_detect::{ClientKey, DetectorKind};

use attacks::{Id, Planned, SCHEDULE};
use traffic::{Out, Sink};

const MINUTE: i64 = 60_000;

/// Attack families: one per-family test each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// a) one IP, 300 usernames.
    CredentialStuffing,
    /// b) a botnet, low and slow per IP.
    DistributedStuffing,
    /// c) one account, many passwords, 20 IPs.
    BruteForce,
    /// d) failures then a success, then use.
    AccountTakeover,
    /// e) one token from six networks.
    StolenToken,
    /// f) object-id enumeration: sequential, random, low-and-slow.
    Bola,
    /// g) the customer directory; one's own transactions.
    Scraping,
    /// h) 50 req/s.
    Flood,
    /// i) sqlmap payloads, browser user agent.
    Injection,
    /// j) attack tools' user agents.
    Scanners,
    /// k) sensitive paths; forced browsing.
    PathProbing,
    /// l) transfers without the flow; OTP brute force.
    BusinessFlow,
}

impl Family {
    pub const ALL: [Family; 12] = [
        Family::CredentialStuffing,
        Family::DistributedStuffing,
        Family::BruteForce,
        Family::AccountTakeover,
        Family::StolenToken,
        Family::Bola,
        Family::Scraping,
        Family::Flood,
        Family::Injection,
        Family::Scanners,
        Family::PathProbing,
        Family::BusinessFlow,
    ];
}

/// One attack and its ground truth.
#[derive(Debug, Clone)]
pub struct Attack {
    pub id: Id,
    pub name: &'static str,
    pub family: Family,
    /// An alert of any of these, on one of `keys`, during the attack, is a detection.
    pub detectors: Vec<DetectorKind>,
    /// The attacker's keys: every IP, identity, token and username the attack used.
    pub keys: BTreeSet<ClientKey>,
    /// Paths whose endpoint-keyed alerts belong to the attack (a flood).
    pub endpoints: Vec<String>,
    /// The attack fails logins (it raises the global failure ratio): a global alert during it
    /// belongs to it.
    pub global: bool,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub requests: usize,
    pub note: &'static str,
}

impl Attack {
    pub fn ips(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.keys.iter().filter_map(|k| match k {
            ClientKey::Ip(ip) => Some(*ip),
            _ => None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub customers: usize,
    pub families: Vec<Family>,
    /// Per-family scenarios: the family's attacks start 12 minutes in and the run ends 10
    /// minutes after them; otherwise the full 150-minute schedule.
    pub compact: bool,
}

impl SimConfig {
    /// All attacks over 150 minutes of 500 customers.
    pub fn full(seed: u64) -> SimConfig {
        SimConfig { seed, customers: 500, families: Family::ALL.to_vec(), compact: false }
    }

    /// Benign traffic of 150 customers plus one attack family.
    pub fn family(seed: u64, family: Family) -> SimConfig {
        SimConfig { seed, customers: 150, families: vec![family], compact: true }
    }
}

/// A generated scenario.
pub struct Scenario {
    pub seed: u64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// In time order.
    pub exchanges: Vec<Exchange>,
    pub attacks: Vec<Attack>,
    /// Keys seen in benign traffic and in no attack: any decision on one of these hurts a
    /// customer, a partner or the bank's own systems.
    pub benign: BTreeSet<ClientKey>,
    pub benign_ips: BTreeSet<IpAddr>,
    /// Every key seen in benign traffic, attack keys included (a victim's identity, username).
    pub benign_all: BTreeSet<ClientKey>,
    /// The partner aggregator's address (a candidate for `DetectConfig.allow`).
    pub partner_ip: IpAddr,
    pub benign_requests: usize,
}

pub fn generate(config: &SimConfig) -> Scenario {
    let start = Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).single().expect("a valid start");
    let mut bank = bank::Bank::new(config.seed, config.customers);
    let mut plan: Vec<Planned> = SCHEDULE
        .iter()
        .filter(|(id, _, _)| config.families.contains(&id.family()))
        .map(|&(id, start_min, len_min)| Planned {
            id,
            start_ms: start_min * MINUTE,
            nominal_ms: len_min * MINUTE,
        })
        .collect();
    let end_ms = if config.compact {
        let first = plan.iter().map(|p| p.start_ms).min().unwrap_or(0);
        for p in &mut plan {
            p.start_ms = p.start_ms - first + 12 * MINUTE;
        }
        plan.iter().map(|p| p.start_ms + p.nominal_ms).max().unwrap_or(0) + 10 * MINUTE
    } else {
        150 * MINUTE
    };
    let blackouts = attacks::blackouts(&plan);

    let mut out = Out::new(start);
    let (mut benign, partner_ip, benign_requests) = {
        let mut sink = Sink::new(&mut out);
        benign::customers(&mut sink, &bank, config.seed, end_ms, &blackouts);
        let partner_ip = benign::partner(&mut sink, &bank, config.seed, end_ms);
        benign::staff(&mut sink, &bank, config.seed, end_ms);
        benign::health(&mut sink, end_ms);
        (sink.keys, partner_ip, sink.count)
    };
    let mut attacks = Vec::new();
    for p in plan {
        attacks.push(attacks::run(p, &mut out, &mut bank, config.seed, &mut benign));
    }
    let benign_all = benign.clone();
    for attack in &attacks {
        for key in &attack.keys {
            benign.remove(key);
        }
    }
    let benign_ips = benign
        .iter()
        .filter_map(|k| match k {
            ClientKey::Ip(ip) => Some(*ip),
            _ => None,
        })
        .collect();
    let mut exchanges = out.exchanges;
    exchanges.sort_by_key(|e| e.started_at);
    let end = exchanges.last().map_or(start, |e| e.started_at);
    Scenario {
        seed: config.seed,
        start,
        end,
        exchanges,
        attacks,
        benign,
        benign_ips,
        benign_all,
        partner_ip,
        benign_requests,
    }
}
