//! The risk score of an endpoint: 0 to 100, in explained parts.
//!
//! ```text
//! risk = min(100, sensitivity + exposure + findings + traffic)
//!   sensitivity ≤ 30  most sensitive kind returned: national ID, full card number or secret 30,
//!                     payment data (IBAN, account number) 20, contact and personal data 15,
//!                     names only 5; kinds only accepted (not returned) count half; secrets
//!                     (tokens, passwords) on login/token endpoints count 5
//!   exposure    ≤ 20  2xx answers to calls without credentials 12 (not on login/token
//!                     endpoints, which are public by design); internet-facing host 5
//!                     (not localhost, an IP of a private range or *.internal/*.local/*.lan);
//!                     shadow or zombie endpoint 3
//!   findings    ≤ 40  per finding: critical 25, high 15, medium 8, low 3, info 0
//!   traffic     ≤ 10  2.5 × log10(calls + 1)
//! ```
//!
//! The parts are kept with their reason, so that a user sees *why* an endpoint ranks high.

use rampart_core::{Endpoint, Finding, SensitiveCategory, SensitiveType, Severity, SpecStatus};
use serde::{Deserialize, Serialize};

/// One component of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskPart {
    /// `sensitivity`, `exposure`, `findings` or `traffic`.
    pub factor: String,
    pub points: u32,
    pub why: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskScore {
    /// 0–100.
    pub score: u32,
    pub parts: Vec<RiskPart>,
}

fn kind_points(kind: SensitiveType) -> u32 {
    match kind.category() {
        SensitiveCategory::NationalId | SensitiveCategory::Secret => 30,
        SensitiveCategory::Payment if kind == SensitiveType::CardNumber => 30,
        SensitiveCategory::Payment => 20,
        SensitiveCategory::Personal => match kind {
            SensitiveType::PersonName | SensitiveType::IpAddress => 5,
            _ => 15,
        },
    }
}

fn severity_points(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 25,
        Severity::High => 15,
        Severity::Medium => 8,
        Severity::Low => 3,
        Severity::Info => 0,
    }
}

/// Whether a host looks reachable from the internet.
pub fn internet_facing(host: &str) -> bool {
    let name =
        host.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h);
    if name == "localhost"
        || [".internal", ".local", ".lan", ".localhost", ".corp", ".intranet"]
            .iter()
            .any(|s| name.ends_with(s))
    {
        return false;
    }
    match name.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => !(ip.is_private() || ip.is_loopback() || ip.is_link_local()),
        Ok(std::net::IpAddr::V6(ip)) => !(ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00),
        Err(_) => true,
    }
}

/// Score one endpoint given its findings.
pub fn score(e: &Endpoint, findings: &[&Finding]) -> RiskScore {
    let mut parts = Vec::new();
    // Sensitivity. Login and token endpoints return tokens and take passwords by design: what
    // they carry counts as little as names.
    let auth_like = crate::rules::is_auth_like(&e.key.path_template);
    let kind_points = |k: SensitiveType| {
        if auth_like && matches!(k.category(), SensitiveCategory::Secret) { 5 } else { kind_points(k) }
    };
    let returned =
        e.sensitive.returned.keys().map(|k| (kind_points(*k), *k, "returns")).max_by_key(|(p, _, _)| *p);
    let accepted =
        e.sensitive.accepted.keys().map(|k| (kind_points(*k) / 2, *k, "accepts")).max_by_key(|(p, _, _)| *p);
    if let Some((points, kind, how)) = returned.into_iter().chain(accepted).max_by_key(|(p, _, _)| *p) {
        parts.push(RiskPart { factor: "sensitivity".into(), points, why: format!("{how} {}", kind.name()) });
    }
    // Exposure.
    if e.auth.unauthenticated_success > 0 && !auth_like {
        parts.push(RiskPart {
            factor: "exposure".into(),
            points: 12,
            why: format!("{} 2xx answers without credentials", e.auth.unauthenticated_success),
        });
    }
    if internet_facing(&e.key.host) {
        parts.push(RiskPart {
            factor: "exposure".into(),
            points: 5,
            why: format!("internet-facing host {}", e.key.host),
        });
    }
    if let Some(status) =
        e.spec.as_ref().map(|s| s.status).filter(|s| matches!(s, SpecStatus::Shadow | SpecStatus::Zombie))
    {
        let label = if status == SpecStatus::Shadow { "shadow" } else { "zombie" };
        parts.push(RiskPart { factor: "exposure".into(), points: 3, why: format!("{label} endpoint") });
    }
    // Findings.
    let finding_points: u32 = findings.iter().map(|f| severity_points(f.severity)).sum();
    if finding_points > 0 {
        let mut by_severity: Vec<String> = Vec::new();
        for sev in Severity::ALL.iter().rev() {
            let n = findings.iter().filter(|f| f.severity == *sev).count();
            if n > 0 {
                by_severity.push(format!("{n} {sev}"));
            }
        }
        parts.push(RiskPart {
            factor: "findings".into(),
            points: finding_points.min(40),
            why: format!("{} finding(s): {}", findings.len(), by_severity.join(", ")),
        });
    }
    // Traffic.
    let traffic = (2.5 * ((e.calls + 1) as f64).log10()).round().clamp(0.0, 10.0) as u32;
    if traffic > 0 {
        parts.push(RiskPart { factor: "traffic".into(), points: traffic, why: format!("{} calls", e.calls) });
    }
    // Exposure is capped at 20 as a whole.
    let exposure: u32 = parts.iter().filter(|p| p.factor == "exposure").map(|p| p.points).sum();
    let total: u32 = parts.iter().map(|p| p.points).sum::<u32>() - exposure + exposure.min(20);
    RiskScore { score: total.min(100), parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{EndpointKey, OwaspApi2023};

    fn endpoint(host: &str) -> Endpoint {
        Endpoint::new(EndpointKey {
            host: host.into(),
            method: "GET".into(),
            path_template: "/v1/customers/{id}".into(),
        })
    }

    #[test]
    fn parts_add_up_and_explain_the_score() {
        let mut e = endpoint("api.bank.example");
        e.calls = 999;
        e.sensitive.returned.insert(SensitiveType::SgNric, 10);
        e.auth.unauthenticated_success = 4;
        let f = Finding {
            rule: "sensitive-data-unauthenticated".into(),
            owasp: OwaspApi2023::Api2,
            severity: Severity::Critical,
            title: "t".into(),
            endpoint: Some(e.key.clone()),
            location: None,
            evidence: vec![],
            fix: "f".into(),
        };
        let risk = score(&e, &[&f]);
        // 30 sensitivity + 12 + 5 exposure + 25 findings + 8 traffic.
        assert_eq!(risk.score, 80, "{risk:?}");
        assert_eq!(risk.parts.iter().map(|p| p.points).sum::<u32>(), 80);
        assert!(risk.parts.iter().any(|p| p.factor == "sensitivity" && p.why.contains("sg-nric")));
    }

    #[test]
    fn a_quiet_internal_endpoint_scores_low_and_the_score_is_capped() {
        let e = endpoint("10.0.0.5:8080");
        assert_eq!(score(&e, &[]).score, 0);
        assert!(!internet_facing("ledger.bank.internal"));
        assert!(internet_facing("api.bank.example"));
        let mut hot = endpoint("api.bank.example");
        hot.calls = 10_000_000;
        hot.sensitive.returned.insert(SensitiveType::CardNumber, 1);
        let f = Finding {
            rule: "x".into(),
            owasp: OwaspApi2023::Api8,
            severity: Severity::Critical,
            title: "t".into(),
            endpoint: None,
            location: None,
            evidence: vec![],
            fix: "f".into(),
        };
        let many = vec![&f; 10];
        assert!(score(&hot, &many).score <= 100);
    }
}
