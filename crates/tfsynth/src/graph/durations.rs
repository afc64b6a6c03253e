//! Typical creation times per resource type, for apply-time estimates.
//!
//! The figures are rough medians of what AWS takes to create each type (the
//! provider waits until the resource is usable): most API objects take
//! seconds, while databases, NAT gateways and load balancers take minutes.
//! A file can override any of them, as `type = seconds` lines.

use std::collections::BTreeMap;
use std::path::Path;

use super::Node;

/// Seconds for types not in the table.
pub const DEFAULT_SECONDS: f64 = 2.0;

/// Seconds for reading a data source.
pub const DATA_SECONDS: f64 = 1.0;

/// The built-in table: (type, seconds).
pub const TABLE: &[(&str, f64)] = &[
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

/// Estimated creation time per resource type.
#[derive(Clone, Debug)]
pub struct Durations {
    seconds: BTreeMap<String, f64>,
}

impl Default for Durations {
    fn default() -> Self {
        Durations {
            seconds: TABLE.iter().map(|(ty, s)| ((*ty).to_owned(), *s)).collect(),
        }
    }
}

impl Durations {
    /// The built-in table with the overrides of `path` (`type = seconds` lines, TOML).
    pub fn with_overrides(path: &Path) -> Result<Durations, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("{}: {}", path.display(), e.message()))?;
        let mut durations = Durations::default();
        for (ty, value) in table {
            let seconds = value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| {
                    format!(
                        "{}: {ty}: expected a number of seconds, found {value}",
                        path.display()
                    )
                })?;
            durations.seconds.insert(ty, seconds);
        }
        Ok(durations)
    }

    /// The estimate for one block.
    pub fn of(&self, node: &Node) -> f64 {
        if node.data {
            return self
                .seconds
                .get(&format!("data.{}", node.ty))
                .copied()
                .unwrap_or(DATA_SECONDS);
        }
        self.seconds
            .get(&node.ty)
            .copied()
            .unwrap_or(DEFAULT_SECONDS)
    }
}
