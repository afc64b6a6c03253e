//! The scalable web application: the account's default VPC, an ALB behind a
//! WAF, logging its access to a logs bucket, and an auto scaling group of
//! Amazon Linux 2 instances with CPU target tracking, Systems Manager
//! access, and an SNS-alerting unhealthy-host alarm.

use tfsynth::Stack;
use tfsynth::config::{Config, ConfigValue, Key, Spec, rules};
use tfsynth_aws::data::aws_subnets::{Filter, FilterArgs};
use tfsynth_aws::data::{DataAwsSubnets, DataAwsVpc};

use super::common;
use tfsynth_modules::iam::{Iam, IamConfig};
use tfsynth_modules::monitoring::{Alarm, Monitoring, MonitoringConfig};
use tfsynth_modules::storage::{Storage, StorageConfig};
use tfsynth_modules::web_tier::{HealthCheck, WebTier, WebTierConfig};

fn int(value: i64) -> ConfigValue {
    ConfigValue::Integer(value)
}

/// The configuration keys of the webapp stack.
pub fn spec() -> Spec {
    common::spec("t3.micro", (1, 3, 1), 80)
        .key(
            Key::with_default("cpu_target", int(50), "target average CPU for scaling (%)")
                .rule("percentage", rules::percent),
        )
        .key(
            Key::with_default(
                "health_check_path",
                ConfigValue::String("/".into()),
                "target group health check path",
            )
            .rule("path", |v| match v {
                ConfigValue::String(s) if !s.starts_with('/') || s.len() > 1024 => {
                    Err("must start with / and have at most 1024 characters".into())
                }
                _ => Ok(()),
            }),
        )
        .key(Key::with_default(
            "health_check_matcher",
            ConfigValue::String("200".into()),
            "HTTP codes of a healthy target",
        ))
        .key(
            Key::with_default("healthy_threshold", int(2), "successes before healthy")
                .rule("2 to 10", threshold_rule),
        )
        .key(
            Key::with_default("unhealthy_threshold", int(2), "failures before unhealthy")
                .rule("2 to 10", threshold_rule),
        )
        .key(
            Key::with_default("health_check_timeout", int(5), "health check timeout (s)")
                .rule("2 to 120", |v| range(v, 2, 120)),
        )
        .key(
            Key::with_default(
                "health_check_interval",
                int(30),
                "seconds between health checks",
            )
            .rule("5 to 300", |v| range(v, 5, 300)),
        )
        .key(
            Key::with_default(
                "unhealthy_hosts_threshold",
                int(0),
                "alarm when unhealthy hosts exceed this",
            )
            .rule("not negative", rules::not_negative),
        )
        .check(
            "timeout < interval",
            &["health_check_timeout", "health_check_interval"],
            |c| {
                let (timeout, interval) = (
                    c.int("health_check_timeout"),
                    c.int("health_check_interval"),
                );
                if timeout < interval {
                    Ok(())
                } else {
                    Err("health_check_timeout must be shorter than health_check_interval".into())
                }
            },
        )
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
pub fn build(stack: &mut Stack, config: &Config) {
    let name = common::name(config);
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
            retention_days: config.int("log_retention_days"),
            // The webapp seed names no log groups: these are its own.
            app_log_group: format!("/{name}/app"),
            flow_log_group: format!("/{name}/vpc-flow-logs"),
            vpc_id: None,
            alarm_topic: true,
            alarm_emails: config.list("alarm_emails").to_vec(),
        },
    );
    let storage = Storage::new(
        stack,
        "store",
        &StorageConfig {
            name: name.clone(),
            data_bucket: None,
            logs_bucket: common::bucket_name(config, "logs"),
            logs_expiration_days: config.int("logs_expiration_days"),
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
    let ami = common::ami(stack, config);
    let certificate = common::certificate(stack, config);
    let web = WebTier::new(
        stack,
        "web",
        &WebTierConfig {
            name: name.clone(),
            environment: config.string("environment").to_owned(),
            vpc_id: vpc.id(),
            alb_subnet_ids: subnets.ids(),
            instance_subnet_ids: subnets.ids(),
            app_port: config.int("app_port"),
            instance_type: config.string("instance_type").to_owned(),
            ami,
            instance_profile_arn: iam.instance_profile.arn(),
            log_group: format!("/{name}/app"),
            min_size: config.int("asg_min"),
            max_size: config.int("asg_max"),
            desired_capacity: config.int("asg_desired"),
            root_volume_gb: 8,
            health_check: HealthCheck {
                path: config.string("health_check_path").to_owned(),
                matcher: config.string("health_check_matcher").to_owned(),
                healthy_threshold: config.int("healthy_threshold"),
                unhealthy_threshold: config.int("unhealthy_threshold"),
                timeout: config.int("health_check_timeout"),
                interval: config.int("health_check_interval"),
            },
            certificate_arn: certificate,
            firewall: Some(common::firewall(config, &monitoring)),
            cpu_target: Some(config.int("cpu_target") as f64),
            access_logs: Some(storage.alb_access_logs()),
            deletion_protection: config.bool("alb_deletion_protection"),
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
            threshold: config.int("unhealthy_hosts_threshold") as f64,
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
    common::provider(stack, config);
}
