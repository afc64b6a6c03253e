//! Provider-neutral rules for configuration values, each returning the
//! reason a value is rejected. Stacks attach them to their keys by name;
//! rules about one cloud's values live with that cloud's crate.

use super::ConfigValue;

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

/// Parses `a.b.c.d/n` into the address and prefix length.
pub fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (address, prefix) = cidr.split_once('/')?;
    let prefix: u32 = prefix.parse().ok()?;
    let octets: Vec<u32> = address
        .split('.')
        .map(|o| o.parse::<u8>().ok().map(u32::from))
        .collect::<Option<_>>()?;
    if octets.len() != 4
        || prefix > 32
        || address
            .split('.')
            .any(|o| o.len() > 1 && o.starts_with('0'))
    {
        return None;
    }
    Some((octets.iter().fold(0, |acc, o| (acc << 8) | o), prefix))
}

/// An IPv4 CIDR block, `a.b.c.d/n`, with no host bits set.
pub fn ipv4_cidr(value: &ConfigValue) -> Result<(), String> {
    let (address, prefix) = parse_cidr(text(value))
        .ok_or_else(|| "not an IPv4 CIDR block such as 10.0.0.0/16".to_owned())?;
    if prefix < 32 && address & (u32::MAX >> prefix) != 0 {
        return Err("host bits are set: the address must be the first of its network".into());
    }
    Ok(())
}

/// A non-empty value with no surrounding spaces.
pub fn non_empty(value: &ConfigValue) -> Result<(), String> {
    let s = text(value);
    if s.trim().is_empty() || s.trim() != s {
        Err("must be non-empty text without surrounding spaces".into())
    } else {
        Ok(())
    }
}

/// A DNS name such as `app.example.com` (a leading `*.` for wildcard
/// certificates): dot-separated labels of 1 to 63 letters, digits and inner
/// hyphens, at least two labels, 253 characters at most.
pub fn domain_name(value: &ConfigValue) -> Result<(), String> {
    let s = text(value);
    let name = s.strip_prefix("*.").unwrap_or(s);
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if s.len() <= 253 && name.split('.').count() >= 2 && name.split('.').all(label_ok) {
        Ok(())
    } else {
        Err("not a domain name such as \"app.example.com\"".into())
    }
}

/// A whole number of at least 1.
pub fn positive(value: &ConfigValue) -> Result<(), String> {
    let n = number(value);
    if n >= 1 {
        Ok(())
    } else {
        Err("must be at least 1".into())
    }
}

/// A whole number of at least 0.
pub fn not_negative(value: &ConfigValue) -> Result<(), String> {
    let n = number(value);
    if n >= 0 {
        Ok(())
    } else {
        Err("must not be negative".into())
    }
}

/// A percentage, 1 to 100.
pub fn percent(value: &ConfigValue) -> Result<(), String> {
    let n = number(value);
    if (1..=100).contains(&n) {
        Ok(())
    } else {
        Err("must be a percentage from 1 to 100".into())
    }
}

/// A TCP port, 1 to 65535.
pub fn port(value: &ConfigValue) -> Result<(), String> {
    let n = number(value);
    if (1..=65535).contains(&n) {
        Ok(())
    } else {
        Err("not a port (1 to 65535)".into())
    }
}

/// A list of email addresses, each `local@domain.tld`: a local part of
/// letters, digits and `.!#$%&'*+/=?^_`{|}~-` (no leading, trailing or
/// doubled dot) and a domain name of at least two labels.
pub fn emails(value: &ConfigValue) -> Result<(), String> {
    let ConfigValue::List(items) = value else {
        return Ok(());
    };
    for (i, item) in items.iter().enumerate() {
        let ok = item.split_once('@').is_some_and(|(local, domain)| {
            let local_ok = !local.is_empty()
                && local.len() <= 64
                && local
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..");
            local_ok
                && !domain.contains('@')
                && domain_name(&ConfigValue::String(domain.to_owned())).is_ok()
                && !domain.starts_with("*.")
        });
        if !ok {
            return Err(format!(
                "entry {} is not an email address such as ops@example.com",
                i + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> ConfigValue {
        ConfigValue::String(v.into())
    }

    #[test]
    fn cidrs() {
        assert!(ipv4_cidr(&s("10.0.0.0/8")).is_ok());
        assert_eq!(
            ipv4_cidr(&s("10.0.1.0/16")).unwrap_err(),
            "host bits are set: the address must be the first of its network"
        );
        assert!(ipv4_cidr(&s("nope")).is_err());
    }

    #[test]
    fn cidrs_parse() {
        assert_eq!(parse_cidr("10.0.0.0/16"), Some((10 << 24, 16)));
        for bad in [
            "10.0.0/16",
            "256.0.0.0/16",
            "10.0.0.0",
            "010.0.0.0/16",
            "10.0.0.0/33",
        ] {
            assert_eq!(parse_cidr(bad), None, "{bad}");
        }
    }

    #[test]
    fn domain_names() {
        let check = |v: &str, ok: bool| assert_eq!(domain_name(&s(v)).is_ok(), ok, "{v}");
        check("app.example.com", true);
        check("*.example.com", true);
        check("xn--bcher-kva.example", true);
        check("example", false);
        check("app..example.com", false);
        check("-app.example.com", false);
        check("app_1.example.com", false);
        check("a.*.example.com", false);
        check(&format!("{}.com", "a".repeat(64)), false);
        check("https://app.example.com", false);
    }

    #[test]
    fn numbers_and_lists() {
        assert!(non_empty(&s(" x")).is_err());
        assert!(percent(&ConfigValue::Integer(101)).is_err());
        assert!(port(&ConfigValue::Integer(0)).is_err());
        assert!(emails(&ConfigValue::List(vec!["ops@example.com".into()])).is_ok());
        assert!(emails(&ConfigValue::List(vec!["ops".into()])).is_err());
        for bad in [
            "[\"a@b.c\"]",
            "a@b.c\"",
            ",,",
            "a@@b.c",
            ".a@b.c",
            "a@b",
            "a b@c.d",
            "a@*.b.c",
        ] {
            assert!(
                emails(&ConfigValue::List(vec![bad.into()])).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            emails(&ConfigValue::List(vec![
                "ok@example.com".into(),
                "Pl4nted".into()
            ]))
            .unwrap_err(),
            "entry 2 is not an email address such as ops@example.com"
        );
    }
}
