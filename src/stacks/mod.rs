//! Complete stacks, each a function that adds its blocks to a `Stack`, and
//! for configured stacks the spec of the keys it accepts.

pub mod common;
pub mod demo;
pub mod financial;
pub mod serverless;
pub mod webapp;
