//! AWS security policy rules for `tfsynth validate`, checked offline over
//! the synthesized JSON after the schema checks ([`AWS`]). A block may waive
//! a rule only with a written reason, kept in its `"//"` comment
//! (`.waive(rule, reason)` in Rust), which `validate` prints.
//!
//! | rule | what it finds |
//! | --- | --- |
//! | `iam-wildcard-action` | an Allow statement whose action has a `*` |
//! | `iam-wildcard-resource` | an Allow statement on resource `*` for actions that accept specific resources |
//! | `s3-encryption` | a bucket without a server-side encryption configuration |
//! | `s3-public-access` | a bucket without a public access block that blocks everything |
//! | `rds-encryption` | a DB instance without `storage_encrypted = true` |
//! | `rds-public` | a DB instance with `publicly_accessible = true` |
//! | `ebs-encryption` | a launch template volume or EBS volume that is not encrypted |
//! | `sg-open-world` | ingress from 0.0.0.0/0 or ::/0 to ports other than 80 and 443 |
//! | `imdsv2` | a launch template that does not require IMDSv2 tokens |

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use tfsynth::validate::{Finding, Policy, each_object, pointer_segment};

/// The AWS rules, for `App::policy`.
pub const AWS: Policy = Policy {
    rules: RULES,
    check,
};

/// Every rule, with a one-line description.
pub const RULES: &[(&str, &str)] = &[
    (
        "iam-wildcard-action",
        "IAM Allow statements name their actions, without wildcards",
    ),
    (
        "iam-wildcard-resource",
        "IAM Allow statements name their resources where the actions allow it",
    ),
    (
        "s3-encryption",
        "every bucket has a server-side encryption configuration",
    ),
    (
        "s3-public-access",
        "every bucket has a public access block that blocks everything",
    ),
    ("rds-encryption", "every DB instance encrypts its storage"),
    ("rds-public", "no DB instance is publicly accessible"),
    ("ebs-encryption", "every EBS volume is encrypted"),
    (
        "sg-open-world",
        "only ports 80 and 443 are open to the whole internet",
    ),
    ("imdsv2", "every launch template requires IMDSv2"),
];

/// Actions that AWS only authorizes on resource `*`.
const STAR_ONLY_PREFIXES: &[&str] = &[
    "ec2:Describe",
    "logs:DescribeLogGroups",
    "cloudwatch:PutMetricData",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "sts:GetCallerIdentity",
    "s3:ListAllMyBuckets",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "ssm:DescribeParameters",
    "kms:ListAliases",
    "iam:GetAccountSummary",
];

/// A resource or data source block with its address and JSON pointer.
struct Block<'a> {
    ty: &'a str,
    address: String,
    pointer: String,
    body: &'a Map<String, Json>,
}

fn blocks<'a>(root: &'a Map<String, Json>, kind: &str) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    for (p, by_type) in root
        .get(kind)
        .map(|v| each_object(v, &format!("/{kind}")))
        .unwrap_or_default()
    {
        for (ty, by_name) in by_type {
            for (np, named) in each_object(by_name, &format!("{p}/{}", pointer_segment(ty))) {
                for (name, body) in named {
                    for (bp, body) in each_object(body, &format!("{np}/{}", pointer_segment(name)))
                    {
                        let address = if kind == "data" {
                            format!("data.{ty}.{name}")
                        } else {
                            format!("{ty}.{name}")
                        };
                        out.push(Block {
                            ty,
                            address,
                            pointer: bp,
                            body,
                        });
                    }
                }
            }
        }
    }
    out
}

fn strings(value: Option<&Json>) -> Vec<&str> {
    match value {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_true(value: Option<&Json>) -> bool {
    matches!(value, Some(Json::Bool(true))) || matches!(value, Some(Json::String(s)) if s == "true")
}

/// One nested block (an object, or the first of a list).
fn single(value: Option<&Json>) -> Option<&Map<String, Json>> {
    match value? {
        Json::Object(m) => Some(m),
        Json::Array(items) => items.first()?.as_object(),
        _ => None,
    }
}

/// Every nested block of a repeated block type.
fn repeated(value: Option<&Json>) -> Vec<&Map<String, Json>> {
    match value {
        Some(Json::Object(m)) => vec![m],
        Some(Json::Array(items)) => items.iter().filter_map(Json::as_object).collect(),
        _ => Vec::new(),
    }
}

/// Buckets that a companion block of type `ty` points at, by bucket label.
fn covered_buckets(
    resources: &[Block],
    ty: &str,
    check: impl Fn(&Map<String, Json>) -> bool,
) -> BTreeSet<String> {
    resources
        .iter()
        .filter(|b| b.ty == ty && check(b.body))
        .filter_map(|b| b.body.get("bucket")?.as_str())
        .filter_map(|r| {
            r.strip_prefix("${aws_s3_bucket.")?
                .split('.')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

/// What is wrong with one IAM statement (effect, actions, resources).
fn statement_findings(
    statement: &Map<String, Json>,
    actions_key: &str,
    resources_key: &str,
) -> Vec<(&'static str, String)> {
    let effect = statement
        .get("effect")
        .or_else(|| statement.get("Effect"))
        .and_then(Json::as_str)
        .unwrap_or("Allow");
    if effect != "Allow" {
        return Vec::new();
    }
    let actions = strings(statement.get(actions_key));
    let resources = strings(statement.get(resources_key));
    let mut out = Vec::new();
    for action in &actions {
        if action.contains('*') && !action.contains("${") {
            out.push((
                "iam-wildcard-action",
                format!("the statement allows the wildcard action {action:?}; name the actions"),
            ));
        }
    }
    let star_only = |a: &&str| STAR_ONLY_PREFIXES.iter().any(|p| a.starts_with(p));
    if resources.contains(&"*") && actions.iter().any(|a| !star_only(a)) {
        out.push((
            "iam-wildcard-resource",
            "the statement allows its actions on every resource (\"*\"); name the resources"
                .to_owned(),
        ));
    }
    out
}

/// The statements of a policy JSON document given as a literal string.
fn literal_policy_statements(text: &str) -> Vec<Map<String, Json>> {
    if text.contains("${") {
        return Vec::new();
    }
    let Ok(doc) = serde_json::from_str::<Json>(text) else {
        return Vec::new();
    };
    match doc.get("Statement") {
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(|s| s.as_object().cloned())
            .collect(),
        Some(Json::Object(m)) => vec![m.clone()],
        _ => Vec::new(),
    }
}

fn port_range(rule: &Map<String, Json>) -> (i64, i64) {
    let n = |k: &str| {
        rule.get(k)
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
    };
    match (n("from_port"), n("to_port")) {
        (Some(f), Some(t)) => (f, t),
        _ => (0, 65535),
    }
}

fn open_world(cidrs: &[&str]) -> bool {
    cidrs.iter().any(|c| *c == "0.0.0.0/0" || *c == "::/0")
}

fn only_web_ports((from, to): (i64, i64), protocol: Option<&str>) -> bool {
    protocol != Some("-1") && from == to && (from == 80 || from == 443)
}

/// Why an ingress rule breaks `sg-open-world`, if it does: open to the whole
/// internet (either CIDR key) on anything but exactly port 80 or 443.
fn open_ingress(
    rule: &Map<String, Json>,
    cidr_keys: [&str; 2],
    protocol_key: &str,
) -> Option<String> {
    let cidrs: Vec<&str> = cidr_keys
        .iter()
        .flat_map(|k| strings(rule.get(*k)))
        .collect();
    let protocol = rule.get(protocol_key).and_then(Json::as_str);
    let ports = port_range(rule);
    (open_world(&cidrs) && !only_web_ports(ports, protocol)).then(|| {
        format!(
            "ports {}-{} are open to the whole internet",
            ports.0, ports.1
        )
    })
}

/// Runs every rule over the configuration; the engine sets waived findings apart.
fn check(root: &Map<String, Json>) -> Vec<Finding> {
    let resources = blocks(root, "resource");
    let data = blocks(root, "data");
    let mut raw: Vec<(&Block, String, &'static str, String)> = Vec::new();
    let encrypted = covered_buckets(
        &resources,
        "aws_s3_bucket_server_side_encryption_configuration",
        |_| true,
    );
    let private = covered_buckets(&resources, "aws_s3_bucket_public_access_block", |b| {
        [
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ]
        .iter()
        .all(|k| is_true(b.get(*k)))
    });
    for block in &resources {
        let label = block.address.split_once('.').map_or("", |(_, n)| n);
        let at = |suffix: &str| {
            if suffix.is_empty() {
                block.pointer.clone()
            } else {
                format!("{}/{suffix}", block.pointer)
            }
        };
        match block.ty {
            "aws_s3_bucket" => {
                if !encrypted.contains(label) {
                    raw.push((
                        block,
                        at(""),
                        "s3-encryption",
                        "the bucket has no aws_s3_bucket_server_side_encryption_configuration"
                            .into(),
                    ));
                }
                if !private.contains(label) {
                    raw.push((block, at(""), "s3-public-access", "the bucket has no aws_s3_bucket_public_access_block blocking all four kinds of public access".into()));
                }
            }
            "aws_db_instance" => {
                if !is_true(block.body.get("storage_encrypted")) {
                    raw.push((
                        block,
                        at("storage_encrypted"),
                        "rds-encryption",
                        "storage_encrypted is not true".into(),
                    ));
                }
                if is_true(block.body.get("publicly_accessible")) {
                    raw.push((
                        block,
                        at("publicly_accessible"),
                        "rds-public",
                        "the database is publicly accessible".into(),
                    ));
                }
            }
            "aws_launch_template" => {
                let tokens = single(block.body.get("metadata_options"))
                    .and_then(|m| m.get("http_tokens"))
                    .and_then(Json::as_str);
                if tokens != Some("required") {
                    raw.push((
                        block,
                        at("metadata_options"),
                        "imdsv2",
                        "metadata_options.http_tokens is not \"required\"".into(),
                    ));
                }
                for (i, mapping) in repeated(block.body.get("block_device_mappings"))
                    .iter()
                    .enumerate()
                {
                    if let Some(ebs) = single(mapping.get("ebs"))
                        && !is_true(ebs.get("encrypted"))
                    {
                        raw.push((
                            block,
                            at(&format!("block_device_mappings/{i}/ebs")),
                            "ebs-encryption",
                            "the volume is not encrypted".into(),
                        ));
                    }
                }
            }
            "aws_ebs_volume" if !is_true(block.body.get("encrypted")) => {
                raw.push((
                    block,
                    at("encrypted"),
                    "ebs-encryption",
                    "the volume is not encrypted".into(),
                ));
            }
            "aws_vpc_security_group_ingress_rule" => {
                if let Some(message) =
                    open_ingress(block.body, ["cidr_ipv4", "cidr_ipv6"], "ip_protocol")
                {
                    raw.push((block, at(""), "sg-open-world", message));
                }
            }
            "aws_security_group_rule"
                if block.body.get("type").and_then(Json::as_str) == Some("ingress") =>
            {
                if let Some(message) =
                    open_ingress(block.body, ["cidr_blocks", "ipv6_cidr_blocks"], "protocol")
                {
                    raw.push((block, at(""), "sg-open-world", message));
                }
            }
            "aws_security_group" => {
                for (i, rule) in repeated(block.body.get("ingress")).iter().enumerate() {
                    if let Some(message) =
                        open_ingress(rule, ["cidr_blocks", "ipv6_cidr_blocks"], "protocol")
                    {
                        raw.push((block, at(&format!("ingress/{i}")), "sg-open-world", message));
                    }
                }
            }
            "aws_iam_policy"
            | "aws_iam_role_policy"
            | "aws_iam_user_policy"
            | "aws_iam_group_policy" => {
                if let Some(text) = block.body.get("policy").and_then(Json::as_str) {
                    for statement in literal_policy_statements(text) {
                        for (rule, message) in statement_findings(&statement, "Action", "Resource")
                        {
                            raw.push((block, at("policy"), rule, message));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for block in data.iter().filter(|b| b.ty == "aws_iam_policy_document") {
        for (i, statement) in repeated(block.body.get("statement")).iter().enumerate() {
            for (rule, message) in statement_findings(statement, "actions", "resources") {
                raw.push((
                    block,
                    format!("{}/statement/{i}", block.pointer),
                    rule,
                    message,
                ));
            }
        }
    }
    raw.into_iter()
        .map(|(block, pointer, rule, message)| {
            Finding::policy(block.address.clone(), pointer, rule, message)
        })
        .collect()
}
