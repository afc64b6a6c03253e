//! A crate of your own: describe stacks with tfsynth's API and get every
//! `tfsynth` command (`synth`, `list`, ...) for free.
//!
//! Run it with `cargo run --example custom_app -- synth --out build`.

use std::process::ExitCode;

use tfsynth::config::Settings;
use tfsynth::{App, Expr, Node, Output, Provider, Resource, Stack, func, interp};

/// A private S3 bucket whose policy refuses plain-HTTP access.
fn site(stack: &mut Stack) {
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    stack.add(Provider::new("aws").set("region", "us-east-1"));

    let bucket =
        stack.add(Resource::new("aws_s3_bucket", "site").set("bucket_prefix", "example-site-"));
    let public_access = stack.add(
        Resource::new("aws_s3_bucket_public_access_block", "site")
            .set("bucket", bucket.attr("id"))
            .set("block_public_acls", true)
            .set("block_public_policy", true)
            .set("ignore_public_acls", true)
            .set("restrict_public_buckets", true),
    );
    let deny_http = Expr::Object(vec![
        ("Sid".into(), "DenyInsecureTransport".into()),
        ("Effect".into(), "Deny".into()),
        (
            "Principal".into(),
            Expr::Object(vec![("AWS".into(), "*".into())]),
        ),
        ("Action".into(), "s3:*".into()),
        (
            "Resource".into(),
            Expr::Tuple(vec![bucket.attr("arn"), interp![bucket.attr("arn"), "/*"]]),
        ),
        (
            "Condition".into(),
            Expr::Object(vec![(
                "Bool".into(),
                Expr::Object(vec![("aws:SecureTransport".into(), "false".into())]),
            )]),
        ),
    ]);
    stack.add(
        Resource::new("aws_s3_bucket_policy", "site")
            .set("bucket", bucket.attr("id"))
            .set(
                "policy",
                func::jsonencode(Expr::Object(vec![
                    ("Version".into(), "2012-10-17".into()),
                    ("Statement".into(), Expr::Tuple(vec![deny_http])),
                ])),
            )
            // No reference orders these two, but S3 rejects a bucket policy
            // while the public access block on the same bucket is changing.
            .depends_on(
                &public_access,
                "S3 rejects concurrent changes to a bucket's policy and its public access block",
            ),
    );
    stack.add(Output::new("bucket", bucket.attr("bucket")).description("The bucket's name"));
    stack.add(Output::new("tags", Node::map_of([("site", "example")])));
}

/// The keys the `alerts` stack takes: `custom_app.toml`'s `[stacks.alerts]`,
/// `CUSTOM_APP_ALERTS_<KEY>` or `--set`. Each field is a key.
#[derive(Settings)]
struct Alerts {
    /// team that receives the alerts
    owner: String,
    /// name of the SNS topic
    #[setting(default = "alerts")]
    topic_name: String,
}

/// An encrypted SNS topic for a team's alerts.
fn alerts(stack: &mut Stack, config: &Alerts) {
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    stack.add(Provider::new("aws").set("region", "us-east-1"));
    let topic = stack.add(
        Resource::new("aws_sns_topic", "alerts")
            .set("name", config.topic_name.as_str())
            .set("kms_master_key_id", "alias/aws/sns")
            .set("tags", Node::map_of([("Owner", config.owner.as_str())])),
    );
    stack.add(Output::new("topic_arn", topic.attr("arn")));
}

fn main() -> ExitCode {
    App::new("custom_app")
        // The schema validate checks the stacks against, and HCL export reads.
        .provider(&tfsynth_aws::PROVIDER)
        .stack("site", "A private S3 bucket that refuses plain HTTP", site)
        .settings_stack(
            "alerts",
            "An encrypted SNS topic for a team's alerts",
            alerts,
        )
        .run()
}
