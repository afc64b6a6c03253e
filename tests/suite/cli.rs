//! The `tfsynth` binary as a user runs it.

use predicates::prelude::*;
use predicates::str::contains;

use super::support::{tfsynth, tree};

#[test]
fn synth_writes_every_stack_by_default() {
    let dir = tempfile::tempdir().unwrap();
    tfsynth()
        .current_dir(dir.path())
        .arg("synth")
        .assert()
        .success()
        .stdout(contains(
            "wrote out/demo/main.tf.json (3 resources, 1 data source)",
        ));
    let text = std::fs::read_to_string(dir.path().join("out/demo/main.tf.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(json["resource"]["aws_vpc"]["main"].is_object());
}

#[test]
fn synth_twice_gives_identical_bytes_and_touches_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("build");
    tfsynth()
        .args(["synth", "demo", "--out"])
        .arg(&out)
        .assert()
        .success();
    let first = std::fs::read(out.join("demo/main.tf.json")).unwrap();
    // Terraform's own files in the stack directory must survive synthesis.
    std::fs::create_dir_all(out.join("demo/.terraform/providers")).unwrap();
    std::fs::write(out.join("demo/.terraform/providers/marker"), "p").unwrap();
    std::fs::write(out.join("demo/.terraform.lock.hcl"), "lock").unwrap();
    std::fs::write(out.join("demo/terraform.tfstate"), "{\"serial\": 7}").unwrap();
    let before = tree(&out);
    tfsynth()
        .args(["synth", "demo", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("unchanged"));
    assert_eq!(
        tree(&out),
        before,
        "identical bytes, no other file touched, no temporary left"
    );
    assert_eq!(std::fs::read(out.join("demo/main.tf.json")).unwrap(), first);
}

#[test]
fn out_from_environment() {
    let dir = tempfile::tempdir().unwrap();
    tfsynth()
        .current_dir(dir.path())
        .env("TFSYNTH_OUT", "from-env")
        .arg("synth")
        .assert()
        .success();
    assert!(dir.path().join("from-env/demo/main.tf.json").is_file());
}

#[test]
fn replaces_a_stale_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("demo")).unwrap();
    std::fs::write(dir.path().join("demo/main.tf.json"), "{}").unwrap();
    tfsynth()
        .args(["synth", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("wrote"));
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("demo"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    // .tfsynth holds the lock synthesis takes on the stack directory.
    assert_eq!(
        names,
        [".tfsynth", "main.tf.json"],
        "no temporary file left"
    );
}

#[test]
fn list_shows_stacks() {
    tfsynth()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^demo        Demonstration: ").unwrap())
        .stdout(predicate::str::is_match(r"(?m)^financial   Financial services: ").unwrap())
        .stdout(predicate::str::is_match(r"(?m)^serverless  Serverless order intake: ").unwrap())
        .stdout(predicate::str::is_match(r"(?m)^webapp      Web application: ").unwrap());
}

#[test]
fn unknown_stack_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    tfsynth()
        .current_dir(dir.path())
        .args(["synth", "dmeo"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: unknown stack \"dmeo\" (did you mean \"demo\"?); available stacks: demo, financial, serverless, webapp (hint: `tfsynth list` shows them)\n",
        );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn unwritable_out_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    tfsynth()
        .args(["synth", "--out"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains(format!(
            "error: cannot write to output directory {}",
            file.display()
        )))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn bad_flags_are_usage_errors() {
    tfsynth()
        .args(["synth", "--bogus"])
        .assert()
        .code(2)
        .stderr(contains("--bogus"));
    tfsynth()
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(contains("frobnicate"));
    tfsynth()
        .assert()
        .code(2)
        .stderr("error: 'tfsynth' requires a subcommand but one was not provided (usage: tfsynth [OPTIONS] <COMMAND>)\n");
}

#[test]
fn every_command_has_help_with_an_example() {
    let commands = [
        "synth", "list", "validate", "config", "init", "plan", "apply", "destroy", "output",
        "graph",
    ];
    let mut all = vec![vec!["--help"], vec!["help", "synth"]];
    all.extend(commands.iter().map(|c| vec![*c, "--help"]));
    for args in all {
        tfsynth()
            .args(&args)
            .assert()
            .success()
            .stdout(contains("Example"))
            .stdout(contains("Usage: tfsynth"));
    }
    tfsynth()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains(env!("CARGO_PKG_VERSION")));
}
