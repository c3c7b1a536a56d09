//! What the CLI's integration tests share: running the built `rampart` binary and the demo
//! bank's example files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn rampart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart")).args(args).output().expect("run rampart")
}

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

pub fn sample_har() -> String {
    examples().join("sample.har").display().to_string()
}

pub fn bank_spec() -> String {
    examples().join("bank-api.openapi.yaml").display().to_string()
}
