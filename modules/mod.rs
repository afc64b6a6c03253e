//! The infrastructure modules and the stacks built from them.
//!
//! **Invariant:** code here uses only the public API of the `tfsynth`
//! library, exactly as a user's crate would; the library never depends on it.

pub mod stacks;

/// The `tfsynth` application: every stack this repository defines.
pub fn app() -> tfsynth::App {
    tfsynth::App::new("tfsynth").stack(
        "demo",
        "Demonstration: a VPC with two subnets in two availability zones",
        stacks::demo::build,
    )
}
