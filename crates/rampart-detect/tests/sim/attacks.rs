//! The attacks, each with its ground truth: which detectors count as catching it, which client
//! keys are the attacker's, and when it happened.

use std::collections::BTreeSet;

use rampart_detect::{ClientKey, DetectorKind as D};

use super::bank::{self, APP_UAS, BROWSER_UAS, Bank};
use super::benign::Blackout;
use super::traffic::{Call, Out, Session, Sink, Who, login_body, login_fail, login_ok};
use super::util::Rng;
use super::{Attack, Family};

const SEC: i64 = 1_000;
const MINUTE: i64 = 60_000;

/// Customers attacked one by one (their own sessions are kept out of the attack's window).
pub const VICTIM_BRUTE: usize = 7;
pub const VICTIM_ATO: usize = 13;
pub const VICTIM_TOKEN: usize = 21;

/// Every attack of the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Id {
    A,
    B,
    C,
    D,
    E,
    F1,
    F2,
    F3,
    G1,
    G2,
    H,
    I,
    J1,
    J2,
    J3,
    J4,
    J5,
    K1,
    K2,
    L1,
    L2,
}

impl Id {
    pub fn family(self) -> Family {
        match self {
            Id::A => Family::CredentialStuffing,
            Id::B => Family::DistributedStuffing,
            Id::C => Family::BruteForce,
            Id::D => Family::AccountTakeover,
            Id::E => Family::StolenToken,
            Id::F1 | Id::F2 | Id::F3 => Family::Bola,
            Id::G1 | Id::G2 => Family::Scraping,
            Id::H => Family::Flood,
            Id::I => Family::Injection,
            Id::J1 | Id::J2 | Id::J3 | Id::J4 | Id::J5 => Family::Scanners,
            Id::K1 | Id::K2 => Family::PathProbing,
            Id::L1 | Id::L2 => Family::BusinessFlow,
        }
    }
}

/// When each attack starts in the full scenario, and about how long it lasts (minutes).
pub const SCHEDULE: &[(Id, i64, i64)] = &[
    (Id::J1, 15, 1),
    (Id::A, 20, 6),
    (Id::F1, 25, 4),
    (Id::K1, 28, 2),
    (Id::G1, 30, 12),
    (Id::C, 35, 13),
    (Id::J2, 40, 1),
    (Id::E, 45, 11),
    (Id::I, 50, 5),
    (Id::D, 55, 3),
    (Id::H, 60, 2),
    (Id::J3, 65, 1),
    (Id::F2, 70, 16),
    (Id::G2, 75, 15),
    (Id::F3, 80, 61),
    (Id::L1, 85, 11),
    (Id::B, 90, 21),
    (Id::J4, 95, 1),
    (Id::K2, 105, 5),
    (Id::L2, 115, 3),
    (Id::J5, 120, 1),
];

/// A planned attack: what, from when (ms after the scenario's start), about how long.
#[derive(Debug, Clone, Copy)]
pub struct Planned {
    pub id: Id,
    pub start_ms: i64,
    pub nominal_ms: i64,
}

/// Customers whose own sessions would blur an attack on their account.
pub fn blackouts(plan: &[Planned]) -> Vec<Blackout> {
    plan.iter()
        .filter_map(|p| {
            let victim = match p.id {
                Id::C => VICTIM_BRUTE,
                Id::D => VICTIM_ATO,
                Id::E => VICTIM_TOKEN,
                _ => return None,
            };
            Some(Blackout {
                customer: victim,
                from_ms: p.start_ms - 15 * MINUTE,
                to_ms: p.start_ms + p.nominal_ms + 15 * MINUTE,
            })
        })
        .collect()
}

/// Ground truth from what a sink recorded.
struct Truth {
    name: &'static str,
    detectors: Vec<D>,
    endpoints: Vec<String>,
    global: bool,
    note: &'static str,
}

fn finish(id: Id, sink: Sink, truth: Truth) -> Attack {
    let start = sink.start();
    assert!(sink.count > 0, "attack {} emitted nothing", truth.name);
    Attack {
        id,
        name: truth.name,
        family: id.family(),
        detectors: truth.detectors,
        keys: sink.keys,
        endpoints: truth.endpoints,
        global: truth.global,
        start: start + chrono::Duration::milliseconds(sink.first_ms),
        end: start + chrono::Duration::milliseconds(sink.last_ms),
        requests: sink.count,
        note: truth.note,
    }
}

/// Runs one planned attack; `benign` receives the keys of benign traffic it generates (the
/// stolen-token victim's own session).
pub fn run(
    plan: Planned,
    out: &mut Out,
    bank: &mut Bank,
    seed: u64,
    benign: &mut BTreeSet<ClientKey>,
) -> Attack {
    let mut rng = Rng::derive(seed, "attack", plan.id as u64);
    let t0 = plan.start_ms;
    match plan.id {
        Id::A => stuffing(out, bank, &mut rng, t0),
        Id::B => botnet(out, bank, &mut rng, t0),
        Id::C => brute_force(out, bank, &mut rng, t0),
        Id::D => takeover(out, bank, &mut rng, t0),
        Id::E => stolen_token(out, bank, &mut rng, t0, benign),
        Id::F1 => bola_sequential(out, bank, &mut rng, t0),
        Id::F2 => bola_random(out, bank, &mut rng, t0),
        Id::F3 => bola_slow(out, bank, &mut rng, t0),
        Id::G1 => scrape_directory(out, bank, &mut rng, t0),
        Id::G2 => scrape_transactions(out, bank, &mut rng, t0),
        Id::H => flood(out, bank, &mut rng, t0),
        Id::I => injection(out, bank, &mut rng, t0),
        Id::J1 | Id::J2 | Id::J3 | Id::J4 | Id::J5 => scanner(plan.id, out, bank, &mut rng, t0),
        Id::K1 => probe_paths(out, bank, &mut rng, t0),
        Id::K2 => forced_browsing(out, bank, &mut rng, t0),
        Id::L1 => transfer_abuse(out, bank, &mut rng, t0),
        Id::L2 => otp_brute_force(out, bank, &mut rng, t0),
    }
}

/// An e-mail from a leaked combo list: a format no customer of the bank has.
fn leaked_email(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "john", "mary", "alex", "kelly", "jason", "linda", "tommy", "cindy", "kevin", "jenny", "ahmad",
        "nur", "raj", "wei", "ming", "ling", "siti", "david", "eric", "joyce", "winnie", "benny", "sam",
        "ivy",
    ];
    const DOMAINS: &[&str] =
        &["yahoo.com", "hotmail.com", "gmail.com", "mail.ru", "qq.com", "aol.com", "live.com"];
    format!("{}{}{}@{}", rng.pick(WORDS), rng.pick(WORDS), rng.range(70, 9999), rng.pick(DOMAINS))
}

fn leaked_password(rng: &mut Rng) -> String {
    const BASES: &[&str] =
        &["password", "qwerty", "iloveyou", "dragon", "sunshine", "princess", "abc", "monkey"];
    format!("{}{}", rng.pick(BASES), rng.range(1, 2025))
}

/// A rogue customer (an attacker with an account of their own) logged in from `who`.
struct Bot {
    anon: Who,
    rogue: usize,
    session: Session,
}

impl Bot {
    fn login(sink: &mut Sink, rng: &mut Rng, bank: &Bank, t: i64, anon: Who, rogue: usize) -> Bot {
        let session = login_ok(sink, rng, bank, t, &anon, bank.rogue(rogue));
        Bot { anon, rogue, session }
    }

    /// The session's sender, logging in again when the token is about to expire.
    fn who(&mut self, sink: &mut Sink, rng: &mut Rng, bank: &Bank, t: &mut i64) -> Who {
        if self.session.expired(*t) {
            self.session = login_ok(sink, rng, bank, *t, &self.anon, bank.rogue(self.rogue));
            *t += rng.range(300, 900);
        }
        self.session.who.clone()
    }

    fn customer(&self) -> usize {
        self.session.customer
    }
}

/// How the bank answers `GET /accounts/{id}` for customer `c`.
fn account_answer(bank: &Bank, c: usize, id: u64, call: Call) -> Call {
    match bank.owners.get(&id) {
        Some(&owner) if owner == c => call.answer(200, bank.account_body(id)),
        Some(_) => call.answer(403, bank::FORBIDDEN),
        None => call.answer(404, bank::NOT_FOUND),
    }
}

// ---------------------------------------------------------------- a) credential stuffing

fn stuffing(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let bank = &*bank;
    let who = Who::anon(ip, BROWSER_UAS[0]);
    let mut sink = Sink::new(out);
    // 300 usernames: a leaked list, 10 of them customers of this bank, 4 reusing the password.
    let mut list: Vec<(String, Option<usize>)> = (0..290).map(|_| (leaked_email(rng), None)).collect();
    for k in 0..10 {
        let c = 30 + 3 * k;
        list.push((bank.customers[c].username.clone(), Some(c)));
    }
    rng.shuffle(&mut list);
    let mut hits = 0;
    let mut t = t0;
    for (username, customer) in &list {
        match customer {
            Some(c) if hits < 4 => {
                hits += 1;
                let session = login_ok(&mut sink, rng, bank, t, &who, *c);
                t += rng.range(300, 900);
                // The checker confirms the hit: balance, then moves on.
                sink.emit(t, &session.who, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(*c)));
            }
            _ => login_fail(&mut sink, t, &who, username, &leaked_password(rng)),
        }
        t += rng.secs_ms(0.6, 1.4);
    }
    finish(
        Id::A,
        sink,
        Truth {
            name: "a-credential-stuffing",
            detectors: vec![D::CredentialStuffing],
            endpoints: vec![],
            global: true,
            note: "one hosting IP, 300 usernames from a combo list at ~1/s, 4 hits",
        },
    )
}

// ---------------------------------------------------------------- b) distributed stuffing

fn botnet(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    // 200 residential-proxy addresses over ~170 /24s.
    let prefixes: Vec<[u8; 3]> = (0..170).map(|_| bank.nets.proxy_prefix(rng)).collect();
    let mut ips: Vec<_> = prefixes.iter().map(|p| bank.nets.ip_in(rng, *p)).collect();
    for p in &prefixes[..30] {
        ips.push(bank.nets.ip_in(rng, *p));
    }
    let bank = &*bank;
    let mut usernames: Vec<(String, Option<usize>)> = (0..900).map(|_| (leaked_email(rng), None)).collect();
    for k in 0..15 {
        let c = 60 + 4 * k;
        usernames.push((bank.customers[c].username.clone(), Some(c)));
    }
    rng.shuffle(&mut usernames);
    // Every IP: 2-4 attempts at random moments of the 20 minutes, each a different username.
    let mut attempts: Vec<(i64, usize)> = Vec::new();
    for (k, _) in ips.iter().enumerate() {
        for _ in 0..rng.range(2, 5) {
            attempts.push((t0 + rng.range(0, 20 * MINUTE), k));
        }
    }
    attempts.sort();
    let agents: Vec<&str> = ips.iter().map(|_| *rng.pick(BROWSER_UAS)).collect();
    let mut sink = Sink::new(out);
    for (i, (t, k)) in attempts.into_iter().enumerate() {
        let who = Who::anon(ips[k], agents[k]);
        let (username, customer) = &usernames[i % usernames.len()];
        match customer {
            Some(c) if rng.chance(0.4) => {
                let session = login_ok(&mut sink, rng, bank, t, &who, *c);
                let t = t + rng.range(400, 1500);
                sink.emit(t, &session.who, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(*c)));
            }
            _ => login_fail(&mut sink, t, &who, username, &leaked_password(rng)),
        }
    }
    finish(
        Id::B,
        sink,
        Truth {
            name: "b-distributed-stuffing",
            detectors: vec![D::DistributedLoginAttack],
            endpoints: vec![],
            global: true,
            note: "200 proxy IPs over ~170 /24s, 2-4 attempts each in 20 min (~30 failures/min overall)",
        },
    )
}

// ---------------------------------------------------------------- c) brute force on one account

fn brute_force(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ips: Vec<_> = (0..20).map(|_| bank.nets.proxy_ip(rng)).collect();
    let agents: Vec<&str> = ips.iter().map(|_| *rng.pick(BROWSER_UAS)).collect();
    let bank = &*bank;
    let username = bank.customers[VICTIM_BRUTE].username.clone();
    let mut sink = Sink::new(out);
    let mut t = t0;
    for i in 0..150 {
        let k = rng.index(ips.len());
        let password =
            format!("{}{}", rng.pick(&["Password", "Welcome", "Singapore", "Qwerty", "Summer"]), 2000 + i);
        login_fail(&mut sink, t, &Who::anon(ips[k], agents[k]), &username, &password);
        t += rng.secs_ms(3.0, 7.0);
    }
    finish(
        Id::C,
        sink,
        Truth {
            name: "c-brute-force-one-account",
            detectors: vec![D::BruteForce],
            endpoints: vec![],
            global: true,
            note: "150 passwords for one customer's username from 20 proxy IPs in ~12 min",
        },
    )
}

// ---------------------------------------------------------------- d) account takeover

fn takeover(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.proxy_ip(rng);
    let bank = &*bank;
    let c = VICTIM_ATO;
    let who = Who::anon(ip, BROWSER_UAS[4]);
    let mut sink = Sink::new(out);
    let mut t = t0;
    let username = bank.customers[c].username.clone();
    for _ in 0..8 {
        login_fail(&mut sink, t, &who, &username, &leaked_password(rng));
        t += rng.secs_ms(4.0, 9.0);
    }
    let session = login_ok(&mut sink, rng, bank, t, &who, c);
    let who = session.who.clone();
    t += rng.secs_ms(1.0, 3.0);
    sink.emit(t, &who, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(c)));
    for account in &bank.customers[c].accounts {
        t += rng.secs_ms(2.0, 6.0);
        sink.emit(
            t,
            &who,
            Call::get(format!("/api/v1/accounts/{}", account.id)).answer(200, bank.account_body(account.id)),
        );
    }
    t += rng.secs_ms(2.0, 6.0);
    sink.emit(t, &who, Call::get("/api/v1/beneficiaries").answer(200, bank.beneficiaries_body(c)));
    t += rng.secs_ms(2.0, 6.0);
    sink.emit(t, &who, Call::get("/api/v1/customers/me").answer(200, bank.me_body(c)));
    finish(
        Id::D,
        sink,
        Truth {
            name: "d-account-takeover",
            detectors: vec![D::AccountTakeover],
            endpoints: vec![],
            global: true,
            note: "8 failed logins for a customer then a success from the same IP, then reads with that token",
        },
    )
}

// ---------------------------------------------------------------- e) stolen token

fn stolen_token(
    out: &mut Out,
    bank: &mut Bank,
    rng: &mut Rng,
    t0: i64,
    benign: &mut BTreeSet<ClientKey>,
) -> Attack {
    let proxies: Vec<_> = (0..6).map(|_| bank.nets.proxy_ip(rng)).collect();
    let bank = &*bank;
    let c = VICTIM_TOKEN;
    let customer = &bank.customers[c];
    // The victim's own session from home (benign traffic), the token leaks (malware, a phished
    // HAR file) and is replayed from six networks within ten minutes.
    let session = {
        let mut victim = Sink::new(out);
        let anon = Who::anon(customer.home_ip, customer.web_ua);
        let mut t = t0 - MINUTE;
        let session = login_ok(&mut victim, rng, bank, t, &anon, c);
        for _ in 0..4 {
            t += rng.think_ms(5.0, 20.0);
            let account = rng.pick(&customer.accounts).id;
            victim.emit(
                t,
                &session.who,
                Call::get(format!("/api/v1/accounts/{account}")).answer(200, bank.account_body(account)),
            );
        }
        benign.extend(victim.keys);
        session
    };
    let token = session.who.token().expect("bearer").to_owned();
    let identity = customer.identity();
    let agents = [BROWSER_UAS[2], BROWSER_UAS[4], BROWSER_UAS[6], APP_UAS[2], BROWSER_UAS[7], "curl/8.5.0"];
    let mut sink = Sink::new(out);
    for (k, ip) in proxies.iter().enumerate() {
        let who = Who::anon(*ip, agents[k]).bearer(&identity, &token);
        let mut t = t0 + k as i64 * 90 * SEC + rng.range(0, 20 * SEC);
        sink.emit(t, &who, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(c)));
        for _ in 0..rng.range(1, 4) {
            t += rng.secs_ms(2.0, 8.0);
            let call = match rng.below(3) {
                0 => Call::get("/api/v1/beneficiaries").answer(200, bank.beneficiaries_body(c)),
                1 => Call::get("/api/v1/customers/me").answer(200, bank.me_body(c)),
                _ => {
                    let account = rng.pick(&customer.accounts).id;
                    Call::get(format!("/api/v1/accounts/{account}")).answer(200, bank.account_body(account))
                }
            };
            sink.emit(t, &who, call);
        }
    }
    finish(
        Id::E,
        sink,
        Truth {
            name: "e-stolen-token",
            detectors: vec![D::SessionSharing],
            endpoints: vec![],
            global: false,
            note: "one customer's token (same fingerprint) replayed from 6 /24s and user agents in 10 min",
        },
    )
}

// ---------------------------------------------------------------- f) BOLA enumeration

fn bola_sequential(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let mut bot = Bot::login(&mut sink, rng, bank, t0, Who::anon(ip, BROWSER_UAS[3]), 0);
    let mut t = t0 + rng.range(1_000, 3_000);
    let c = bot.customer();
    let who = bot.who(&mut sink, rng, bank, &mut t);
    sink.emit(t, &who, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(c)));
    for id in 100_000..=100_400u64 {
        t += rng.range(300, 700);
        let who = bot.who(&mut sink, rng, bank, &mut t);
        sink.emit(t, &who, account_answer(bank, c, id, Call::get(format!("/api/v1/accounts/{id}"))));
    }
    finish(
        Id::F1,
        sink,
        Truth {
            name: "f1-bola-sequential",
            detectors: vec![D::BolaEnumeration],
            endpoints: vec![],
            global: false,
            note: "a customer walking GET /accounts/{id} over 100000..100400 at ~2/s, mostly 403/404",
        },
    )
}

fn bola_random(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let mut bot = Bot::login(&mut sink, rng, bank, t0, Who::anon(ip, BROWSER_UAS[5]), 1);
    let c = bot.customer();
    let mut t = t0 + 2_000;
    for _ in 0..200 {
        t += rng.secs_ms(3.0, 6.0);
        let who = bot.who(&mut sink, rng, bank, &mut t);
        let id = rng.range(100_000, 1_000_000) as u64;
        sink.emit(t, &who, account_answer(bank, c, id, Call::get(format!("/api/v1/accounts/{id}"))));
    }
    finish(
        Id::F2,
        sink,
        Truth {
            name: "f2-bola-random-ids",
            detectors: vec![D::BolaEnumeration],
            endpoints: vec![],
            global: false,
            note: "a customer requesting 200 random account ids (non-sequential) over 15 min, mostly 404",
        },
    )
}

fn bola_slow(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let mut bot = Bot::login(&mut sink, rng, bank, t0, Who::anon(ip, BROWSER_UAS[0]), 2);
    let c = bot.customer();
    let mut t = t0 + 2_000;
    let mut id = 102_000u64;
    while t < t0 + 60 * MINUTE {
        t += rng.secs_ms(5.0, 11.0);
        id += rng.range(1, 4) as u64;
        let who = bot.who(&mut sink, rng, bank, &mut t);
        sink.emit(t, &who, account_answer(bank, c, id, Call::get(format!("/api/v1/accounts/{id}"))));
    }
    finish(
        Id::F3,
        sink,
        Truth {
            name: "f3-bola-low-and-slow",
            detectors: vec![D::BolaEnumeration],
            endpoints: vec![],
            global: false,
            note: "ascending account ids (steps of 1-3) every 5-11 s for an hour (~37 per 5 min)",
        },
    )
}

// ---------------------------------------------------------------- g) scraping

fn scrape_directory(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let mut bot = Bot::login(&mut sink, rng, bank, t0, Who::anon(ip, BROWSER_UAS[1]), 3);
    let mut t = t0 + 1_500;
    for page in 1..=400u32 {
        t += rng.secs_ms(1.2, 2.2);
        let who = bot.who(&mut sink, rng, bank, &mut t);
        let call =
            Call::get("/api/v1/customers").q("page", page.to_string()).answer(200, bank.directory_body(page));
        sink.emit(t, &who, call);
    }
    finish(
        Id::G1,
        sink,
        Truth {
            name: "g1-scraping-customer-directory",
            detectors: vec![D::Scraping],
            endpoints: vec![],
            global: false,
            note: "a customer identity paging GET /customers?page=1..400 (50 records of PII each) in ~11 min",
        },
    )
}

fn scrape_transactions(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let mut bot = Bot::login(&mut sink, rng, bank, t0, Who::anon(ip, BROWSER_UAS[2]), 4);
    let c = bot.customer();
    let accounts: Vec<u64> = bank.customers[c].accounts.iter().map(|a| a.id).collect();
    let per_account = 450 / accounts.len() as u32;
    let mut t = t0 + 1_500;
    for account in accounts {
        for page in 1..=per_account {
            t += rng.secs_ms(1.0, 2.6);
            let who = bot.who(&mut sink, rng, bank, &mut t);
            let call = Call::get(format!("/api/v1/accounts/{account}/transactions"))
                .q("page", page.to_string())
                .answer(200, bank.transactions_body(account, page));
            sink.emit(t, &who, call);
        }
    }
    finish(
        Id::G2,
        sink,
        Truth {
            name: "g2-scraping-own-transactions",
            detectors: vec![D::Scraping],
            endpoints: vec![],
            global: false,
            note: "a customer pulling ~450 transaction pages of its own accounts in ~14 min (peers: 1-3 pages)",
        },
    )
}

// ---------------------------------------------------------------- h) volumetric flood

fn flood(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let who = Who::anon(ip, BROWSER_UAS[0]);
    let mut sink = Sink::new(out);
    let mut t = t0;
    while t < t0 + 2 * MINUTE {
        sink.emit(
            t,
            &who,
            Call::get("/api/v1/fx/rates").q("base", "SGD").answer(200, bank::FX_BODY).took(6.0),
        );
        t += rng.range(12, 29);
    }
    finish(
        Id::H,
        sink,
        Truth {
            name: "h-volumetric-flood",
            detectors: vec![D::Volumetric],
            endpoints: vec!["/api/v1/fx/rates".into()],
            global: false,
            note: "one hosting IP at ~50 req/s for 2 min on GET /fx/rates",
        },
    )
}

// ---------------------------------------------------------------- i) SQL injection tool run

pub const SQLI: &[&str] = &[
    "1' AND 1=1-- -",
    "1' AND 1=2-- -",
    "1 AND 1=1",
    "1) AND 8213=8213 AND (3127=3127",
    "1' ORDER BY 1-- -",
    "1' ORDER BY 13-- -",
    "1' UNION ALL SELECT NULL-- -",
    "1' UNION ALL SELECT NULL,NULL-- -",
    "' UNION SELECT NULL,NULL,NULL--",
    "1 AND SLEEP(5)",
    "1' AND SLEEP(5)-- -",
    "1' AND (SELECT 4721 FROM (SELECT(SLEEP(5)))aBcD)-- -",
    "1;SELECT PG_SLEEP(5)--",
    "1' WAITFOR DELAY '0:0:5'--",
    "1' AND EXTRACTVALUE(7012,CONCAT(0x5c,0x717a6a7a71,(SELECT (ELT(7012=7012,1))),0x71786b7071))-- -",
    "' OR '1'='1",
    "admin'--",
    "1' AND 3321=CAST((CHR(113)||CHR(122)||CHR(118)) AS NUMERIC)-- -",
];

fn json_string(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

fn injection(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let mut bot = Bot::login(&mut sink, rng, bank, t0, Who::anon(ip, BROWSER_UAS[3]), 5);
    let c = bot.customer();
    let own = bank.customers[c].accounts[0].id;
    let mut t = t0 + 2_000;
    for i in 0..140 {
        t += rng.secs_ms(0.8, 2.4);
        let who = bot.who(&mut sink, rng, bank, &mut t);
        let payload = SQLI[i % SQLI.len()];
        let slow = payload.contains("SLEEP") || payload.contains("DELAY");
        let base = match rng.below(6) {
            0 => Call::get(format!("/api/v1/accounts/{own}/transactions")).q("page", payload),
            1 => Call::get("/api/v1/fx/rates").q("base", payload),
            2 => Call::get(format!("/api/v1/accounts/{own}")).q("fields", payload),
            3 => Call::post(
                "/api/v1/transfers",
                format!(
                    r#"{{"from_account":{own},"to_beneficiary":1,"amount":10.00,"currency":"SGD","reference":"{}"}}"#,
                    json_string(payload)
                ),
            ),
            4 => Call::post("/api/v1/auth/login", login_body(&json_string(payload), "x")),
            _ => Call::get("/api/v1/customers/me").q("expand", payload),
        };
        let call = if base.path == "/api/v1/auth/login" {
            base.answer(401, bank::BAD_CREDENTIALS)
        } else {
            match rng.below(20) {
                0..10 => base.answer(400, r#"{"error":"invalid_parameter"}"#),
                10..13 => base.answer(500, r#"{"error":"internal_error"}"#),
                _ if slow => base.answer(200, bank::FX_BODY).took(5_020.0),
                _ => base.answer(200, bank::FX_BODY),
            }
        };
        sink.emit(t, &who, call);
    }
    finish(
        Id::I,
        sink,
        Truth {
            name: "i-sql-injection-run",
            detectors: vec![D::Injection],
            endpoints: vec![],
            global: true,
            note: "sqlmap payloads in query params and JSON bodies (login, transfer) with a browser user agent",
        },
    )
}

// ---------------------------------------------------------------- j) scanners

const NUCLEI_PATHS: &[&str] = &[
    "/.env",
    "/.git/config",
    "/actuator/env",
    "/swagger-ui.html",
    "/v2/api-docs",
    "/api/swagger.json",
    "/openapi.json",
    "/.well-known/security.txt",
    "/server-status",
    "/config.json",
    "/debug/pprof/",
    "/metrics",
    "/graphql",
    "/api/graphql",
    "/jolokia/list",
    "/console/",
    "/manager/html",
    "/solr/admin/info/system",
    "/.DS_Store",
    "/wp-json/wp/v2/users",
    "/cgi-bin/luci",
    "/owa/auth/logon.aspx",
    "/vpn/../vpns/cfg/smb.conf",
    "/remote/fgt_lang",
    "/_next/static/../../../../etc/passwd",
    "/api/v1/users",
    "/admin/config.php",
    "/phpinfo.php",
    "/telescope/requests",
    "/_profiler/phpinfo",
];

const WORDS: &[&str] = &[
    "admin",
    "api",
    "backup",
    "config",
    "dashboard",
    "debug",
    "dev",
    "docs",
    "export",
    "files",
    "internal",
    "login",
    "logs",
    "manage",
    "metrics",
    "old",
    "private",
    "reports",
    "staging",
    "status",
    "test",
    "tmp",
    "upload",
    "users",
    "v2",
    "v3",
    "accounts",
    "cards",
    "loans",
    "payments",
    "statements",
    "settings",
    "audit",
    "billing",
    "cache",
    "console",
    "data",
    "db",
    "download",
    "health",
    "info",
    "jobs",
    "keys",
    "monitor",
    "orders",
    "portal",
    "proxy",
    "search",
    "secure",
    "server",
    "services",
    "sso",
    "system",
    "tokens",
    "tools",
];

fn scanner(id: Id, out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let mut sink = Sink::new(out);
    let mut t = t0;
    let (name, note) = match id {
        Id::J1 => {
            let who = Who::anon(ip, "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)");
            for i in 0..150 {
                let path = match NUCLEI_PATHS.get(i) {
                    Some(p) => (*p).to_owned(),
                    None => format!("/{}/{}", rng.pick(WORDS), rng.pick(WORDS)),
                };
                sink.emit(t, &who, Call::get(path).answer(404, bank::NOT_FOUND));
                t += rng.range(60, 200);
            }
            ("j1-scanner-nuclei", "nuclei templates (150 requests) with its own user agent")
        }
        Id::J2 => {
            let who = Who::anon(ip, "sqlmap/1.8.2#stable (https://sqlmap.org)");
            for i in 0..80 {
                // sqlmap appends its payloads to the original value.
                let payload = SQLI[i % SQLI.len()];
                let value = if i % 4 == 0 {
                    "SGD".to_owned()
                } else {
                    format!("SGD{}", payload.strip_prefix('1').unwrap_or(payload))
                };
                let status = if i % 4 == 0 { 200 } else { 400 };
                sink.emit(
                    t,
                    &who,
                    Call::get("/api/v1/fx/rates").q("base", value).answer(status, bank::FX_BODY),
                );
                t += rng.range(200, 600);
            }
            ("j2-scanner-sqlmap", "sqlmap (80 requests on /fx/rates?base=) with its own user agent")
        }
        Id::J3 => {
            for test in 0..200 {
                let who = Who::anon(
                    ip,
                    &format!("Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:{:06})", 1000 + test * 7),
                );
                let path = match NUCLEI_PATHS.get(test) {
                    Some(p) => (*p).to_owned(),
                    None => format!(
                        "/{}.{}",
                        rng.pick(WORDS),
                        rng.pick(&["bak", "old", "php", "asp", "cgi", "zip"])
                    ),
                };
                sink.emit(t, &who, Call::get(path).answer(404, bank::NOT_FOUND));
                t += rng.range(50, 150);
            }
            ("j3-scanner-nikto", "nikto (200 requests) with its own user agent")
        }
        Id::J4 => {
            let who = Who::anon(ip, "gobuster/3.6");
            for i in 0..300 {
                let path = format!(
                    "/{}{}",
                    WORDS[i % WORDS.len()],
                    if i < WORDS.len() { String::new() } else { format!("{}", i / WORDS.len()) }
                );
                sink.emit(t, &who, Call::get(path).answer(404, bank::NOT_FOUND));
                t += rng.range(40, 120);
            }
            ("j4-scanner-gobuster", "gobuster dir mode (300 requests) with its own user agent")
        }
        _ => {
            let who = Who::anon(ip, "Fuzz Faster U Fool v2.1.0-dev");
            for i in 0..200 {
                let path =
                    format!("/api/v1/{}{}", WORDS[i % WORDS.len()], if i < WORDS.len() { "" } else { "s" });
                let status = if path == "/api/v1/accounts" { 401 } else { 404 };
                sink.emit(t, &who, Call::get(path).answer(status, bank::NOT_FOUND));
                t += rng.range(30, 90);
            }
            ("j5-scanner-ffuf", "ffuf on /api/v1/FUZZ (200 requests) with its own user agent")
        }
    };
    finish(id, sink, Truth { name, detectors: vec![D::Scanner], endpoints: vec![], global: false, note })
}

// ---------------------------------------------------------------- k) path probing

fn probe_paths(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    const PROBES: &[(&str, u16)] = &[
        ("/.env", 404),
        ("/.git/config", 404),
        ("/.git/HEAD", 404),
        ("/actuator/env", 404),
        ("/actuator/heapdump", 404),
        ("/admin", 403),
        ("/phpmyadmin/", 404),
        ("/wp-login.php", 404),
        ("/server-status", 403),
        ("/.aws/credentials", 404),
        ("/config.php.bak", 404),
        ("/backup.sql", 404),
        ("/.DS_Store", 404),
        ("/api/v1/../../../../etc/passwd", 400),
        ("/.htpasswd", 404),
        ("/web.config", 404),
        ("/docker-compose.yml", 404),
        ("/.svn/entries", 404),
    ];
    let ip = bank.nets.hosting_ip(rng);
    let who = Who::anon(ip, BROWSER_UAS[7]);
    let mut sink = Sink::new(out);
    let mut t = t0;
    for (path, status) in PROBES {
        sink.emit(t, &who, Call::get(*path).answer(*status, bank::NOT_FOUND));
        t += rng.secs_ms(1.0, 5.0);
    }
    finish(
        Id::K1,
        sink,
        Truth {
            name: "k1-path-probing",
            detectors: vec![D::PathProbing],
            endpoints: vec![],
            global: false,
            note: "18 well-known sensitive paths (/.env, /.git/config, /actuator/env, ...) with a browser user agent",
        },
    )
}

fn forced_browsing(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.hosting_ip(rng);
    let who = Who::anon(ip, BROWSER_UAS[4]);
    let mut seen = BTreeSet::new();
    let mut sink = Sink::new(out);
    let mut t = t0;
    while seen.len() < 500 {
        let path = match rng.below(4) {
            0 => format!("/api/v1/{}", rng.pick(WORDS)),
            1 => format!("/api/v1/{}/{}", rng.pick(WORDS), rng.pick(WORDS)),
            2 => format!("/{}/{}.json", rng.pick(WORDS), rng.pick(WORDS)),
            _ => format!(
                "/api/{}/{}",
                rng.pick(&["v0", "v2", "v3", "internal", "private", "beta"]),
                rng.pick(WORDS)
            ),
        };
        if !seen.insert(path.clone()) {
            continue;
        }
        let status = if path == "/api/v1/accounts" || path == "/api/v1/cards" { 401 } else { 404 };
        sink.emit(
            t,
            &who,
            Call::get(path).answer(status, if status == 401 { bank::UNAUTHORIZED } else { bank::NOT_FOUND }),
        );
        t += rng.range(250, 650);
    }
    finish(
        Id::K2,
        sink,
        Truth {
            name: "k2-forced-browsing",
            detectors: vec![D::PathProbing],
            endpoints: vec![],
            global: false,
            note: "500 distinct guessed paths in ~4 min, nearly all 404, browser user agent",
        },
    )
}

// ---------------------------------------------------------------- l) business-flow abuse

fn transfer_abuse(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.proxy_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let mut bot = Bot::login(&mut sink, rng, bank, t0, Who::anon(ip, BROWSER_UAS[5]), 6);
    let c = bot.customer();
    let from = bank.customers[c].accounts[0].id;
    let mut t = t0 + 1_000;
    for _ in 0..20 {
        t += rng.secs_ms(20.0, 40.0);
        let who = bot.who(&mut sink, rng, bank, &mut t);
        let body = format!(
            r#"{{"from_account":{from},"to_beneficiary":{},"amount":{}.00,"currency":"SGD","reference":"invoice {}"}}"#,
            rng.range(1, 6),
            rng.range(900, 2000),
            rng.digits(5)
        );
        let resp = format!(r#"{{"id":"tr-{}","status":"accepted"}}"#, rng.hex(12));
        sink.emit(t, &who, Call::post("/api/v1/transfers", body).answer(201, resp));
    }
    finish(
        Id::L1,
        sink,
        Truth {
            name: "l1-transfers-without-flow",
            detectors: vec![D::BusinessFlow],
            endpoints: vec![],
            global: false,
            note: "20 POST /transfers by one identity in 10 min, never reading accounts or beneficiaries",
        },
    )
}

fn otp_brute_force(out: &mut Out, bank: &mut Bank, rng: &mut Rng, t0: i64) -> Attack {
    let ip = bank.nets.proxy_ip(rng);
    let bank = &*bank;
    let mut sink = Sink::new(out);
    let anon = Who::anon(ip, APP_UAS[3]).with_header("x-device-id", &rng.hex(16).to_ascii_uppercase());
    let mut bot = Bot::login(&mut sink, rng, bank, t0, anon, 7);
    let mut t = t0 + 1_000;
    for _ in 0..50 {
        t += rng.secs_ms(2.0, 4.0);
        let who = bot.who(&mut sink, rng, bank, &mut t);
        let body = format!(r#"{{"code":"{}"}}"#, rng.digits(6));
        sink.emit(t, &who, Call::post("/api/v1/otp/verify", body).answer(401, r#"{"error":"invalid_otp"}"#));
    }
    finish(
        Id::L2,
        sink,
        Truth {
            name: "l2-otp-brute-force",
            detectors: vec![D::BusinessFlow, D::BruteForce],
            endpoints: vec![],
            global: false,
            note: "50 POST /otp/verify with different codes and no /otp/send, in ~2.5 min",
        },
    )
}
