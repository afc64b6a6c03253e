//! Snapshots of the exact bytes synthesized for each stack.
//!
//! Refresh after an intended change: `TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test`.

use std::path::Path;

use super::support::synth_stack;

/// Compares `actual` with the committed snapshot `name`, or rewrites it when
/// `TFSYNTH_UPDATE_SNAPSHOTS=1`.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var("TFSYNTH_UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; create it with TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test",
            path.display()
        )
    });
    if expected != actual {
        let first_diff = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its snapshot from line {}:\n  expected: {:?}\n  actual:   {:?}\nif the change is intended: TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test",
            first_diff + 1,
            expected.lines().nth(first_diff).unwrap_or("<end>"),
            actual.lines().nth(first_diff).unwrap_or("<end>"),
        );
    }
}

#[test]
fn demo_stack() {
    assert_snapshot("demo.main.tf.json", &synth_stack("demo").1);
}

#[test]
fn financial_stack() {
    assert_snapshot("financial.main.tf.json", &synth_stack("financial").1);
}

#[test]
fn webapp_stack() {
    assert_snapshot("webapp.main.tf.json", &synth_stack("webapp").1);
}

#[test]
fn serverless_stack() {
    let (dir, json) = synth_stack("serverless");
    assert_snapshot("serverless.main.tf.json", &json);
    // The function's code archive is part of the output, byte for byte.
    let archive = std::fs::read(dir.path().join("serverless/assets/orders_function.zip")).unwrap();
    let again = std::fs::read(
        synth_stack("serverless")
            .0
            .path()
            .join("serverless/assets/orders_function.zip"),
    )
    .unwrap();
    assert_eq!(archive, again, "the same archive on every synthesis");
}
