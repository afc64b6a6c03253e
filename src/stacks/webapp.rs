//! The scalable web application: the account's default VPC, an ALB behind a
//! WAF, logging its access to a logs bucket, and an auto scaling group of
//! Amazon Linux 2 instances with CPU target tracking, Systems Manager
//! access, and an SNS-alerting unhealthy-host alarm.

use tfsynth::Stack;
use tfsynth::config::{ConfigValue, Settings, rules};
use tfsynth_aws::data::aws_subnets::{Filter, FilterArgs};
use tfsynth_aws::data::{DataAwsSubnets, DataAwsVpc};

use super::common::{self, Common};
use tfsynth_modules::iam::{Iam, IamConfig};
use tfsynth_modules::monitoring::{Alarm, Monitoring, MonitoringConfig};
use tfsynth_modules::storage::{Storage, StorageConfig};
use tfsynth_modules::web_tier::{HealthCheck, WebTier, WebTierConfig};

/// The configuration of the webapp stack.
#[derive(Settings)]
#[settings(
    default(
        common.instance_type = "t3.micro",
        common.asg_min = 1,
        common.asg_max = 3,
        common.asg_desired = 1,
        common.app_port = 80,
    ),
    check("timeout < interval", [health_check_timeout, health_check_interval], timeout_below_interval),
)]
pub struct Webapp {
    #[setting(flatten)]
    pub common: Common,
    /// target average CPU for scaling (%)
    #[setting(default = 50, rule("percentage", rules::percent))]
    pub cpu_target: i64,
    /// target group health check path
    #[setting(default = "/", rule("path", path_rule))]
    pub health_check_path: String,
    /// HTTP codes of a healthy target
    #[setting(default = "200")]
    pub health_check_matcher: String,
    /// successes before healthy
    #[setting(default = 2, rule("2 to 10", threshold_rule))]
    pub healthy_threshold: i64,
    /// failures before unhealthy
    #[setting(default = 2, rule("2 to 10", threshold_rule))]
    pub unhealthy_threshold: i64,
    /// health check timeout (s)
    #[setting(default = 5, rule("2 to 120", |v| range(v, 2, 120)))]
    pub health_check_timeout: i64,
    /// seconds between health checks
    #[setting(default = 30, rule("5 to 300", |v| range(v, 5, 300)))]
    pub health_check_interval: i64,
    /// alarm when unhealthy hosts exceed this
    #[setting(default = 0, rule("not negative", rules::not_negative))]
    pub unhealthy_hosts_threshold: i64,
}

fn path_rule(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::String(s) if !s.starts_with('/') || s.len() > 1024 => {
            Err("must start with / and have at most 1024 characters".into())
        }
        _ => Ok(()),
    }
}

fn timeout_below_interval(c: &Webapp) -> Result<(), String> {
    if c.health_check_timeout < c.health_check_interval {
        Ok(())
    } else {
        Err("health_check_timeout must be shorter than health_check_interval".into())
    }
}

fn range(value: &ConfigValue, low: i64, high: i64) -> Result<(), String> {
    match value {
        ConfigValue::Integer(n) if !(low..=high).contains(n) => {
            Err(format!("outside {low} to {high}"))
        }
        _ => Ok(()),
    }
}

fn threshold_rule(value: &ConfigValue) -> Result<(), String> {
    range(value, 2, 10)
}

/// Adds the webapp stack's blocks.
pub fn build(stack: &mut Stack, config: &Webapp) {
    let common = &config.common;
    let name = common.identity.name();
    let vpc = stack.add(DataAwsVpc::new("default").default(true));
    let subnets = stack.add(
        DataAwsSubnets::new("default").filter(Filter::new(FilterArgs {
            name: "vpc-id".into(),
            values: [vpc.id()].into(),
        })),
    );
    let monitoring = Monitoring::new(
        stack,
        "mon",
        &MonitoringConfig {
            name: name.clone(),
            retention_days: common.log_retention_days,
            // The webapp seed names no log groups: these are its own.
            app_log_group: format!("/{name}/app"),
            flow_log_group: format!("/{name}/vpc-flow-logs"),
            vpc_id: None,
            alarm_topic: true,
            alarm_emails: common.alarm_emails.clone(),
        },
    );
    let storage = Storage::new(
        stack,
        "store",
        &StorageConfig {
            name: name.clone(),
            data_bucket: None,
            logs_bucket: common
                .identity
                .bucket_name("logs", common.logs_bucket_name.as_deref()),
            logs_expiration_days: common.logs_expiration_days,
            noncurrent_days: 30,
        },
    );
    let iam = Iam::new(
        stack,
        "iam",
        &IamConfig {
            name: name.clone(),
            data_bucket_arn: None,
            logs_bucket_arn: None,
            app_log_group_arn: monitoring.app_log_group.arn(),
            managed_policies: vec!["AmazonSSMManagedInstanceCore".into()],
        },
    );
    let ami = common::ami(stack, common);
    let certificate = common::certificate(stack, common);
    let web = WebTier::new(
        stack,
        "web",
        &WebTierConfig {
            name: name.clone(),
            environment: common.identity.environment.clone(),
            vpc_id: vpc.id(),
            alb_subnet_ids: subnets.ids(),
            instance_subnet_ids: subnets.ids(),
            app_port: common.app_port,
            instance_type: common.instance_type.clone(),
            ami,
            instance_profile_arn: iam.instance_profile.arn(),
            log_group: format!("/{name}/app"),
            min_size: common.asg_min,
            max_size: common.asg_max,
            desired_capacity: common.asg_desired,
            root_volume_gb: 8,
            health_check: HealthCheck {
                path: config.health_check_path.clone(),
                matcher: config.health_check_matcher.clone(),
                healthy_threshold: config.healthy_threshold,
                unhealthy_threshold: config.unhealthy_threshold,
                timeout: config.health_check_timeout,
                interval: config.health_check_interval,
            },
            certificate_arn: certificate,
            firewall: Some(common::firewall(common, &monitoring)),
            cpu_target: Some(config.cpu_target as f64),
            access_logs: Some(storage.alb_access_logs()),
            deletion_protection: common.alb_deletion_protection,
        },
    );
    let alarm = monitoring.alarm(
        stack,
        Alarm {
            id: "unhealthy_hosts",
            description: "unhealthy targets behind the load balancer".into(),
            namespace: "AWS/ApplicationELB",
            metric: "UnHealthyHostCount",
            statistic: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: config.unhealthy_hosts_threshold as f64,
            period: 60,
            evaluation_periods: 2,
            dimensions: vec![
                ("LoadBalancer", web.alb.arn_suffix()),
                ("TargetGroup", web.target_group.arn_suffix()),
            ],
        },
    );
    let topic = monitoring
        .topic
        .as_ref()
        .expect("the webapp stack always has an alarm topic");
    let policy = web
        .cpu_policy
        .as_ref()
        .expect("the webapp stack always tracks CPU");
    common::outputs(
        stack,
        [
            (
                "alb_dns_name",
                web.alb.dns_name().expr(),
                "DNS name of the application load balancer",
            ),
            (
                "alb_zone_id",
                web.alb.zone_id().expr(),
                "Route 53 zone of the load balancer, for alias records",
            ),
            (
                "sns_topic_arn",
                topic.arn().expr(),
                "ARN of the alarm topic",
            ),
            (
                "auto_scaling_group_name",
                web.asg.name().expr(),
                "name of the auto scaling group",
            ),
            (
                "cpu_scaling_policy_name",
                policy.name().expr(),
                "name of the CPU target-tracking policy",
            ),
            (
                "unhealthy_alarm_name",
                alarm.alarm_name().expr(),
                "name of the unhealthy-host alarm",
            ),
        ],
    );
    common::provider(stack, &common.identity, common.emulator_endpoint.as_deref());
}
