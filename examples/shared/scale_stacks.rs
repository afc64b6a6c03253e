//! Generated stacks of many resources: `resources / 5` private, encrypted,
//! versioned S3 buckets, each with its four companion blocks. Shared by
//! `examples/scale.rs` and `benches/synth.rs`.

use tfsynth::{Expr, Provider, ResourceBlock, Stack, func, interp};
use tfsynth_aws::resource::aws_s3_bucket_server_side_encryption_configuration::{
    ApplyServerSideEncryptionByDefault, Rule,
};
use tfsynth_aws::resource::aws_s3_bucket_versioning::VersioningConfiguration;
use tfsynth_aws::resource::{
    AwsS3Bucket, AwsS3BucketPolicy, AwsS3BucketPolicyArgs, AwsS3BucketPublicAccessBlock,
    AwsS3BucketServerSideEncryptionConfiguration, AwsS3BucketServerSideEncryptionConfigurationArgs,
    AwsS3BucketVersioning, AwsS3BucketVersioningArgs,
};

/// Adds `resources / 5` buckets with their four companions each.
pub fn buckets(stack: &mut Stack, resources: usize) {
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    stack.add(Provider::new("aws").set("region", "eu-west-1"));
    for i in 0..resources / 5 {
        let name = format!("b{i:05}");
        let bucket = stack.add(AwsS3Bucket::new(&name).bucket(format!("tfsynth-scale-{i:05}")));
        stack.add(AwsS3BucketVersioning::new(
            &name,
            AwsS3BucketVersioningArgs {
                bucket: bucket.id(),
                versioning_configuration: VersioningConfiguration::new("Enabled"),
            },
        ));
        stack.add(AwsS3BucketServerSideEncryptionConfiguration::new(
            &name,
            AwsS3BucketServerSideEncryptionConfigurationArgs {
                bucket: bucket.id(),
                rule: Rule::new().apply_server_side_encryption_by_default(
                    ApplyServerSideEncryptionByDefault::new("AES256"),
                ),
            },
        ));
        let block = stack.add(
            AwsS3BucketPublicAccessBlock::new(&name, bucket.id())
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true),
        );
        let deny_http = Expr::Object(vec![
            ("Effect".into(), "Deny".into()),
            (
                "Principal".into(),
                Expr::Object(vec![("AWS".into(), "*".into())]),
            ),
            ("Action".into(), "s3:*".into()),
            (
                "Resource".into(),
                Expr::Tuple(vec![bucket.arn().expr(), interp![bucket.arn(), "/*"]]),
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
            AwsS3BucketPolicy::new(
                &name,
                AwsS3BucketPolicyArgs {
                    bucket: bucket.id(),
                    policy: func::jsonencode(Expr::Object(vec![
                        ("Version".into(), "2012-10-17".into()),
                        ("Statement".into(), Expr::Tuple(vec![deny_http])),
                    ]))
                    .into(),
                },
            )
            .depends_on(
                &block,
                "S3 rejects concurrent changes to a bucket's policy and its public access block",
            ),
        );
    }
}
