//! Pointing the AWS provider at an emulator (moto, LocalStack): one base URL
//! for every service the stack uses, path-style S3, and the provider checks
//! that need real AWS credentials switched off.

use std::collections::BTreeSet;

use crate::core::{Node, Stack};

/// The provider's endpoint name for a resource or data source type, or
/// `None` when the type calls no AWS API (policy documents, partitions).
pub fn service(ty: &str) -> Option<&'static str> {
    const BY_PREFIX: &[(&str, &str)] = &[
        ("aws_lb", "elbv2"),
        ("aws_autoscaling_", "autoscaling"),
        ("aws_db_", "rds"),
        ("aws_rds_", "rds"),
        ("aws_s3_", "s3"),
        ("aws_iam_policy_document", ""),
        ("aws_iam_", "iam"),
        ("aws_kms_", "kms"),
        ("aws_cloudwatch_log_", "logs"),
        ("aws_cloudwatch_", "cloudwatch"),
        ("aws_sns_", "sns"),
        ("aws_sqs_", "sqs"),
        ("aws_ssm_", "ssm"),
        ("aws_secretsmanager_", "secretsmanager"),
        ("aws_acm_", "acm"),
        ("aws_wafv2_", "wafv2"),
        ("aws_caller_identity", "sts"),
        ("aws_partition", ""),
        ("aws_region", ""),
        ("aws_elb_service_account", ""),
        ("aws_", "ec2"),
    ];
    BY_PREFIX
        .iter()
        .find(|(prefix, _)| ty.starts_with(prefix))
        .map(|(_, svc)| *svc)
        .filter(|svc| !svc.is_empty())
}

/// The AWS provider arguments that send every service `stack` uses (and
/// STS, which the provider always calls) to `base_url`. Add them after the
/// stack's other blocks, since the services are read from those.
pub fn aws_provider_settings(stack: &Stack, base_url: &str) -> Vec<(&'static str, Node)> {
    let mut services: BTreeSet<&'static str> = ["sts"].into();
    services.extend(
        stack
            .resources()
            .map(|r| r.ty())
            .chain(stack.data_sources().map(|d| d.ty()))
            .filter_map(service),
    );
    vec![
        (
            "endpoints",
            Node::map_of(services.into_iter().map(|svc| (svc, Node::from(base_url)))),
        ),
        ("s3_use_path_style", true.into()),
        ("skip_credentials_validation", true.into()),
        ("skip_metadata_api_check", true.into()),
        ("skip_region_validation", true.into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{DataSource, Resource};

    #[test]
    fn services_by_type() {
        let check = |ty: &str, expect: Option<&str>| assert_eq!(service(ty), expect, "{ty}");
        check("aws_vpc", Some("ec2"));
        check("aws_launch_template", Some("ec2"));
        check("aws_lb_target_group", Some("elbv2"));
        check("aws_autoscaling_policy", Some("autoscaling"));
        check("aws_db_instance", Some("rds"));
        check("aws_s3_bucket_policy", Some("s3"));
        check("aws_iam_role", Some("iam"));
        check("aws_iam_policy_document", None);
        check("aws_cloudwatch_log_group", Some("logs"));
        check("aws_cloudwatch_metric_alarm", Some("cloudwatch"));
        check("aws_caller_identity", Some("sts"));
        check("aws_partition", None);
        check("random_id", None);
    }

    #[test]
    fn every_endpoint_name_exists_in_the_provider_schema() {
        let schema = crate::validate::aws_schema();
        let endpoints = &schema.provider.block.block_types["endpoints"]
            .block
            .attributes;
        for ty in schema
            .resource_schemas
            .keys()
            .chain(schema.data_source_schemas.keys())
        {
            if let Some(svc) = service(ty) {
                assert!(
                    endpoints.contains_key(svc),
                    "{ty} maps to {svc}, which the provider does not know"
                );
            }
        }
    }

    #[test]
    fn settings_cover_the_services_used() {
        let mut stack = Stack::new("s");
        stack.add(Resource::new("aws_s3_bucket", "b"));
        stack.add(Resource::new("aws_vpc", "v"));
        stack.add(DataSource::new("aws_iam_policy_document", "d"));
        let settings = aws_provider_settings(&stack, "http://127.0.0.1:5000");
        let url = Node::from("http://127.0.0.1:5000");
        assert_eq!(
            settings[0],
            (
                "endpoints",
                Node::map_of([("ec2", url.clone()), ("s3", url.clone()), ("sts", url)])
            )
        );
        assert_eq!(settings[1], ("s3_use_path_style", Node::Bool(true)));
    }
}
