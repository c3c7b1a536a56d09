//! Benign traffic: customers' sessions (web and app), the partner aggregator, staff, the load
//! balancer's health check — with the usual false-positive traps (shared addresses, typos,
//! roaming phones, a partner touching many accounts, 5xx blips).

use std::net::{IpAddr, Ipv4Addr};

use super::bank::{self, Bank};
use super::traffic::{Call, Session, Sink, Who, login_as, login_fail, login_ok, typo};
use super::util::Rng;

const MINUTE: i64 = 60_000;

/// A customer who must have no session of their own in `[from, to)` (ms): the victims of the
/// attacks on one account, so that their own logins do not blur the ground truth.
#[derive(Debug, Clone, Copy)]
pub struct Blackout {
    pub customer: usize,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// Occasional server errors on reads (about 0.3%).
fn blip(rng: &mut Rng, call: Call) -> Call {
    if rng.chance(0.003) {
        call.answer(if rng.chance(0.5) { 503 } else { 502 }, bank::UNAVAILABLE)
    } else {
        call
    }
}

/// Every benign customer's sessions over `[0, end_ms)`.
pub fn customers(sink: &mut Sink, bank: &Bank, seed: u64, end_ms: i64, blackouts: &[Blackout]) {
    for c in 0..bank.benign_customers {
        let mut rng = Rng::derive(seed, "customer", c as u64);
        // About one session every 75 minutes, starting anywhere in the run.
        let mut t = (rng.exp(60.0) * MINUTE as f64) as i64;
        while t < end_ms - 3 * MINUTE {
            let blocked =
                blackouts.iter().any(|b| b.customer == c && t + 16 * MINUTE > b.from_ms && t < b.to_ms);
            if !blocked {
                t = session(sink, &mut rng, bank, c, t);
            }
            t += (rng.exp(60.0) * MINUTE as f64) as i64 + 2 * MINUTE;
        }
    }
}

/// One customer session from login to the last step; returns when it ended.
pub fn session(sink: &mut Sink, rng: &mut Rng, bank: &Bank, c: usize, t0: i64) -> i64 {
    let customer = &bank.customers[c];
    let use_app = customer.app.is_some() && rng.chance(0.7);
    let mut anon = if use_app {
        let (ua, device) = customer.app.as_ref().expect("app customer");
        let ip = customer.mobile_ip.filter(|_| rng.chance(0.75)).unwrap_or(customer.home_ip);
        Who::anon(ip, ua).with_header("x-device-id", device)
    } else {
        Who::anon(customer.home_ip, customer.web_ua)
    };
    if !use_app && rng.chance(0.3) {
        anon = anon.with_header("referer", "https://www.bank.example/ibanking/login");
    }
    let mut t = t0;
    // A typo now and then; rarely a forgotten password (a few tries, sometimes giving up).
    let r = rng.f64();
    let failures = if r < 0.05 {
        1
    } else if r < 0.065 {
        rng.range(2, 5)
    } else {
        0
    };
    for _ in 0..failures {
        login_fail(sink, t, &anon, &customer.username, &typo(rng, &customer.password));
        t += rng.think_ms(4.0, 6.0);
    }
    if failures >= 2 && rng.chance(0.3) {
        return t;
    }
    let session = login_ok(sink, rng, bank, t, &anon, c);
    let mut who = session.who.clone();
    if use_app {
        // The app's home screen: three calls at once.
        t += rng.range(200, 600);
        sink.emit(t, &who, blip(rng, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(c))));
        t += rng.range(40, 200);
        sink.emit(t, &who, blip(rng, Call::get("/api/v1/customers/me").answer(200, bank.me_body(c))));
        t += rng.range(40, 200);
        sink.emit(
            t,
            &who,
            blip(rng, Call::get("/api/v1/fx/rates").q("base", "SGD").answer(200, bank::FX_BODY)),
        );
    } else {
        t += rng.secs_ms(0.8, 2.5);
        sink.emit(t, &who, blip(rng, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(c))));
    }
    let roams = use_app && who.ip != customer.home_ip && rng.chance(0.12);
    let actions = rng.range(2, 10);
    let transfer_at = rng.chance(0.25).then(|| rng.range(0, actions));
    for i in 0..actions {
        t += rng.think_ms(3.0, 12.0);
        if session.expired(t + 2 * MINUTE) {
            break;
        }
        if roams && i == actions / 2 {
            // Walked in the door: from mobile data to the home Wi-Fi, same token.
            who = who.moved_to(customer.home_ip);
        }
        if Some(i) == transfer_at {
            t = transfer_flow(sink, rng, bank, &session, &who, t);
            continue;
        }
        let account = rng.pick(&customer.accounts).id;
        match rng.below(100) {
            0..30 => {
                let path = format!("/api/v1/accounts/{account}");
                sink.emit(t, &who, blip(rng, Call::get(path).answer(200, bank.account_body(account))));
            }
            30..60 => {
                let pages = match rng.below(10) {
                    0..7 => 1,
                    7..9 => 2,
                    _ => 3,
                };
                for page in 1..=pages {
                    if page > 1 {
                        t += rng.think_ms(2.0, 5.0);
                    }
                    let call = Call::get(format!("/api/v1/accounts/{account}/transactions"))
                        .q("page", page.to_string())
                        .answer(200, bank.transactions_body(account, page));
                    sink.emit(t, &who, blip(rng, call));
                }
            }
            60..70 => sink.emit(
                t,
                &who,
                blip(rng, Call::get("/api/v1/beneficiaries").answer(200, bank.beneficiaries_body(c))),
            ),
            70..80 => {
                sink.emit(t, &who, blip(rng, Call::get("/api/v1/customers/me").answer(200, bank.me_body(c))))
            }
            80..90 => sink.emit(
                t,
                &who,
                blip(rng, Call::get("/api/v1/fx/rates").q("base", "SGD").answer(200, bank::FX_BODY)),
            ),
            _ => sink.emit(
                t,
                &who,
                blip(rng, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(c))),
            ),
        }
    }
    t
}

/// A person paying someone: accounts, beneficiaries, sometimes an OTP, then the transfer.
fn transfer_flow(
    sink: &mut Sink,
    rng: &mut Rng,
    bank: &Bank,
    session: &Session,
    who: &Who,
    mut t: i64,
) -> i64 {
    let c = session.customer;
    let customer = &bank.customers[c];
    sink.emit(t, who, Call::get("/api/v1/accounts").answer(200, bank.accounts_body(c)));
    t += rng.think_ms(3.0, 6.0);
    sink.emit(t, who, Call::get("/api/v1/beneficiaries").answer(200, bank.beneficiaries_body(c)));
    t += rng.think_ms(6.0, 12.0);
    if rng.chance(0.5) {
        // New payee or above the daily limit: step-up with an SMS code.
        let masked = format!("{} ****{}", &customer.phone[..3], &customer.phone[customer.phone.len() - 4..]);
        sink.emit(
            t,
            who,
            Call::post("/api/v1/otp/send", r#"{"channel":"sms","purpose":"transfer"}"#)
                .answer(200, format!(r#"{{"sent":true,"masked_phone":"{masked}","expires_in":300}}"#)),
        );
        t += rng.think_ms(10.0, 10.0);
        if rng.chance(0.1) {
            let wrong = format!(r#"{{"code":"{}"}}"#, rng.digits(6));
            sink.emit(
                t,
                who,
                Call::post("/api/v1/otp/verify", wrong).answer(401, r#"{"error":"invalid_otp"}"#),
            );
            t += rng.think_ms(5.0, 5.0);
        }
        let code = format!(r#"{{"code":"{}"}}"#, rng.digits(6));
        sink.emit(t, who, Call::post("/api/v1/otp/verify", code).answer(200, r#"{"verified":true}"#));
        t += rng.think_ms(1.0, 2.0);
    }
    let from = customer.accounts[0].id;
    let to = rng.pick(&customer.beneficiaries).id;
    let cents = rng.range(1_000, 300_000);
    let body = format!(
        r#"{{"from_account":{from},"to_beneficiary":{to},"amount":{}.{:02},"currency":"SGD","reference":"{}"}}"#,
        cents / 100,
        cents % 100,
        rng.pick(&["rent", "dinner", "loan repayment", "gift", "utilities", "school fees"])
    );
    let resp = format!(r#"{{"id":"tr-{}","status":"accepted"}}"#, rng.hex(12));
    sink.emit(t, who, Call::post("/api/v1/transfers", body).answer(201, resp));
    t
}

/// The partner aggregator: one address, an API key, steady reads of its linked customers'
/// accounts (it legitimately touches hundreds of account ids). Returns its address.
pub fn partner(sink: &mut Sink, bank: &Bank, seed: u64, end_ms: i64) -> IpAddr {
    let mut rng = Rng::derive(seed, "partner", 0);
    let ip = IpAddr::V4(Ipv4Addr::new(13, 250, 41, 17));
    let who =
        Who::anon(ip, "Go-http-client/2.0").api_key("apikey:partner-fintech", "pk_live_7f3a9c0e5b2d41a8");
    let mut accounts: Vec<u64> = (0..bank.benign_customers)
        .filter(|c| c % 5 < 2)
        .flat_map(|c| bank.customers[c].accounts.iter().map(|a| a.id))
        .collect();
    rng.shuffle(&mut accounts);
    let mut t = rng.range(0, 2_000);
    let mut i = 0;
    while t < end_ms {
        let account = accounts[i % accounts.len()];
        i += 1;
        let call = blip(
            &mut rng,
            Call::get(format!("/api/v1/accounts/{account}")).answer(200, bank.account_body(account)),
        );
        sink.emit(t, &who, call);
        t += rng.secs_ms(0.4, 1.2);
        let pages = if rng.chance(0.2) { 2 } else { 1 };
        for page in 1..=pages {
            let call = Call::get(format!("/api/v1/accounts/{account}/transactions"))
                .q("page", page.to_string())
                .q("since", "2025-02-01")
                .answer(200, bank.transactions_body(account, page));
            sink.emit(t, &who, blip(&mut rng, call));
            t += rng.secs_ms(0.4, 1.2);
        }
    }
    ip
}

/// Bank employees on the corporate network listing customers (a few pages each).
pub fn staff(sink: &mut Sink, bank: &Bank, seed: u64, end_ms: i64) {
    const NAMES: [&str; 4] = ["mei.ling.tan", "ravi.kumar", "siti.aminah", "daniel.ong"];
    for (k, name) in NAMES.iter().enumerate() {
        let mut rng = Rng::derive(seed, "staff", k as u64);
        let ip = IpAddr::V4(Ipv4Addr::new(10, 20, 1, 11 + k as u8));
        let anon = Who::anon(ip, super::bank::BROWSER_UAS[1]);
        let sub = format!("staff-{:04}", k + 1);
        let mut t = rng.range(2 * MINUTE, 40 * MINUTE);
        while t < end_ms - 10 * MINUTE {
            let who = login_as(
                sink,
                &mut rng,
                t,
                &anon,
                &sub,
                &format!("{name}@bank.example"),
                "Corp-Passw0rd!",
                "customers:read",
            );
            let pages = rng.range(3, 6) as u32;
            let first = rng.range(1, 4) as u32;
            for page in first..first + pages {
                t += rng.think_ms(8.0, 15.0);
                let call = Call::get("/api/v1/customers")
                    .q("page", page.to_string())
                    .answer(200, bank.directory_body(page));
                sink.emit(t, &who, call);
            }
            for _ in 0..rng.range(0, 3) {
                t += rng.think_ms(10.0, 20.0);
                let c = rng.index(bank.benign_customers);
                let path = format!("/api/v1/customers/{}", bank.customers[c].sub);
                sink.emit(t, &who, Call::get(path).answer(200, bank.me_body(c)));
            }
            t += rng.range(30 * MINUTE, 70 * MINUTE);
        }
    }
}

/// The load balancer's health check: `GET /health` every 10 s.
pub fn health(sink: &mut Sink, end_ms: i64) {
    let who = Who::anon(IpAddr::V4(Ipv4Addr::new(10, 0, 3, 17)), "ELB-HealthChecker/2.0");
    let mut t = 3_000;
    while t < end_ms {
        sink.emit(t, &who, Call::get("/health").answer(200, r#"{"status":"ok"}"#).took(2.0));
        t += 10_000;
    }
}
