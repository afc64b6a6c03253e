//! Test areas.

mod agreement;
mod cli;
mod codegen;
mod engine;
mod example;
mod fuzz;
mod get;
mod graph;
mod hardening;
mod hostile;
mod language;
mod many;
mod new;
mod runner;
mod snapshot;
mod stacks;
mod support;
mod terraform;
mod validate;
