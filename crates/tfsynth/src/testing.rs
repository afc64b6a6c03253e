//! Assertions for the tests of a user's stacks: find blocks, check a subset
//! of a resource's properties with a readable diff, count blocks, check
//! outputs, require `validate` to find nothing, and plan with the real
//! terraform against a local emulator.
//!
//! ```
//! use serde_json::json;
//! use tfsynth::testing::Synth;
//! use tfsynth::{Resource, Stack};
//!
//! let mut stack = Stack::new("site");
//! stack.add(Resource::new("aws_s3_bucket", "logs").set("bucket", "site-logs"));
//! let synth = Synth::stack(&stack);
//! synth
//!     .assert_count("aws_s3_bucket", 1)
//!     .assert_resource("aws_s3_bucket", "logs", json!({"bucket": "site-logs"}));
//! ```
//!
//! Every assertion panics with a message naming the stack, the block and
//! each differing property, which is how a test fails.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

use crate::app::{App, Settings};
use crate::config::{ConfigFile, Overrides};
use crate::core::{Stack, Synthesized};
use crate::terraform::Terraform;

/// A synthesized stack, parsed, with assertions over it.
#[derive(Debug)]
pub struct Synth {
    synthesized: Synthesized,
    json: Json,
}

/// The differences between an expected subset and a value: one line each,
/// `path: expected X, found Y`.
pub fn subset_differences(expected: &Json, actual: &Json) -> Vec<String> {
    let mut out = Vec::new();
    differences("", expected, actual, &mut out);
    out
}

fn differences(path: &str, expected: &Json, actual: &Json, out: &mut Vec<String>) {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (expected, actual) {
        (Json::Object(want), Json::Object(got)) => {
            for (key, value) in want {
                match got.get(key) {
                    Some(found) => differences(&at(key), value, found, out),
                    None => out.push(format!("{}: missing, expected {value}", at(key))),
                }
            }
        }
        (Json::Array(want), Json::Array(got)) if want.len() == got.len() => {
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                differences(&format!("{path}[{i}]"), w, g, out);
            }
        }
        (Json::Array(want), Json::Array(got)) => out.push(format!(
            "{}: expected {} entries, found {}: {actual}",
            display(path),
            want.len(),
            got.len()
        )),
        _ if expected == actual => {}
        _ => out.push(format!(
            "{}: expected {expected}, found {actual}",
            display(path)
        )),
    }
}

fn display(path: &str) -> &str {
    if path.is_empty() { "(the value)" } else { path }
}

impl Synth {
    /// Synthesizes `stack`; a problem (a duplicate name, a cycle, ...)
    /// fails the test with synthesis's own message.
    pub fn stack(stack: &Stack) -> Synth {
        match stack.synth() {
            Ok(synthesized) => Synth::from_synthesized(synthesized),
            Err(e) => panic!("{e}"),
        }
    }

    /// Builds and synthesizes the application's stack `name`, configured as
    /// `synth` would be from the application's configuration file found
    /// from the working directory, with `set` as `--set KEY=VALUE` values;
    /// environment variables are not read, so the test does not depend on
    /// the shell. A configuration problem fails the test with its message.
    pub fn app(app: &App, name: &str, environment: Option<&str>, set: &[&str]) -> Synth {
        let fail =
            |errors: Vec<String>| -> ! { panic!("stack {name}:\n  {}", errors.join("\n  ")) };
        let cwd = std::env::current_dir().unwrap_or_default();
        let file = ConfigFile::discover(&cwd, app.config_file_name())
            .unwrap_or_else(|e| fail(vec![e.to_string()]));
        let mut overrides = Overrides::new().with_prefix(&app.env_prefix());
        for arg in set {
            overrides = overrides
                .set(arg)
                .unwrap_or_else(|e| fail(vec![e.to_string()]));
        }
        let settings = Settings {
            file,
            environment: environment.map(str::to_owned),
            overrides,
        };
        match app.synth(&[name.to_owned()], &settings) {
            Ok(mut done) => Synth::from_synthesized(done.remove(0)),
            Err(errors) => fail(errors.iter().map(ToString::to_string).collect()),
        }
    }

    fn from_synthesized(synthesized: Synthesized) -> Synth {
        let json = serde_json::from_str(&synthesized.json).expect("synthesis writes JSON");
        Synth { synthesized, json }
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.synthesized.stack
    }

    /// The Terraform JSON, parsed.
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// The synthesis result: the JSON text and the asset files.
    pub fn synthesized(&self) -> &Synthesized {
        &self.synthesized
    }

    fn blocks(&self, section: &str, kind: &str) -> Vec<(&str, &Json)> {
        self.json[section][kind]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default()
    }

    /// The resources of type `kind`: (name, body), in the file's order.
    pub fn resources(&self, kind: &str) -> Vec<(&str, &Json)> {
        self.blocks("resource", kind)
    }

    /// The data sources of type `kind`: (name, body).
    pub fn data_sources(&self, kind: &str) -> Vec<(&str, &Json)> {
        self.blocks("data", kind)
    }

    fn block(&self, section: &str, kind: &str, name: &str) -> &Json {
        let address = match section {
            "resource" => format!("{kind}.{name}"),
            _ => format!("{section}.{kind}.{name}"),
        };
        self.blocks(section, kind)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, body)| body)
            .unwrap_or_else(|| {
                let names: Vec<&str> = self
                    .blocks(section, kind)
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect();
                panic!(
                    "stack {}: no block {address}; {}",
                    self.name(),
                    if names.is_empty() {
                        format!("the stack has no {kind}")
                    } else {
                        format!("{kind} blocks: {}", names.join(", "))
                    }
                )
            })
    }

    /// The body of resource `kind.name`; fails the test, listing the
    /// resources of that type, when there is none.
    pub fn resource(&self, kind: &str, name: &str) -> &Json {
        self.block("resource", kind, name)
    }

    /// The body of data source `data.kind.name`.
    pub fn data_source(&self, kind: &str, name: &str) -> &Json {
        self.block("data", kind, name)
    }

    /// Fails unless the stack has exactly `count` resources of type `kind`.
    pub fn assert_count(&self, kind: &str, count: usize) -> &Self {
        let found = self.resources(kind);
        assert!(
            found.len() == count,
            "stack {}: expected {count} {kind} resource(s), found {}{}",
            self.name(),
            found.len(),
            if found.is_empty() {
                String::new()
            } else {
                format!(
                    ": {}",
                    found.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                )
            }
        );
        self
    }

    /// Fails unless resource `kind.name` has every property of `expected`
    /// (nested objects compared key by key, lists entry by entry; other
    /// properties may be there too), listing each difference.
    pub fn assert_resource(&self, kind: &str, name: &str, expected: Json) -> &Self {
        let diff = subset_differences(&expected, self.resource(kind, name));
        assert!(
            diff.is_empty(),
            "stack {}: {kind}.{name} differs:\n  {}",
            self.name(),
            diff.join("\n  ")
        );
        self
    }

    /// Fails unless some resource of type `kind` has every property of
    /// `expected`; the message shows how each one differs.
    pub fn assert_has_resource(&self, kind: &str, expected: Json) -> &Self {
        let found = self.resources(kind);
        if found
            .iter()
            .any(|(_, body)| subset_differences(&expected, body).is_empty())
        {
            return self;
        }
        let mut message = format!(
            "stack {}: no {kind} resource has the properties {expected}",
            self.name()
        );
        if found.is_empty() {
            message.push_str(&format!("; the stack has no {kind}"));
        }
        for (name, body) in found {
            let _ = write!(
                message,
                "\n  {kind}.{name}: {}",
                subset_differences(&expected, body).join("; ")
            );
        }
        panic!("{message}");
    }

    /// Fails unless the stack has output `name` whose block has every
    /// property of `expected` (`{"value": ..., "sensitive": true}`).
    pub fn assert_output(&self, name: &str, expected: Json) -> &Self {
        let Some(output) = self.json["output"].get(name) else {
            let names: Vec<&str> = self.json["output"]
                .as_object()
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            panic!(
                "stack {}: no output {name:?}; outputs: {}",
                self.name(),
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            );
        };
        let diff = subset_differences(&expected, output);
        assert!(
            diff.is_empty(),
            "stack {}: output {name} differs:\n  {}",
            self.name(),
            diff.join("\n  ")
        );
        self
    }

    /// Fails unless `validate` with the application's provider schemas and
    /// policy rules finds nothing, listing every finding.
    pub fn assert_valid(&self, app: &App) -> &Self {
        let report =
            crate::validate::validate(&self.synthesized.json, &app.schemas(), app.policies());
        assert!(
            report.findings.is_empty(),
            "stack {}: validate found {} problem(s):\n  {}",
            self.name(),
            report.findings.len(),
            report
                .findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n  ")
        );
        self
    }
}

/// The real terraform and a local emulator of the cloud's API, for
/// "plans successfully" tests.
///
/// [`Emulator::find`] reads `<PREFIX>_EMULATOR_ENDPOINT` (a loopback URL such
/// as `http://127.0.0.1:5000` of a running moto or LocalStack), and finds
/// terraform and the plugin directory as the application's commands do
/// (`<PREFIX>_TERRAFORM`, `<PREFIX>_PLUGIN_DIR`). When one is missing the
/// test is skipped with a printed `skipped: <test>: <reason>`, unless
/// `<PREFIX>_REQUIRE_EMULATOR=1`, which makes it a failure.
#[derive(Debug)]
pub struct Emulator {
    terraform: Terraform,
    endpoint: String,
}

/// What a plan would do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanSummary {
    /// Resources to create.
    pub create: usize,
    /// Resources to update in place.
    pub update: usize,
    /// Resources to delete (replacements count here and in `create`).
    pub delete: usize,
}

/// Whether `endpoint` is an http(s) URL on this machine.
fn is_loopback(endpoint: &str) -> bool {
    let rest = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

impl Emulator {
    /// The emulator and terraform for `app`, or `None` after printing why
    /// the test `test` is skipped.
    pub fn find(app: &App, test: &str) -> Option<Emulator> {
        let prefix = app.env_prefix();
        let found = (|| {
            let var = format!("{prefix}_EMULATOR_ENDPOINT");
            let endpoint = std::env::var(&var)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("no emulator: {var} is not set"))?;
            if !is_loopback(&endpoint) {
                panic!(
                    "{test}: {var}={endpoint} is not on this machine; an emulator endpoint is http://127.0.0.1:PORT or http://localhost:PORT"
                );
            }
            let cwd = std::env::current_dir().unwrap_or_default();
            let file = ConfigFile::discover(&cwd, app.config_file_name()).unwrap_or_default();
            let terraform = Terraform::locate(
                app.name(),
                file.terraform_setting("binary"),
                file.terraform_setting("plugin_dir"),
                file.path().and_then(Path::parent),
            )
            .map_err(|e| e.to_string())?;
            Ok::<_, String>(Emulator {
                terraform,
                endpoint,
            })
        })();
        match found {
            Ok(emulator) => Some(emulator),
            Err(reason) => {
                if std::env::var(format!("{prefix}_REQUIRE_EMULATOR")).as_deref() == Ok("1") {
                    panic!("{test}: {prefix}_REQUIRE_EMULATOR=1 but {reason}");
                }
                eprintln!("skipped: {test}: {reason}");
                None
            }
        }
    }

    /// The emulator's URL, to build the stack with (for the shipped
    /// modules: `tfsynth_modules::emulator`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Runs `terraform init` and `terraform plan` on the stack in a
    /// temporary directory, with throwaway credentials, and returns what the
    /// plan would do; fails the test with terraform's own message when
    /// either fails, or when the stack does not send its requests to the
    /// emulator (its JSON never mentions the endpoint).
    pub fn assert_plans(&self, synth: &Synth) -> PlanSummary {
        let name = synth.name();
        assert!(
            synth.synthesized.json.contains(&self.endpoint),
            "stack {name}: its providers do not use the emulator at {}; build the stack with that endpoint so nothing reaches a real cloud",
            self.endpoint
        );
        let dir = tempfile::tempdir().expect("a temporary directory");
        write_stack(dir.path(), &synth.synthesized);
        let mut init = vec!["init".to_owned(), "-input=false".to_owned()];
        if let Some(plugins) = &self.terraform.plugin_dir {
            init.push(format!("-plugin-dir={}", plugins.display()));
        }
        init.push("-no-color".to_owned());
        self.run(name, dir.path(), &init);
        self.run(
            name,
            dir.path(),
            &[
                "plan".into(),
                "-input=false".into(),
                "-no-color".into(),
                "-out=test.tfplan".into(),
            ],
        );
        let shown = self.run(
            name,
            dir.path(),
            &["show".into(), "-json".into(), "test.tfplan".into()],
        );
        let plan: Json = serde_json::from_str(&shown)
            .unwrap_or_else(|e| panic!("stack {name}: terraform show -json printed no plan: {e}"));
        let mut summary = PlanSummary::default();
        for change in plan["resource_changes"].as_array().into_iter().flatten() {
            for action in change["change"]["actions"].as_array().into_iter().flatten() {
                match action.as_str() {
                    Some("create") => summary.create += 1,
                    Some("update") => summary.update += 1,
                    Some("delete") => summary.delete += 1,
                    _ => {}
                }
            }
        }
        summary
    }

    /// Runs terraform in `dir`; its standard output, or a failed test with
    /// what it printed.
    fn run(&self, stack: &str, dir: &Path, args: &[String]) -> String {
        let mut command = Command::new(&self.terraform.bin);
        command
            .args(args)
            .current_dir(dir)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            // Throwaway credentials: an emulator accepts any, and no real
            // ones from the shell can be used by mistake.
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_CONFIG_FILE")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .stdin(std::process::Stdio::null());
        let output = command.output().unwrap_or_else(|e| {
            panic!(
                "stack {stack}: cannot run {}: {e}",
                self.terraform.bin.display()
            )
        });
        if !output.status.success() {
            panic!(
                "stack {stack}: terraform {} failed ({}):\n{}{}",
                args[0],
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// Writes the stack's JSON and asset files into `dir`.
fn write_stack(dir: &Path, synthesized: &Synthesized) {
    let write = |path: PathBuf, bytes: &[u8]| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating the stack directory");
        }
        std::fs::write(&path, bytes)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    };
    write(dir.join("main.tf.json"), synthesized.json.as_bytes());
    for (relative, bytes) in &synthesized.files {
        write(dir.join(relative), bytes);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{Output, Resource};

    fn stack() -> Stack {
        let mut stack = Stack::new("site");
        let bucket = stack.add(
            Resource::new("aws_s3_bucket", "logs")
                .set("bucket", "site-logs")
                .set("tags", crate::Node::map_of([("Owner", "web")])),
        );
        stack.add(Resource::new("aws_s3_bucket", "data").set("bucket", "site-data"));
        stack.add(Output::new("logs", bucket.attr("id")).sensitive());
        stack
    }

    fn message(f: impl FnOnce()) -> String {
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .expect_err("the assertion fails");
        err.downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| err.downcast_ref::<&str>().unwrap().to_string())
    }

    #[test]
    fn subsets_report_each_difference_by_path() {
        assert_eq!(
            subset_differences(
                &json!({"a": 1, "b": {"c": [1, {"d": "x"}]}, "e": true}),
                &json!({"a": 2, "b": {"c": [1, {"d": "y", "z": 0}]}, "f": 1}),
            ),
            [
                "a: expected 1, found 2",
                "b.c[1].d: expected \"x\", found \"y\"",
                "e: missing, expected true"
            ]
        );
        assert_eq!(
            subset_differences(&json!({"l": [1]}), &json!({"l": [1, 2]})),
            ["l: expected 1 entries, found 2: [1,2]"]
        );
        assert!(subset_differences(&json!({}), &json!({"a": 1})).is_empty());
    }

    #[test]
    fn assertions_pass_on_what_the_stack_has() {
        let synth = Synth::stack(&stack());
        synth
            .assert_count("aws_s3_bucket", 2)
            .assert_count("aws_sqs_queue", 0)
            .assert_resource("aws_s3_bucket", "logs", json!({"tags": {"Owner": "web"}}))
            .assert_has_resource("aws_s3_bucket", json!({"bucket": "site-data"}))
            .assert_output("logs", json!({"sensitive": true}));
        assert_eq!(synth.resources("aws_s3_bucket").len(), 2);
        assert_eq!(
            synth.resource("aws_s3_bucket", "data")["bucket"],
            "site-data"
        );
    }

    #[test]
    fn failures_name_the_stack_block_and_differences() {
        let s = stack();
        assert_eq!(
            message(|| {
                Synth::stack(&s).assert_resource(
                    "aws_s3_bucket",
                    "logs",
                    json!({"tags": {"Owner": "ops"}, "acl": "private"}),
                );
            }),
            "stack site: aws_s3_bucket.logs differs:\n  tags.Owner: expected \"ops\", found \"web\"\n  acl: missing, expected \"private\""
        );
        assert_eq!(
            message(|| {
                Synth::stack(&s).assert_has_resource("aws_s3_bucket", json!({"bucket": "other"}));
            }),
            "stack site: no aws_s3_bucket resource has the properties {\"bucket\":\"other\"}\n  aws_s3_bucket.data: bucket: expected \"other\", found \"site-data\"\n  aws_s3_bucket.logs: bucket: expected \"other\", found \"site-logs\""
        );
        assert_eq!(
            message(|| {
                Synth::stack(&s).resource("aws_s3_bucket", "nope");
            }),
            "stack site: no block aws_s3_bucket.nope; aws_s3_bucket blocks: data, logs"
        );
        assert_eq!(
            message(|| {
                Synth::stack(&s).assert_count("aws_s3_bucket", 1);
            }),
            "stack site: expected 1 aws_s3_bucket resource(s), found 2: data, logs"
        );
        assert_eq!(
            message(|| {
                Synth::stack(&s).assert_output("nope", json!({}));
            }),
            "stack site: no output \"nope\"; outputs: logs"
        );
        assert_eq!(
            message(|| {
                Synth::stack(&s).assert_output("logs", json!({"sensitive": false}));
            }),
            "stack site: output logs differs:\n  sensitive: expected false, found true"
        );
    }

    #[test]
    fn validate_findings_fail_the_assertion() {
        let mut s = Stack::new("v");
        s.add(Resource::new("terraform_data", "x").set("no_such_argument", 1));
        let app = App::new("t");
        let text = message(|| {
            Synth::stack(&s).assert_valid(&app);
        });
        assert!(
            text.starts_with("stack v: validate found 1 problem(s):\n  terraform_data.x"),
            "{text}"
        );
        let mut ok = Stack::new("ok");
        ok.add(Resource::new("terraform_data", "x").set("input", 1));
        Synth::stack(&ok).assert_valid(&app);
    }

    #[test]
    fn only_loopback_endpoints_are_emulators() {
        for ok in [
            "http://127.0.0.1:5000",
            "http://localhost:4566/",
            "https://[::1]:443",
        ] {
            assert!(is_loopback(ok), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:5000",
            "https://s3.amazonaws.com",
            "127.0.0.1:5000",
            "http://127.0.0.1.example.com",
        ] {
            assert!(!is_loopback(bad), "{bad}");
        }
    }
}
