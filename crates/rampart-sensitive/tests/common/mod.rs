//! Shared by the accuracy tests (`labelled.rs`, `independent.rs`, `fresh.rs`, `masking.rs`).

pub mod payloads;

/// Types whose validator is a checksum or an issuer rule: the goal is ≥ 0.99 precision and recall.
pub const CHECKSUMMED: &[&str] = &[
    "card-number",
    "iban",
    "sg-nric",
    "in-aadhaar",
    "cn-resident-id",
    "hk-hkid",
    "tw-national-id",
    "au-tfn",
    "au-medicare",
    "jp-my-number",
    "kr-rrn",
    "my-mykad",
    "id-nik",
    "th-national-id",
    "us-ssn",
];
