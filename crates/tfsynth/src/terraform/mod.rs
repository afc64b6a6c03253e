//! The terraform runner: locate terraform, check its version against the
//! stack's `required_version`, run init/plan/apply/destroy/output in the
//! stack's directory with its output streaming live, forward interrupts, and
//! read outputs back into typed Rust values.
//!
//! **Invariant:** the runner never deletes or rewrites terraform's state or
//! lock files; its own bookkeeping lives in `<stack dir>/.tfsynth/`.
//!
//! **Invariant:** tfsynth never exits before terraform does: an interrupt is
//! forwarded to terraform, which stops cleanly, releases its lock and writes
//! its state, and tfsynth then exits with terraform's exit code.

mod process;
mod version;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use process::{Output, SignalGuard, StackLock, Streamed, run_streaming};
pub use version::{Version, satisfies};

/// Why terraform could not be run.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The terraform binary was not found.
    #[error(
        "terraform not found (tried {tried}); install terraform, put it on PATH, or point {app} at it with {prefix}_TERRAFORM=/path/to/terraform or `binary` in the [terraform] table of the configuration file"
    )]
    NotFound {
        /// What was tried.
        tried: String,
        /// The program's name.
        app: String,
        /// Its environment-variable prefix.
        prefix: String,
    },
    /// The terraform binary exists but cannot be run.
    #[error("{} is not an executable file (hint: chmod +x it, or point {prefix}_TERRAFORM at terraform)", path.display())]
    NotExecutable {
        /// The file.
        path: PathBuf,
        /// The program's environment-variable prefix.
        prefix: String,
    },
    /// terraform did not answer `terraform version` in time.
    #[error("{} did not answer `terraform version -json` within {seconds} s (hint: check that it is terraform; {prefix}_TERRAFORM_TIMEOUT sets the limit)", bin.display())]
    Hung {
        /// The binary.
        bin: PathBuf,
        /// The limit.
        seconds: u64,
        /// The program's environment-variable prefix.
        prefix: String,
    },
    /// An environment variable the runner reads has a value it cannot use.
    #[error("environment variable {var}: {message}")]
    Variable {
        /// The variable.
        var: String,
        /// What is wrong with its value.
        message: String,
    },
    /// terraform is older than the stack requires.
    #[error(
        "stack {stack}: terraform {found} does not satisfy the stack's required_version {required:?} (hint: install a newer terraform or point {prefix}_TERRAFORM at one)"
    )]
    TooOld {
        /// The stack.
        stack: String,
        /// The version found.
        found: String,
        /// The constraint.
        required: String,
        /// The program's environment-variable prefix.
        prefix: String,
    },
    /// The configured plugin directory does not exist or has no providers.
    #[error("provider plugin directory {} {why} (hint: set {prefix}_PLUGIN_DIR or `plugin_dir` in the [terraform] table to the folder that holds registry.terraform.io/)", path.display())]
    PluginDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong with it.
        why: &'static str,
        /// The program's environment-variable prefix.
        prefix: String,
    },
    /// The stack has not been synthesized (with --skip-synth, or for `output`).
    #[error("stack {stack}: {} does not exist (hint: {hint})", path.display())]
    NotSynthesized {
        /// The stack.
        stack: String,
        /// The missing file.
        path: PathBuf,
        /// How to get it.
        hint: String,
    },
    /// The run was interrupted; nothing more was started.
    #[error(
        "terraform {command} was interrupted (signal {signal}, terraform exited with {code}); nothing more was started"
    )]
    Interrupted {
        /// The terraform command.
        command: String,
        /// The first signal received.
        signal: i32,
        /// terraform's exit code.
        code: i32,
    },
    /// A signal came between two stacks of a run, while no terraform ran.
    #[error("interrupted (signal {signal}) before stack {stack} started; nothing more was started")]
    InterruptedBefore {
        /// The first stack left out.
        stack: String,
        /// The first signal received.
        signal: i32,
    },
    /// Another command of the program holds the stack directory.
    #[error("stack {stack} is busy: another {app} command is running in {} (hint: wait for it to finish)", dir.display())]
    Busy {
        /// The stack.
        stack: String,
        /// Its directory.
        dir: PathBuf,
        /// The program's name.
        app: String,
    },
    /// A command that changes infrastructure needs confirmation and there is no one to ask.
    #[error(
        "stack {stack}: {command} changes real infrastructure and needs confirmation, but standard input is not a terminal (hint: pass --auto-approve)"
    )]
    NeedsConfirmation {
        /// The stack.
        stack: String,
        /// The command.
        command: &'static str,
    },
    /// The user declined.
    #[error("stack {stack}: {command} cancelled")]
    Cancelled {
        /// The stack.
        stack: String,
        /// The command.
        command: &'static str,
    },
    /// Reading terraform's output failed.
    #[error("stack {stack}: cannot read terraform outputs: {reason}")]
    Outputs {
        /// The stack.
        stack: String,
        /// What went wrong.
        reason: String,
    },
    /// An I/O failure around running terraform.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

impl RunError {
    /// 2 for what the user can fix in their invocation or setup, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Interrupted { code, signal, .. } => u8::try_from(*code)
                .ok()
                .filter(|c| *c != 0)
                .unwrap_or(128 + *signal as u8),
            RunError::InterruptedBefore { signal, .. } => 128 + *signal as u8,
            RunError::Io { .. }
            | RunError::Outputs { .. }
            | RunError::Busy { .. }
            | RunError::Hung { .. } => 1,
            _ => 2,
        }
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> RunError {
    let context = context.into();
    move |source| RunError::Io { context, source }
}

/// A located terraform and where its providers come from.
#[derive(Clone, Debug)]
pub struct Terraform {
    /// The binary.
    pub bin: PathBuf,
    /// The provider plugin directory, passed to `init` as `-plugin-dir`.
    pub plugin_dir: Option<PathBuf>,
    /// The program that runs terraform (`tfsynth`, or a user's app), named in
    /// its messages; its environment variables start with
    /// [`crate::config::env_prefix`] of it.
    pub program: String,
}

/// How long `terraform version` may take: `<PREFIX>_TERRAFORM_TIMEOUT`
/// seconds (1 to 3600), default 30.
pub fn version_timeout(prefix: &str) -> Result<std::time::Duration, RunError> {
    let var = format!("{prefix}_TERRAFORM_TIMEOUT");
    let Some(value) = std::env::var_os(&var) else {
        return Ok(std::time::Duration::from_secs(30));
    };
    value
        .to_str()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| RunError::Variable {
            var,
            message: "expected a whole number of seconds from 1 to 3600".into(),
        })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Finds `name` on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

impl Terraform {
    /// Locates terraform for `program`: `<PREFIX>_TERRAFORM`, else the
    /// configuration's `[terraform] binary`, else `terraform` on PATH; and
    /// the plugin directory: `<PREFIX>_PLUGIN_DIR`, else `[terraform]
    /// plugin_dir` (`TFSYNTH_TERRAFORM`, `TFSYNTH_PLUGIN_DIR` for tfsynth). A
    /// relative path in a variable is taken from the working directory, one
    /// in the configuration file from the file's folder, so terraform, which
    /// runs in each stack's folder, gets paths that still hold there.
    pub fn locate(
        program: &str,
        binary: Option<&str>,
        plugin_dir: Option<&str>,
        config_dir: Option<&Path>,
    ) -> Result<Terraform, RunError> {
        let prefix = crate::config::env_prefix(program);
        let cwd = std::env::current_dir().unwrap_or_default();
        let env = |suffix: &str| {
            std::env::var_os(format!("{prefix}_{suffix}"))
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let from_config = |value: Option<&str>| {
            value.filter(|v| !v.is_empty()).map(|v| {
                let path = PathBuf::from(v);
                (
                    path.clone(),
                    config_dir.map_or(path.clone(), |d| d.join(&path)),
                )
            })
        };
        // (as given, resolved against its base)
        let explicit = env("TERRAFORM")
            .map(|p| (p.clone(), cwd.join(&p)))
            .or_else(|| from_config(binary));
        let bin = match explicit {
            Some((given, resolved)) => {
                let found = if given.components().count() > 1 {
                    resolved.is_file().then_some(resolved)
                } else {
                    on_path(&given.to_string_lossy())
                };
                let found = found.ok_or_else(|| RunError::NotFound {
                    tried: given.display().to_string(),
                    app: program.into(),
                    prefix: prefix.clone(),
                })?;
                if !is_executable(&found) {
                    return Err(RunError::NotExecutable {
                        path: found,
                        prefix,
                    });
                }
                found
            }
            None => on_path("terraform").ok_or_else(|| RunError::NotFound {
                tried: "terraform on PATH".into(),
                app: program.into(),
                prefix: prefix.clone(),
            })?,
        };
        let plugin_dir = env("PLUGIN_DIR")
            .map(|p| cwd.join(p))
            .or_else(|| from_config(plugin_dir).map(|(_, resolved)| resolved));
        if let Some(dir) = &plugin_dir {
            if !dir.is_dir() {
                return Err(RunError::PluginDir {
                    path: dir.clone(),
                    why: "does not exist",
                    prefix,
                });
            }
            if !dir.join("registry.terraform.io").is_dir() {
                return Err(RunError::PluginDir {
                    path: dir.clone(),
                    why: "holds no registry.terraform.io folder",
                    prefix,
                });
            }
        }
        Ok(Terraform {
            bin,
            plugin_dir,
            program: program.into(),
        })
    }

    /// `terraform version -json`, given [`version_timeout`] to answer.
    pub fn version(&self) -> Result<Version, RunError> {
        let prefix = crate::config::env_prefix(&self.program);
        let limit = version_timeout(&prefix)?;
        let mut child = std::process::Command::new(&self.bin)
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(io(format!("cannot run {}", self.bin.display())))?;
        let start = std::time::Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if start.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(RunError::Hung {
                        bin: self.bin.clone(),
                        seconds: limit.as_secs(),
                        prefix,
                    });
                }
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
                Err(e) => return Err(io(format!("cannot run {}", self.bin.display()))(e)),
            }
        }
        let out = child
            .wait_with_output()
            .map_err(io(format!("cannot run {}", self.bin.display())))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        parsed["terraform_version"]
            .as_str()
            .and_then(Version::parse)
            .ok_or_else(|| RunError::NotFound {
                tried: format!("{} (it did not report a version)", self.bin.display()),
                app: self.program.clone(),
                prefix: crate::config::env_prefix(&self.program),
            })
    }
}

/// tfsynth's own bookkeeping folder inside a stack directory.
fn state_dir(dir: &Path) -> PathBuf {
    dir.join(".tfsynth")
}

/// A stable 64-bit FNV-1a hash, for recording what a plan or init was made from.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for part in parts {
        for byte in part.iter().chain(b"\0") {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    format!("{hash:016x}")
}

/// What Terraform reads from the stack directory: every `*.tf.json` (the
/// synthesized file and any `_override` files), in name order.
pub fn configuration_fingerprint(dir: &Path) -> Result<String, RunError> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io(format!("cannot read {}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".tf.json") || n.ends_with(".tf"))
        })
        .collect();
    files.sort();
    let mut contents = Vec::new();
    for file in &files {
        contents.push(
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .into_bytes(),
        );
        contents.push(fs::read(file).map_err(io(format!("cannot read {}", file.display())))?);
    }
    let refs: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    Ok(fingerprint(&refs))
}

/// The `terraform` block of the synthesized JSON, which decides whether
/// `init` must run again.
fn init_fingerprint(dir: &Path, plugin_dir: Option<&Path>) -> Result<String, RunError> {
    let path = dir.join("main.tf.json");
    let text = fs::read_to_string(&path).map_err(io(format!("cannot read {}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let block = json
        .get("terraform")
        .map(ToString::to_string)
        .unwrap_or_default();
    let plugins = plugin_dir
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    Ok(fingerprint(&[block.as_bytes(), plugins.as_bytes()]))
}

/// Reads a bookkeeping record.
fn read_record(dir: &Path, name: &str) -> Option<String> {
    fs::read_to_string(state_dir(dir).join(name))
        .ok()
        .map(|s| s.trim().to_owned())
}

/// Writes a bookkeeping record.
fn write_record(dir: &Path, name: &str, value: &str) -> Result<(), RunError> {
    let folder = state_dir(dir);
    fs::create_dir_all(&folder).map_err(io(format!("cannot create {}", folder.display())))?;
    crate::fsio::write_atomic(&folder.join(name), format!("{value}\n").as_bytes())
        .map(|_| ())
        .map_err(io(format!("cannot write {}", folder.join(name).display())))
}

/// Whether `init` must run: no `.terraform/`, or the providers, backend or
/// plugin directory changed since the last successful init.
pub fn needs_init(dir: &Path, tf: &Terraform) -> Result<bool, RunError> {
    if !dir.join(".terraform").is_dir() {
        return Ok(true);
    }
    Ok(read_record(dir, "init") != Some(init_fingerprint(dir, tf.plugin_dir.as_deref())?))
}

/// Records a successful init.
pub fn record_init(dir: &Path, tf: &Terraform) -> Result<(), RunError> {
    write_record(
        dir,
        "init",
        &init_fingerprint(dir, tf.plugin_dir.as_deref())?,
    )
}

/// The saved plan's file name inside the stack directory.
pub const PLAN_FILE: &str = "tfsynth.tfplan";

/// Records that the saved plan was made from the current configuration.
pub fn record_plan(dir: &Path) -> Result<(), RunError> {
    write_record(dir, "plan", &configuration_fingerprint(dir)?)
}

/// Whether the saved plan exists and was made from the current configuration.
pub fn plan_is_current(dir: &Path) -> Result<bool, RunError> {
    Ok(dir.join(PLAN_FILE).is_file()
        && read_record(dir, "plan") == Some(configuration_fingerprint(dir)?))
}

/// Forgets the saved plan after it was applied (terraform refuses a plan twice).
pub fn forget_plan(dir: &Path) {
    let _ = fs::remove_file(dir.join(PLAN_FILE));
    let _ = fs::remove_file(state_dir(dir).join("plan"));
}

/// The `required_version` constraint of a synthesized stack, if any.
pub fn required_version(dir: &Path) -> Option<String> {
    let text = fs::read_to_string(dir.join("main.tf.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["terraform"]["required_version"]
        .as_str()
        .map(str::to_owned)
}

/// Asks `question` on the terminal; true only for exactly `expected`.
pub fn confirm(question: &str, expected: &str) -> Result<bool, RunError> {
    let mut out = std::io::stderr();
    let _ = write!(out, "{question} ");
    let _ = out.flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(io("cannot read the answer"))?;
    Ok(confirmed(&answer, expected))
}

/// Whether the typed answer is exactly what was asked for (surrounding
/// white space aside): the stack's name for `destroy`, `yes` for `apply`.
pub fn confirmed(answer: &str, expected: &str) -> bool {
    answer.trim() == expected
}

/// The changes a line of terraform's output reports, when it is the line
/// that ends a plan, an apply or a destroy: `1 to add, 0 to change, 0 to
/// destroy`, `2 added, 0 changed, 0 destroyed`, `3 destroyed` or `no
/// changes`. Colours are ignored.
pub fn changes_line(line: &str) -> Option<String> {
    let plain = without_colours(line);
    let plain = plain.trim();
    if plain.starts_with("No changes.") {
        return Some("no changes".to_owned());
    }
    [
        "Plan: ",
        "Apply complete! Resources: ",
        "Destroy complete! Resources: ",
    ]
    .iter()
    .find_map(|start| plain.strip_prefix(start))
    .map(|rest| rest.trim_end_matches('.').to_owned())
}

/// `line` without its terminal colour sequences.
pub fn without_colours(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequence: ESC [ parameters final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

/// Reads the stack's outputs back into a typed value: `T` deserializes
/// from an object of output names to their values.
pub fn read_outputs<T: serde::de::DeserializeOwned>(
    tf: &Terraform,
    stack: &str,
    dir: &Path,
) -> Result<T, RunError> {
    let out = std::process::Command::new(&tf.bin)
        .args(["output", "-json", "-no-color"])
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .map_err(io(format!("cannot run {}", tf.bin.display())))?;
    if !out.status.success() {
        return Err(RunError::Outputs {
            stack: stack.into(),
            reason: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    outputs_from_json(stack, &String::from_utf8_lossy(&out.stdout))
}

/// Maps `terraform output -json` (`{name: {value, type, sensitive}}`) to `T`.
pub fn outputs_from_json<T: serde::de::DeserializeOwned>(
    stack: &str,
    text: &str,
) -> Result<T, RunError> {
    let fail = |reason: String| RunError::Outputs {
        stack: stack.into(),
        reason,
    };
    let parsed: serde_json::Value = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
    let values: serde_json::Map<String, serde_json::Value> = parsed
        .as_object()
        .ok_or_else(|| fail("terraform did not print an object".into()))?
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    serde_json::from_value(serde_json::Value::Object(values)).map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_that_end_a_run_give_its_changes() {
        let cases = [
            (
                "Plan: 1 to add, 0 to change, 2 to destroy.",
                Some("1 to add, 0 to change, 2 to destroy"),
            ),
            (
                "\u{1b}[0m\u{1b}[1mPlan:\u{1b}[0m 3 to add, 0 to change, 0 to destroy.",
                Some("3 to add, 0 to change, 0 to destroy"),
            ),
            (
                "Apply complete! Resources: 2 added, 1 changed, 0 destroyed.",
                Some("2 added, 1 changed, 0 destroyed"),
            ),
            (
                "\u{1b}[0m\u{1b}[1m\u{1b}[32mDestroy complete! Resources: 4 destroyed.\u{1b}[0m",
                Some("4 destroyed"),
            ),
            (
                "No changes. Your infrastructure matches the configuration.",
                Some("no changes"),
            ),
            ("  # aws_s3_bucket.logs will be created", None),
            ("Plan", None),
        ];
        for (line, want) in cases {
            assert_eq!(changes_line(line).as_deref(), want, "{line:?}");
        }
    }

    #[test]
    fn confirmation_takes_exactly_what_was_asked() {
        assert!(confirmed("webapp\n", "webapp"));
        assert!(!confirmed("YES\n", "webapp"), "yes is not the stack's name");
        assert!(!confirmed("yes", "webapp"));
        assert!(!confirmed("Webapp", "webapp"));
        assert!(confirmed(" yes ", "yes"));
        assert!(!confirmed("YES", "yes"));
    }

    #[test]
    fn fingerprints_are_stable_and_sensitive() {
        assert_eq!(fingerprint(&[b"a", b"b"]), fingerprint(&[b"a", b"b"]));
        assert_ne!(
            fingerprint(&[b"ab"]),
            fingerprint(&[b"a", b"b"]),
            "part boundaries count"
        );
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
    }

    #[test]
    fn typed_outputs() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Out {
            vpc_id: String,
            subnet_ids: Vec<String>,
        }
        let text = r#"{"vpc_id": {"value": "vpc-1", "type": "string", "sensitive": false},
                       "subnet_ids": {"value": ["a", "b"], "type": ["tuple", ["string", "string"]], "sensitive": false}}"#;
        let out: Out = outputs_from_json("s", text).unwrap();
        assert_eq!(
            out,
            Out {
                vpc_id: "vpc-1".into(),
                subnet_ids: vec!["a".into(), "b".into()]
            }
        );
        let err = outputs_from_json::<Out>("s", r#"{"vpc_id": {"value": "x"}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stack s: cannot read terraform outputs: missing field `subnet_ids`"
        );
    }

    #[test]
    fn plan_and_init_records() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(
            d.join("main.tf.json"),
            r#"{"terraform": {"required_version": ">= 1.6"}}"#,
        )
        .unwrap();
        let tf = Terraform {
            bin: "terraform".into(),
            plugin_dir: None,
            program: "tfsynth".into(),
        };
        assert!(needs_init(d, &tf).unwrap(), "no .terraform yet");
        fs::create_dir(d.join(".terraform")).unwrap();
        assert!(needs_init(d, &tf).unwrap(), "never initialised by tfsynth");
        record_init(d, &tf).unwrap();
        assert!(!needs_init(d, &tf).unwrap());
        fs::write(
            d.join("main.tf.json"),
            r#"{"terraform": {"required_version": ">= 1.7"}}"#,
        )
        .unwrap();
        assert!(needs_init(d, &tf).unwrap(), "the terraform block changed");
        assert_eq!(required_version(d).as_deref(), Some(">= 1.7"));

        assert!(!plan_is_current(d).unwrap());
        fs::write(d.join(PLAN_FILE), "plan").unwrap();
        record_plan(d).unwrap();
        assert!(plan_is_current(d).unwrap());
        fs::write(d.join("emulator_override.tf.json"), "{}").unwrap();
        assert!(
            !plan_is_current(d).unwrap(),
            "an override file changes what terraform reads"
        );
        forget_plan(d);
        assert!(!d.join(PLAN_FILE).exists());
    }
}
