//! Test areas.

mod cli;
mod codegen;
mod engine;
mod example;
mod snapshot;
mod support;
mod terraform;
mod validate;
