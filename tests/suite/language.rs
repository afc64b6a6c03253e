//! The Terraform 1.11 language beyond resources: `moved`, `import`,
//! `removed` and `check` blocks, lifecycle conditions and replacement
//! triggers, output preconditions, ephemeral resources with write-only
//! arguments, and provider functions. Each is written by tfsynth, passes
//! tfsynth's own validation and is read back by the real terraform; the
//! plan-time blocks are also planned against the emulator (`emulator.rs`).

use serde_json::{Value as Json, json};
use tfsynth::{
    Address, BinOp, Check, DataBlock, Expr, Import, Lifecycle, Moved, Output, Provider, Removed,
    ResourceBlock, Stack,
};
use tfsynth_aws::data::DataAwsS3Bucket;
use tfsynth_aws::ephemeral::EphemeralAwsSsmParameter;
use tfsynth_aws::resource::{AwsS3Bucket, AwsSsmParameter, AwsSsmParameterArgs};

use super::support::{Terraform, aws_validate};

/// A stack that uses every block of the language tfsynth writes.
pub fn language_stack() -> Stack {
    let mut stack = Stack::new("language");
    stack.required_version(">= 1.11.0");
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    stack.add(Provider::new("aws").set("region", "us-east-1"));
    let logs = stack.add(AwsS3Bucket::new("logs").bucket("acme-language-logs"));
    let data = stack.add(
        AwsS3Bucket::new("data")
            .bucket("acme-language-data")
            .lifecycle(
                Lifecycle::new()
                    .replace_triggered_by_attr(logs.bucket())
                    .precondition(
                        Expr::binary(
                            BinOp::Gt,
                            Expr::call("length", vec![logs.bucket().expr()]),
                            3,
                        ),
                        "the logs bucket needs a real name",
                    )
                    .postcondition(
                        Expr::binary(BinOp::Ne, Expr::self_attr("arn"), ""),
                        "the bucket has an ARN",
                    ),
            ),
    );
    // The data bucket was `aws_s3_bucket.old_data` before; an existing bucket
    // becomes the logs bucket; an old one is no longer managed, and kept.
    stack.add(Moved::new(
        Address::resource("aws_s3_bucket", "old_data"),
        &data,
    ));
    stack.add(Import::new(&logs, "acme-language-logs"));
    stack.add(Removed::forget(Address::resource(
        "aws_s3_bucket",
        "archive",
    )));
    let mut check = Check::new("logs_bucket_exists");
    let probe = check.data(DataAwsS3Bucket::new("logs_probe", logs.bucket()));
    stack.add(check.assert(
        Expr::binary(BinOp::Eq, probe.bucket().expr(), logs.bucket().expr()),
        "the logs bucket can be read back",
    ));
    let secret = stack.add(EphemeralAwsSsmParameter::new(
        "db_password",
        "arn:aws:ssm:us-east-1:123456789012:parameter/db",
    ));
    stack.add(
        AwsSsmParameter::new(
            "copy",
            AwsSsmParameterArgs {
                name: "/app/db-password".into(),
                r#type: "SecureString".into(),
            },
        )
        .value_wo(secret.value())
        .value_wo_version(1),
    );
    let region = stack.local(
        "logs_region",
        tfsynth_aws::func::arn_parse(logs.arn()).attr("region"),
    );
    stack.add(
        Output::new("data_bucket", data.arn())
            .precondition(
                Expr::binary(BinOp::Ne, region, ""),
                "the logs bucket's ARN names a region",
            )
            .description("the data bucket's ARN"),
    );
    stack
}

#[test]
fn every_language_block_is_written_as_terraform_reads_it() {
    let synthesized = language_stack().synth().unwrap_or_else(|e| panic!("{e}"));
    let json: Json = serde_json::from_str(&synthesized.json).unwrap();
    assert_eq!(
        json["moved"],
        json!([{"from": "aws_s3_bucket.old_data", "to": "aws_s3_bucket.data"}])
    );
    assert_eq!(
        json["import"],
        json!([{"to": "aws_s3_bucket.logs", "id": "acme-language-logs"}])
    );
    assert_eq!(
        json["removed"],
        json!([{"from": "aws_s3_bucket.archive", "lifecycle": {"destroy": false}}])
    );
    assert_eq!(
        json["check"]["logs_bucket_exists"],
        json!({
            "data": {"aws_s3_bucket": {"logs_probe": {"bucket": "${aws_s3_bucket.logs.bucket}"}}},
            "assert": [{
                "condition": "${data.aws_s3_bucket.logs_probe.bucket == aws_s3_bucket.logs.bucket}",
                "error_message": "the logs bucket can be read back"
            }]
        })
    );
    let lifecycle = &json["resource"]["aws_s3_bucket"]["data"]["lifecycle"];
    assert_eq!(
        lifecycle["replace_triggered_by"],
        json!(["aws_s3_bucket.logs.bucket"]),
        "a static reference, without ${{}}"
    );
    assert_eq!(
        lifecycle["postcondition"][0]["condition"],
        json!("${self.arn != \"\"}")
    );
    assert_eq!(
        json["ephemeral"]["aws_ssm_parameter"]["db_password"]["arn"],
        json!("arn:aws:ssm:us-east-1:123456789012:parameter/db")
    );
    assert_eq!(
        json["resource"]["aws_ssm_parameter"]["copy"]["value_wo"],
        json!("${ephemeral.aws_ssm_parameter.db_password.value}")
    );
    assert_eq!(
        json["locals"]["logs_region"],
        json!("${provider::aws::arn_parse(aws_s3_bucket.logs.arn).region}")
    );
    let report = aws_validate(&synthesized.json);
    let errors: Vec<String> = report.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn mistakes_in_language_blocks_fail_synthesis_naming_them() {
    let mut stack = Stack::new("broken");
    let a = stack.add(AwsS3Bucket::new("a"));
    let b = stack.add(AwsS3Bucket::new("b"));
    stack.add(Moved::new(Address::resource("aws_s3_bucket", "a"), &b));
    stack.add(Moved::new(Address::resource("aws_s3_bucket", "b"), &b));
    stack.add(Import::new(
        &tfsynth::ResourceRef::new("aws_s3_bucket", "nowhere"),
        "x",
    ));
    stack.add(Removed::forget(Address::resource("aws_s3_bucket", "a")));
    stack.add(Check::new("empty"));
    stack.add(
        AwsS3Bucket::new("c").lifecycle(
            Lifecycle::new()
                .replace_triggered_by_attr(Expr::from("not a reference"))
                .precondition(Expr::binary(BinOp::Ne, Expr::self_attr("id"), ""), "self")
                .postcondition(Expr::from(true), "checks nothing"),
        ),
    );
    stack.add(DataAwsS3Bucket::new("d", a.bucket()).lifecycle(Lifecycle::new().prevent_destroy()));
    let err = stack.synth().unwrap_err().to_string();
    let messages: Vec<&str> = err.lines().map(|l| l.split_once(": ").unwrap().1).collect();
    let expect = [
        "aws_s3_bucket.c: replace_triggered_by entry \"not a reference\" is not a reference to a managed resource or one of its attributes",
        "aws_s3_bucket.c: self is only available in a postcondition (hint: refer to the block by its address)",
        "aws_s3_bucket.c: the condition true refers to nothing, so it checks nothing (hint: compare an attribute, a variable or self)",
        "data.aws_s3_bucket.d: a data source's lifecycle takes only preconditions and postconditions (hint: drop the other settings)",
    ];
    for e in expect {
        assert!(messages.contains(&e), "missing {e:?} in:\n{err}");
    }
    for fragment in [
        "aws_s3_bucket.a is still declared, so Terraform cannot move it to aws_s3_bucket.b",
        "aws_s3_bucket.b is moved to itself",
        "aws_s3_bucket.nowhere is not declared in this stack (hint: add the resource the object is imported into)",
        "removed at ",
        "aws_s3_bucket.a is still declared (hint: delete the block, then say it was removed)",
        "check.empty has no assertion",
    ] {
        assert!(err.contains(fragment), "missing {fragment:?} in:\n{err}");
    }
}

#[test]
fn terraform_validates_every_language_block() {
    let Some(tf) = Terraform::find("terraform_validates_every_language_block") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf.json"),
        language_stack().synth().unwrap().json,
    )
    .unwrap();
    tf.init(dir.path());
    let report: Json =
        serde_json::from_str(&tf.ok(dir.path(), &["validate", "-json", "-no-color"])).unwrap();
    assert_eq!(report["valid"], json!(true), "{report:#}");
    assert_eq!(report["warning_count"], json!(0), "{report:#}");
}
