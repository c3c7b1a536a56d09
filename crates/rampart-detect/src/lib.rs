//! rampart-detect: behavioural detection over the Exchange stream.
//!
//! Attackers abuse APIs in patterns, not single requests. The [`Engine`] consumes Exchanges in
//! time order (event time: each exchange's `started_at`, so recorded traffic replays exactly as
//! it happened) and runs the detectors of [`detectors`] over them:
//!
//! | detector | watches | key |
//! |---|---|---|
//! | credential | failed logins per IP, /24 (/64), username; usernames per IP; the global failure ratio against its baseline | IP, prefix, username |
//! | takeover | a success after a run of failures; one token from many networks or devices | username, token |
//! | enumeration | distinct object IDs per endpoint, sequential IDs, share of 401/403/404 | identity, else IP |
//! | scraping | sensitive records and pages pulled, against the other clients | identity, else IP |
//! | volumetric | request rate per key against the peers; per endpoint against its EWMA; 5xx surges | IP, identity, endpoint |
//! | probing | injection payloads, attack-tool user agents, well-known sensitive paths, 404 runs | IP |
//! | flows | the last step of a sensitive flow without the steps before it, or faster than a person | identity, else IP |
//!
//! Each detector emits [`Alert`]s — grouped per detector and key, re-emitted as updates, closed
//! after a quiet window — and, when its action is `block` or `rate_limit`, its confidence high
//! enough and the engine not in monitor mode, [`Decision`]s with an expiry. The engine does no
//! I/O: the gateway (`rampart gateway`, closed loop) and `rampart detect FILE…` wire it.
//!
//! State is bounded: per-key state lives in [`state::KeyTable`]s capped at `max_keys` (least
//! recently seen dropped), windows are two-bucket sliding counters, distinct counts are
//! fixed-size linear-counting bitmaps, and heavy hitters of an endpoint come from a count-min
//! sketch ([`sketch`]); memory stays flat however many clients there are.

pub mod alert;
pub mod config;
pub mod detectors;
pub mod engine;
pub mod facts;
pub mod sketch;
pub mod state;
pub mod window;

pub use alert::{
    Action, Alert, AlertState, ClientKey, Confidence, Decision, DetectorKind, EvidenceSample, Output,
};
pub use config::{ActionConfig, ConfigError, DetectConfig};
pub use engine::{Engine, EngineStats, login_endpoints};
