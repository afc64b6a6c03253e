//! tfsynth: typed Rust code describes cloud infrastructure and is synthesized
//! to Terraform JSON, which `terraform` then deploys.
//!
//! A [`Stack`] holds blocks (resources, data sources, variables, locals,
//! outputs, providers and the `terraform` settings). Adding a block returns a
//! handle whose attributes are [`Expr`] references; passing them to other
//! blocks is how Terraform learns the dependency graph. [`Stack::synth`]
//! checks the whole stack and renders deterministic JSON.
//!
//! An [`App`] groups named stacks and provides the `tfsynth` command line,
//! so a crate of your own gets every command for free:
//!
//! ```no_run
//! use tfsynth::{App, Resource, Stack};
//!
//! fn build(stack: &mut Stack) {
//!     let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
//!     stack.add(Resource::new("aws_subnet", "a").set("vpc_id", vpc.attr("id")).set("cidr_block", "10.0.1.0/24"));
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     App::new("myinfra").stack("network", "A VPC and one subnet", build).run()
//! }
//! ```

#![warn(missing_docs)]

// The runner passes signals to terraform's process group and locks stack
// directories with flock: Unix only, said once here rather than in a
// screen of errors.
#[cfg(not(unix))]
compile_error!(
    "tfsynth builds on Unix-like systems only (Linux, macOS): it runs terraform in a process group of its own and locks stack directories with flock"
);

// Lets generated code, which names the engine `tfsynth`, compile inside it
// too (the generator's golden fixture is part of the unit tests).
extern crate self as tfsynth;

pub mod app;
pub mod asset;
pub mod cli;
pub mod config;
pub mod core;
pub mod export;
mod fsio;
pub mod graph;
pub mod hcl;
pub mod ops;
pub mod provider;
pub mod stacks;
mod suggest;
pub mod terraform;
pub mod testing;
mod tfjson;
pub mod validate;

pub use app::{App, StackDef};
pub use asset::{Asset, AssetRef, ModuleFiles, ModuleFilesRef};
pub use core::func;
pub use core::typed::prelude;
pub use core::{
    Address, Backend, BinOp, BlockIter, Body, BodyBlock, Bound, Check, CloudBackend, Condition,
    DataBlock, DataRef, DataSource, Declare, Dependable, EphemeralBlock, EphemeralRef,
    EphemeralResource, Expr, For, ForExpr, IgnoreChanges, Import, Lifecycle, Module, ModuleRef,
    Moved, Node, Number, Output, Part, Problem, Provider, ProviderRef, Ref, Removed, Resource,
    ResourceBlock, ResourceRef, S3Backend, Stack, StackOutput, SynthError, Synthesized, Type, UnOp,
    Value, Variable, VariableRef,
};

/// The README's examples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
