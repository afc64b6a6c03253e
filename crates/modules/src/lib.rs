//! Reusable AWS constructs for tfsynth.
//!
//! Each module is a construct: `Module::new(&mut stack, "prefix", &config)`
//! adds its blocks under `prefix` (so it can be used several times in one
//! stack) and returns a struct whose public fields are typed references
//! that other modules consume.
//!
//! **Invariant:** code here uses only the public API of the `tfsynth`
//! library, exactly as a user's crate would; the library never depends on it.

#![warn(missing_docs)]

pub mod database;
pub mod durations;
pub mod emulator;
pub mod iam;
pub mod monitoring;
pub mod networking;
pub mod policy;
pub mod rules;
pub mod storage;
pub mod web_tier;

/// A block label under a module prefix: `net` + `igw` gives `net_igw`.
pub fn label(prefix: &str, part: &str) -> String {
    if part.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}_{part}")
    }
}

/// The `Name` tag; the other tags come from the provider's `default_tags`.
pub fn name_tags(name: &str) -> [(&'static str, String); 1] {
    [("Name", name.to_owned())]
}
