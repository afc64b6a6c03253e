//! Monitoring: a customer-managed KMS key for logs and alarms, log groups
//! for the application and for VPC flow logs encrypted with it, a flow log
//! capturing ALL traffic into CloudWatch Logs with its own least-privilege
//! role, an SNS topic for alarm actions encrypted with the same key, and
//! metric alarms that treat missing data as not breaching.

use tfsynth::{Expr, Node, ResourceBlock, Stack, Value, func, interp};
use tfsynth_aws::data::aws_iam_policy_document::Statement;
use tfsynth_aws::data::{DataAwsCallerIdentity, DataAwsPartition, DataAwsRegion};
use tfsynth_aws::resource::{
    AwsCloudwatchLogGroup, AwsCloudwatchLogGroupRef, AwsCloudwatchMetricAlarm,
    AwsCloudwatchMetricAlarmArgs, AwsCloudwatchMetricAlarmRef, AwsFlowLog, AwsKmsAlias, AwsKmsKey,
    AwsKmsKeyRef, AwsSnsTopic, AwsSnsTopicRef, AwsSnsTopicSubscription,
    AwsSnsTopicSubscriptionArgs,
};

use crate::iam::service_role;
use crate::{label, name_tags};

/// Inputs of [`Monitoring`].
#[derive(Clone, Debug)]
pub struct MonitoringConfig {
    /// Prefix of names.
    pub name: String,
    /// Days CloudWatch keeps log events.
    pub retention_days: i64,
    /// The application's log group name (dashboards and queries use it).
    pub app_log_group: String,
    /// The flow log's log group name.
    pub flow_log_group: String,
    /// The VPC whose traffic the flow log captures; `None` for no flow log.
    pub vpc_id: Option<Value<String>>,
    /// Create an SNS topic for alarm actions.
    pub alarm_topic: bool,
    /// Email addresses subscribed to the topic.
    pub alarm_emails: Vec<String>,
}

/// A metric alarm.
#[derive(Clone, Debug)]
pub struct Alarm {
    /// Block label suffix and alarm name suffix.
    pub id: &'static str,
    /// What the alarm means.
    pub description: String,
    /// The metric namespace, e.g. `AWS/RDS`.
    pub namespace: &'static str,
    /// The metric name.
    pub metric: &'static str,
    /// `Average`, `Sum`, `Maximum`, ...
    pub statistic: &'static str,
    /// `GreaterThanThreshold`, ...
    pub comparison: &'static str,
    /// The threshold.
    pub threshold: f64,
    /// Seconds per evaluation period.
    pub period: i64,
    /// Periods that must breach.
    pub evaluation_periods: i64,
    /// Metric dimensions.
    pub dimensions: Vec<(&'static str, Value<String>)>,
}

/// Logs, flow logs, the alarm topic.
pub struct Monitoring {
    name: String,
    prefix: String,
    /// The customer-managed key of the log groups and the topic; other
    /// modules' log groups (and RDS Performance Insights) use it too.
    pub key: AwsKmsKeyRef,
    /// The application's log group.
    pub app_log_group: AwsCloudwatchLogGroupRef,
    /// The topic alarms notify, when configured.
    pub topic: Option<AwsSnsTopicRef>,
}

/// The key of the stack's logs and alarms: rotated yearly, administered by
/// the account through IAM (AWS's default key policy), usable by CloudWatch
/// Logs for this account's log groups and by CloudWatch alarms of this
/// account publishing to the encrypted topic.
///
/// The key policy is written inline rather than as an
/// `aws_iam_policy_document`: in a key policy the resource `"*"` means the
/// key itself, which IAM policy checkers would report as a wildcard.
fn logs_key(stack: &mut Stack, prefix: &str, name: &str) -> AwsKmsKeyRef {
    let account = stack
        .add(DataAwsCallerIdentity::new(label(prefix, "account")))
        .account_id();
    let partition = stack
        .add(DataAwsPartition::new(label(prefix, "partition")))
        .partition();
    let region = stack
        .add(DataAwsRegion::new(label(prefix, "region")))
        .name();
    let statement =
        |sid: &str, principal: (&str, Expr), actions: &[&str], condition: Option<Node>| {
            let mut fields = vec![
                ("Sid", Node::from(sid)),
                ("Effect", Node::from("Allow")),
                ("Principal", Node::map_of([(principal.0, principal.1)])),
                ("Action", Node::list_of(actions.iter().copied())),
                ("Resource", Node::from("*")),
            ];
            fields.extend(condition.map(|c| ("Condition", c)));
            Node::map_of(fields)
        };
    let admin = statement(
        "AccountAdministersTheKey",
        (
            "AWS",
            interp![
                "arn:",
                partition.clone(),
                ":iam::",
                account.clone(),
                ":root"
            ],
        ),
        &["kms:*"],
        None,
    );
    let use_actions = [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey",
    ];
    let logs = statement(
        "CloudWatchLogsUsesTheKey",
        (
            "Service",
            interp!["logs.", region.clone(), ".amazonaws.com"],
        ),
        &use_actions,
        Some(Node::map_of([(
            "ArnLike",
            Node::map_of([(
                "kms:EncryptionContext:aws:logs:arn",
                interp![
                    "arn:",
                    partition,
                    ":logs:",
                    region,
                    ":",
                    account.clone(),
                    ":log-group:*"
                ],
            )]),
        )])),
    );
    let alarms = statement(
        "AlarmsPublishToTheEncryptedTopic",
        ("Service", Expr::from("cloudwatch.amazonaws.com")),
        &["kms:Decrypt", "kms:GenerateDataKey"],
        Some(Node::map_of([(
            "StringEquals",
            Node::map_of([("aws:SourceAccount", account.expr())]),
        )])),
    );
    let policy = Node::map_of([
        ("Version", Node::from("2012-10-17")),
        ("Statement", Node::list_of([admin, logs, alarms])),
    ]);
    let key = stack.add(
        AwsKmsKey::new(prefix)
            .description(format!("{name}: CloudWatch Logs and alarm notifications"))
            .enable_key_rotation(true)
            .deletion_window_in_days(30)
            .policy(func::jsonencode(policy))
            .tags(name_tags(&format!("{name}-logs"))),
    );
    stack.add(AwsKmsAlias::new(prefix, key.key_id()).name(format!("alias/{name}-logs")));
    key
}

impl Monitoring {
    /// Adds log groups, the flow log and the topic under `prefix`.
    pub fn new(stack: &mut Stack, prefix: &str, config: &MonitoringConfig) -> Monitoring {
        let name = &config.name;
        let key = logs_key(stack, prefix, name);
        let app_log_group = stack.add(
            AwsCloudwatchLogGroup::new(label(prefix, "app"))
                .name(config.app_log_group.clone())
                .retention_in_days(config.retention_days)
                .kms_key_id(key.arn())
                .tags(name_tags(&format!("{name}-app"))),
        );
        if let Some(vpc_id) = &config.vpc_id {
            let flow_group = stack.add(
                AwsCloudwatchLogGroup::new(label(prefix, "flow"))
                    .name(config.flow_log_group.clone())
                    .retention_in_days(config.retention_days)
                    .kms_key_id(key.arn())
                    .tags(name_tags(&format!("{name}-flow-logs"))),
            );
            let (role, policy) = service_role(
                stack,
                &label(prefix, "flow"),
                &format!("{name}-flow-logs"),
                "vpc-flow-logs.amazonaws.com",
                vec![
                    Statement::new()
                        .sid("WriteFlowLogs")
                        .effect("Allow")
                        .actions([
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ])
                        .resources([interp![flow_group.arn(), ":*"]]),
                ],
            );
            let policy = policy.expect("the flow log role has a policy");
            stack.add(
                AwsFlowLog::new(label(prefix, "vpc"))
                    .vpc_id(vpc_id.clone())
                    .traffic_type("ALL")
                    .log_destination_type("cloud-watch-logs")
                    .log_destination(flow_group.arn())
                    .iam_role_arn(role.arn())
                    .max_aggregation_interval(60)
                    .tags(name_tags(&format!("{name}-vpc-flow-log")))
                    // The flow log service checks the role's permissions when the
                    // flow log is created; the inline policy must be in place.
                    .depends_on(
                        &policy,
                        "the flow log service checks the role's permissions at creation",
                    ),
            );
        }
        let topic = config.alarm_topic.then(|| {
            let topic = stack.add(
                AwsSnsTopic::new(label(prefix, "alarms"))
                    .name(format!("{name}-alarms"))
                    .kms_master_key_id(key.arn())
                    .tags(name_tags(&format!("{name}-alarms"))),
            );
            for (i, email) in config.alarm_emails.iter().enumerate() {
                stack.add(AwsSnsTopicSubscription::new(
                    label(prefix, &format!("alarm_email_{i}")),
                    AwsSnsTopicSubscriptionArgs {
                        endpoint: email.into(),
                        protocol: "email".into(),
                        topic_arn: topic.arn(),
                    },
                ));
            }
            topic
        });
        Monitoring {
            name: name.clone(),
            prefix: prefix.to_owned(),
            key,
            app_log_group,
            topic,
        }
    }

    /// Adds a metric alarm that notifies the topic, if there is one.
    pub fn alarm(&self, stack: &mut Stack, alarm: Alarm) -> AwsCloudwatchMetricAlarmRef {
        let mut block = AwsCloudwatchMetricAlarm::new(
            label(&self.prefix, alarm.id),
            AwsCloudwatchMetricAlarmArgs {
                alarm_name: format!("{}-{}", self.name, alarm.id.replace('_', "-")).into(),
                comparison_operator: alarm.comparison.into(),
                evaluation_periods: alarm.evaluation_periods.into(),
            },
        )
        .alarm_description(alarm.description)
        .namespace(alarm.namespace)
        .metric_name(alarm.metric)
        .statistic(alarm.statistic)
        .threshold(alarm.threshold)
        .period(alarm.period)
        .treat_missing_data("notBreaching")
        .dimensions(alarm.dimensions)
        .tags(name_tags(&format!(
            "{}-{}",
            self.name,
            alarm.id.replace('_', "-")
        )));
        if let Some(topic) = &self.topic {
            block = block.alarm_actions([topic.arn()]).ok_actions([topic.arn()]);
        }
        stack.add(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfsynth::testing::Synth;

    #[test]
    fn flow_logs_topic_and_alarms() {
        let mut stack = Stack::new("t");
        stack.add(tfsynth::Resource::new("aws_vpc", "v"));
        let vpc_id = Value::from(tfsynth::ResourceRef::new("aws_vpc", "v").attr("id"));
        let mon = Monitoring::new(
            &mut stack,
            "mon",
            &MonitoringConfig {
                name: "acme-dev".into(),
                retention_days: 7,
                app_log_group: "/acme-dev/app".into(),
                flow_log_group: "/acme-dev/vpc-flow-logs".into(),
                vpc_id: Some(vpc_id),
                alarm_topic: true,
                alarm_emails: vec!["ops@example.com".into()],
            },
        );
        mon.alarm(
            &mut stack,
            Alarm {
                id: "rds_cpu",
                description: "CPU above 80% for 10 minutes".into(),
                namespace: "AWS/RDS",
                metric: "CPUUtilization",
                statistic: "Average",
                comparison: "GreaterThanThreshold",
                threshold: 80.0,
                period: 300,
                evaluation_periods: 2,
                dimensions: vec![("DBInstanceIdentifier", Value::from("db-1"))],
            },
        );
        let j = Synth::stack(&stack);
        assert_eq!(
            j.resource("aws_cloudwatch_log_group", "mon_app")["retention_in_days"],
            json!(7)
        );
        let flow = j.resource("aws_flow_log", "mon_vpc");
        assert_eq!(flow["traffic_type"], json!("ALL"));
        assert_eq!(flow["log_destination_type"], json!("cloud-watch-logs"));
        assert_eq!(flow["depends_on"], json!(["aws_iam_role_policy.mon_flow"]));
        let doc = j.data_source("aws_iam_policy_document", "mon_flow_permissions");
        assert_eq!(
            doc["statement"][0]["resources"],
            json!(["${aws_cloudwatch_log_group.mon_flow.arn}:*"])
        );
        let alarm = j.resource("aws_cloudwatch_metric_alarm", "mon_rds_cpu");
        assert_eq!(alarm["treat_missing_data"], json!("notBreaching"));
        assert_eq!(alarm["threshold"], json!(80));
        assert_eq!(alarm["alarm_name"], json!("acme-dev-rds-cpu"));
        assert_eq!(
            alarm["alarm_actions"],
            json!(["${aws_sns_topic.mon_alarms.arn}"])
        );
        assert_eq!(alarm["dimensions"], json!({"DBInstanceIdentifier": "db-1"}));
        assert_eq!(
            j.resource("aws_sns_topic_subscription", "mon_alarm_email_0")["protocol"],
            json!("email")
        );
    }
}
