//! Findings: security weaknesses of an endpoint (seen in traffic) or of a spec (seen in the
//! document), mapped to the OWASP API Security Top 10 (2023). Shared by the passive posture
//! rules over the inventory (`rampart-posture`), the static spec audit (`rampart-audit`) and,
//! later, the active scanner, so that every output (text, JSON, SARIF, the dashboard) speaks of
//! one thing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::inventory::EndpointKey;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`, so that
/// `--fail-on high` means "any finding with `severity >= High`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [Self::Info, Self::Low, Self::Medium, Self::High, Self::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// The `security-severity` score (0–10) GitHub code scanning reads from SARIF rule and
    /// result properties to rank security alerts.
    pub fn security_severity(self) -> &'static str {
        match self {
            Self::Critical => "9.5",
            Self::High => "8.0",
            Self::Medium => "5.5",
            Self::Low => "3.0",
            Self::Info => "1.0",
        }
    }

    /// The SARIF 2.1.0 `level` of a result with this severity.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Self::Info => "note",
            Self::Low => "note",
            Self::Medium => "warning",
            Self::High | Self::Critical => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is not one of `info`, `low`, `medium`, `high`, `critical`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}` (expected info, low, medium, high or critical)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownSeverity(s.to_string()))
    }
}

/// The OWASP API Security Top 10, 2023 edition. Serialised as `API1` … `API10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OwaspApi2023 {
    /// Broken Object Level Authorization.
    #[serde(rename = "API1")]
    Api1,
    /// Broken Authentication.
    #[serde(rename = "API2")]
    Api2,
    /// Broken Object Property Level Authorization.
    #[serde(rename = "API3")]
    Api3,
    /// Unrestricted Resource Consumption.
    #[serde(rename = "API4")]
    Api4,
    /// Broken Function Level Authorization.
    #[serde(rename = "API5")]
    Api5,
    /// Unrestricted Access to Sensitive Business Flows.
    #[serde(rename = "API6")]
    Api6,
    /// Server Side Request Forgery.
    #[serde(rename = "API7")]
    Api7,
    /// Security Misconfiguration.
    #[serde(rename = "API8")]
    Api8,
    /// Improper Inventory Management.
    #[serde(rename = "API9")]
    Api9,
    /// Unsafe Consumption of APIs.
    #[serde(rename = "API10")]
    Api10,
}

impl OwaspApi2023 {
    pub const ALL: [OwaspApi2023; 10] = [
        Self::Api1,
        Self::Api2,
        Self::Api3,
        Self::Api4,
        Self::Api5,
        Self::Api6,
        Self::Api7,
        Self::Api8,
        Self::Api9,
        Self::Api10,
    ];

    /// `API1` … `API10`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Api1 => "API1",
            Self::Api2 => "API2",
            Self::Api3 => "API3",
            Self::Api4 => "API4",
            Self::Api5 => "API5",
            Self::Api6 => "API6",
            Self::Api7 => "API7",
            Self::Api8 => "API8",
            Self::Api9 => "API9",
            Self::Api10 => "API10",
        }
    }

    /// The category's title as OWASP words it.
    pub fn title(self) -> &'static str {
        match self {
            Self::Api1 => "Broken Object Level Authorization",
            Self::Api2 => "Broken Authentication",
            Self::Api3 => "Broken Object Property Level Authorization",
            Self::Api4 => "Unrestricted Resource Consumption",
            Self::Api5 => "Broken Function Level Authorization",
            Self::Api6 => "Unrestricted Access to Sensitive Business Flows",
            Self::Api7 => "Server Side Request Forgery",
            Self::Api8 => "Security Misconfiguration",
            Self::Api9 => "Improper Inventory Management",
            Self::Api10 => "Unsafe Consumption of APIs",
        }
    }

    /// The category's page in the OWASP API Security Top 10 (2023).
    pub fn url(self) -> &'static str {
        match self {
            Self::Api1 => {
                "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/"
            }
            Self::Api2 => "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
            Self::Api3 => {
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/"
            }
            Self::Api4 => {
                "https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/"
            }
            Self::Api5 => {
                "https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/"
            }
            Self::Api6 => {
                "https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/"
            }
            Self::Api7 => "https://owasp.org/API-Security/editions/2023/en/0xa7-server-side-request-forgery/",
            Self::Api8 => "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
            Self::Api9 => {
                "https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/"
            }
            Self::Api10 => "https://owasp.org/API-Security/editions/2023/en/0xaa-unsafe-consumption-of-apis/",
        }
    }
}

impl fmt::Display for OwaspApi2023 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A category name that is not `API1` … `API10`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OWASP API Top 10 category `{0}` (expected API1 … API10)")]
pub struct UnknownOwaspCategory(pub String);

impl FromStr for OwaspApi2023 {
    type Err = UnknownOwaspCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        // Accept `API3`, `api3` and `API3:2023`, the forms people paste from OWASP's pages.
        let wanted = wanted.strip_suffix(":2023").unwrap_or(wanted);
        Self::ALL
            .into_iter()
            .find(|category| category.id().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownOwaspCategory(s.to_string()))
    }
}

/// Where in a source document a finding points: a file, a 1-based line and column, and the
/// JSON pointer of the node (e.g. `/paths/~1accounts/get/responses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pointer: String,
}

/// One security weakness, with what shows it and how to fix it. `evidence` is always masked:
/// a finding must not become the leak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule identifier, kebab-case (`sensitive-data-unauthenticated`,
    /// `operation-without-security`); what configuration and `x-rampart-ignore` name.
    pub rule: String,
    pub owasp: OwaspApi2023,
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: String,
    /// The endpoint it concerns, when it concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<EndpointKey>,
    /// The place in a spec it points at (static audit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    /// What shows it: counts, field paths, masked samples. Never a raw sensitive value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// How to fix it.
    pub fix: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_from_info_to_critical() {
        assert!(Severity::Info < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn owasp_categories_parse_and_serialise_as_api_n() {
        assert_eq!("api3".parse::<OwaspApi2023>(), Ok(OwaspApi2023::Api3));
        assert_eq!("API10:2023".parse::<OwaspApi2023>(), Ok(OwaspApi2023::Api10));
        assert!("API11".parse::<OwaspApi2023>().is_err());
        assert_eq!(serde_json::to_string(&OwaspApi2023::Api10).ok().as_deref(), Some("\"API10\""));
        for category in OwaspApi2023::ALL {
            assert_eq!(category.id().parse::<OwaspApi2023>(), Ok(category));
            assert!(category.url().starts_with("https://owasp.org/API-Security/editions/2023/"));
        }
    }
}
