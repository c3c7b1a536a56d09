//! The detectors. Each keeps its own bounded tables and reports through the
//! [`AlertBook`](crate::engine::AlertBook): it `touch`es an open alert for a key when there is
//! one, and checks its thresholds (and `raise`s) only when there is not — so an attack in
//! progress costs one map lookup per request, and is grouped into one alert.

pub mod credential;
pub mod enumeration;
pub mod flows;
pub mod probing;
pub mod scraping;
pub mod takeover;
pub mod volumetric;

use crate::alert::ClientKey;
use crate::facts::Facts;

/// Who the client is for per-client counts: the identity when known, else the IP.
pub(crate) fn actor_key(facts: &Facts<'_>) -> ClientKey {
    match (facts.identity, facts.ip) {
        (Some(identity), _) => ClientKey::Identity(identity.to_owned()),
        (None, Some(ip)) => ClientKey::Ip(ip),
        (None, None) => ClientKey::Identity("anonymous".to_owned()),
    }
}

/// The IP as a related key of an identity's alert.
pub(crate) fn related_ip(facts: &Facts<'_>) -> Vec<ClientKey> {
    match (facts.identity, facts.ip) {
        (Some(_), Some(ip)) => vec![ClientKey::Ip(ip)],
        _ => Vec::new(),
    }
}

pub(crate) fn secs(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX).max(1)
}

/// Table capacity for a detector whose keys are clients.
pub(crate) fn client_cap(max_keys: usize) -> usize {
    max_keys.max(1000)
}
