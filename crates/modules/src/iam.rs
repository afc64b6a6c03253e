//! IAM: the instances' role and instance profile with least-privilege
//! policies written as `aws_iam_policy_document` data sources: object
//! read/write on exactly the data bucket's objects, write-only on the logs
//! bucket's application prefix, log writes on exactly the application's log
//! group. No wildcard action anywhere. Optional AWS managed policies.

use tfsynth::{Stack, Value, interp};
use tfsynth_aws::data::aws_iam_policy_document::{
    Condition, ConditionArgs, Principals, PrincipalsArgs, Statement,
};
use tfsynth_aws::data::{DataAwsIamPolicyDocument, DataAwsPartition};
use tfsynth_aws::resource::{
    AwsIamInstanceProfile, AwsIamInstanceProfileRef, AwsIamRole, AwsIamRolePolicy,
    AwsIamRolePolicyArgs, AwsIamRolePolicyAttachment, AwsIamRolePolicyAttachmentArgs,
    AwsIamRolePolicyAttachmentRef, AwsIamRolePolicyRef, AwsIamRoleRef,
};

use crate::{label, name_tags};

/// A policy statement's principals: `identifiers` of one `kind` (`AWS`, `Service`, ...).
pub fn principals<V: Into<Value<String>>>(
    kind: &str,
    identifiers: impl IntoIterator<Item = V>,
) -> Principals {
    Principals::new(PrincipalsArgs {
        identifiers: identifiers.into_iter().collect::<Vec<V>>().into(),
        r#type: kind.into(),
    })
}

/// A policy statement's condition: `test` on `variable` against `values`.
pub fn condition<V: Into<Value<String>>>(
    test: &str,
    variable: &str,
    values: impl IntoIterator<Item = V>,
) -> Condition {
    Condition::new(ConditionArgs {
        test: test.into(),
        values: values.into_iter().collect::<Vec<V>>().into(),
        variable: variable.into(),
    })
}

/// Adds a role that `service` (e.g. `ec2.amazonaws.com`) may assume, with an
/// inline policy of `statements`; returns the role and its policy, which
/// users of the role must wait for.
pub fn service_role(
    stack: &mut Stack,
    prefix: &str,
    name: &str,
    service: &str,
    statements: Vec<Statement>,
) -> (AwsIamRoleRef, Option<AwsIamRolePolicyRef>) {
    let trust = stack.add(
        DataAwsIamPolicyDocument::new(label(prefix, "trust")).statement(
            Statement::new()
                .effect("Allow")
                .actions(["sts:AssumeRole"])
                .principals(principals("Service", [service])),
        ),
    );
    let role = stack.add(
        AwsIamRole::new(prefix, trust.json())
            .name(name)
            .tags(name_tags(name)),
    );
    if statements.is_empty() {
        return (role, None);
    }
    let mut document = DataAwsIamPolicyDocument::new(label(prefix, "permissions"));
    for statement in statements {
        document = document.statement(statement);
    }
    let document = stack.add(document);
    let policy = stack.add(
        AwsIamRolePolicy::new(
            prefix,
            AwsIamRolePolicyArgs {
                policy: document.json(),
                role: role.id(),
            },
        )
        .name(format!("{name}-policy")),
    );
    (role, Some(policy))
}

/// Attaches the AWS managed policy `name` (e.g. `AmazonSSMManagedInstanceCore`,
/// or `service-role/AmazonRDSEnhancedMonitoringRole`) to `role`.
pub fn attach_managed(
    stack: &mut Stack,
    prefix: &str,
    role: &AwsIamRoleRef,
    name: &str,
) -> AwsIamRolePolicyAttachmentRef {
    let partition_label = label(prefix, "partition");
    let partition = if stack
        .data_sources()
        .any(|d| d.ty() == "aws_partition" && d.name() == partition_label)
    {
        tfsynth::DataRef::new("aws_partition", partition_label).attr("partition")
    } else {
        stack
            .add(DataAwsPartition::new(partition_label))
            .partition()
            .expr()
    };
    let short = name.rsplit('/').next().unwrap_or(name);
    let arn = interp!["arn:", partition, ":iam::aws:policy/", name];
    stack.add(AwsIamRolePolicyAttachment::new(
        label(prefix, &short.to_lowercase()),
        AwsIamRolePolicyAttachmentArgs {
            policy_arn: arn.into(),
            role: role.name(),
        },
    ))
}

/// Inputs of [`Iam`].
#[derive(Clone, Debug)]
pub struct IamConfig {
    /// Prefix of resource names.
    pub name: String,
    /// The data bucket's ARN, when the instances use one.
    pub data_bucket_arn: Option<Value<String>>,
    /// The logs bucket's ARN, when the instances write to one.
    pub logs_bucket_arn: Option<Value<String>>,
    /// The application log group's ARN.
    pub app_log_group_arn: Value<String>,
    /// AWS managed policies to attach, by name.
    pub managed_policies: Vec<String>,
}

/// The instances' identity.
pub struct Iam {
    /// The instance profile the launch template uses.
    pub instance_profile: AwsIamInstanceProfileRef,
}

impl Iam {
    /// Adds the role, its policies and the instance profile under `prefix`.
    pub fn new(stack: &mut Stack, prefix: &str, config: &IamConfig) -> Iam {
        let mut statements = Vec::new();
        if let Some(data) = &config.data_bucket_arn {
            statements.push(
                Statement::new()
                    .sid("DataObjects")
                    .effect("Allow")
                    .actions(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
                    .resources([interp![data.clone(), "/*"]]),
            );
            statements.push(
                Statement::new()
                    .sid("DataList")
                    .effect("Allow")
                    .actions(["s3:ListBucket"])
                    .resources([data.clone()]),
            );
        }
        if let Some(logs) = &config.logs_bucket_arn {
            statements.push(
                Statement::new()
                    .sid("AppLogsToBucket")
                    .effect("Allow")
                    .actions(["s3:PutObject"])
                    .resources([interp![logs.clone(), "/app/*"]]),
            );
        }
        statements.push(
            Statement::new()
                .sid("AppLogGroup")
                .effect("Allow")
                .actions([
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ])
                .resources([interp![config.app_log_group_arn.clone(), ":*"]]),
        );
        let name = format!("{}-instance", config.name);
        let (role, _) = service_role(stack, prefix, &name, "ec2.amazonaws.com", statements);
        for policy in &config.managed_policies {
            attach_managed(stack, prefix, &role, policy);
        }
        let instance_profile = stack.add(
            AwsIamInstanceProfile::new(prefix)
                .name(name.as_str())
                .role(role.name())
                .tags(name_tags(&name)),
        );
        Iam { instance_profile }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfsynth::testing::Synth;

    #[test]
    fn least_privilege_instance_role() {
        let mut stack = Stack::new("t");
        let arn =
            |ty: &str, name: &str| Value::from(tfsynth::ResourceRef::new(ty, name).attr("arn"));
        stack.add(tfsynth::Resource::new("aws_s3_bucket", "data"));
        stack.add(tfsynth::Resource::new("aws_s3_bucket", "logs"));
        stack.add(tfsynth::Resource::new("aws_cloudwatch_log_group", "app"));
        Iam::new(
            &mut stack,
            "iam",
            &IamConfig {
                name: "acme-dev".into(),
                data_bucket_arn: Some(arn("aws_s3_bucket", "data")),
                logs_bucket_arn: Some(arn("aws_s3_bucket", "logs")),
                app_log_group_arn: arn("aws_cloudwatch_log_group", "app"),
                managed_policies: vec!["AmazonSSMManagedInstanceCore".into()],
            },
        );
        let j = Synth::stack(&stack);
        let trust = j.data_source("aws_iam_policy_document", "iam_trust");
        assert_eq!(
            trust["statement"][0]["principals"][0]["identifiers"],
            json!(["ec2.amazonaws.com"])
        );
        let doc = j.data_source("aws_iam_policy_document", "iam_permissions");
        let statements = doc["statement"].as_array().unwrap();
        for s in statements {
            for action in s["actions"].as_array().unwrap() {
                assert!(
                    !action.as_str().unwrap().contains('*'),
                    "wildcard action {action}"
                );
            }
            for resource in s["resources"].as_array().unwrap() {
                assert_ne!(resource, "*", "wildcard resource");
            }
        }
        assert_eq!(
            statements[0]["resources"],
            json!(["${aws_s3_bucket.data.arn}/*"])
        );
        assert_eq!(
            statements[3]["resources"],
            json!(["${aws_cloudwatch_log_group.app.arn}:*"])
        );
        assert_eq!(
            j.resource("aws_iam_role_policy", "iam")["policy"],
            json!("${data.aws_iam_policy_document.iam_permissions.json}")
        );
        assert_eq!(
            j.resource(
                "aws_iam_role_policy_attachment",
                "iam_amazonssmmanagedinstancecore"
            )["policy_arn"],
            json!(
                "arn:${data.aws_partition.iam_partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
            )
        );
        assert_eq!(
            j.resource("aws_iam_instance_profile", "iam")["role"],
            json!("${aws_iam_role.iam.name}")
        );
    }
}
