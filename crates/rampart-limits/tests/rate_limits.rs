//! Rate limiting driven by an injected clock: burst, throttle, recovery, config from TOML,
//! and the memory bound under a flood of distinct client IPs.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use rampart_limits::{LimitContext, RateLimitConfig, RateLimiter};

const CONFIG: &str = r#"
max_keys_per_rule = 50000

[[rules]]
name = "payments-per-client"
key = "identity_or_ip"
rate = 10
per = "second"
burst = 20
[rules.match]
path_prefixes = ["/payments"]
methods = ["post"]

[[rules]]
name = "account-reads"
key = "identity"
rate = 600
per = "minute"
[rules.match]
routes = ["/accounts/{accountId}"]
"#;

fn limiter(t0: Instant) -> RateLimiter {
    let config: RateLimitConfig = toml::from_str(CONFIG).unwrap();
    RateLimiter::new(&config, t0).unwrap()
}

fn payment(ip: IpAddr, identity: Option<&str>) -> LimitContext<'_> {
    LimitContext {
        ip,
        identity,
        method: "POST",
        path: "/payments/domestic",
        route: Some("/payments/domestic"),
    }
}

#[test]
fn burst_then_throttle_then_steady_recovery() {
    let t0 = Instant::now();
    let limiter = limiter(t0);
    let ip = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
    let request = payment(ip, Some("cust-1"));
    for n in 0..20 {
        assert!(limiter.check(&request, t0).is_ok(), "burst request {n}");
    }
    let throttled = limiter.check(&request, t0).unwrap_err();
    assert_eq!(throttled.rule, "payments-per-client");
    assert_eq!(throttled.retry_after, Duration::from_millis(100));
    assert_eq!(throttled.retry_after_secs(), 1);

    // One emission interval later exactly one more request fits.
    let t1 = t0 + Duration::from_millis(100);
    assert!(limiter.check(&request, t1).is_ok());
    assert!(limiter.check(&request, t1).is_err());

    // At the sustained rate (10/s) a client is never throttled.
    for step in 1..=100u64 {
        let at = t1 + Duration::from_millis(100 * step);
        assert!(limiter.check(&request, at).is_ok(), "steady request {step}");
    }

    // After a full burst's worth of idle time, the whole burst is available again.
    let t2 = t1 + Duration::from_secs(10) + Duration::from_secs(2);
    for n in 0..20 {
        assert!(limiter.check(&request, t2).is_ok(), "recovered burst {n}");
    }
    assert!(limiter.check(&request, t2).is_err());

    // Other identities, and a GET, are unaffected.
    assert!(limiter.check(&payment(ip, Some("cust-2")), t2).is_ok());
    let read = LimitContext { method: "GET", ..request };
    assert!(limiter.check(&read, t2).is_ok());
}

#[test]
fn retry_after_grows_with_a_long_window() {
    let t0 = Instant::now();
    let limiter = RateLimiter::new(&RateLimitConfig::default(), t0).unwrap();
    let login = LimitContext {
        ip: "2001:db8::1".parse().unwrap(),
        identity: None,
        method: "POST",
        path: "/oauth/token",
        route: None,
    };
    for _ in 0..5 {
        limiter.check(&login, t0).unwrap();
    }
    // 5/min: the next slot opens 12 s after the burst; 3 s later 9 s remain.
    let throttled = limiter.check(&login, t0 + Duration::from_secs(3)).unwrap_err();
    assert_eq!(throttled.retry_after_secs(), 9);
    assert!(limiter.check(&login, t0 + Duration::from_secs(12)).is_ok());
}

#[test]
fn unknown_config_keys_are_rejected() {
    let error = toml::from_str::<RateLimitConfig>("max_keys = 5").unwrap_err();
    assert!(error.to_string().contains("max_keys"), "{error}");
    let error = toml::from_str::<RateLimitConfig>("[[rules]]\nname='x'\nkey='ip'\nrate=1\nper='fortnight'")
        .unwrap_err();
    assert!(error.to_string().contains("fortnight"), "{error}");
}

#[test]
fn a_million_distinct_ips_stay_within_the_key_cap() {
    let t0 = Instant::now();
    let limiter = limiter(t0);
    let mut throttled = 0usize;
    for n in 0..1_000_000u32 {
        let ip = IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + n));
        // All within one second: every key is still live, so eviction must sample, not sweep.
        let at = t0 + Duration::from_micros(u64::from(n));
        if limiter.check(&payment(ip, None), at).is_err() {
            throttled += 1;
        }
    }
    assert_eq!(throttled, 0, "a fresh IP always has its burst");
    let counts = limiter.key_counts();
    let payments = counts.iter().find(|(name, _)| *name == "payments-per-client").unwrap().1;
    assert!(payments <= 50_000, "{payments} keys kept");
    assert!(payments > 40_000, "cap should be nearly used, kept {payments}");

    // Once they are idle, a sweep empties the table.
    let later = t0 + Duration::from_secs(60);
    assert_eq!(limiter.evict_idle(later), payments);
    assert!(limiter.key_counts().iter().all(|(_, count)| *count == 0));
}

#[test]
fn eviction_keeps_live_keys_and_their_state() {
    let t0 = Instant::now();
    let limiter = limiter(t0);
    let busy = payment(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), None);
    for _ in 0..20 {
        limiter.check(&busy, t0).unwrap();
    }
    let idle = payment(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)), None);
    limiter.check(&idle, t0).unwrap();
    // 1 s later the idle key (one request = 100 ms of debt) is recovered, the busy one not.
    let t1 = t0 + Duration::from_secs(1);
    assert_eq!(limiter.evict_idle(t1), 1);
    // The busy key still carries its debt: 10 more requests recovered, the 11th is over.
    for _ in 0..10 {
        limiter.check(&busy, t1).unwrap();
    }
    assert!(limiter.check(&busy, t1).is_err());
}
