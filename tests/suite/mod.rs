//! Test areas.

mod cli;
mod engine;
mod example;
mod snapshot;
mod support;
mod terraform;
