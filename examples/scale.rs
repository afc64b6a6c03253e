//! Generated stacks of many resources, for benchmarks and as an example of
//! building blocks in a loop: `scale_100`, `scale_1000` and `scale_10000`
//! hold that many resources, each a private, encrypted, versioned S3 bucket
//! with its companion blocks (five resources per bucket).
//!
//! `cargo run --release --example scale -- synth scale_1000 --out build`

use std::process::ExitCode;

use tfsynth::App;

#[path = "shared/scale_stacks.rs"]
mod scale_stacks;

use scale_stacks::buckets;

fn main() -> ExitCode {
    App::new("scale")
        .stack(
            "scale_100",
            "100 resources: 20 buckets with companions",
            |s| buckets(s, 100),
        )
        .stack(
            "scale_1000",
            "1,000 resources: 200 buckets with companions",
            |s| buckets(s, 1_000),
        )
        .stack(
            "scale_10000",
            "10,000 resources: 2,000 buckets with companions",
            |s| buckets(s, 10_000),
        )
        .run()
}
