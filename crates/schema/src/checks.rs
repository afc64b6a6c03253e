//! Value checks a provider runs in `terraform validate` that its schema
//! does not show: enumerations, numeric ranges and formats (CIDR blocks,
//! JSON and policy documents, ARNs) of single arguments.
//!
//! A provider crate may carry them as `checks.jsonl`, one check per line:
//!
//! ```text
//! {"resource": "aws_lb", "path": "load_balancer_type", "one_of": ["application", "network", "gateway"]}
//! {"resource": "aws_kms_key", "path": "deletion_window_in_days", "range": [7, 30]}
//! {"resource": "aws_s3_bucket_versioning", "path": "versioning_configuration.status", "one_of": ["Enabled", "Suspended", "Disabled"]}
//! {"resource": "aws_vpc", "path": "cidr_block", "format": "cidr-network"}
//! ```
//!
//! `resource` or `data` names the type; `path` is the argument, after the
//! nested blocks that hold it. A list or set argument has each element
//! checked. Only literal values are checked: an expression is Terraform's
//! to evaluate.

use std::net::IpAddr;

use serde_json::Value as Json;

use crate::jsonl::Kind;

/// One value check.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueCheck {
    /// Resource or data source.
    pub kind: Kind,
    /// The type, `aws_lb`.
    pub type_name: String,
    /// The nested blocks, then the argument.
    pub path: Vec<String>,
    /// What the value must be.
    pub rule: Rule,
}

/// What a value must be.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// One of these values.
    OneOf(Vec<Json>),
    /// A number in this closed range.
    Range(f64, f64),
    /// A string of this format.
    Format(Format),
}

/// A string format.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An IPv4 or IPv6 CIDR block: `10.0.0.0/16`.
    Cidr,
    /// A CIDR block whose address is its network's, host bits zero.
    CidrNetwork,
    /// A JSON document.
    Json,
    /// A JSON object, as an IAM policy document is.
    PolicyJson,
    /// An Amazon Resource Name.
    Arn,
}

impl Format {
    const ALL: [(&'static str, Format); 5] = [
        ("cidr", Format::Cidr),
        ("cidr-network", Format::CidrNetwork),
        ("json", Format::Json),
        ("policy-json", Format::PolicyJson),
        ("arn", Format::Arn),
    ];

    /// The name written in `checks.jsonl`.
    pub fn name(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }
}

/// Why `checks.jsonl` could not be read.
#[derive(Debug, thiserror::Error)]
#[error("checks.jsonl:{line}: {message}")]
pub struct ChecksError {
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads the checks of a `checks.jsonl` text.
pub fn parse(text: &str) -> Result<Vec<ValueCheck>, ChecksError> {
    let mut checks = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fail = |message: String| ChecksError {
            line: i + 1,
            message,
        };
        let entry: serde_json::Map<String, Json> =
            serde_json::from_str(line).map_err(|e| fail(format!("not a JSON object: {e}")))?;
        let mut kind = None;
        let mut rule = None;
        let mut path = None;
        for (key, value) in &entry {
            let set_rule = |rule: &mut Option<Rule>, r: Rule| {
                if rule.replace(r).is_some() {
                    Err(fail("give one of one_of, range and format".into()))
                } else {
                    Ok(())
                }
            };
            match key.as_str() {
                "resource" | "data" => {
                    let name = value
                        .as_str()
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| fail(format!("{key:?} takes a type name")))?;
                    let k = if key == "resource" {
                        Kind::Resource
                    } else {
                        Kind::Data
                    };
                    if kind.replace((k, name.to_owned())).is_some() {
                        return Err(fail("give one of resource and data".into()));
                    }
                }
                "path" => {
                    let p = value
                        .as_str()
                        .ok_or_else(|| fail("\"path\" takes a string".into()))?;
                    let segments: Vec<String> = p.split('.').map(str::to_owned).collect();
                    if segments.iter().any(String::is_empty) {
                        return Err(fail(format!("path {p:?} has an empty segment")));
                    }
                    path = Some(segments);
                }
                "one_of" => {
                    let options = value
                        .as_array()
                        .filter(|a| !a.is_empty())
                        .filter(|a| a.iter().all(|v| v.is_string() || v.is_number()))
                        .ok_or_else(|| {
                            fail("\"one_of\" takes a list of strings or numbers".into())
                        })?;
                    set_rule(&mut rule, Rule::OneOf(options.clone()))?;
                }
                "range" => {
                    let bounds: Vec<f64> = value
                        .as_array()
                        .map(|a| a.iter().filter_map(Json::as_f64).collect())
                        .unwrap_or_default();
                    match bounds[..] {
                        [min, max] if min <= max => set_rule(&mut rule, Rule::Range(min, max))?,
                        _ => return Err(fail("\"range\" takes [min, max]".into())),
                    }
                }
                "format" => {
                    let name = value.as_str().unwrap_or("");
                    let format = Format::ALL
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, f)| *f)
                        .ok_or_else(|| {
                            let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
                            fail(format!(
                                "unknown format {name:?}; one of {}",
                                names.join(", ")
                            ))
                        })?;
                    set_rule(&mut rule, Rule::Format(format))?;
                }
                other => return Err(fail(format!("unknown key {other:?}"))),
            }
        }
        let (kind, type_name) = kind.ok_or_else(|| fail("name a resource or data type".into()))?;
        checks.push(ValueCheck {
            kind,
            type_name,
            path: path.ok_or_else(|| fail("\"path\" is missing".into()))?,
            rule: rule.ok_or_else(|| fail("give one of one_of, range and format".into()))?,
        });
    }
    Ok(checks)
}

/// How a JSON value reads in a message.
fn shown(v: &Json) -> String {
    match v {
        Json::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

impl Rule {
    /// Why a literal value breaks the rule, if it does. The message names
    /// what the value must be, not the value.
    pub fn problem(&self, value: &Json) -> Option<String> {
        match self {
            Rule::OneOf(options) => {
                let matches = |o: &Json| match (o, value) {
                    (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
                    (Json::Number(a), Json::String(b)) => {
                        b.trim().parse::<f64>().ok() == a.as_f64()
                    }
                    (Json::String(a), Json::String(b)) => a == b,
                    _ => false,
                };
                (!options.iter().any(matches)).then(|| {
                    let list: Vec<String> = options.iter().map(shown).collect();
                    format!("must be one of {}", list.join(", "))
                })
            }
            Rule::Range(min, max) => {
                let n = match value {
                    Json::Number(n) => n.as_f64(),
                    Json::String(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                }?;
                (n < *min || n > *max).then(|| format!("must be from {min} to {max}"))
            }
            Rule::Format(format) => format_problem(*format, value.as_str()?),
        }
    }
}

fn format_problem(format: Format, text: &str) -> Option<String> {
    match format {
        Format::Cidr => parse_cidr(text)
            .err()
            .map(|why| format!("must be a CIDR block such as 10.0.0.0/16 ({why})")),
        Format::CidrNetwork => match parse_cidr(text) {
            Err(why) => Some(format!("must be a CIDR block such as 10.0.0.0/16 ({why})")),
            Ok((addr, prefix)) => {
                let network = network_of(addr, prefix);
                (network != addr).then(|| {
                    format!(
                        "must be a network address, host bits zero: did you mean \"{network}/{prefix}\"?"
                    )
                })
            }
        },
        Format::Json => serde_json::from_str::<Json>(text)
            .err()
            .map(|e| format!("must be a JSON document ({e})")),
        Format::PolicyJson => match serde_json::from_str::<Json>(text) {
            Err(e) => Some(format!("must be a JSON policy document ({e})")),
            Ok(Json::Object(_)) => None,
            Ok(_) => Some("must be a JSON policy document, an object".into()),
        },
        Format::Arn => arn_problem(text).map(|why| format!("must be an ARN ({why})")),
    }
}

/// An address and prefix length, or why the text is not a CIDR block.
fn parse_cidr(text: &str) -> Result<(IpAddr, u8), &'static str> {
    let (addr, prefix) = text.split_once('/').ok_or("no /prefix")?;
    let addr: IpAddr = addr.parse().map_err(|_| "not an IP address")?;
    let prefix: u8 = prefix
        .parse()
        .ok()
        .filter(|_| !prefix.starts_with('+'))
        .ok_or("the prefix is not a number")?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if prefix > max {
        return Err(if max == 32 {
            "an IPv4 prefix is at most 32"
        } else {
            "an IPv6 prefix is at most 128"
        });
    }
    Ok((addr, prefix))
}

fn network_of(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

/// `arn:partition:service:region:account:resource`, as the AWS provider
/// checks it.
fn arn_problem(text: &str) -> Option<&'static str> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return Some("arn:partition:service:region:account:resource");
    };
    let words = |s: &str| {
        s.split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
    };
    if arn != "arn" {
        return Some("it starts with arn:");
    }
    if !partition.starts_with("aws") || !words(partition) {
        return Some("the partition is aws, aws-cn, aws-us-gov, ...");
    }
    if service.is_empty() {
        return Some("the service is missing");
    }
    if !region.is_empty() {
        let (head, number) = region.rsplit_once('-').unwrap_or(("", ""));
        let digits = (1..=2).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
        if !digits || !head.contains('-') || !words(head) {
            return Some("the region is like us-east-1");
        }
    }
    let account_ok = account.is_empty()
        || ["aws", "aws-managed", "third-party", "aws-marketplace"].contains(&account)
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        || (account.len() == 12 && account.starts_with("cw"));
    if !account_ok {
        return Some("the account is 12 digits");
    }
    if resource.is_empty() {
        return Some("the resource is missing");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lines_parse_and_mistakes_name_their_line() {
        let checks = parse(
            "{\"resource\": \"aws_lb\", \"path\": \"load_balancer_type\", \"one_of\": [\"application\"]}\n\n{\"data\": \"aws_x\", \"path\": \"a.b\", \"range\": [1, 2]}\n",
        )
        .unwrap();
        assert_eq!(checks.len(), 2);
        assert_eq!(checks[1].kind, Kind::Data);
        assert_eq!(checks[1].path, ["a", "b"]);
        assert_eq!(checks[1].rule, Rule::Range(1.0, 2.0));
        for (text, expect) in [
            ("[1]", "checks.jsonl:1: not a JSON object"),
            (
                "{\"path\": \"a\", \"range\": [1, 2]}",
                "name a resource or data type",
            ),
            (
                "{\"resource\": \"t\", \"range\": [1, 2]}",
                "\"path\" is missing",
            ),
            ("{\"resource\": \"t\", \"path\": \"a\"}", "give one of"),
            (
                "{\"resource\": \"t\", \"path\": \"a\", \"range\": [2, 1]}",
                "[min, max]",
            ),
            (
                "{\"resource\": \"t\", \"path\": \"a..b\", \"range\": [1, 2]}",
                "empty segment",
            ),
            (
                "{\"resource\": \"t\", \"path\": \"a\", \"format\": \"ip\"}",
                "unknown format \"ip\"",
            ),
            (
                "{\"resource\": \"t\", \"path\": \"a\", \"one_of\": [], \"x\": 1}",
                "one_of",
            ),
            (
                "{\"resource\": \"t\", \"path\": \"a\", \"range\": [1, 2], \"one_of\": [1]}",
                "give one of",
            ),
            (
                "{\"resource\": \"t\", \"path\": \"a\", \"range\": [1, 2], \"kind\": 1}",
                "unknown key \"kind\"",
            ),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(expect), "{text}: {err}");
        }
    }

    #[test]
    fn rules_accept_what_the_provider_accepts() {
        let one_of = Rule::OneOf(vec![json!("application"), json!("network")]);
        assert_eq!(one_of.problem(&json!("network")), None);
        assert_eq!(
            one_of.problem(&json!("app")).as_deref(),
            Some("must be one of \"application\", \"network\"")
        );
        let days = Rule::OneOf(vec![json!(0), json!(1), json!(3)]);
        assert_eq!(days.problem(&json!(3)), None);
        assert_eq!(days.problem(&json!("3")), None);
        assert!(days.problem(&json!(2)).is_some());
        let range = Rule::Range(7.0, 30.0);
        for ok in [json!(7), json!(30), json!("12")] {
            assert_eq!(range.problem(&ok), None, "{ok}");
        }
        for bad in [json!(6), json!(31), json!("3")] {
            assert_eq!(
                range.problem(&bad).as_deref(),
                Some("must be from 7 to 30"),
                "{bad}"
            );
        }
        let cidr = Rule::Format(Format::Cidr);
        let network = Rule::Format(Format::CidrNetwork);
        for ok in ["10.0.0.0/16", "0.0.0.0/0", "2001:db8::/32", "10.0.0.1/32"] {
            assert_eq!(network.problem(&json!(ok)), None, "{ok}");
        }
        assert_eq!(cidr.problem(&json!("10.0.0.1/16")), None);
        assert_eq!(
            network.problem(&json!("10.0.0.1/16")).as_deref(),
            Some("must be a network address, host bits zero: did you mean \"10.0.0.0/16\"?")
        );
        for bad in [
            "10.0.0.0/33",
            "10.0.0.0",
            "300.0.0.0/8",
            "10.0.0.0/x",
            "::/129",
        ] {
            assert!(cidr.problem(&json!(bad)).is_some(), "{bad}");
        }
        let policy = Rule::Format(Format::PolicyJson);
        assert_eq!(
            policy.problem(&json!(" {\"Version\": \"2012-10-17\"}")),
            None
        );
        assert!(policy.problem(&json!("[]")).unwrap().contains("an object"));
        assert!(policy.problem(&json!("{\"a\":")).is_some());
        let doc = Rule::Format(Format::Json);
        assert_eq!(doc.problem(&json!("[1]")), None);
        assert!(doc.problem(&json!("x")).is_some());
        let arn = Rule::Format(Format::Arn);
        for ok in [
            "arn:aws:iam::123456789012:role/r",
            "arn:aws:iam:us-east-1:aws:role",
            "arn:aws:s3:::bucket/key",
            "arn:aws-us-gov:sns:us-gov-west-1:123456789012:t",
        ] {
            assert_eq!(arn.problem(&json!(ok)), None, "{ok}");
        }
        for bad in [
            "role",
            "arn:aws:iam::1:role/r",
            "arn:aws::us-east-1:123456789012:x",
            "arn:azure:iam::123456789012:role/r",
            "arn:aws:iam:useast:123456789012:role/r",
            "arn:aws:iam::123456789012:",
        ] {
            assert!(arn.problem(&json!(bad)).is_some(), "{bad}");
        }
        // Values of another kind are the type check's to report.
        assert_eq!(range.problem(&json!(true)), None);
        assert_eq!(cidr.problem(&json!(5)), None);
    }
}
