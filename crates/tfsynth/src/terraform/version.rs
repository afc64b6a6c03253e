//! Terraform versions and version constraints (`>= 1.6.0, < 2.0`, `~> 1.10`).

use std::fmt;

/// A release version, `major.minor.patch` (pre-release suffixes ignored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Parses `1.11.4`, `v1.11`, `1.12.0-beta1`.
    pub fn parse(text: &str) -> Option<Version> {
        let core = text
            .trim()
            .trim_start_matches('v')
            .split(['-', '+'])
            .next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().unwrap_or(Ok(0)).ok()?;
        let patch = parts.next().unwrap_or(Ok(0)).ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Whether `version` satisfies every comma-separated clause of `constraint`.
pub fn satisfies(version: Version, constraint: &str) -> Result<bool, String> {
    for clause in constraint
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|rest| (*op, rest)))
            .unwrap_or(("=", clause));
        let text = rest.trim();
        let wanted = Version::parse(text)
            .ok_or_else(|| format!("cannot read version constraint {clause:?}"))?;
        let ok = match op {
            ">=" => version >= wanted,
            "<=" => version <= wanted,
            ">" => version > wanted,
            "<" => version < wanted,
            "!=" => version != wanted,
            "=" => version == wanted,
            _ => {
                // `~> 1.10` allows 1.x from 1.10; `~> 1.10.2` allows 1.10.x from 1.10.2.
                let segments = text
                    .trim_start_matches('v')
                    .split(['-', '+'])
                    .next()
                    .unwrap_or("")
                    .split('.')
                    .count();
                version >= wanted
                    && match segments {
                        1 | 2 => version.0 == wanted.0,
                        _ => version.0 == wanted.0 && version.1 == wanted.1,
                    }
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(Version::parse("1.11.4"), Some(Version(1, 11, 4)));
        assert_eq!(Version::parse("v1.6"), Some(Version(1, 6, 0)));
        assert_eq!(Version::parse("1.12.0-beta1"), Some(Version(1, 12, 0)));
        assert_eq!(Version::parse("x"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
    }

    #[test]
    fn constraints() {
        let v = Version(1, 11, 4);
        let check = |c: &str, expect: bool| assert_eq!(satisfies(v, c).unwrap(), expect, "{c}");
        check(">= 1.10.0", true);
        check(">= 1.12", false);
        check(">= 1.6.0, < 2.0.0", true);
        check("~> 1.10", true);
        check("~> 1.12", false);
        check("~> 1.11.0", true);
        check("~> 1.10.0", false);
        check("= 1.11.4", true);
        check("1.11.4", true);
        check("!= 1.11.4", false);
        check("> 1.11.4", false);
        check("<= 1.11.4", true);
        assert!(satisfies(v, ">= banana").is_err());
    }
}
