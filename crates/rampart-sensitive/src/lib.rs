//! rampart-sensitive (being written): sensitive-data detectors, validators and masking.

pub mod validate;
