//! The `examples/custom_app.rs` crate-of-your-own gets every command.

use std::path::PathBuf;

use predicates::str::contains;

/// The example binary, which `cargo test` builds next to the test binaries.
pub fn custom_app() -> assert_cmd::Command {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path: PathBuf = profile_dir
        .join("examples")
        .join(format!("custom_app{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run the suite with `cargo test`, which builds the examples",
        path.display()
    );
    assert_cmd::Command::new(path)
}

#[test]
fn custom_app_lists_and_synthesizes_its_stack() {
    custom_app()
        .arg("list")
        .assert()
        .success()
        .stdout(contains("site  A private S3 bucket"));
    let dir = tempfile::tempdir().unwrap();
    custom_app()
        .args(["synth", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("site/main.tf.json (3 resources, 0 data sources)"));
    let text = std::fs::read_to_string(dir.path().join("site/main.tf.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let policy = &json["resource"]["aws_s3_bucket_policy"]["site"];
    assert_eq!(
        policy["depends_on"],
        serde_json::json!(["aws_s3_bucket_public_access_block.site"])
    );
    assert!(
        policy["policy"]
            .as_str()
            .unwrap()
            .starts_with("${jsonencode({ \"Version\" = \"2012-10-17\"")
    );
    custom_app()
        .args(["synth", "nope"])
        .assert()
        .code(2)
        .stderr(contains("unknown stack \"nope\""));
    custom_app()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("Usage: custom_app"));
}
