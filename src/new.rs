//! `tfsynth new`: a user's project in one command, the way `cdktf init`
//! starts one. The crate it writes has an `App` named after the project,
//! one small configured stack, its configuration file, tests written with
//! `tfsynth::testing`, a `.gitignore` and a README; `cargo run -- synth`
//! and `cargo test` work in it at once. Everything is written to a scratch
//! folder beside the target and moved into place last, so a failure leaves
//! nothing behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgMatches};
use tfsynth::App;
use tfsynth::app::AppError;
use tfsynth::cli::Cli;

use crate::project::{self, Source, error};

/// The command's definition.
pub fn command() -> clap::Command {
    let command = clap::Command::new("new")
        .about("Start a project: a crate with an App, one stack, its configuration and tests")
        .long_about(
            "Start a project: a crate with an App, one stack, its configuration and tests.\n\n\
             NAME names the crate, the program, its configuration file NAME.toml and \
             the prefix of its environment variables (NAME_<STACK>_<KEY>, upper case). \
             The project is written to DIR (default: ./NAME), which must be missing or \
             empty; `cargo run -- synth` and `cargo test` work in it at once.",
        )
        .after_help(
            "Examples:\n  tfsynth new myinfra\n  tfsynth new myinfra --dir infra\n  tfsynth new myinfra --tfsynth-git https://github.com/tfsynth/tfsynth",
        )
        .arg(
            Arg::new("name")
                .value_name("NAME")
                .required(true)
                .help("Project name: lowercase letters, digits, - and _, starting with a letter"),
        )
        .arg(
            Arg::new("dir")
                .long("dir")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Folder to create the project in (default: ./NAME)"),
        );
    project::source_args(command)
}

/// Why `name` cannot name a project, if it cannot.
fn check_name(name: &str) -> Result<(), String> {
    let first = name.chars().next();
    if !first.is_some_and(|c| c.is_ascii_lowercase()) {
        return Err("must start with a lowercase letter".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "{c:?} is not allowed: use lowercase letters, digits, - and _"
        ));
    }
    if name.ends_with(['-', '_']) {
        return Err("must not end with - or _".into());
    }
    if name.len() > 40 {
        return Err("has more than 40 characters".into());
    }
    // Names that would shadow a crate the project depends on, or a Rust keyword.
    const TAKEN: &[&str] = &[
        "tfsynth",
        "tfsynth-aws",
        "tfsynth_aws",
        "tfsynth-modules",
        "tfsynth_modules",
        "serde_json",
        "test",
        "self",
        "super",
        "crate",
        "main",
    ];
    if TAKEN.contains(&name) {
        return Err("is the name of a crate or keyword the project needs".into());
    }
    Ok(())
}

/// The files of a new project called `name`, as (path, contents).
fn files(name: &str, engine: &Source) -> Vec<(&'static str, String)> {
    let fill = |template: &str| {
        template
            .replace("@NAME@", name)
            .replace("@PREFIX@", &tfsynth::config::env_prefix(name))
            .replace("@BUCKET@", &name.replace('_', "-"))
            .replace("@TFSYNTH@", &engine.dependency("tfsynth", "tfsynth"))
            .replace("@AWS@", &engine.dependency("tfsynth-aws", "aws"))
            .replace(
                "@MODULES@",
                &engine.dependency("tfsynth-modules", "modules"),
            )
    };
    vec![
        ("Cargo.toml", fill(CARGO_TOML)),
        ("src/main.rs", fill(MAIN_RS)),
        ("src/tests.rs", fill(TESTS_RS)),
        ("@NAME@.toml", fill(CONFIG_TOML)),
        (".gitignore", "/target\n/out\n".to_owned()),
        ("README.md", fill(README_MD)),
    ]
}

/// Runs `new`.
pub fn run(
    _app: &App,
    _cli: &Cli,
    m: &ArgMatches,
    out: &mut dyn Write,
) -> Result<(), Vec<AppError>> {
    let name = m.get_one::<String>("name").expect("required");
    check_name(name).map_err(|why| error(format!("new: project name {name:?} {why}"), 2))?;
    let dir = m
        .get_one::<PathBuf>("dir")
        .cloned()
        .unwrap_or_else(|| PathBuf::from(name));
    if !project::is_empty_dir(&dir) {
        let what = if dir.is_dir() {
            "is not empty"
        } else {
            "exists and is not a folder"
        };
        return Err(error(
            format!(
                "new: {} {what}; nothing was written (hint: choose another --dir)",
                dir.display()
            ),
            2,
        ));
    }
    let engine = Source::from_matches(m);
    write_project(&dir, name, &engine).map_err(|e| error(format!("new: {e}"), 1))?;
    let _ = writeln!(
        out,
        "created {name} in {}\n  cd {} && cargo run -- synth    # writes out/storage/main.tf.json\n  cargo test                    # the stack's tests",
        dir.display(),
        dir.display(),
    );
    Ok(())
}

/// Writes the project to a scratch folder beside `dir`, then moves it into
/// place (over `dir` when that is an empty folder).
fn write_project(dir: &Path, name: &str, engine: &Source) -> Result<(), String> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix(".tfsynth-new-")
        .tempdir_in(&parent)
        .map_err(|e| format!("cannot write in {}: {e}", parent.display()))?;
    for (path, text) in files(name, engine) {
        let path = scratch.path().join(path.replace("@NAME@", name));
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    // The versions the engine was built and tested with, when it is a checkout.
    if let Source::Path(root) = engine {
        let lock = root.join("Cargo.lock");
        if lock.is_file() {
            std::fs::copy(&lock, scratch.path().join("Cargo.lock"))
                .map_err(|e| format!("cannot copy {}: {e}", lock.display()))?;
        }
    }
    if dir.is_dir() {
        std::fs::remove_dir(dir).map_err(|e| format!("cannot replace {}: {e}", dir.display()))?;
    }
    let kept = scratch.keep();
    std::fs::rename(&kept, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        format!("cannot create {}: {e}", dir.display())
    })
}

const CARGO_TOML: &str = r#"[package]
name = "@NAME@"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
tfsynth = @TFSYNTH@
# The AWS bindings (each service a feature) and the shipped constructs:
# networking, storage, web tier, the security policy, the emulator settings.
tfsynth-aws = @AWS@
tfsynth-modules = @MODULES@

[dev-dependencies]
serde_json = "1"

# A project of its own, also when created inside another workspace.
[workspace]
"#;

const MAIN_RS: &str = r#"//! The @NAME@ infrastructure: `cargo run -- synth` writes
//! out/<stack>/main.tf.json, `cargo run -- plan storage` runs terraform on it,
//! `cargo run -- --help` lists the rest.

use tfsynth::config::{Settings, rules};
use tfsynth::{App, Output, Provider, Stack};
use tfsynth_aws::resource::aws_s3_bucket_server_side_encryption_configuration::{
    ApplyServerSideEncryptionByDefault, Rule as EncryptionRule,
};
use tfsynth_aws::resource::aws_s3_bucket_versioning::VersioningConfiguration;
use tfsynth_aws::resource::{
    AwsS3Bucket, AwsS3BucketPublicAccessBlock, AwsS3BucketServerSideEncryptionConfiguration,
    AwsS3BucketServerSideEncryptionConfigurationArgs, AwsS3BucketVersioning,
    AwsS3BucketVersioningArgs,
};
use tfsynth_modules::rules as aws_rules;

#[cfg(test)]
mod tests;

/// The application: its stacks, the provider schema `validate` checks them
/// against, and the security policy it applies.
pub fn app() -> App {
    App::new("@NAME@")
        .provider(&tfsynth_aws::PROVIDER)
        .policy(tfsynth_modules::policy::AWS)
        .settings_stack(
            "storage",
            "A private, versioned, encrypted S3 bucket",
            storage,
        )
}

fn main() -> std::process::ExitCode {
    app().run()
}

/// The keys of the storage stack, set in @NAME@.toml, by @PREFIX@_STORAGE_<KEY>
/// or with --set KEY=VALUE (`cargo run -- config storage` shows them). Each
/// field is a key: its comment is the key's description.
#[derive(Settings)]
pub struct StorageConfig {
    /// AWS region
    #[setting(default = "us-east-1", rule("AWS region name", aws_rules::region))]
    pub region: String,
    /// deployment environment (Environment tag)
    #[setting(rule("non-empty", rules::non_empty))]
    pub environment: String,
    /// team that owns the stack (Owner tag)
    #[setting(rule("non-empty", rules::non_empty))]
    pub owner: String,
    /// name of the bucket
    #[setting(rule("S3 bucket naming rules", aws_rules::s3_bucket_name))]
    pub bucket_name: String,
    /// send every AWS API call to this emulator URL (moto, LocalStack)
    pub emulator_endpoint: Option<String>,
}

/// The storage stack: one bucket, private, versioned and encrypted.
fn storage(stack: &mut Stack, config: &StorageConfig) {
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    let bucket = stack.add(AwsS3Bucket::new("data").bucket(config.bucket_name.as_str()));
    stack.add(AwsS3BucketVersioning::new(
        "data",
        AwsS3BucketVersioningArgs {
            bucket: bucket.id(),
            versioning_configuration: VersioningConfiguration::new("Enabled"),
        },
    ));
    stack.add(AwsS3BucketServerSideEncryptionConfiguration::new(
        "data",
        AwsS3BucketServerSideEncryptionConfigurationArgs {
            bucket: bucket.id(),
            rule: EncryptionRule::new().apply_server_side_encryption_by_default(
                ApplyServerSideEncryptionByDefault::new("AES256"),
            ),
        },
    ));
    stack.add(
        AwsS3BucketPublicAccessBlock::new("data", bucket.id())
            .block_public_acls(true)
            .block_public_policy(true)
            .ignore_public_acls(true)
            .restrict_public_buckets(true),
    );
    stack.add(Output::new("bucket_arn", bucket.arn()).description("ARN of the bucket"));

    // The provider last: with an emulator, its endpoints cover every service used above.
    let mut provider = Provider::new("aws").set("region", config.region.as_str());
    if let Some(url) = &config.emulator_endpoint {
        for (key, value) in tfsynth_modules::emulator::aws_provider_settings(stack, url) {
            provider = provider.set(key, value);
        }
    }
    stack.add(provider.default_tags([
        ("Environment", config.environment.as_str()),
        ("Owner", config.owner.as_str()),
        ("ManagedBy", "@NAME@"),
    ]));
}
"#;

const TESTS_RS: &str = r#"//! The stack's tests: assertions on the synthesized JSON, the schema and
//! policy checks of `validate`, and a real plan against an emulator when
//! @PREFIX@_EMULATOR_ENDPOINT names one (moto: http://127.0.0.1:5000).

use serde_json::json;
use tfsynth::testing::{Emulator, Synth};

use super::app;

#[test]
fn the_bucket_is_private_versioned_and_encrypted() {
    let synth = Synth::app(&app(), "storage", None, &[]);
    synth
        .assert_count("aws_s3_bucket", 1)
        .assert_resource("aws_s3_bucket", "data", json!({"bucket": "@BUCKET@-dev-data"}))
        .assert_resource(
            "aws_s3_bucket_versioning",
            "data",
            json!({"versioning_configuration": {"status": "Enabled"}}),
        )
        .assert_resource(
            "aws_s3_bucket_public_access_block",
            "data",
            json!({"block_public_acls": true, "restrict_public_buckets": true}),
        )
        .assert_output("bucket_arn", json!({"value": "${aws_s3_bucket.data.arn}"}));
}

#[test]
fn the_stack_is_valid() {
    Synth::app(&app(), "storage", None, &[]).assert_valid(&app());
}

#[test]
fn each_environment_has_its_own_bucket() {
    let prod = Synth::app(&app(), "storage", Some("prod"), &[]);
    prod.assert_resource("aws_s3_bucket", "data", json!({"bucket": "@BUCKET@-prod-data"}));
}

#[test]
fn the_stack_plans_against_an_emulator() {
    let app = app();
    let Some(emulator) = Emulator::find(&app, "the_stack_plans_against_an_emulator") else {
        return;
    };
    let set = format!("emulator_endpoint={}", emulator.endpoint());
    let synth = Synth::app(&app, "storage", None, &[&set]);
    let plan = emulator.assert_plans(&synth);
    assert_eq!(plan.create, 4, "{plan:?}");
}
"#;

const CONFIG_TOML: &str = r#"# Configuration of the @NAME@ stacks (`cargo run -- config storage`).
# Values are layered: each key's default < [stacks.<stack>] < the selected
# [stacks.<stack>.environments.<env>] (--env, or default_environment) <
# @PREFIX@_<STACK>_<KEY> environment variables < --set [stack.]key=value.

[stacks.storage]
default_environment = "dev"
region = "us-east-1"
owner = "platform-team"

[stacks.storage.environments.dev]
environment = "dev"
bucket_name = "@BUCKET@-dev-data"

[stacks.storage.environments.prod]
environment = "prod"
bucket_name = "@BUCKET@-prod-data"
"#;

const README_MD: &str = r#"# @NAME@

Infrastructure as typed Rust, synthesized to Terraform JSON by tfsynth.

    cargo run -- synth                 # writes out/storage/main.tf.json
    cargo run -- validate              # schema and policy checks, offline
    cargo run -- config storage        # every key, its value and where it came from
    cargo run -- plan storage --env prod
    cargo test                         # the stack's tests (src/tests.rs)

The stacks are defined in `src/main.rs`, each with its configuration as a
struct (`#[derive(Settings)]`: one field per key); the values are in
`@NAME@.toml`, and environment variables `@PREFIX@_<STACK>_<KEY>` and
`--set KEY=VALUE` override them.
`plan` and `apply` need terraform on the PATH (or `@PREFIX@_TERRAFORM`).

The plan test runs when `@PREFIX@_EMULATOR_ENDPOINT` names a local emulator:

    @PREFIX@_EMULATOR_ENDPOINT=http://127.0.0.1:5000 cargo test
"#;
