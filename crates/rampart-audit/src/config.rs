//! `rampart-audit.toml`: rules turned off, severities changed.
//!
//! ```toml
//! # Rules that are not wanted at all.
//! disable = ["string-unrestricted", "server-audience-undeclared"]
//! # Default for `--fail-on` when the command line does not give one.
//! fail_on = "high"
//!
//! [severity]
//! "no-500-response" = "low"
//! ```

use std::collections::{BTreeMap, BTreeSet};

use rampart_core::Severity;
use serde::Deserialize;

use crate::rules::rule;

/// What the user configured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditConfig {
    pub disabled: BTreeSet<String>,
    pub severity: BTreeMap<String, Severity>,
    pub fail_on: Option<Severity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    #[serde(default)]
    fail_on: Option<Severity>,
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Toml(String),
    #[error("unknown rule `{0}` (run `rampart audit --list-rules` for the list)")]
    UnknownRule(String),
}

impl AuditConfig {
    /// Parse the TOML text of a `rampart-audit.toml`.
    pub fn from_toml(text: &str) -> Result<AuditConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        let mut config = AuditConfig { fail_on: raw.fail_on, ..AuditConfig::default() };
        for id in raw.disable {
            config.disable(&id)?;
        }
        for (id, severity) in raw.severity {
            if rule(&id).is_none() {
                return Err(ConfigError::UnknownRule(id));
            }
            config.severity.insert(id, severity);
        }
        Ok(config)
    }

    /// Turn a rule off (`--disable RULE`).
    pub fn disable(&mut self, id: &str) -> Result<(), ConfigError> {
        if rule(id).is_none() {
            return Err(ConfigError::UnknownRule(id.to_string()));
        }
        self.disabled.insert(id.to_string());
        Ok(())
    }

    pub fn enabled(&self, id: &str) -> bool {
        !self.disabled.contains(id)
    }

    /// A severity the configuration imposes on every finding of the rule.
    pub fn severity_of(&self, id: &str) -> Option<Severity> {
        self.severity.get(id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_disable_severity_and_fail_on() {
        let config = AuditConfig::from_toml(
            "disable = [\"string-unrestricted\"]\nfail_on = \"high\"\n[severity]\n\"no-500-response\" = \"low\"\n",
        )
        .expect("valid config");
        assert!(!config.enabled("string-unrestricted"));
        assert!(config.enabled("http-basic-auth"));
        assert_eq!(config.severity_of("no-500-response"), Some(Severity::Low));
        assert_eq!(config.fail_on, Some(Severity::High));
    }

    #[test]
    fn unknown_rules_and_keys_are_errors() {
        assert_eq!(
            AuditConfig::from_toml("disable = [\"no-such-rule\"]"),
            Err(ConfigError::UnknownRule("no-such-rule".into()))
        );
        assert!(AuditConfig::from_toml("disabled = []").is_err());
        assert!(AuditConfig::from_toml("[severity]\n\"http-basic-auth\" = \"severe\"").is_err());
    }
}
