//! Helpers shared by the test areas.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `tfsynth` binary under test.
pub fn tfsynth() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("tfsynth").expect("the tfsynth binary is built");
    cmd.env_remove("TFSYNTH_OUT")
        .env_remove("TFSYNTH_ENV")
        .env("TFSYNTH_CONFIG", repo_config());
    for (key, _) in std::env::vars()
        .filter(|(k, _)| k.starts_with("TFSYNTH_FINANCIAL_") || k.starts_with("TFSYNTH_WEBAPP_"))
    {
        cmd.env_remove(key);
    }
    cmd
}

/// The repository's own configuration file.
pub fn repo_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tfsynth.toml")
}

/// Synthesizes `stack` with the binary into a fresh directory and parses it.
pub fn synth_stack(stack: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    tfsynth()
        .args(["synth", stack, "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join(stack).join("main.tf.json")).unwrap();
    (dir, text)
}

/// Says on the terminal (not in captured test output) that a test did not run.
pub fn skip(test: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "skipped: {test}: {reason}");
}

/// The real terraform and the provider plugin directory, when both are there.
pub struct Terraform {
    pub bin: PathBuf,
    pub plugin_dir: PathBuf,
}

impl Terraform {
    /// Finds terraform and the plugin directory, or explains why not. When
    /// `TFSYNTH_REQUIRE_TERRAFORM=1`, a missing tool is a test failure.
    pub fn find(test: &str) -> Option<Terraform> {
        let found = Self::locate();
        match found {
            Ok(t) => Some(t),
            Err(reason) if std::env::var("TFSYNTH_REQUIRE_TERRAFORM").as_deref() == Ok("1") => {
                panic!("{test}: TFSYNTH_REQUIRE_TERRAFORM=1 but {reason}")
            }
            Err(reason) => {
                skip(test, &reason);
                None
            }
        }
    }

    fn locate() -> Result<Terraform, String> {
        let bin = PathBuf::from(
            std::env::var("TFSYNTH_TERRAFORM").unwrap_or_else(|_| "terraform".into()),
        );
        let version = Command::new(&bin)
            .arg("version")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output();
        if !version.is_ok_and(|o| o.status.success()) {
            return Err(format!("terraform not runnable as {}", bin.display()));
        }
        let plugin_dir = std::env::var("TFSYNTH_PLUGIN_DIR").map_err(|_| {
            "TFSYNTH_PLUGIN_DIR is not set (the provider mirror directory)".to_string()
        })?;
        let plugin_dir = PathBuf::from(plugin_dir);
        if !plugin_dir.join("registry.terraform.io").is_dir() {
            return Err(format!(
                "{} holds no registry.terraform.io folder",
                plugin_dir.display()
            ));
        }
        Ok(Terraform { bin, plugin_dir })
    }

    /// Runs terraform in `dir` without reading any user CLI configuration.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Output {
        Command::new(&self.bin)
            .args(args)
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .expect("terraform runs")
    }

    /// Runs terraform with extra environment variables; returns (success, stdout + stderr).
    pub fn run_env(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("CHECKPOINT_DISABLE", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("terraform runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// Runs terraform and fails the test, showing its output, unless it succeeds.
    pub fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run(dir, args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "terraform {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// `terraform init` from the plugin directory only.
    pub fn init(&self, dir: &Path) {
        let plugin_arg = format!("-plugin-dir={}", self.plugin_dir.display());
        self.ok(
            dir,
            &[
                "init",
                "-input=false",
                "-no-color",
                "-backend=false",
                &plugin_arg,
            ],
        );
    }
}

/// Every file below `dir` with its bytes, sorted by path.
pub fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                out.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// Validates Terraform JSON with the AWS schema and policy, as `tfsynth validate` does.
pub fn aws_validate(text: &str) -> tfsynth::validate::Report {
    static SCHEMAS: std::sync::OnceLock<tfsynth::validate::Schemas> = std::sync::OnceLock::new();
    let schemas =
        SCHEMAS.get_or_init(|| tfsynth::validate::Schemas::new(&[&tfsynth_aws::PROVIDER]));
    tfsynth::validate::validate(text, schemas, &[tfsynth_modules::policy::AWS])
}

/// Where the user crates the tests generate are built, kept between runs
/// (and shared between them) so that only what changed is compiled again.
pub fn user_target() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/user-crates")
}

/// The HCL export of synthesized JSON, read with the AWS schema; the test
/// fails on any export problem.
pub fn hcl(json: &str) -> String {
    let schemas = tfsynth::validate::Schemas::new(&[&tfsynth_aws::PROVIDER]);
    tfsynth::export::to_hcl(json, &schemas).unwrap_or_else(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("HCL export failed:\n{}", lines.join("\n"))
    })
}

/// The stack's file in each format, `main.tf.json` and its HCL export
/// `main.tf`, as (file name, text).
pub fn both_formats(json: &str) -> [(&'static str, String); 2] {
    [("main.tf.json", json.to_owned()), ("main.tf", hcl(json))]
}

impl Terraform {
    /// Fails the test when `terraform fmt` would change any file in `dir`.
    pub fn fmt_clean(&self, dir: &Path) {
        let diff = self.ok(dir, &["fmt", "-check", "-diff", "-no-color"]);
        assert_eq!(
            diff,
            "",
            "terraform fmt would change the files in {}",
            dir.display()
        );
    }
}

/// Runs `app`'s command line in-process with `args` (the first is the
/// program name); returns the exit code, standard output and error.
pub fn run_app(app: &tfsynth::App, args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = tfsynth::cli::run_with_output(app, args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Environment that sends every AWS and HCP Terraform call terraform makes
/// to a closed loopback port, with throwaway credentials: a run decodes the
/// configuration and then fails only when it connects.
pub const CLOSED_ENDPOINTS: [(&str, &str); 6] = [
    ("AWS_ACCESS_KEY_ID", "test"),
    ("AWS_SECRET_ACCESS_KEY", "test"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    ("AWS_MAX_ATTEMPTS", "1"),
    ("TF_TOKEN_127_0_0_1_9", "test"),
];
