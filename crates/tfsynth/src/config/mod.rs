//! Stack configuration: what each stack accepts ([`Spec`]), where values
//! come from, and the resolved, checked result ([`Config`]).
//!
//! Values are layered, later layers winning: the key's default, the stack's
//! table in `tfsynth.toml` (`[stacks.<stack>]`), the selected environment's
//! table (`[stacks.<stack>.environments.<env>]`), environment variables
//! (`TFSYNTH_<STACK>_<KEY>`), and `--set [stack.]key=value`. Every value
//! keeps its source so `tfsynth config` can say where it came from.
//!
//! **Invariant:** resolution collects every problem (missing required
//! values, wrong types, unknown keys with a suggestion, broken rules) before
//! failing; each message names the key, where it was set and the rule.

mod backend;
mod resolve;
pub mod rules;
mod settings;
mod sources;
mod spec;
mod value;

use std::fmt;

pub use backend::{DEFAULT_WORKSPACE, parse_backend, parse_backend_for, workspace_name};
pub use resolve::{Config, check_overrides, resolve};
pub use settings::{Setting, Settings};
#[doc(hidden)]
pub use settings::{default_of, default_value};
pub use sources::{ConfigFile, Overrides, Source, TOOL_VARIABLES, env_var};
pub use spec::{Check, Key, Rule, Spec};
/// Derives [`Settings`]: see the trait.
pub use tfsynth_derive::Settings;
pub use value::{ConfigValue, Kind};

/// The settings of the `[terraform]` table.
const TERRAFORM_SETTINGS: &[&str] = &["binary", "plugin_dir"];

/// The prefix of a program's environment variables: its name in upper case,
/// other characters as `_` (`TFSYNTH` for `tfsynth`, `MY_APP` for `my-app`).
pub fn env_prefix(program: &str) -> String {
    program
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A configuration problem, naming the key and where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where: `tfsynth.toml [stacks.financial] asg_min`, `--set asg_min=x`, ...
    pub location: String,
    /// What is wrong, with the rule's name.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn error(location: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        location: location.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
