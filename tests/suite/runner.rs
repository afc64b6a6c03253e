//! The terraform runner against a fake terraform that records its calls,
//! working directory, environment and the signals it receives.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use predicates::str::contains;

use super::support::{tfsynth, tree};

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        Fake {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("terraform.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The terraform commands called, without `version`.
    fn calls(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter_map(|l| l.strip_prefix("call "))
            .filter(|c| !c.starts_with("version"))
            .map(str::to_owned)
            .collect()
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = tfsynth();
        cmd.env("TFSYNTH_TERRAFORM", fake_binary())
            .env("FAKE_TF_LOG", self.log_path())
            .env_remove("TFSYNTH_PLUGIN_DIR")
            .env_remove("FAKE_TF_EXIT")
            .env_remove("FAKE_TF_SLEEP")
            .env_remove("FAKE_TF_SLOW")
            .env_remove("FAKE_TF_VERSION")
            .arg("--out")
            .arg(self.out());
        cmd
    }
}

fn fake_binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake-terraform")
}

#[test]
fn plan_initializes_once_then_plans_into_a_saved_file() {
    let fake = Fake::new();
    let plugins = fake.dir.path().join("plugins");
    std::fs::create_dir_all(plugins.join("registry.terraform.io")).unwrap();
    fake.cmd()
        .args(["plan", "demo"])
        .env("TFSYNTH_PLUGIN_DIR", &plugins)
        .assert()
        .success();
    assert_eq!(
        fake.calls(),
        [
            format!(
                "init -input=false -no-color -plugin-dir={}",
                plugins.display()
            ),
            "plan -input=false -out=tfsynth.tfplan -no-color".to_owned(),
        ]
    );
    let stack_dir = fake.out().join("demo");
    assert!(fake.log().contains(&format!("cwd {}", stack_dir.display())));
    assert!(
        fake.log()
            .contains("env TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_WORKSPACE=\n")
    );
    fake.cmd()
        .args(["plan", "demo", "--", "-refresh=false"])
        .env("TFSYNTH_PLUGIN_DIR", &plugins)
        .assert()
        .success();
    assert_eq!(fake.calls().len(), 3, "no second init: {:?}", fake.calls());
    assert_eq!(
        fake.calls()[2],
        "plan -input=false -out=tfsynth.tfplan -no-color -refresh=false"
    );
}

#[test]
fn apply_uses_the_current_saved_plan() {
    let fake = Fake::new();
    fake.cmd().args(["plan", "demo"]).assert().success();
    fake.cmd()
        .args(["apply", "demo", "--auto-approve"])
        .assert()
        .success();
    assert_eq!(
        fake.calls(),
        [
            "init -input=false -no-color",
            "plan -input=false -out=tfsynth.tfplan -no-color",
            "apply -input=false -no-color tfsynth.tfplan"
        ]
    );
    assert!(
        !fake.out().join("demo/tfsynth.tfplan").exists(),
        "an applied plan is not reused"
    );
    fake.cmd()
        .args(["apply", "demo", "--auto-approve"])
        .assert()
        .success();
    let calls = fake.calls();
    assert_eq!(
        calls[3..],
        [
            "plan -input=false -out=tfsynth.tfplan -no-color",
            "apply -input=false -no-color tfsynth.tfplan"
        ]
    );
}

#[test]
fn apply_and_destroy_refuse_without_a_terminal_before_touching_anything() {
    let fake = Fake::new();
    for command in ["apply", "destroy"] {
        fake.cmd()
            .args([command, "demo"])
            .write_stdin("yes\n")
            .assert()
            .code(2)
            .stderr(format!("error: stack demo: {command} changes real infrastructure and needs confirmation, but standard input is not a terminal (hint: pass --auto-approve)\n"));
    }
    assert_eq!(fake.calls(), Vec::<String>::new(), "not even init ran");
    assert!(!fake.out().exists(), "nothing was synthesized");
}

#[test]
fn destroy_passes_auto_approve_and_extra_arguments() {
    let fake = Fake::new();
    fake.cmd()
        .args([
            "destroy",
            "demo",
            "--auto-approve",
            "--",
            "-target=aws_vpc.main",
        ])
        .assert()
        .success();
    assert_eq!(
        fake.calls().last().unwrap(),
        "destroy -input=false -auto-approve -no-color -target=aws_vpc.main"
    );
}

#[test]
fn terraform_exit_code_is_passed_through() {
    let fake = Fake::new();
    fake.cmd()
        .args(["plan", "demo"])
        .env("FAKE_TF_EXIT", "3")
        .assert()
        .code(3)
        .stderr(contains("terraform init failed with exit code 3"));
}

#[test]
fn output_passes_through() {
    let fake = Fake::new();
    fake.cmd().args(["synth", "demo"]).assert().success();
    fake.cmd()
        .args(["output", "demo", "--json"])
        .assert()
        .success()
        .stdout(contains("\"value\": \"vpc-123\""));
    assert_eq!(fake.calls().last().unwrap(), "output -json -no-color");
}

#[test]
fn clear_errors_before_terraform_runs() {
    let fake = Fake::new();
    fake.cmd()
        .args(["plan", "demo"])
        .env("FAKE_TF_VERSION", "1.5.7")
        .assert()
        .code(2)
        .stderr(contains("error: stack demo: terraform 1.5.7 does not satisfy the stack's required_version \">= 1.6.0\""));
    fake.cmd()
        .args(["plan", "demo"])
        .env("TFSYNTH_TERRAFORM", "/nonexistent/terraform")
        .assert()
        .code(2)
        .stderr(contains("error: terraform not found (tried /nonexistent/terraform); install terraform, put it on PATH, or point tfsynth at it with TFSYNTH_TERRAFORM"));
    fake.cmd()
        .args(["plan", "demo"])
        .env("TFSYNTH_PLUGIN_DIR", "/nonexistent/plugins")
        .assert()
        .code(2)
        .stderr(contains(
            "error: provider plugin directory /nonexistent/plugins does not exist",
        ));
    fake.cmd()
        .args(["plan", "nosuch"])
        .assert()
        .code(2)
        .stderr(contains("unknown stack \"nosuch\""));
    fake.cmd()
        .args(["plan", "webapp", "--skip-synth"])
        .assert()
        .code(2)
        .stderr(contains(
            "main.tf.json does not exist (hint: run without --skip-synth",
        ));
    let output = fake.cmd().args(["output", "webapp"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("(hint: pass --synth, or `tfsynth synth webapp` first")
            && !stderr.contains("--skip-synth"),
        "output has no --skip-synth to suggest: {stderr}"
    );
    assert!(
        fake.calls().is_empty(),
        "terraform never ran: {:?}",
        fake.calls()
    );
}

#[test]
fn state_and_lock_files_are_never_touched() {
    let fake = Fake::new();
    fake.cmd().args(["synth", "demo"]).assert().success();
    let dir = fake.out().join("demo");
    std::fs::write(dir.join("terraform.tfstate"), "{\"serial\": 41}").unwrap();
    std::fs::write(dir.join("terraform.tfstate.backup"), "{\"serial\": 40}").unwrap();
    std::fs::write(dir.join(".terraform.lock.hcl"), "# lock").unwrap();
    let keep = [
        "terraform.tfstate",
        "terraform.tfstate.backup",
        ".terraform.lock.hcl",
    ];
    let before: Vec<_> = tree(&dir)
        .into_iter()
        .filter(|(p, _)| keep.contains(&p.to_str().unwrap()))
        .collect();
    for args in [
        &["plan", "demo"][..],
        &["apply", "demo", "--auto-approve"],
        &["destroy", "demo", "--auto-approve"],
        &["init", "demo"],
    ] {
        fake.cmd().args(args).assert().success();
    }
    let after: Vec<_> = tree(&dir)
        .into_iter()
        .filter(|(p, _)| keep.contains(&p.to_str().unwrap()))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn a_second_command_on_the_same_stack_is_refused() {
    let fake = Fake::new();
    fake.cmd().args(["synth", "demo"]).assert().success();
    let _held = tfsynth::terraform::StackLock::acquire("tfsynth", "demo", &fake.out().join("demo"))
        .unwrap();
    fake.cmd()
        .args(["plan", "demo", "--skip-synth"])
        .assert()
        .code(1)
        .stderr(contains(
            "error: stack demo is busy: another tfsynth command is running in",
        ));
}

fn wait_for(fake: &Fake, text: &str) {
    let start = Instant::now();
    while !fake.log().contains(text) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "terraform never logged {text:?}: {}",
            fake.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(signal: libc::c_int, expected_code: i32, logged: &str) {
    let fake = Fake::new();
    fake.cmd().args(["synth", "demo"]).assert().success();
    let mut std_cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("tfsynth"));
    std_cmd
        .args(["apply", "demo", "--auto-approve", "--skip-synth", "--out"])
        .arg(fake.out())
        .env("TFSYNTH_CONFIG", super::support::repo_config())
        .env("TFSYNTH_TERRAFORM", fake_binary())
        .env("FAKE_TF_LOG", fake.log_path())
        .env("FAKE_TF_SLEEP", "30")
        .env("FAKE_TF_SLOW", "apply")
        .env_remove("TFSYNTH_PLUGIN_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = std_cmd.spawn().unwrap();
    wait_for(&fake, "started apply");
    // SAFETY: signals our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    let status = child.wait().unwrap();
    let log = fake.log();
    assert_eq!(
        status.code(),
        Some(expected_code),
        "tfsynth exits with terraform's code\n{log}"
    );
    assert_eq!(
        log.matches("signal ").count(),
        1,
        "forwarded exactly once\n{log}"
    );
    assert!(log.contains(logged), "{log}");
    assert!(
        log.trim_end().ends_with("released lock"),
        "terraform finished cleaning up before tfsynth exited\n{log}"
    );
}

#[test]
fn sigterm_is_forwarded_and_tfsynth_waits() {
    interrupt(libc::SIGTERM, 143, "signal TERM");
}

#[test]
fn sigint_is_forwarded_once_and_tfsynth_waits() {
    interrupt(libc::SIGINT, 130, "signal INT");
}

/// Starts `tfsynth ARGS` with the fake terraform taking `sleep` seconds and
/// cleaning up for `cleanup` seconds after an interrupt.
fn spawn_slow(fake: &Fake, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("tfsynth"));
    cmd.args(args)
        .arg("--out")
        .arg(fake.out())
        .env("TFSYNTH_CONFIG", super::support::repo_config())
        .env("TFSYNTH_TERRAFORM", fake_binary())
        .env("FAKE_TF_LOG", fake.log_path())
        .env("FAKE_TF_SLEEP", "30")
        .env_remove("TFSYNTH_PLUGIN_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

fn signal(child: &std::process::Child, sig: libc::c_int) {
    // SAFETY: signals our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
}

/// 1, 2 and 3 interrupts: the first stops terraform cleanly, the second
/// aborts it after tfsynth has said it would, a third is not passed on.
#[test]
fn interrupts_are_passed_on_once_then_twice_and_never_more() {
    for n in 1..=3usize {
        let fake = Fake::new();
        fake.cmd().args(["synth", "demo"]).assert().success();
        let child = spawn_slow(
            &fake,
            &["apply", "demo", "--auto-approve", "--skip-synth"],
            &[
                ("FAKE_TF_CLEANUP", "5"),
                ("FAKE_TF_ABORT", "2"),
                ("FAKE_TF_SLOW", "apply"),
            ],
        );
        wait_for(&fake, "started apply");
        for i in 1..=n {
            signal(&child, libc::SIGINT);
            if i <= 2 {
                let want = i;
                let start = Instant::now();
                while fake.log().matches("signal INT").count() < want {
                    assert!(start.elapsed() < Duration::from_secs(20), "{}", fake.log());
                    std::thread::sleep(Duration::from_millis(20));
                }
            } else {
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        let out = child.wait_with_output().unwrap();
        let log = fake.log();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            log.matches("signal INT").count(),
            n.min(2),
            "{n} interrupts\n{log}"
        );
        assert!(
            stderr.contains("interrupt again to abort it, which may leave the state locked"),
            "{stderr}"
        );
        match n {
            1 => assert!(log.trim_end().ends_with("released lock"), "{log}"),
            _ => assert!(
                log.contains("aborted") && !log.contains("released lock"),
                "{log}"
            ),
        }
        if n == 3 {
            assert!(stderr.contains("terraform is already aborting"), "{stderr}");
        }
        assert_ne!(out.status.code(), Some(0));
    }
}

#[test]
fn sighup_is_forwarded_like_sigterm() {
    interrupt(libc::SIGHUP, 129, "signal HUP");
}

/// terraform exiting 0 after an interrupt does not let the run go on: no
/// second stack, and no apply after an interrupted plan.
#[test]
fn an_interrupted_run_starts_nothing_more() {
    for (args, never) in [
        (
            &["plan", "demo", "webapp", "--parallel", "1"][..],
            "plan -input=false -out=tfsynth.tfplan -no-color",
        ),
        (&["apply", "demo", "--auto-approve"][..], "apply"),
    ] {
        let fake = Fake::new();
        let child = spawn_slow(&fake, args, &[("FAKE_TF_INTERRUPT_EXIT", "0")]);
        wait_for(&fake, "started plan");
        signal(&child, libc::SIGINT);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("was interrupted"), "{stderr}");
        let calls = fake.calls();
        let matching = calls.iter().filter(|c| c.starts_with(never)).count();
        assert!(
            matching <= 1 && !calls.iter().any(|c| c.starts_with("apply")),
            "{args:?}: {calls:?}"
        );
        assert_eq!(
            calls.iter().filter(|c| c.starts_with("plan")).count(),
            1,
            "{calls:?}"
        );
    }
}

/// Stacks running at once: one interrupt reaches every terraform, each
/// cleans up, nothing more starts, and the summary says what happened.
#[test]
fn an_interrupt_reaches_every_stack_running_at_once() {
    let fake = Fake::new();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("tfsynth"));
    cmd.args(["apply", "demo", "webapp", "--auto-approve", "--out"])
        .arg(fake.out())
        .env("TFSYNTH_CONFIG", super::support::repo_config())
        .env("TFSYNTH_TERRAFORM", fake_binary())
        .env("FAKE_TF_LOG", fake.log_path())
        .env("FAKE_TF_SLEEP", "30")
        .env("FAKE_TF_SLOW", "plan")
        .env("FAKE_TF_CLEANUP", "0.5")
        .env_remove("TFSYNTH_PLUGIN_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let start = Instant::now();
    while fake.log().matches("started plan").count() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "both plans start: {}",
            fake.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let log = fake.log();
    assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}{log}");
    assert_eq!(log.matches("signal INT").count(), 2, "{log}");
    assert_eq!(log.matches("released lock").count(), 2, "{log}");
    assert!(
        !fake.calls().iter().any(|c| c.starts_with("apply")),
        "{log}"
    );
    for stack in ["demo  ", "webapp"] {
        assert!(
            stderr.contains(&format!(
                "{stack} | tfsynth: passed the interrupt to terraform"
            )),
            "{stderr}"
        );
        assert!(
            stdout.contains(&format!(
                "{stack} | Interrupt received. Gracefully shutting down..."
            )),
            "{stdout}"
        );
    }
    assert!(stdout.contains("\nsummary:\n"), "{stdout}");
    assert!(stderr.contains("was interrupted"), "{stderr}");
}

/// apply without --auto-approve over several stacks, at a terminal (a
/// pseudo-terminal from `script`): one stack at a time, each question after
/// that stack's plan, and a "no" stops the run there.
#[test]
fn questions_come_one_stack_at_a_time_after_its_plan() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "skipped: questions_come_one_stack_at_a_time_after_its_plan: no `script` to give tfsynth a terminal"
        );
        return;
    }
    let fake = Fake::new();
    let command = format!(
        "{} apply demo webapp --parallel 2 --out {}",
        assert_cmd::cargo::cargo_bin("tfsynth").display(),
        fake.out().display()
    );
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TFSYNTH_CONFIG", super::support::repo_config())
        .env("TFSYNTH_TERRAFORM", fake_binary())
        .env("FAKE_TF_LOG", fake.log_path())
        .env_remove("TFSYNTH_PLUGIN_DIR")
        .env_remove("FAKE_TF_SLEEP")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"yes\nno\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("note: apply asks before each stack, so the stacks run one at a time"),
        "{text}"
    );
    let plan = text.find("demo   | Plan: 1 to add").expect(&text);
    let question = text
        .find("Apply the plan above to stack demo? Type yes:")
        .expect(&text);
    let second = text.find("==> webapp:").expect(&text);
    assert!(plan < question && question < second, "{text}");
    assert!(
        text.contains("error: stack webapp: apply cancelled"),
        "{text}"
    );
    let applies: Vec<String> = fake
        .log()
        .lines()
        .filter(|l| l.starts_with("call apply") || l.starts_with("cwd "))
        .map(str::to_owned)
        .collect();
    let applied: Vec<&String> = applies
        .windows(2)
        .filter(|w| w[0].starts_with("call apply"))
        .map(|w| &w[1])
        .collect();
    assert_eq!(applied.len(), 1, "only demo is applied: {applies:?}");
    assert!(applied[0].ends_with("/demo"), "{applies:?}");
}

#[test]
fn a_hanging_terraform_is_named_and_left() {
    let fake = Fake::new();
    let start = Instant::now();
    fake.cmd()
        .args(["plan", "demo"])
        .env("FAKE_TF_HANG", "1")
        .env("TFSYNTH_TERRAFORM_TIMEOUT", "1")
        .assert()
        .code(1)
        .stderr(contains(
            "did not answer `terraform version -json` within 1 s",
        ));
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn terraform_paths_are_resolved_where_tfsynth_started() {
    let fake = Fake::new();
    let bin = fake.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(fake_binary(), bin.join("terraform")).unwrap();
    let plugins = fake.dir.path().join("plugins/registry.terraform.io");
    std::fs::create_dir_all(&plugins).unwrap();
    fake.cmd()
        .current_dir(fake.dir.path())
        .env("TFSYNTH_TERRAFORM", "bin/terraform")
        .env("TFSYNTH_PLUGIN_DIR", "plugins")
        .args(["init", "demo"])
        .assert()
        .success();
    let plugin_arg = format!("-plugin-dir={}", fake.dir.path().join("plugins").display());
    assert!(
        fake.calls().iter().any(|c| c.contains(&plugin_arg)),
        "{:?}",
        fake.calls()
    );
    // A file that is there but cannot be run is named as such.
    let plain = fake.dir.path().join("not-executable");
    std::fs::write(&plain, "#!/bin/sh\n").unwrap();
    fake.cmd()
        .env("TFSYNTH_TERRAFORM", &plain)
        .args(["plan", "demo"])
        .assert()
        .code(2)
        .stderr(contains("is not an executable file"));
    fake.cmd()
        .env("TFSYNTH_TERRAFORM", fake.dir.path().join("missing"))
        .args(["plan", "demo"])
        .assert()
        .code(2)
        .stderr(contains("terraform not found"));
}

/// The lock is taken before anything is written: a synth or a plan of a
/// stack another command holds changes none of its files.
#[test]
fn the_stack_lock_covers_synthesis() {
    let fake = Fake::new();
    fake.cmd().args(["synth", "demo"]).assert().success();
    let file = fake.out().join("demo/main.tf.json");
    std::fs::write(&file, "{\"held\": true}").unwrap();
    let _held = tfsynth::terraform::StackLock::acquire("tfsynth", "demo", &fake.out().join("demo"))
        .unwrap();
    for args in [&["synth", "demo"][..], &["plan", "demo"][..]] {
        fake.cmd()
            .args(args)
            .assert()
            .code(1)
            .stderr(contains("error: stack demo is busy"));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "{\"held\": true}",
            "{args:?}"
        );
    }
    assert!(fake.calls().is_empty());
}

/// While `plan webapp` runs terraform, a concurrent `synth webapp` and a
/// second `plan webapp` are refused without touching the file terraform reads.
#[test]
fn a_running_plan_keeps_its_stack_from_concurrent_synthesis() {
    let fake = Fake::new();
    let child = spawn_slow(&fake, &["plan", "webapp"], &[("FAKE_TF_SLOW", "plan")]);
    wait_for(&fake, "started plan");
    let file = fake.out().join("webapp/main.tf.json");
    let before = std::fs::read(&file).unwrap();
    for args in [
        &["synth", "webapp", "--set", "webapp.asg_max=5"][..],
        &["plan", "webapp", "--set", "webapp.asg_max=5"][..],
    ] {
        fake.cmd()
            .args(args)
            .assert()
            .code(1)
            .stderr(contains("error: stack webapp is busy"));
        assert_eq!(
            std::fs::read(&file).unwrap(),
            before,
            "{args:?} rewrote the file"
        );
    }
    signal(&child, libc::SIGINT);
    let _ = child.wait_with_output().unwrap();
    // Once the plan is over, synthesis goes ahead.
    fake.cmd()
        .args(["synth", "webapp", "--set", "webapp.asg_max=5"])
        .assert()
        .success();
    assert_ne!(std::fs::read(&file).unwrap(), before);
}
