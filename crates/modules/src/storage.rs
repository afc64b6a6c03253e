//! Storage: a logs bucket and, optionally, a data bucket, each encrypted
//! (SSE-S3), versioned, fully private (public access block,
//! bucket-owner-enforced ownership) and refusing plain-HTTP access; the data
//! bucket logs its access to the logs bucket, which also accepts the load
//! balancer's access logs and expires what it holds.

use tfsynth::{ResourceBlock, Stack, Value, interp};
use tfsynth_aws::data::aws_iam_policy_document::Statement;
use tfsynth_aws::data::{
    DataAwsCallerIdentity, DataAwsElbServiceAccount, DataAwsIamPolicyDocument,
};
use tfsynth_aws::resource::aws_s3_bucket_lifecycle_configuration::{
    AbortIncompleteMultipartUpload, Expiration, Filter, NoncurrentVersionExpiration,
    Rule as LifecycleRule, RuleArgs as LifecycleRuleArgs,
};
use tfsynth_aws::resource::aws_s3_bucket_ownership_controls::Rule as OwnershipRule;
use tfsynth_aws::resource::aws_s3_bucket_server_side_encryption_configuration::{
    ApplyServerSideEncryptionByDefault, Rule as SseRule,
};
use tfsynth_aws::resource::aws_s3_bucket_versioning::VersioningConfiguration;
use tfsynth_aws::resource::{
    AwsS3Bucket, AwsS3BucketLifecycleConfiguration, AwsS3BucketLogging, AwsS3BucketLoggingArgs,
    AwsS3BucketOwnershipControls, AwsS3BucketOwnershipControlsArgs, AwsS3BucketPolicy,
    AwsS3BucketPolicyArgs, AwsS3BucketPolicyRef, AwsS3BucketPublicAccessBlock, AwsS3BucketRef,
    AwsS3BucketServerSideEncryptionConfiguration, AwsS3BucketServerSideEncryptionConfigurationArgs,
    AwsS3BucketVersioning, AwsS3BucketVersioningArgs, AwsS3BucketVersioningRef,
};

use crate::iam::{condition, principals};
use crate::web_tier::AccessLogTarget;
use crate::{label, name_tags};

/// Where the data bucket's server access logs go in the logs bucket.
const DATA_ACCESS_LOG_PREFIX: &str = "s3/data/";

/// Inputs of [`Storage`].
#[derive(Clone, Debug)]
pub struct StorageConfig {
    /// Prefix of `Name` tags.
    pub name: String,
    /// The data bucket's name; `None` for a logs bucket only.
    pub data_bucket: Option<String>,
    /// The logs bucket's name.
    pub logs_bucket: String,
    /// Days before objects in the logs bucket expire.
    pub logs_expiration_days: i64,
    /// Days before non-current versions in the data bucket expire.
    pub noncurrent_days: i64,
}

/// The buckets and what other modules need of them.
pub struct Storage {
    /// The data bucket, when configured.
    pub data_bucket: Option<AwsS3BucketRef>,
    /// The logs bucket.
    pub logs_bucket: AwsS3BucketRef,
    /// The logs bucket's policy: writers of logs must wait for it.
    pub logs_policy: AwsS3BucketPolicyRef,
    /// The key prefix under which the load balancer writes access logs.
    pub alb_log_prefix: String,
}

/// The statement every bucket policy starts with: no access without TLS.
fn deny_insecure_transport(bucket: &AwsS3BucketRef) -> Statement {
    Statement::new()
        .sid("DenyInsecureTransport")
        .effect("Deny")
        // `{"AWS": "*"}` is the same principal as `"*"` for S3 and is accepted by every S3 implementation.
        .principals(principals("AWS", ["*"]))
        .actions(["s3:*"])
        .resources([bucket.arn(), Value::from(interp![bucket.arn(), "/*"])])
        .condition(condition("Bool", "aws:SecureTransport", ["false"]))
}

/// A bucket with encryption, versioning, ownership controls, a public access
/// block and a policy made of `statements` after the TLS-only one; returns
/// the bucket, its policy and its versioning.
pub fn secure_bucket(
    stack: &mut Stack,
    prefix: &str,
    name: &str,
    tag: &str,
    statements: impl FnOnce(&mut Stack, &AwsS3BucketRef) -> Vec<Statement>,
) -> (
    AwsS3BucketRef,
    AwsS3BucketPolicyRef,
    AwsS3BucketVersioningRef,
) {
    let bucket = stack.add(AwsS3Bucket::new(prefix).bucket(name).tags(name_tags(tag)));
    stack.add(AwsS3BucketOwnershipControls::new(
        prefix,
        AwsS3BucketOwnershipControlsArgs {
            bucket: bucket.id(),
            rule: OwnershipRule::new("BucketOwnerEnforced"),
        },
    ));
    stack.add(AwsS3BucketServerSideEncryptionConfiguration::new(
        prefix,
        AwsS3BucketServerSideEncryptionConfigurationArgs {
            bucket: bucket.id(),
            rule: SseRule::new()
                .apply_server_side_encryption_by_default(ApplyServerSideEncryptionByDefault::new(
                    "AES256",
                ))
                .bucket_key_enabled(true),
        },
    ));
    let versioning = stack.add(AwsS3BucketVersioning::new(
        prefix,
        AwsS3BucketVersioningArgs {
            bucket: bucket.id(),
            versioning_configuration: VersioningConfiguration::new("Enabled"),
        },
    ));
    let public_access = stack.add(
        AwsS3BucketPublicAccessBlock::new(prefix, bucket.id())
            .block_public_acls(true)
            .block_public_policy(true)
            .ignore_public_acls(true)
            .restrict_public_buckets(true),
    );
    let mut document = DataAwsIamPolicyDocument::new(label(prefix, "policy"))
        .statement(deny_insecure_transport(&bucket));
    for statement in statements(stack, &bucket) {
        document = document.statement(statement);
    }
    let document = stack.add(document);
    let policy = stack.add(
        AwsS3BucketPolicy::new(
            prefix,
            AwsS3BucketPolicyArgs {
                bucket: bucket.id(),
                policy: document.json(),
            },
        )
        // S3 answers a policy change with a conflict while the public access
        // block on the same bucket is still being applied.
        .depends_on(
            &public_access,
            "S3 rejects a bucket policy while the bucket's public access block is changing",
        ),
    );
    (bucket, policy, versioning)
}

impl Storage {
    /// Where a load balancer writes its access logs: the logs bucket, under
    /// the prefix its policy grants.
    pub fn alb_access_logs(&self) -> AccessLogTarget {
        AccessLogTarget {
            bucket: self.logs_bucket.id(),
            prefix: self.alb_log_prefix.clone(),
            policy: self.logs_policy.clone(),
        }
    }

    /// Adds the buckets under `prefix`.
    pub fn new(stack: &mut Stack, prefix: &str, config: &StorageConfig) -> Storage {
        let alb_log_prefix = "alb".to_owned();
        let logs_prefix = label(prefix, "logs");
        let data_prefix = label(prefix, "data");
        let account = stack.add(DataAwsCallerIdentity::new(label(prefix, "account")));
        let elb_account = stack.add(DataAwsElbServiceAccount::new(label(prefix, "elb")));
        let data = config.data_bucket.as_ref().map(|data_bucket| {
            secure_bucket(
                stack,
                &data_prefix,
                data_bucket,
                &format!("{}-data", config.name),
                |_, _| Vec::new(),
            )
        });
        let data_bucket_arn = data.as_ref().map(|(bucket, _, _)| bucket.arn());
        let alb_prefix = alb_log_prefix.clone();
        let (logs_bucket, logs_policy, logs_versioning) = secure_bucket(
            stack,
            &logs_prefix,
            &config.logs_bucket,
            &format!("{}-logs", config.name),
            |_, bucket| {
                let mut statements = vec![
                    Statement::new()
                        .sid("LoadBalancerAccessLogs")
                        .effect("Allow")
                        .principals(principals("AWS", [elb_account.arn()]))
                        .actions(["s3:PutObject"])
                        .resources([interp![
                            bucket.arn(),
                            "/",
                            alb_prefix.as_str(),
                            "/AWSLogs/",
                            account.account_id(),
                            "/*"
                        ]]),
                ];
                statements.extend(data_bucket_arn.map(|data_bucket_arn| {
                    Statement::new()
                        .sid("ServerAccessLogs")
                        .effect("Allow")
                        .principals(principals("Service", ["logging.s3.amazonaws.com"]))
                        .actions(["s3:PutObject"])
                        .resources([interp![bucket.arn(), "/", DATA_ACCESS_LOG_PREFIX, "*"]])
                        .condition(condition("ArnLike", "aws:SourceArn", [data_bucket_arn]))
                        .condition(condition(
                            "StringEquals",
                            "aws:SourceAccount",
                            [account.account_id()],
                        ))
                }));
                statements
            },
        );
        stack.add(
            AwsS3BucketLifecycleConfiguration::new(&logs_prefix, logs_bucket.id())
                .rule(
                    LifecycleRule::new(LifecycleRuleArgs {
                        id: "expire-logs".into(),
                        status: "Enabled".into(),
                    })
                    .filter(Filter::new().prefix(""))
                    .expiration(Expiration::new().days(config.logs_expiration_days))
                    .noncurrent_version_expiration(NoncurrentVersionExpiration::new(
                        config.logs_expiration_days,
                    ))
                    .abort_incomplete_multipart_upload(
                        AbortIncompleteMultipartUpload::new().days_after_initiation(7),
                    ),
                )
                // Lifecycle rules about non-current versions are rejected until
                // versioning is in place, and nothing else orders the two.
                .depends_on(
                    &logs_versioning,
                    "a lifecycle configuration with version rules needs versioning enabled first",
                ),
        );
        let Some((data_bucket, _, data_versioning)) = data else {
            return Storage {
                data_bucket: None,
                logs_bucket,
                logs_policy,
                alb_log_prefix,
            };
        };
        stack.add(
            AwsS3BucketLifecycleConfiguration::new(&data_prefix, data_bucket.id())
                .rule(
                    LifecycleRule::new(LifecycleRuleArgs {
                        id: "tidy-versions".into(),
                        status: "Enabled".into(),
                    })
                    .filter(Filter::new().prefix(""))
                    .noncurrent_version_expiration(NoncurrentVersionExpiration::new(
                        config.noncurrent_days,
                    ))
                    .abort_incomplete_multipart_upload(
                        AbortIncompleteMultipartUpload::new().days_after_initiation(7),
                    ),
                )
                .depends_on(
                    &data_versioning,
                    "a lifecycle configuration with version rules needs versioning enabled first",
                ),
        );
        stack.add(
            AwsS3BucketLogging::new(
                &data_prefix,
                AwsS3BucketLoggingArgs {
                    bucket: data_bucket.id(),
                    target_bucket: logs_bucket.id(),
                    target_prefix: DATA_ACCESS_LOG_PREFIX.into(),
                },
            )
            // S3 checks that it may write to the target bucket when logging
            // is switched on; that permission is in the logs bucket's policy.
            .depends_on(
                &logs_policy,
                "S3 checks write access to the target bucket when logging is enabled",
            ),
        );
        Storage {
            data_bucket: Some(data_bucket),
            logs_bucket,
            logs_policy,
            alb_log_prefix,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfsynth::testing::{Emulator, Synth};

    fn build() -> Synth {
        build_with(Some("acme-dev-data"))
    }

    fn config(data_bucket: Option<&str>) -> StorageConfig {
        StorageConfig {
            name: "acme-dev".into(),
            data_bucket: data_bucket.map(str::to_owned),
            logs_bucket: "acme-dev-logs".into(),
            logs_expiration_days: 90,
            noncurrent_days: 30,
        }
    }

    fn build_with(data_bucket: Option<&str>) -> Synth {
        let mut stack = Stack::new("t");
        Storage::new(&mut stack, "store", &config(data_bucket));
        Synth::stack(&stack)
    }

    /// The statement ids of a policy document, in order.
    fn sids(doc: &serde_json::Value) -> Vec<&str> {
        doc["statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["sid"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn every_bucket_is_encrypted_versioned_private_and_tls_only() {
        let j = build();
        assert_eq!(j.resources("aws_s3_bucket").len(), 2);
        for name in ["store_data", "store_logs"] {
            j.assert_resource(
                "aws_s3_bucket_server_side_encryption_configuration",
                name,
                json!({"rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]}),
            )
            .assert_resource(
                "aws_s3_bucket_versioning",
                name,
                json!({"versioning_configuration": {"status": "Enabled"}}),
            )
            .assert_resource(
                "aws_s3_bucket_public_access_block",
                name,
                json!({
                    "block_public_acls": true,
                    "block_public_policy": true,
                    "ignore_public_acls": true,
                    "restrict_public_buckets": true,
                }),
            )
            .assert_resource(
                "aws_s3_bucket_ownership_controls",
                name,
                json!({"rule": {"object_ownership": "BucketOwnerEnforced"}}),
            );
            let policy = j.resource("aws_s3_bucket_policy", name);
            assert_eq!(
                policy["depends_on"],
                json!([format!("aws_s3_bucket_public_access_block.{name}")])
            );
            let doc = j.data_source("aws_iam_policy_document", &format!("{name}_policy"));
            assert_eq!(doc["statement"][0]["sid"], json!("DenyInsecureTransport"));
            assert_eq!(
                doc["statement"][0]["condition"][0]["variable"],
                json!("aws:SecureTransport")
            );
        }
    }

    #[test]
    fn logs_bucket_takes_logs_and_expires_them() {
        let j = build();
        let lifecycle = j.resource("aws_s3_bucket_lifecycle_configuration", "store_logs");
        assert_eq!(lifecycle["rule"][0]["expiration"][0]["days"], json!(90));
        assert_eq!(
            lifecycle["depends_on"],
            json!(["aws_s3_bucket_versioning.store_logs"])
        );
        let logging = j.resource("aws_s3_bucket_logging", "store_data");
        assert_eq!(
            logging["target_bucket"],
            json!("${aws_s3_bucket.store_logs.id}")
        );
        assert_eq!(
            logging["depends_on"],
            json!(["aws_s3_bucket_policy.store_logs"])
        );
        let doc = j.data_source("aws_iam_policy_document", "store_logs_policy");
        let sids = sids(doc);
        assert_eq!(
            sids,
            [
                "DenyInsecureTransport",
                "LoadBalancerAccessLogs",
                "ServerAccessLogs"
            ]
        );
        assert_eq!(doc["statement"][1]["actions"], json!(["s3:PutObject"]));
        assert_eq!(
            doc["statement"][2]["resources"],
            json!(["${aws_s3_bucket.store_logs.arn}/s3/data/*"]),
            "exactly the logging prefix"
        );
    }

    #[test]
    fn a_logs_bucket_alone_takes_only_load_balancer_logs() {
        let j = build_with(None);
        assert_eq!(j.resources("aws_s3_bucket").len(), 1);
        assert_eq!(j.resources("aws_s3_bucket_logging").len(), 0);
        assert_eq!(
            j.resources("aws_s3_bucket_lifecycle_configuration").len(),
            1
        );
        let doc = j.data_source("aws_iam_policy_document", "store_logs_policy");
        let sids = sids(doc);
        assert_eq!(sids, ["DenyInsecureTransport", "LoadBalancerAccessLogs"]);
    }

    /// Both buckets plan with the real terraform and AWS provider against
    /// an emulator (TFSYNTH_EMULATOR_ENDPOINT), as the e2e runs it.
    #[test]
    fn the_buckets_plan_against_an_emulator() {
        let app = tfsynth::App::new("tfsynth");
        let Some(emulator) = Emulator::find(&app, "the_buckets_plan_against_an_emulator") else {
            return;
        };
        let mut stack = Stack::new("storage");
        Storage::new(&mut stack, "store", &config(Some("acme-dev-data")));
        stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
        let mut provider = tfsynth::Provider::new("aws").set("region", "us-east-1");
        for (key, value) in crate::emulator::aws_provider_settings(&mut stack, emulator.endpoint())
        {
            provider = provider.set(key, value);
        }
        stack.add(provider);
        let synth = Synth::stack(&stack);
        let plan = emulator.assert_plans(&synth);
        let resources: usize = synth.json()["resource"]
            .as_object()
            .unwrap()
            .values()
            .map(|blocks| blocks.as_object().unwrap().len())
            .sum();
        assert_eq!(plan.create, resources, "{plan:?}");
        assert_eq!((plan.update, plan.delete), (0, 0));
    }
}
