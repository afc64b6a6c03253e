//! `tfsynth new`: a user's project scaffolded into an empty folder, which
//! builds, synthesizes and passes its own tests against this checkout at
//! once; a folder that holds anything, and a name that cannot name a crate,
//! are refused with nothing written.

use std::path::Path;
use std::process::Command;

use predicates::str::contains;

use super::support::{tfsynth, user_target};

/// The files and folders under `dir`, sorted, as paths relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn new_refuses_a_folder_in_the_way_and_a_bad_name() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("taken");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    tfsynth()
        .current_dir(parent.path())
        .args(["new", "infra", "--dir", "taken"])
        .assert()
        .code(2)
        .stderr(contains(
            "error: new: taken is not empty; nothing was written (hint: choose another --dir)",
        ));
    assert_eq!(listing(parent.path()), ["taken", "taken/notes.txt"]);
    std::fs::write(parent.path().join("file"), "").unwrap();
    tfsynth()
        .current_dir(parent.path())
        .args(["new", "infra", "--dir", "file"])
        .assert()
        .code(2)
        .stderr(contains("error: new: file exists and is not a folder"));
    for (name, why) in [
        ("Infra", "must start with a lowercase letter"),
        (
            "my infra",
            "' ' is not allowed: use lowercase letters, digits, - and _",
        ),
        ("infra-", "must not end with - or _"),
        (
            "tfsynth",
            "is the name of a crate or keyword the project needs",
        ),
    ] {
        tfsynth()
            .current_dir(parent.path())
            .args(["new", name])
            .assert()
            .code(2)
            .stderr(contains(format!("error: new: project name {name:?} {why}")));
    }
    assert_eq!(listing(parent.path()), ["file", "taken", "taken/notes.txt"]);
}

#[test]
fn new_scaffolds_a_project_that_builds_and_passes_its_tests() {
    let parent = tempfile::tempdir().unwrap();
    // An empty folder is used as it is.
    std::fs::create_dir(parent.path().join("infra")).unwrap();
    tfsynth()
        .current_dir(parent.path())
        .args(["new", "acme_infra", "--dir", "infra"])
        .assert()
        .success()
        .stdout(contains("created acme_infra in infra"));
    let dir = parent.path().join("infra");
    assert_eq!(
        listing(&dir),
        [
            ".gitignore",
            "Cargo.lock",
            "Cargo.toml",
            "README.md",
            "acme_infra.toml",
            "src",
            "src/main.rs",
            "src/tests.rs"
        ]
    );
    assert_eq!(listing(parent.path()).len(), 9, "no scratch folder is left");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let engine = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/tfsynth")
        .canonicalize()
        .unwrap();
    assert!(
        manifest.contains(&format!("tfsynth = {{ path = \"{}\" }}", engine.display())),
        "depends on this checkout by default:\n{manifest}"
    );
    assert!(
        std::fs::read_to_string(dir.join(".gitignore"))
            .unwrap()
            .lines()
            .any(|l| l == "/out")
    );
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("ACME_INFRA_EMULATOR_ENDPOINT"), "{readme}");

    let cargo = |args: &[&str]| {
        let out = Command::new(env!("CARGO"))
            .args(args)
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", user_target())
            .env_remove("ACME_INFRA_EMULATOR_ENDPOINT")
            .env_remove("ACME_INFRA_REQUIRE_EMULATOR")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo {}:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tested = cargo(&["test", "--offline", "--quiet"]);
    assert!(tested.contains("test result: ok. 4 passed"), "{tested}");
    let synthesized = cargo(&["run", "--offline", "--quiet", "--", "synth"]);
    assert_eq!(
        synthesized,
        "wrote out/storage/main.tf.json (4 resources, 0 data sources)\n"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("out/storage/main.tf.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["provider"]["aws"][0]["default_tags"]["tags"]["ManagedBy"],
        "acme_infra"
    );
    assert_eq!(
        json["resource"]["aws_s3_bucket"]["data"]["bucket"],
        "acme-infra-dev-data"
    );
    assert_eq!(
        cargo(&["run", "--offline", "--quiet", "--", "validate"]),
        "stack storage: valid\n"
    );
}
