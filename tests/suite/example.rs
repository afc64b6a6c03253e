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
        .stdout(contains("site    A private S3 bucket"));
    let dir = tempfile::tempdir().unwrap();
    custom_app()
        .args(["synth", "site", "--out"])
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

/// What `custom_app` printed, both streams, after checking the exit code.
fn run(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(code), "{text}");
    text
}

/// A program's messages, help and configuration use its own name and
/// stacks: nothing of `tfsynth`'s binary (its name, variables or the
/// shipped stacks) leaks into an application called `custom_app`.
#[test]
fn an_app_names_itself_in_messages_help_and_configuration() {
    let cwd = tempfile::tempdir().unwrap();
    let app = || {
        let mut cmd = custom_app();
        cmd.current_dir(cwd.path())
            .env_remove("CUSTOM_APP_ALERTS_OWNER")
            .env_remove("CUSTOM_APP_TERRAFORM")
            .env_remove("CUSTOM_APP_PLUGIN_DIR");
        cmd
    };
    let mut seen = Vec::new();

    // The configuration file is `custom_app.toml`, its variables CUSTOM_APP_*.
    let missing = run(app().args(["synth", "alerts"]), 2);
    assert!(
        missing.contains(&format!(
            "error: stack alerts: custom_app.toml [stacks.alerts] owner: missing required value (team that receives the alerts); no custom_app.toml was found in {} or its parents (hint: set it in the file, with --set owner=..., or with CUSTOM_APP_ALERTS_OWNER)",
            cwd.path().display()
        )),
        "{missing}"
    );
    seen.push(missing);
    seen.push(run(
        app()
            .env("CUSTOM_APP_ALERTS_OWNER", "ops")
            .args(["synth", "alerts"]),
        0,
    ));
    std::fs::write(
        cwd.path().join("custom_app.toml"),
        "[stacks.alerts]\nowner = \"ops\"\ntopic_nam = \"x\"\n",
    )
    .unwrap();
    let typo = run(app().args(["config", "alerts"]), 2);
    assert!(
        typo.contains("custom_app.toml [stacks.alerts] topic_nam: unknown key \"topic_nam\" (did you mean \"topic_name\"?)"),
        "{typo}"
    );
    seen.push(typo);
    std::fs::write(
        cwd.path().join("custom_app.toml"),
        "[stacks.alerts]\nowner = \"ops\"\n",
    )
    .unwrap();
    let config = run(app().args(["config", "alerts"]), 0);
    assert!(
        config.contains("custom_app.toml [stacks.alerts]"),
        "{config}"
    );
    seen.push(config);
    let unknown = run(app().args(["synth", "alert"]), 2);
    assert!(
        unknown.contains("(did you mean \"alerts\"?); available stacks: site, alerts (hint: `custom_app list` shows them)"),
        "{unknown}"
    );
    seen.push(unknown);

    // Its runner variables: CUSTOM_APP_TERRAFORM, CUSTOM_APP_PLUGIN_DIR.
    let not_found = run(
        app()
            .env("CUSTOM_APP_TERRAFORM", "/nonexistent/terraform")
            .args(["plan", "site"]),
        2,
    );
    assert!(
        not_found
            .contains("or point custom_app at it with CUSTOM_APP_TERRAFORM=/path/to/terraform"),
        "{not_found}"
    );
    seen.push(not_found);
    let plugins = run(
        app()
            .env("CUSTOM_APP_TERRAFORM", "/bin/true")
            .env("CUSTOM_APP_PLUGIN_DIR", "/nonexistent/plugins")
            .args(["plan", "site"]),
        2,
    );
    assert!(
        plugins.contains("(hint: set CUSTOM_APP_PLUGIN_DIR or `plugin_dir`"),
        "{plugins}"
    );
    seen.push(plugins);
    let timeout = run(
        app()
            .env("CUSTOM_APP_TERRAFORM", "/bin/true")
            .env("CUSTOM_APP_TERRAFORM_TIMEOUT", "never")
            .args(["plan", "site"]),
        2,
    );
    assert!(
        timeout.contains("environment variable CUSTOM_APP_TERRAFORM_TIMEOUT"),
        "{timeout}"
    );
    seen.push(timeout);

    // Another command holding the stack is "another custom_app command".
    std::fs::create_dir_all(cwd.path().join("out/site")).unwrap();
    let held =
        tfsynth::terraform::StackLock::acquire("other", "site", &cwd.path().join("out/site"))
            .unwrap();
    let busy = run(app().args(["synth", "site"]), 1);
    assert!(
        busy.contains("another custom_app command is running in"),
        "{busy}"
    );
    seen.push(busy);
    drop(held);

    // Help: examples with its own name, stacks and keys.
    let help = run(app().arg("--help"), 0);
    assert!(help.contains("Examples:\n  custom_app list\n  custom_app synth\n  custom_app synth site --out build\n  custom_app synth alerts --set topic_name=alerts\n  custom_app config alerts\n  custom_app validate"), "{help}");
    seen.push(help);
    for command in [
        "synth", "list", "validate", "config", "init", "plan", "apply", "destroy", "output",
        "graph",
    ] {
        let text = run(app().args([command, "--help"]), 0);
        assert!(
            text.contains(&format!("  custom_app {command}")),
            "{command}: {text}"
        );
        seen.push(text);
    }
    for text in &seen {
        for foreign in ["tfsynth", "TFSYNTH", "financial", "webapp", "demo"] {
            assert!(!text.contains(foreign), "{foreign:?} in:\n{text}");
        }
    }
}
