//! rampart-template (being written).
