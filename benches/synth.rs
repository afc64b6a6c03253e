//! `cargo bench`: in-process synthesis of generated stacks of 100, 1,000 and
//! 10,000 resources (building the stack and rendering its JSON), with the
//! ratio between sizes, which should stay close to linear. Whole-process
//! figures against terraform are in `scripts/bench.sh`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use tfsynth::Stack;

#[path = "../examples/shared/scale_stacks.rs"]
mod scale_stacks;

/// Median time of building and synthesizing a stack of `resources`.
fn measure(resources: usize, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let mut stack = Stack::new("scale");
            scale_stacks::buckets(&mut stack, resources);
            let synthesized = stack.synth().expect("the generated stack synthesizes");
            black_box(synthesized.json.len());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // `cargo test` runs benches in test mode with --bench absent; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[(usize, usize)] = if quick {
        &[(100, 1)]
    } else {
        &[(100, 50), (1_000, 20), (10_000, 7)]
    };
    println!("| resources | median synth (in process) | per resource |");
    println!("| ---: | ---: | ---: |");
    let mut results = Vec::new();
    for &(resources, runs) in sizes {
        let t = measure(resources, runs);
        results.push((resources, t));
        println!(
            "| {resources} | {:.2} ms | {:.2} µs |",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() * 1e6 / resources as f64
        );
    }
    for pair in results.windows(2) {
        let ((small, ts), (large, tl)) = (pair[0], pair[1]);
        println!(
            "time({large}) / time({small}) = {:.1}",
            tl.as_secs_f64() / ts.as_secs_f64()
        );
    }
}
