//! Rules for AWS configuration values: VPC CIDR blocks, S3 bucket names,
//! load balancer names, CloudWatch retention periods, regions, instance
//! types, AMI ids and ARNs. Each returns the reason a value is rejected;
//! stacks attach them to their configuration keys.

use tfsynth::config::ConfigValue;
use tfsynth::config::rules::parse_cidr;

fn text(value: &ConfigValue) -> &str {
    match value {
        ConfigValue::String(s) => s,
        _ => "",
    }
}

fn number(value: &ConfigValue) -> i64 {
    match value {
        ConfigValue::Integer(i) => *i,
        _ => 0,
    }
}

/// A VPC CIDR block: IPv4, prefix /16 to /28, no host bits set.
pub fn vpc_cidr(value: &ConfigValue) -> Result<(), String> {
    let cidr = text(value);
    let (address, prefix) =
        parse_cidr(cidr).ok_or_else(|| "not an IPv4 CIDR block such as 10.0.0.0/16".to_owned())?;
    if !(16..=28).contains(&prefix) {
        return Err("a VPC takes a prefix of /16 to /28".into());
    }
    if address & (u32::MAX >> prefix) != 0 {
        return Err("host bits are set: the address must be the first of its network".into());
    }
    Ok(())
}

/// An S3 bucket name, by S3's general-purpose bucket naming rules.
pub fn s3_bucket_name(value: &ConfigValue) -> Result<(), String> {
    let name = text(value);
    let bad = |why: &str| Err(format!("a bucket name {why}"));
    if !(3..=63).contains(&name.len()) {
        return bad("must be 3 to 63 characters long");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
    {
        return bad("may contain only lowercase letters, digits, dots and hyphens");
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge(name.chars().next()) || !edge(name.chars().last()) {
        return bad("must begin and end with a letter or digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return bad("must not have two periods, or a period next to a hyphen");
    }
    if parse_cidr(&format!("{name}/32")).is_some() {
        return bad("must not look like an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return bad(&format!("must not start with {prefix:?}"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", "--x-s3", ".mrap"] {
        if name.ends_with(suffix) {
            return bad(&format!("must not end with {suffix:?}"));
        }
    }
    Ok(())
}

/// A load balancer or target group name: at most 32 letters, digits and
/// hyphens, not starting or ending with a hyphen.
pub fn elb_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 32 {
        return Err(format!(
            "name is {} characters; AWS allows 1 to 32",
            name.len()
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || name.starts_with('-')
        || name.ends_with('-')
    {
        return Err("name may contain only letters, digits and inner hyphens".into());
    }
    if name.starts_with("internal-") {
        return Err("name must not start with \"internal-\"".into());
    }
    Ok(())
}

/// Retention periods CloudWatch Logs accepts, in days (0 keeps logs forever).
pub const LOG_RETENTION_DAYS: [i64; 23] = [
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A CloudWatch Logs retention period.
pub fn log_retention(value: &ConfigValue) -> Result<(), String> {
    let days = number(value);
    if LOG_RETENTION_DAYS.contains(&days) {
        Ok(())
    } else {
        Err("not a retention CloudWatch accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, or 0 for never)".into())
    }
}

/// An AWS region name such as `eu-west-1`.
pub fn region(value: &ConfigValue) -> Result<(), String> {
    let name = text(value);
    let parts: Vec<&str> = name.split('-').collect();
    let ok = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err("not an AWS region name such as \"eu-west-1\"".into())
    }
}

/// An EC2 or RDS instance type such as `t3.medium` or `db.t3.medium`.
pub fn instance_type(value: &ConfigValue) -> Result<(), String> {
    let name = text(value);
    let parts: Vec<&str> = name.split('.').collect();
    let ok = (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if ok {
        Ok(())
    } else {
        Err("not an instance type such as \"t3.medium\"".into())
    }
}

/// An AMI id such as `ami-0abc1234`.
pub fn ami_id(value: &ConfigValue) -> Result<(), String> {
    let id = text(value);
    match id.strip_prefix("ami-") {
        Some(hex)
            if (8..=17).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Ok(())
        }
        _ => Err("not an AMI id such as \"ami-0abcdef1234567890\"".into()),
    }
}

/// An ARN.
pub fn arn(value: &ConfigValue) -> Result<(), String> {
    let s = text(value);
    if s.starts_with("arn:") && s.split(':').count() >= 6 {
        Ok(())
    } else {
        Err("not an ARN such as arn:aws:acm:us-east-1:123456789012:certificate/...".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> ConfigValue {
        ConfigValue::String(v.into())
    }

    #[test]
    fn cidrs() {
        let check = |v: &str, ok: bool| {
            assert_eq!(vpc_cidr(&s(v)).is_ok(), ok, "{v}: {:?}", vpc_cidr(&s(v)))
        };
        check("10.0.0.0/16", true);
        check("172.16.0.0/20", true);
        check("10.0.0.0/8", false);
        check("10.0.0.0/29", false);
        check("10.0.1.0/16", false);
        check("10.0.0/16", false);
        check("256.0.0.0/16", false);
        check("10.0.0.0", false);
        check("010.0.0.0/16", false);
        assert_eq!(
            vpc_cidr(&s("10.0.1.0/16")).unwrap_err(),
            "host bits are set: the address must be the first of its network"
        );
    }

    #[test]
    fn bucket_names() {
        let check = |v: &str, ok: bool| assert_eq!(s3_bucket_name(&s(v)).is_ok(), ok, "{v}");
        check("acme-prod-data", true);
        check("a.b-c1", true);
        check("ab", false);
        check(&"a".repeat(64), false);
        check("Acme", false);
        check("acme_data", false);
        check("-acme", false);
        check("acme-", false);
        check("a..b", false);
        check("a.-b", false);
        check("192.168.1.1", false);
        check("xn--abc", false);
        check("abc-s3alias", false);
    }

    #[test]
    fn other_rules() {
        assert!(elb_name("financial-prod-alb").is_ok());
        assert!(elb_name(&"a".repeat(33)).is_err());
        assert!(elb_name("bad_name").is_err());
        assert!(elb_name("-x").is_err());
        assert!(log_retention(&ConfigValue::Integer(7)).is_ok());
        assert_eq!(
            log_retention(&ConfigValue::Integer(10)).unwrap_err(),
            "not a retention CloudWatch accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, or 0 for never)"
        );
        assert!(region(&s("eu-west-1")).is_ok());
        assert!(region(&s("us-gov-west-1")).is_ok());
        assert!(region(&s("europe")).is_err());
        assert!(instance_type(&s("t3.medium")).is_ok());
        assert!(instance_type(&s("db.t3.medium")).is_ok());
        assert!(instance_type(&s("large")).is_err());
        assert!(ami_id(&s("ami-0abcdef1234567890")).is_ok());
        assert!(ami_id(&s("ami-xyz")).is_err());
        assert!(arn(&s("arn:aws:acm:us-east-1:123456789012:certificate/abc")).is_ok());
        assert!(arn(&s("cert")).is_err());
    }
}
