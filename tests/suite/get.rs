//! `tfsynth get`: bindings for any provider, generated into a user's
//! project from the real terraform's schema (the built-in `terraform`
//! provider and AWS, both on this machine), then compiled into a stack that
//! uses them, whose validation reads the generated schema.

use std::path::Path;
use std::process::Command;

use predicates::str::contains;

use super::support::{Terraform, tfsynth, user_target};

const MAIN: &str = r#"
use tfsynth::prelude::*;
use tfsynth::{App, Output, Provider};
use tfsynth_provider_aws::resource::{AwsS3Bucket, AwsS3BucketVersioning, AwsS3BucketVersioningArgs};
use tfsynth_provider_aws::resource::aws_s3_bucket_versioning::VersioningConfiguration;
use tfsynth_provider_terraform::resource::TerraformData;

fn build(stack: &mut Stack) {
    stack.require_provider("aws", "hashicorp/aws", "5.100.0");
    stack.add(Provider::new("aws").set("region", "us-east-1"));
    let bucket = stack.add(AwsS3Bucket::new("b").bucket("acme-generated"));
    stack.add(AwsS3BucketVersioning::new("b", AwsS3BucketVersioningArgs {
        bucket: bucket.id(),
        versioning_configuration: VersioningConfiguration::new("Enabled"),
    }));
    let marker = stack.add(TerraformData::new("marker").input(bucket.arn()));
    stack.add(Output::new("marker", marker.output()));
    if std::env::var("BREAK").is_ok() {
        stack.add(Resource::new("terraform_data", "broken").set("inputs", 1));
    }
}

fn main() -> std::process::ExitCode {
    App::new("userapp")
        .provider(&tfsynth_provider_aws::PROVIDER)
        .provider(&tfsynth_provider_terraform::PROVIDER)
        .stack("site", "a bucket and a marker", build)
        .run()
}
"#;

#[test]
fn get_generates_crates_a_stack_compiles_against() {
    let Some(tf) = Terraform::find("get_generates_crates_a_stack_compiles_against") else {
        return;
    };
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    tfsynth()
        .current_dir(dir)
        .env("TFSYNTH_TERRAFORM", &tf.bin)
        .env("TFSYNTH_PLUGIN_DIR", &tf.plugin_dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .args(["get", "terraform", "hashicorp/aws@5.100.0"])
        .assert()
        .success()
        .stdout(contains(
            "wrote tfsynth-provider-terraform (terraform.io/builtin/terraform 1.11",
        ))
        .stdout(contains(
            "wrote tfsynth-provider-aws (registry.terraform.io/hashicorp/aws 5.100.0, 2141 types)",
        ));
    // The same shape as the crate this repository ships.
    for name in [
        "provider.toml",
        "schema.jsonl",
        "Cargo.toml",
        "src/lib.rs",
        "src/index.rs",
    ] {
        assert!(dir.join("providers/aws").join(name).is_file(), "{name}");
    }
    assert!(
        dir.join("providers/terraform/src/data/terraform_remote_state.rs")
            .is_file()
    );
    let ours = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/aws/schema.jsonl"),
    )
    .unwrap();
    let theirs = std::fs::read_to_string(dir.join("providers/aws/schema.jsonl")).unwrap();
    assert!(ours == theirs, "the same schema as the committed one");

    // A second get regenerates in place; a folder of something else is refused.
    tfsynth()
        .current_dir(dir)
        .env("TFSYNTH_PLUGIN_DIR", &tf.plugin_dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .args(["get", "terraform"])
        .assert()
        .success();
    std::fs::create_dir_all(dir.join("other/terraform")).unwrap();
    std::fs::write(dir.join("other/terraform/notes.txt"), "mine").unwrap();
    tfsynth()
        .current_dir(dir)
        .args(["get", "terraform", "--dir", "other"])
        .assert()
        .code(2)
        .stderr(contains(
            "other/terraform is not empty and holds no provider crate; nothing was written",
        ));
    tfsynth()
        .current_dir(dir)
        .args(["get", "not a source"])
        .assert()
        .code(2)
        .stderr(contains(
            "\"not a source\" is not a provider source address",
        ));

    // A user crate that depends on both, with the one AWS feature it uses.
    let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/tfsynth");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"userapp\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\ntfsynth = {{ path = {:?} }}\ntfsynth-provider-aws = {{ path = \"providers/aws\", features = [\"s3\"] }}\ntfsynth-provider-terraform = {{ path = \"providers/terraform\" }}\n",
            engine.display().to_string()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    let cargo = || {
        let mut c = Command::new(env!("CARGO"));
        c.current_dir(dir).env("CARGO_TARGET_DIR", user_target());
        c
    };
    let build = cargo()
        .args(["build", "--offline", "--quiet"])
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the user crate builds:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let bin = user_target().join("debug/userapp");
    let run = |broken: bool| {
        let mut c = Command::new(&bin);
        c.current_dir(dir).arg("validate");
        if broken {
            c.env("BREAK", "1");
        }
        c.output().unwrap()
    };
    let clean = run(false);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&clean.stdout),
        "stack site: valid\n"
    );
    // The generated schema is what validate checks the built-in provider's blocks with.
    let broken = run(true);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains(
            "terraform_data.broken: /resource/terraform_data/broken/inputs: unknown attribute or block \"inputs\" (did you mean \"input\"?)"
        ),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );
}
