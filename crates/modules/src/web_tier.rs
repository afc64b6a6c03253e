//! The web tier: an internet-facing application load balancer in front of an
//! auto scaling group. Security groups admit 80/443 from the internet to the
//! load balancer and only the application port from the load balancer to
//! the instances. Instances come from a launch template with IMDSv2 required,
//! an encrypted root volume, an instance profile and user data rendered from
//! a handlebars template in the repository. With a certificate the load
//! balancer serves HTTPS (TLS 1.2 or 1.3 only) and HTTP redirects to it; with
//! a firewall configured, a WAF web ACL (a per-IP rate limit and AWS's
//! managed rule groups) guards it and logs into an encrypted log group with
//! credentials redacted.

use handlebars::Handlebars;
use serde_json::json;
use tfsynth::{ResourceBlock, Stack, Value, func};
use tfsynth_aws::data::DataAwsDefaultTags;
use tfsynth_aws::resource::aws_autoscaling_group::{
    InstanceRefresh, LaunchTemplate, Preferences, Tag, TagArgs,
};
use tfsynth_aws::resource::aws_autoscaling_policy::{
    PredefinedMetricSpecification, TargetTrackingConfiguration,
};
use tfsynth_aws::resource::aws_launch_template::{
    BlockDeviceMappings, Ebs, IamInstanceProfile, MetadataOptions, Monitoring, TagSpecifications,
};
use tfsynth_aws::resource::aws_lb::AccessLogs;
use tfsynth_aws::resource::aws_lb_listener::{DefaultAction, Redirect};
use tfsynth_aws::resource::aws_lb_target_group::HealthCheck as TgHealthCheck;
use tfsynth_aws::resource::aws_wafv2_web_acl::{
    Action, ActionCount, ActionToUse, Allow, Block, DefaultAction as WafDefaultAction,
    ManagedRuleGroupStatement, ManagedRuleGroupStatementArgs, NoneBlock, OverrideAction,
    RateBasedStatement, Rule, RuleActionOverride, RuleActionOverrideArgs, RuleArgs, Statement,
    VisibilityConfig, VisibilityConfigArgs,
};
use tfsynth_aws::resource::aws_wafv2_web_acl_logging_configuration::{
    RedactedFields, SingleHeader,
};
use tfsynth_aws::resource::{
    AwsAutoscalingGroup, AwsAutoscalingGroupArgs, AwsAutoscalingGroupRef, AwsAutoscalingPolicy,
    AwsAutoscalingPolicyArgs, AwsAutoscalingPolicyRef, AwsCloudwatchLogGroup, AwsLaunchTemplate,
    AwsLb, AwsLbListener, AwsLbListenerArgs, AwsLbRef, AwsLbTargetGroup, AwsLbTargetGroupRef,
    AwsS3BucketPolicyRef, AwsSecurityGroup, AwsSecurityGroupRef, AwsVpcSecurityGroupEgressRule,
    AwsVpcSecurityGroupEgressRuleArgs, AwsVpcSecurityGroupIngressRule,
    AwsVpcSecurityGroupIngressRuleArgs, AwsWafv2WebAcl, AwsWafv2WebAclArgs,
    AwsWafv2WebAclAssociation, AwsWafv2WebAclAssociationArgs, AwsWafv2WebAclLoggingConfiguration,
    AwsWafv2WebAclLoggingConfigurationArgs,
};

use crate::{label, name_tags};

const USER_DATA_TEMPLATE: &str = include_str!("templates/user_data.sh.hbs");

/// The target group's health check.
#[derive(Clone, Debug)]
pub struct HealthCheck {
    /// Request path.
    pub path: String,
    /// Expected HTTP codes, e.g. `200`.
    pub matcher: String,
    /// Successes before healthy.
    pub healthy_threshold: i64,
    /// Failures before unhealthy.
    pub unhealthy_threshold: i64,
    /// Seconds to wait for a response.
    pub timeout: i64,
    /// Seconds between checks.
    pub interval: i64,
}

/// Where the load balancer writes access logs.
#[derive(Clone, Debug)]
pub struct AccessLogTarget {
    /// The bucket's name.
    pub bucket: Value<String>,
    /// The key prefix.
    pub prefix: String,
    /// The bucket's policy, which must grant the load balancer write access first.
    pub policy: AwsS3BucketPolicyRef,
}

/// AWS managed rule groups every web ACL applies, in priority order: the
/// OWASP-style core set, known bad inputs (Log4Shell and the like), SQL
/// injection, Amazon's IP reputation list and anonymous IPs (Tor, VPNs,
/// proxies).
pub const MANAGED_RULE_GROUPS: [&str; 5] = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
];

/// Rules of the managed groups that only count instead of blocking: servers
/// of partners and monitoring services run in cloud hosting ranges, which
/// the anonymous-IP group would otherwise block outright.
pub const COUNT_ONLY_RULES: [(&str, &str); 1] =
    [("AWSManagedRulesAnonymousIpList", "HostingProviderIPList")];

/// The request headers WAF logs never contain.
pub const REDACTED_HEADERS: [&str; 2] = ["authorization", "cookie"];

/// The web application firewall in front of the load balancer.
#[derive(Clone, Debug)]
pub struct Firewall {
    /// Requests per 5 minutes from one IP address before it is blocked.
    pub rate_limit: i64,
    /// Days the WAF log group keeps events.
    pub log_retention_days: i64,
    /// The customer-managed KMS key of the WAF log group.
    pub kms_key_arn: Value<String>,
}

/// Inputs of [`WebTier`].
#[derive(Clone, Debug)]
pub struct WebTierConfig {
    /// Prefix of names; load balancer and target group names add `-alb` / `-tg`.
    pub name: String,
    /// The deployment environment, shown by the instances.
    pub environment: String,
    /// The VPC.
    pub vpc_id: Value<String>,
    /// Subnets of the load balancer.
    pub alb_subnet_ids: Value<Vec<String>>,
    /// Subnets of the instances.
    pub instance_subnet_ids: Value<Vec<String>>,
    /// The port the application listens on.
    pub app_port: i64,
    /// The EC2 instance type.
    pub instance_type: String,
    /// The AMI id, literal or looked up.
    pub ami: Value<String>,
    /// The instance profile.
    pub instance_profile_arn: Value<String>,
    /// The application's log group name, passed to the instances.
    pub log_group: String,
    /// Auto scaling sizes.
    pub min_size: i64,
    /// Auto scaling sizes.
    pub max_size: i64,
    /// Auto scaling sizes.
    pub desired_capacity: i64,
    /// Root volume size in GiB.
    pub root_volume_gb: i64,
    /// The target group health check.
    pub health_check: HealthCheck,
    /// An ACM certificate: adds HTTPS, and HTTP redirects to it.
    pub certificate_arn: Option<Value<String>>,
    /// A WAF web ACL on the load balancer.
    pub firewall: Option<Firewall>,
    /// Target average CPU for target tracking; `None` for a fixed size.
    pub cpu_target: Option<f64>,
    /// Load balancer access logs.
    pub access_logs: Option<AccessLogTarget>,
    /// Protect the load balancer from deletion.
    pub deletion_protection: bool,
}

/// The load balancer, the group and what alarms and outputs need.
pub struct WebTier {
    /// The load balancer.
    pub alb: AwsLbRef,
    /// The target group.
    pub target_group: AwsLbTargetGroupRef,
    /// The auto scaling group.
    pub asg: AwsAutoscalingGroupRef,
    /// The instances' security group, which the database admits.
    pub instance_sg: AwsSecurityGroupRef,
    /// The CPU target-tracking policy, when configured.
    pub cpu_policy: Option<AwsAutoscalingPolicyRef>,
}

/// Renders the instances' boot script from the repository's template.
pub fn render_user_data(name: &str, environment: &str, app_port: i64, log_group: &str) -> String {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(
        USER_DATA_TEMPLATE,
        &json!({"name": name, "environment": environment, "app_port": app_port, "log_group": log_group}),
    )
    .expect("the user data template renders with these four values (tested)")
}

impl WebTier {
    /// Adds the web tier under `prefix`: the security groups, the load
    /// balancer with its listeners, the instances, and the firewall when
    /// configured.
    pub fn new(stack: &mut Stack, prefix: &str, config: &WebTierConfig) -> WebTier {
        let (alb_sg, instance_sg) = security_groups(stack, prefix, config);
        let (alb, target_group) = load_balancer(stack, prefix, config, &alb_sg);
        let (asg, cpu_policy) = instances(stack, prefix, config, &instance_sg, &target_group);
        if let Some(firewall) = &config.firewall {
            web_acl(stack, prefix, &config.name, &alb, firewall);
        }
        WebTier {
            alb,
            target_group,
            asg,
            instance_sg,
            cpu_policy,
        }
    }
}

/// The load balancer's and the instances' security groups, and the rules
/// that let the internet reach the one and only the one reach the other.
fn security_groups(
    stack: &mut Stack,
    prefix: &str,
    config: &WebTierConfig,
) -> (AwsSecurityGroupRef, AwsSecurityGroupRef) {
    let name = &config.name;
    let port = config.app_port;
    let alb_sg = stack.add(
        AwsSecurityGroup::new(label(prefix, "alb"))
            .name(format!("{name}-alb"))
            .description("Load balancer: HTTP and HTTPS from the internet")
            .vpc_id(config.vpc_id.clone())
            .tags(name_tags(&format!("{name}-alb"))),
    );
    let instance_sg = stack.add(
        AwsSecurityGroup::new(label(prefix, "instances"))
            .name(format!("{name}-instances"))
            .description("Instances: the application port from the load balancer only")
            .vpc_id(config.vpc_id.clone())
            .tags(name_tags(&format!("{name}-instances"))),
    );
    for web_port in [80, 443] {
        stack.add(
            AwsVpcSecurityGroupIngressRule::new(
                label(prefix, &format!("alb_in_{web_port}")),
                AwsVpcSecurityGroupIngressRuleArgs {
                    ip_protocol: "tcp".into(),
                    security_group_id: alb_sg.id(),
                },
            )
            .from_port(web_port)
            .to_port(web_port)
            .cidr_ipv4("0.0.0.0/0")
            .description(format!("port {web_port} from the internet")),
        );
    }
    stack.add(
        AwsVpcSecurityGroupEgressRule::new(
            label(prefix, "alb_to_instances"),
            AwsVpcSecurityGroupEgressRuleArgs {
                ip_protocol: "tcp".into(),
                security_group_id: alb_sg.id(),
            },
        )
        .from_port(port)
        .to_port(port)
        .referenced_security_group_id(instance_sg.id())
        .description("application port to the instances"),
    );
    stack.add(
        AwsVpcSecurityGroupIngressRule::new(
            label(prefix, "instances_from_alb"),
            AwsVpcSecurityGroupIngressRuleArgs {
                ip_protocol: "tcp".into(),
                security_group_id: instance_sg.id(),
            },
        )
        .from_port(port)
        .to_port(port)
        .referenced_security_group_id(alb_sg.id())
        .description("application port from the load balancer"),
    );
    stack.add(
        AwsVpcSecurityGroupEgressRule::new(
            label(prefix, "instances_https_out"),
            AwsVpcSecurityGroupEgressRuleArgs {
                ip_protocol: "tcp".into(),
                security_group_id: instance_sg.id(),
            },
        )
        .from_port(443)
        .to_port(443)
        .cidr_ipv4("0.0.0.0/0")
        .description("HTTPS to AWS APIs and package repositories"),
    );
    (alb_sg, instance_sg)
}

/// The load balancer, its target group and its listeners: HTTP forwarding,
/// or with a certificate HTTPS forwarding and HTTP redirecting to it.
fn load_balancer(
    stack: &mut Stack,
    prefix: &str,
    config: &WebTierConfig,
    alb_sg: &AwsSecurityGroupRef,
) -> (AwsLbRef, AwsLbTargetGroupRef) {
    let name = &config.name;
    let port = config.app_port;
    let mut alb = AwsLb::new(prefix)
        .name(format!("{name}-alb"))
        .internal(false)
        .load_balancer_type("application")
        .security_groups([alb_sg.id()])
        .subnets(config.alb_subnet_ids.clone())
        .drop_invalid_header_fields(true)
        .enable_deletion_protection(config.deletion_protection)
        .tags(name_tags(&format!("{name}-alb")));
    if let Some(logs) = &config.access_logs {
        alb = alb
            .access_logs(
                AccessLogs::new(logs.bucket.clone())
                    .prefix(logs.prefix.as_str())
                    .enabled(true),
            )
            // The load balancer checks it may write to the bucket when access
            // logging is enabled; that grant is in the bucket's policy.
            .depends_on(
                &logs.policy,
                "the load balancer checks write access to the log bucket",
            );
    }
    let alb = stack.add(alb);

    let hc = &config.health_check;
    let target_group = stack.add(
        AwsLbTargetGroup::new(prefix)
            .name(format!("{name}-tg"))
            .port(port)
            .protocol("HTTP")
            .vpc_id(config.vpc_id.clone())
            .target_type("instance")
            .deregistration_delay("30")
            .health_check(
                TgHealthCheck::new()
                    .enabled(true)
                    .protocol("HTTP")
                    .path(hc.path.as_str())
                    .matcher(hc.matcher.as_str())
                    .healthy_threshold(hc.healthy_threshold)
                    .unhealthy_threshold(hc.unhealthy_threshold)
                    .timeout(hc.timeout)
                    .interval(hc.interval),
            )
            .tags(name_tags(&format!("{name}-tg"))),
    );
    let forward = || DefaultAction::new("forward").target_group_arn(target_group.arn());
    match &config.certificate_arn {
        Some(certificate) => {
            stack.add(
                AwsLbListener::new(
                    label(prefix, "http"),
                    AwsLbListenerArgs {
                        load_balancer_arn: alb.arn(),
                        default_action: DefaultAction::new("redirect")
                            .redirect(Redirect::new("HTTP_301").port("443").protocol("HTTPS")),
                    },
                )
                .port(80)
                .protocol("HTTP"),
            );
            stack.add(
                AwsLbListener::new(
                    label(prefix, "https"),
                    AwsLbListenerArgs {
                        load_balancer_arn: alb.arn(),
                        default_action: forward(),
                    },
                )
                .port(443)
                .protocol("HTTPS")
                .ssl_policy("ELBSecurityPolicy-TLS13-1-2-2021-06")
                .certificate_arn(certificate.clone()),
            );
        }
        None => {
            stack.add(
                AwsLbListener::new(
                    label(prefix, "http"),
                    AwsLbListenerArgs {
                        load_balancer_arn: alb.arn(),
                        default_action: forward(),
                    },
                )
                .port(80)
                .protocol("HTTP"),
            );
        }
    }
    (alb, target_group)
}

/// The launch template, the auto scaling group behind the target group,
/// and its CPU target-tracking policy when configured.
fn instances(
    stack: &mut Stack,
    prefix: &str,
    config: &WebTierConfig,
    instance_sg: &AwsSecurityGroupRef,
    target_group: &AwsLbTargetGroupRef,
) -> (AwsAutoscalingGroupRef, Option<AwsAutoscalingPolicyRef>) {
    let name = &config.name;
    let port = config.app_port;
    let user_data = render_user_data(name, &config.environment, port, &config.log_group);
    // The provider's default_tags reach the launch template but not what
    // the group launches from it: each instance and its volumes get them
    // (cost allocation reads Environment, Owner, CostCenter, Project)
    // through the template's tag specifications, with their own Name.
    let default_tags = stack.add(DataAwsDefaultTags::new(prefix));
    let launched_tags = |resource_type: &str, name: String| {
        TagSpecifications::new()
            .resource_type(resource_type)
            .tags(func::merge([
                default_tags.tags().into(),
                tfsynth::Expr::Object(vec![("Name".into(), name.into())]),
            ]))
    };
    let launch_template = stack.add(
        AwsLaunchTemplate::new(prefix)
            .name_prefix(format!("{name}-"))
            .image_id(config.ami.clone())
            .instance_type(config.instance_type.as_str())
            .vpc_security_group_ids([instance_sg.id()])
            .iam_instance_profile(
                IamInstanceProfile::new().arn(config.instance_profile_arn.clone()),
            )
            .metadata_options(
                MetadataOptions::new()
                    .http_endpoint("enabled")
                    .http_tokens("required")
                    .http_put_response_hop_limit(1),
            )
            .block_device_mappings(
                BlockDeviceMappings::new().device_name("/dev/xvda").ebs(
                    Ebs::new()
                        .volume_size(config.root_volume_gb)
                        .volume_type("gp3")
                        .encrypted("true")
                        .delete_on_termination("true"),
                ),
            )
            .monitoring(Monitoring::new().enabled(true))
            .user_data(func::base64encode(user_data.as_str()))
            .update_default_version(true)
            .tag_specifications(launched_tags("instance", format!("{name}-instance")))
            .tag_specifications(launched_tags("volume", format!("{name}-volume")))
            .tags(name_tags(&format!("{name}-instance"))),
    );
    let asg = stack.add(
        AwsAutoscalingGroup::new(
            prefix,
            AwsAutoscalingGroupArgs {
                max_size: config.max_size.into(),
                min_size: config.min_size.into(),
            },
        )
        .name(format!("{name}-asg"))
        .desired_capacity(config.desired_capacity)
        .vpc_zone_identifier(config.instance_subnet_ids.clone())
        .target_group_arns([target_group.arn()])
        .health_check_type("ELB")
        .health_check_grace_period(300)
        .launch_template(
            LaunchTemplate::new()
                .id(launch_template.id())
                .version(func::tostring(launch_template.latest_version())),
        )
        .instance_refresh(
            InstanceRefresh::new("Rolling")
                .preferences(Preferences::new().min_healthy_percentage(50)),
        )
        .tag(Tag::new(TagArgs {
            key: "Name".into(),
            propagate_at_launch: true.into(),
            value: format!("{name}-instance").into(),
        })),
    );
    let cpu_policy = config.cpu_target.map(|target| {
        stack.add(
            AwsAutoscalingPolicy::new(
                label(prefix, "cpu"),
                AwsAutoscalingPolicyArgs {
                    autoscaling_group_name: asg.name(),
                    name: format!("{name}-cpu-target").into(),
                },
            )
            .policy_type("TargetTrackingScaling")
            .target_tracking_configuration(
                TargetTrackingConfiguration::new(target).predefined_metric_specification(
                    PredefinedMetricSpecification::new("ASGAverageCPUUtilization"),
                ),
            ),
        )
    });
    (asg, cpu_policy)
}

/// The statement of one AWS managed rule group, with its count-only rules.
fn managed_group(group: &str) -> ManagedRuleGroupStatement {
    let mut statement = ManagedRuleGroupStatement::new(ManagedRuleGroupStatementArgs {
        name: group.into(),
        vendor_name: "AWS".into(),
    });
    for (_, rule) in COUNT_ONLY_RULES.iter().filter(|(g, _)| *g == group) {
        statement =
            statement.rule_action_override(RuleActionOverride::new(RuleActionOverrideArgs {
                name: (*rule).into(),
                action_to_use: ActionToUse::new().count_(ActionCount::new()),
            }));
    }
    statement
}

/// Adds the web ACL, its association with the load balancer and its logging.
fn web_acl(stack: &mut Stack, prefix: &str, name: &str, alb: &AwsLbRef, firewall: &Firewall) {
    let visibility = |metric: &str| {
        VisibilityConfig::new(VisibilityConfigArgs {
            cloudwatch_metrics_enabled: true.into(),
            metric_name: format!("{name}-{metric}").into(),
            sampled_requests_enabled: true.into(),
        })
    };
    let mut acl = AwsWafv2WebAcl::new(
        prefix,
        AwsWafv2WebAclArgs {
            scope: "REGIONAL".into(),
            default_action: WafDefaultAction::new().allow(Allow::new()),
            visibility_config: visibility("waf"),
        },
    )
    .name(format!("{name}-waf"))
    .description("Rate limit per IP and AWS managed rule groups in front of the load balancer")
    .rule(
        Rule::new(RuleArgs {
            name: "rate-limit-per-ip".into(),
            priority: 0.into(),
            statement: Statement::new().rate_based_statement(
                RateBasedStatement::new(firewall.rate_limit).aggregate_key_type("IP"),
            ),
            visibility_config: visibility("rate-limit"),
        })
        .action(Action::new().block(Block::new())),
    );
    for (i, group) in MANAGED_RULE_GROUPS.iter().enumerate() {
        acl = acl.rule(
            Rule::new(RuleArgs {
                name: (*group).into(),
                priority: (10 * (i as i64 + 1)).into(),
                statement: Statement::new().managed_rule_group_statement(managed_group(group)),
                visibility_config: visibility(group),
            })
            // The group's own rule actions (block) apply unchanged.
            .override_action(OverrideAction::new().none(NoneBlock::new())),
        );
    }
    let acl = stack.add(acl.tags(name_tags(&format!("{name}-waf"))));
    stack.add(AwsWafv2WebAclAssociation::new(
        prefix,
        AwsWafv2WebAclAssociationArgs {
            resource_arn: alb.arn(),
            web_acl_arn: acl.arn(),
        },
    ));
    // WAF only delivers to log groups whose name starts with aws-waf-logs-.
    let log_group = stack.add(
        AwsCloudwatchLogGroup::new(label(prefix, "waf"))
            .name(format!("aws-waf-logs-{name}"))
            .retention_in_days(firewall.log_retention_days)
            .kms_key_id(firewall.kms_key_arn.clone())
            .tags(name_tags(&format!("{name}-waf-logs"))),
    );
    let mut logging = AwsWafv2WebAclLoggingConfiguration::new(
        prefix,
        AwsWafv2WebAclLoggingConfigurationArgs {
            log_destination_configs: [log_group.arn()].into(),
            resource_arn: acl.arn(),
        },
    );
    for header in REDACTED_HEADERS {
        logging =
            logging.redacted_fields(RedactedFields::new().single_header(SingleHeader::new(header)));
    }
    stack.add(logging);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfsynth::testing::Synth;

    fn config(certificate: Option<&str>) -> WebTierConfig {
        WebTierConfig {
            name: "acme-dev".into(),
            environment: "dev".into(),
            vpc_id: Value::from("vpc-1"),
            alb_subnet_ids: Value::from(["subnet-a", "subnet-b"]),
            instance_subnet_ids: Value::from(["subnet-c", "subnet-d"]),
            app_port: 8080,
            instance_type: "t3.micro".into(),
            ami: Value::from("ami-0abcdef1234567890"),
            instance_profile_arn: Value::from("arn:aws:iam::123456789012:instance-profile/x"),
            log_group: "/acme-dev/app".into(),
            min_size: 1,
            max_size: 3,
            desired_capacity: 1,
            root_volume_gb: 20,
            health_check: HealthCheck {
                path: "/".into(),
                matcher: "200".into(),
                healthy_threshold: 2,
                unhealthy_threshold: 2,
                timeout: 5,
                interval: 30,
            },
            certificate_arn: certificate.map(Value::from),
            firewall: None,
            cpu_target: Some(50.0),
            access_logs: None,
            deletion_protection: false,
        }
    }

    #[test]
    fn http_only_web_tier() {
        let mut stack = Stack::new("t");
        WebTier::new(&mut stack, "web", &config(None));
        let synth = Synth::stack(&stack);
        synth
            .assert_resource(
                "aws_lb",
                "web",
                json!({"drop_invalid_header_fields": true, "internal": false}),
            )
            .assert_count("aws_lb_listener", 1)
            .assert_resource(
                "aws_lb_listener",
                "web_http",
                json!({"default_action": [{"type": "forward"}]}),
            )
            .assert_resource(
                "aws_launch_template",
                "web",
                json!({
                    "metadata_options": {"http_tokens": "required"},
                    "block_device_mappings": [{"ebs": {"encrypted": "true"}}],
                    // What the group launches carries the provider's default
                    // tags, which do not reach it otherwise.
                    "tag_specifications": [
                        {
                            "resource_type": "instance",
                            "tags": "${merge(data.aws_default_tags.web.tags, { \"Name\" = \"acme-dev-instance\" })}"
                        },
                        {
                            "resource_type": "volume",
                            "tags": "${merge(data.aws_default_tags.web.tags, { \"Name\" = \"acme-dev-volume\" })}"
                        }
                    ]
                }),
            )
            .assert_resource(
                "aws_autoscaling_group",
                "web",
                json!({
                    "min_size": 1,
                    "max_size": 3,
                    "desired_capacity": 1,
                    "health_check_type": "ELB",
                    "target_group_arns": ["${aws_lb_target_group.web.arn}"],
                    "instance_refresh": {"strategy": "Rolling"},
                }),
            )
            .assert_resource(
                "aws_lb_target_group",
                "web",
                json!({"health_check": {"path": "/", "matcher": "200", "timeout": 5}}),
            )
            .assert_resource(
                "aws_autoscaling_policy",
                "web_cpu",
                json!({"target_tracking_configuration": {"target_value": 50}}),
            )
            .assert_resource(
                "aws_vpc_security_group_ingress_rule",
                "web_instances_from_alb",
                json!({
                    "referenced_security_group_id": "${aws_security_group.web_alb.id}",
                    "from_port": 8080,
                }),
            )
            .assert_resource(
                "aws_vpc_security_group_ingress_rule",
                "web_alb_in_443",
                json!({"cidr_ipv4": "0.0.0.0/0"}),
            );
        assert!(
            synth.resource("aws_launch_template", "web")["user_data"]
                .as_str()
                .unwrap()
                .starts_with("${base64encode(\"#!/bin/bash")
        );
    }

    #[test]
    fn https_redirects_http() {
        let mut stack = Stack::new("t");
        WebTier::new(
            &mut stack,
            "web",
            &config(Some("arn:aws:acm:eu-west-1:123456789012:certificate/abc")),
        );
        let j = Synth::stack(&stack);
        let http = j.resource("aws_lb_listener", "web_http");
        assert_eq!(
            http["default_action"][0]["redirect"]["protocol"],
            json!("HTTPS")
        );
        assert_eq!(
            http["default_action"][0]["redirect"]["status_code"],
            json!("HTTP_301")
        );
        let https = j.resource("aws_lb_listener", "web_https");
        assert_eq!(https["protocol"], json!("HTTPS"));
        assert_eq!(
            https["ssl_policy"],
            json!("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            "TLS 1.2 and 1.3 only"
        );
        assert_eq!(
            https["certificate_arn"],
            json!("arn:aws:acm:eu-west-1:123456789012:certificate/abc")
        );
    }

    #[test]
    fn firewall_guards_the_load_balancer_and_logs_without_credentials() {
        let mut stack = Stack::new("t");
        let mut with_firewall = config(None);
        with_firewall.firewall = Some(Firewall {
            rate_limit: 500,
            log_retention_days: 30,
            kms_key_arn: Value::from("arn:aws:kms:us-east-1:111122223333:key/k"),
        });
        WebTier::new(&mut stack, "web", &with_firewall);
        let j = Synth::stack(&stack);
        let acl = j.resource("aws_wafv2_web_acl", "web");
        assert_eq!(acl["scope"], json!("REGIONAL"));
        assert_eq!(acl["default_action"]["allow"], json!({}));
        let rules = acl["rule"].as_array().unwrap();
        assert_eq!(rules.len(), 1 + MANAGED_RULE_GROUPS.len());
        let rate = &rules[0];
        assert_eq!(
            rate["statement"]["rate_based_statement"],
            json!({"limit": 500, "aggregate_key_type": "IP"})
        );
        assert_eq!(rate["action"]["block"], json!({}));
        let mut priorities = vec![rate["priority"].as_i64().unwrap()];
        for (rule, group) in rules[1..].iter().zip(MANAGED_RULE_GROUPS) {
            let statement = &rule["statement"]["managed_rule_group_statement"];
            assert_eq!(
                (
                    statement["name"].as_str(),
                    statement["vendor_name"].as_str()
                ),
                (Some(group), Some("AWS"))
            );
            assert_eq!(rule["override_action"], json!({"none": {}}), "{group}");
            priorities.push(rule["priority"].as_i64().unwrap());
            let counted: Vec<&str> = statement["rule_action_override"]
                .as_array()
                .map(|o| o.iter().map(|o| o["name"].as_str().unwrap()).collect())
                .unwrap_or_default();
            let expected: Vec<&str> = COUNT_ONLY_RULES
                .iter()
                .filter(|(g, _)| *g == group)
                .map(|(_, r)| *r)
                .collect();
            assert_eq!(counted, expected, "{group}");
        }
        let mut sorted = priorities.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, priorities, "distinct, in order");
        let association = j.resource("aws_wafv2_web_acl_association", "web");
        assert_eq!(association["resource_arn"], json!("${aws_lb.web.arn}"));
        assert_eq!(
            association["web_acl_arn"],
            json!("${aws_wafv2_web_acl.web.arn}")
        );
        let group = j.resource("aws_cloudwatch_log_group", "web_waf");
        assert!(group["name"].as_str().unwrap().starts_with("aws-waf-logs-"));
        assert_eq!(
            group["kms_key_id"],
            json!("arn:aws:kms:us-east-1:111122223333:key/k")
        );
        let logging = j.resource("aws_wafv2_web_acl_logging_configuration", "web");
        assert_eq!(
            logging["log_destination_configs"],
            json!(["${aws_cloudwatch_log_group.web_waf.arn}"])
        );
        let redacted: Vec<&str> = logging["redacted_fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["single_header"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(redacted, REDACTED_HEADERS);
    }

    #[test]
    fn user_data_keeps_shell_expansions() {
        let script = render_user_data("acme-dev", "dev", 8080, "/acme-dev/app");
        assert!(script.contains("APP_PORT=\"8080\""));
        assert!(script.contains("APP_HOME=\"${APP_HOME:-/opt/app}\""));
        assert!(script.contains("LOG_GROUP=\"/acme-dev/app\""));
        let mut stack = Stack::new("t");
        WebTier::new(&mut stack, "web", &config(None));
        let j = Synth::stack(&stack);
        let written = j.resource("aws_launch_template", "web")["user_data"]
            .as_str()
            .unwrap();
        assert!(
            written.contains("$${APP_HOME:-/opt/app}"),
            "escaped for Terraform"
        );
    }
}
