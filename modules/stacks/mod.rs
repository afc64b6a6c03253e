//! Complete stacks, each a function that adds its blocks to a `Stack`.

pub mod demo;
