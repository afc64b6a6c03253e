//! The integration test suite: one binary, one module per area.
//!
//! Snapshots live in `tests/snapshots/`; after an intended change to the
//! output, refresh them with `TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test` and
//! review the diff.
//!
//! Tests that need the real terraform and the AWS provider mirror read
//! `TFSYNTH_PLUGIN_DIR` (and `TFSYNTH_TERRAFORM`, default `terraform` on
//! PATH). Without them they print `skipped: <reason>`; with
//! `TFSYNTH_REQUIRE_TERRAFORM=1` (set by `scripts/test.sh` when it finds
//! them) a missing tool fails the test instead.

mod suite;
