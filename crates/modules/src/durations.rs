//! Typical creation times of AWS resource types, for `tfsynth graph`'s
//! apply-time estimates ([`AWS`]).
//!
//! The figures are rough medians of what AWS takes to create each type (the
//! provider waits until the resource is usable): most API objects take
//! seconds, while databases, NAT gateways and load balancers take minutes.

/// (type, seconds), for `App::durations`.
pub const AWS: &[(&str, f64)] = &[
    ("aws_db_instance", 600.0),
    ("aws_nat_gateway", 120.0),
    ("aws_lb", 180.0),
    ("aws_vpc_endpoint", 60.0),
    ("aws_autoscaling_group", 60.0),
    ("aws_acm_certificate", 30.0),
    ("aws_db_subnet_group", 3.0),
    ("aws_db_parameter_group", 3.0),
    ("aws_kms_key", 5.0),
    ("aws_iam_instance_profile", 8.0),
    ("aws_iam_role", 3.0),
    ("aws_iam_role_policy", 2.0),
    ("aws_iam_role_policy_attachment", 2.0),
    ("aws_flow_log", 5.0),
    ("aws_vpc", 3.0),
    ("aws_subnet", 2.0),
    ("aws_internet_gateway", 2.0),
    ("aws_eip", 2.0),
    ("aws_route_table", 2.0),
    ("aws_route", 2.0),
    ("aws_route_table_association", 1.0),
    ("aws_security_group", 3.0),
    ("aws_default_security_group", 2.0),
    ("aws_vpc_security_group_ingress_rule", 1.0),
    ("aws_vpc_security_group_egress_rule", 1.0),
    ("aws_launch_template", 2.0),
    ("aws_lb_target_group", 2.0),
    ("aws_lb_listener", 2.0),
    ("aws_autoscaling_policy", 1.0),
    ("aws_s3_bucket", 3.0),
    ("aws_s3_bucket_policy", 2.0),
    ("aws_s3_bucket_versioning", 2.0),
    ("aws_s3_bucket_lifecycle_configuration", 30.0),
    ("aws_cloudwatch_log_group", 1.0),
    ("aws_cloudwatch_metric_alarm", 1.0),
    ("aws_sns_topic", 2.0),
];
