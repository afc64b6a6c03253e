//! What the financial and webapp stacks share: the configuration keys every
//! stack has, tagging through the provider's default tags, the AMI lookup,
//! and the rules that hold across keys.

use tfsynth::config::{ConfigValue, Settings, rules};
use tfsynth::{Expr, Output, Provider, Stack, Value};
use tfsynth_aws::data::{DataAwsAcmCertificate, DataAwsSsmParameter};
use tfsynth_modules::rules as aws_rules;

use tfsynth_modules::monitoring::Monitoring;
use tfsynth_modules::web_tier::Firewall;

/// The public SSM parameter that names the latest Amazon Linux 2 AMI.
pub const AMAZON_LINUX_2: &str = "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2";

/// Where a stack runs and who owns it: the keys of every stack, and its tags.
#[derive(Settings)]
pub struct Identity {
    /// AWS region
    #[setting(default = "us-east-1", rule("AWS region name", aws_rules::region))]
    pub region: String,
    /// deployment environment, e.g. prod
    #[setting(rule("name", name_rule))]
    pub environment: String,
    /// team that owns the stack (Owner tag)
    #[setting(rule("non-empty", rules::non_empty))]
    pub owner: String,
    /// cost center (CostCenter tag)
    #[setting(rule("non-empty", rules::non_empty))]
    pub cost_center: String,
    /// project name (Project tag, name prefix)
    #[setting(rule("name", name_rule))]
    pub project: String,
}

/// The keys of the stacks with a web tier: where they run, who owns them,
/// how they are sized.
/// The sizing keys have no default here: each stack sets its own with
/// `#[settings(default(common.instance_type = .., ..))]`.
#[derive(Settings)]
#[settings(
    check("min <= desired <= max", [asg_min, asg_desired, asg_max], sizes_in_order),
    check("one certificate source", [certificate_arn, certificate_domain], one_certificate_source),
    check("S3 bucket naming rules", [logs_bucket_name, identity.project, identity.environment], logs_bucket_named),
    check("names within 32 characters", [identity.project, identity.environment], names_fit),
)]
pub struct Common {
    #[setting(flatten)]
    pub identity: Identity,
    /// EC2 instance type of the web tier
    #[setting(rule("instance type", aws_rules::instance_type))]
    pub instance_type: String,
    /// auto scaling group minimum size
    #[setting(rule("not negative", rules::not_negative))]
    pub asg_min: i64,
    /// auto scaling group maximum size
    #[setting(rule("at least 1", rules::positive))]
    pub asg_max: i64,
    /// auto scaling group desired size
    #[setting(rule("not negative", rules::not_negative))]
    pub asg_desired: i64,
    /// port the application listens on
    #[setting(rule("port", rules::port))]
    pub app_port: i64,
    /// AMI id (default: latest Amazon Linux 2 from SSM)
    #[setting(rule("AMI id", aws_rules::ami_id))]
    pub ami: Option<String>,
    /// ACM certificate: enables HTTPS
    #[setting(rule("ARN", aws_rules::arn))]
    pub certificate_arn: Option<String>,
    /// domain of an issued ACM certificate, looked up at plan time: enables HTTPS
    #[setting(rule("domain name", rules::domain_name))]
    pub certificate_domain: Option<String>,
    /// refuse to delete the load balancer
    #[setting(default = true)]
    pub alb_deletion_protection: bool,
    /// requests per 5 minutes from one IP before WAF blocks it
    #[setting(default = 2000, rule("10 to 2000000000", waf_rate_limit_rule))]
    pub waf_rate_limit: i64,
    /// logs bucket (default: <project>-<environment>-logs)
    pub logs_bucket_name: Option<String>,
    /// days before access logs expire
    #[setting(default = 90, rule("at least 1", rules::positive))]
    pub logs_expiration_days: i64,
    /// CloudWatch Logs retention in days
    #[setting(default = 7, rule("CloudWatch retention", aws_rules::log_retention))]
    pub log_retention_days: i64,
    /// emails subscribed to alarms
    #[setting(default = Vec::new(), rule("emails", rules::emails))]
    pub alarm_emails: Vec<String>,
    /// send every AWS API call to this emulator URL (moto, LocalStack)
    #[setting(rule("http(s) URL", url_rule))]
    pub emulator_endpoint: Option<String>,
}

fn waf_rate_limit_rule(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::Integer(n) if !(10..=2_000_000_000).contains(n) => {
            Err("outside the 10 to 2000000000 WAF accepts".into())
        }
        _ => Ok(()),
    }
}

fn sizes_in_order(c: &Common) -> Result<(), String> {
    if c.asg_min <= c.asg_desired && c.asg_desired <= c.asg_max {
        Ok(())
    } else {
        Err("asg_min <= asg_desired <= asg_max does not hold".into())
    }
}

fn one_certificate_source(c: &Common) -> Result<(), String> {
    if c.certificate_arn.is_some() && c.certificate_domain.is_some() {
        Err("set certificate_arn or certificate_domain, not both".into())
    } else {
        Ok(())
    }
}

fn logs_bucket_named(c: &Common) -> Result<(), String> {
    aws_rules::s3_bucket_name(&ConfigValue::String(
        c.identity
            .bucket_name("logs", c.logs_bucket_name.as_deref()),
    ))
}

fn names_fit(c: &Common) -> Result<(), String> {
    let name = c.identity.name();
    for suffix in ["-alb", "-tg"] {
        aws_rules::elb_name(&format!("{name}{suffix}")).map_err(|e| {
            format!(
                "project and environment make a load balancer name too long ({e}); shorten them"
            )
        })?;
    }
    Ok(())
}

/// Lowercase letters, digits and hyphens: safe in every AWS name it goes into.
pub fn name_rule(value: &ConfigValue) -> Result<(), String> {
    let ConfigValue::String(s) = value else {
        return Ok(());
    };
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err("must be lowercase letters, digits and inner hyphens".into())
    }
}

impl Identity {
    /// The name prefix of the stack's resources: `<project>-<environment>`.
    pub fn name(&self) -> String {
        format!("{}-{}", self.project, self.environment)
    }

    /// The bucket named by `configured` (a `<role>_bucket_name` key), or
    /// `<project>-<environment>-<role>`.
    pub fn bucket_name(&self, role: &str, configured: Option<&str>) -> String {
        configured.map_or_else(|| format!("{}-{role}", self.name()), str::to_owned)
    }
}

/// The load balancer's certificate: the configured ARN, or the newest issued
/// ACM certificate for the configured domain; `None` serves HTTP only.
pub fn certificate(stack: &mut Stack, config: &Common) -> Option<Value<String>> {
    if let Some(arn) = &config.certificate_arn {
        return Some(Value::from(arn.as_str()));
    }
    let domain = config.certificate_domain.as_deref()?;
    let certificate = stack.add(
        DataAwsAcmCertificate::new("certificate")
            .domain(domain)
            .statuses(["ISSUED"])
            .most_recent(true),
    );
    Some(certificate.arn())
}

/// The web application firewall of the stack's load balancer: the configured
/// rate limit, logs kept as long as the stack's other logs, under its key.
pub fn firewall(config: &Common, monitoring: &Monitoring) -> Firewall {
    Firewall {
        rate_limit: config.waf_rate_limit,
        log_retention_days: config.log_retention_days,
        kms_key_arn: monitoring.key.arn(),
    }
}

/// An `http://` or `https://` URL with a host.
pub fn url_rule(value: &ConfigValue) -> Result<(), String> {
    let ConfigValue::String(s) = value else {
        return Ok(());
    };
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !host.contains(' ') => Ok(()),
        _ => Err("not an http:// or https:// URL".into()),
    }
}

/// Requires the AWS provider and configures it with the stack's tags, and
/// with the emulator endpoint when one is configured. Call it after the
/// stack's other blocks: the emulator settings cover the services they use.
pub fn provider(stack: &mut Stack, identity: &Identity, emulator_endpoint: Option<&str>) {
    stack.required_version(">= 1.10.0");
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    let mut provider = Provider::new("aws").set("region", identity.region.as_str());
    if let Some(url) = emulator_endpoint {
        for (key, value) in tfsynth_modules::emulator::aws_provider_settings(stack, url) {
            provider = provider.set(key, value);
        }
    }
    stack.add(provider.default_tags([
        ("Environment", identity.environment.as_str()),
        ("Owner", identity.owner.as_str()),
        ("CostCenter", identity.cost_center.as_str()),
        ("Project", identity.project.as_str()),
        ("ManagedBy", "tfsynth"),
    ]));
}

/// Adds the stack's outputs: (name, value, description).
pub fn outputs<const N: usize>(stack: &mut Stack, outputs: [(&str, Expr, &str); N]) {
    for (name, value, description) in outputs {
        stack.add(Output::new(name, value).description(description));
    }
}

/// The configured AMI, or the latest Amazon Linux 2 from the public SSM parameter.
pub fn ami(stack: &mut Stack, config: &Common) -> Value<String> {
    match &config.ami {
        Some(id) => Value::from(id.as_str()),
        None => stack
            .add(DataAwsSsmParameter::new("ami", AMAZON_LINUX_2))
            .insecure_value(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let string = |v: &str| ConfigValue::String(v.to_owned());
        let check = |v: &str, ok: bool| assert_eq!(name_rule(&string(v)).is_ok(), ok, "{v}");
        check("financial", true);
        check("prod-2", true);
        check("Prod", false);
        check("a_b", false);
        check("-a", false);
        check("", false);
    }

    #[test]
    fn urls() {
        let string = |v: &str| ConfigValue::String(v.to_owned());
        assert!(url_rule(&string("http://127.0.0.1:5000")).is_ok());
        assert!(url_rule(&string("https://localstack:4566")).is_ok());
        assert!(url_rule(&string("127.0.0.1:5000")).is_err());
        assert!(url_rule(&string("http://")).is_err());
    }
}
