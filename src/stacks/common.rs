//! What the financial and webapp stacks share: the configuration keys every
//! stack has, tagging through the provider's default tags, the AMI lookup,
//! and the rules that hold across keys.

use tfsynth::config::{Config, ConfigValue, Key, Kind, Spec, rules};
use tfsynth::{Expr, Output, Provider, Stack, Value};
use tfsynth_aws::data::{DataAwsAcmCertificate, DataAwsSsmParameter};
use tfsynth_modules::rules as aws_rules;

use tfsynth_modules::monitoring::Monitoring;
use tfsynth_modules::web_tier::Firewall;

/// The public SSM parameter that names the latest Amazon Linux 2 AMI.
pub const AMAZON_LINUX_2: &str = "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2";

fn string(value: &str) -> ConfigValue {
    ConfigValue::String(value.to_owned())
}

fn int(value: i64) -> ConfigValue {
    ConfigValue::Integer(value)
}

/// The keys every stack has: where it runs, who owns it, how it is sized.
pub fn spec(instance_type: &str, sizes: (i64, i64, i64), app_port: i64) -> Spec {
    Spec::new()
        .key(
            Key::with_default("region", string("us-east-1"), "AWS region")
                .rule("AWS region name", aws_rules::region),
        )
        .key(
            Key::required(
                "environment",
                Kind::String,
                "deployment environment, e.g. prod",
            )
            .rule("name", name_rule),
        )
        .key(
            Key::required(
                "owner",
                Kind::String,
                "team that owns the stack (Owner tag)",
            )
            .rule("non-empty", rules::non_empty),
        )
        .key(
            Key::required("cost_center", Kind::String, "cost center (CostCenter tag)")
                .rule("non-empty", rules::non_empty),
        )
        .key(
            Key::required(
                "project",
                Kind::String,
                "project name (Project tag, name prefix)",
            )
            .rule("name", name_rule),
        )
        .key(
            Key::with_default(
                "instance_type",
                string(instance_type),
                "EC2 instance type of the web tier",
            )
            .rule("instance type", aws_rules::instance_type),
        )
        .key(
            Key::with_default("asg_min", int(sizes.0), "auto scaling group minimum size")
                .rule("not negative", rules::not_negative),
        )
        .key(
            Key::with_default("asg_max", int(sizes.1), "auto scaling group maximum size")
                .rule("at least 1", rules::positive),
        )
        .key(
            Key::with_default(
                "asg_desired",
                int(sizes.2),
                "auto scaling group desired size",
            )
            .rule("not negative", rules::not_negative),
        )
        .key(
            Key::with_default("app_port", int(app_port), "port the application listens on")
                .rule("port", rules::port),
        )
        .key(
            Key::optional(
                "ami",
                Kind::String,
                "AMI id (default: latest Amazon Linux 2 from SSM)",
            )
            .rule("AMI id", aws_rules::ami_id),
        )
        .key(
            Key::optional(
                "certificate_arn",
                Kind::String,
                "ACM certificate: enables HTTPS",
            )
            .rule("ARN", aws_rules::arn),
        )
        .key(
            Key::optional(
                "certificate_domain",
                Kind::String,
                "domain of an issued ACM certificate, looked up at plan time: enables HTTPS",
            )
            .rule("domain name", rules::domain_name),
        )
        .key(Key::with_default(
            "alb_deletion_protection",
            ConfigValue::Bool(true),
            "refuse to delete the load balancer",
        ))
        .key(
            Key::with_default(
                "waf_rate_limit",
                int(2000),
                "requests per 5 minutes from one IP before WAF blocks it",
            )
            .rule("10 to 2000000000", |v| match v {
                ConfigValue::Integer(n) if !(10..=2_000_000_000).contains(n) => {
                    Err("outside the 10 to 2000000000 WAF accepts".into())
                }
                _ => Ok(()),
            }),
        )
        .key(Key::optional(
            "logs_bucket_name",
            Kind::String,
            "logs bucket (default: <project>-<environment>-logs)",
        ))
        .key(
            Key::with_default(
                "logs_expiration_days",
                int(90),
                "days before access logs expire",
            )
            .rule("at least 1", rules::positive),
        )
        .key(
            Key::with_default(
                "log_retention_days",
                int(7),
                "CloudWatch Logs retention in days",
            )
            .rule("CloudWatch retention", aws_rules::log_retention),
        )
        .key(
            Key::with_default(
                "alarm_emails",
                ConfigValue::List(Vec::new()),
                "emails subscribed to alarms",
            )
            .rule("emails", rules::emails),
        )
        .key(
            Key::optional(
                "emulator_endpoint",
                Kind::String,
                "send every AWS API call to this emulator URL (moto, LocalStack)",
            )
            .rule("http(s) URL", url_rule),
        )
        .check(
            "min <= desired <= max",
            &["asg_min", "asg_desired", "asg_max"],
            |c| {
                let (min, desired, max) =
                    (c.int("asg_min"), c.int("asg_desired"), c.int("asg_max"));
                if min <= desired && desired <= max {
                    Ok(())
                } else {
                    Err("asg_min <= asg_desired <= asg_max does not hold".into())
                }
            },
        )
        .check(
            "one certificate source",
            &["certificate_arn", "certificate_domain"],
            |c| {
                if c.opt_string("certificate_arn").is_some()
                    && c.opt_string("certificate_domain").is_some()
                {
                    Err("set certificate_arn or certificate_domain, not both".into())
                } else {
                    Ok(())
                }
            },
        )
        .check(
            "S3 bucket naming rules",
            &["logs_bucket_name", "project", "environment"],
            |c| aws_rules::s3_bucket_name(&ConfigValue::String(bucket_name(c, "logs"))),
        )
        .check(
            "names within 32 characters",
            &["project", "environment"],
            |c| {
                let name = name(c);
                for suffix in ["-alb", "-tg"] {
                    aws_rules::elb_name(&format!("{name}{suffix}")).map_err(|e| {
                        format!("project and environment make a load balancer name too long ({e}); shorten them")
                    })?;
                }
                Ok(())
            },
        )
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

/// The name prefix of the stack's resources: `<project>-<environment>`.
pub fn name(config: &Config) -> String {
    format!(
        "{}-{}",
        config.string("project"),
        config.string("environment")
    )
}

/// The bucket named by `<role>_bucket_name`, or `<project>-<environment>-<role>`.
pub fn bucket_name(config: &Config, role: &str) -> String {
    config
        .opt_string(&format!("{role}_bucket_name"))
        .map_or_else(|| format!("{}-{role}", name(config)), str::to_owned)
}

/// The load balancer's certificate: the configured ARN, or the newest issued
/// ACM certificate for the configured domain; `None` serves HTTP only.
pub fn certificate(stack: &mut Stack, config: &Config) -> Option<Value<String>> {
    if let Some(arn) = config.opt_string("certificate_arn") {
        return Some(Value::from(arn));
    }
    let domain = config.opt_string("certificate_domain")?;
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
pub fn firewall(config: &Config, monitoring: &Monitoring) -> Firewall {
    Firewall {
        rate_limit: config.int("waf_rate_limit"),
        log_retention_days: config.int("log_retention_days"),
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
pub fn provider(stack: &mut Stack, config: &Config) {
    stack.required_version(">= 1.10.0");
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    let mut provider = Provider::new("aws").set("region", config.string("region"));
    if let Some(url) = config.opt_string("emulator_endpoint") {
        for (key, value) in tfsynth_modules::emulator::aws_provider_settings(stack, url) {
            provider = provider.set(key, value);
        }
    }
    stack.add(provider.default_tags([
        ("Environment", config.string("environment")),
        ("Owner", config.string("owner")),
        ("CostCenter", config.string("cost_center")),
        ("Project", config.string("project")),
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
pub fn ami(stack: &mut Stack, config: &Config) -> Value<String> {
    match config.opt_string("ami") {
        Some(id) => Value::from(id),
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
        assert!(url_rule(&string("http://127.0.0.1:5000")).is_ok());
        assert!(url_rule(&string("https://localstack:4566")).is_ok());
        assert!(url_rule(&string("127.0.0.1:5000")).is_err());
        assert!(url_rule(&string("http://")).is_err());
    }
}
