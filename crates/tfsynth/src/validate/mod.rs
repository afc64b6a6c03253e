//! Offline validation of synthesized Terraform JSON against the committed
//! provider schema: types, attributes, block shapes and references.
//!
//! **Invariant:** validation reads only the JSON text, exactly what Terraform
//! reads, so raw blocks and escape hatches are checked like typed ones. It
//! needs no terraform, no network and no `terraform init`.
//!
//! Every problem is collected; each [`Finding`] names the block address, the
//! JSON pointer of the offending value and the rule it breaks.

mod blocks;
pub mod policy;
mod refs;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value as Json};
use tfsynth_schema::{ProviderSchema, ProviderSchemas};

const SCHEMA_JSON: &str = include_str!("../../../../schema/aws.json");
const TYPE_NAMES: &str = include_str!("../../../../schema/aws.names");
const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";

/// One problem found in a configuration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The block address: `aws_vpc.main`, `data.aws_ami.x`, `var.x`, `provider.aws`, ...
    pub address: String,
    /// The JSON pointer (RFC 6901) of the offending value.
    pub pointer: String,
    /// The rule: `unknown-attribute`, `missing-required`, `type-mismatch`, ...
    pub rule: &'static str,
    /// What is wrong, with a hint where one helps.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {} [{}]", self.address, self.message, self.rule)
        } else {
            write!(
                f,
                "{}: {}: {} [{}]",
                self.address, self.pointer, self.message, self.rule
            )
        }
    }
}

/// The outcome of validating one configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Every problem, in document order.
    pub findings: Vec<Finding>,
    /// Block types that exist but have no schema here, so their bodies were not checked.
    pub unchecked: BTreeSet<String>,
    /// Policy rules waived by a block: (address, rule, the written reason).
    pub waived: Vec<(String, String, String)>,
}

/// The committed AWS provider schema subset, parsed once.
pub fn aws_schema() -> &'static ProviderSchema {
    static SCHEMA: OnceLock<ProviderSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let all =
            ProviderSchemas::from_json(SCHEMA_JSON).expect("the committed schema parses (tested)");
        all.provider_schemas
            .into_iter()
            .find(|(k, _)| k == PROVIDER)
            .map(|(_, v)| v)
            .expect("the AWS provider is in it")
    })
}

/// Every resource and data source type the AWS provider has, schema or not.
fn type_names() -> &'static (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    static NAMES: OnceLock<(BTreeSet<&'static str>, BTreeSet<&'static str>)> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut resources = BTreeSet::new();
        let mut data = BTreeSet::new();
        for line in TYPE_NAMES.lines() {
            match line.split_once(' ') {
                Some(("resource", name)) => resources.insert(name),
                Some(("data", name)) => data.insert(name),
                _ => false,
            };
        }
        (resources, data)
    })
}

/// Escapes one JSON pointer segment.
pub(crate) fn pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The declarations a configuration makes, for reference checks.
#[derive(Default)]
pub(crate) struct Declared {
    pub variables: BTreeSet<String>,
    pub locals: BTreeSet<String>,
    pub resources: BTreeMap<String, BTreeSet<String>>,
    pub data: BTreeMap<String, BTreeSet<String>>,
    pub modules: BTreeSet<String>,
    pub providers: BTreeSet<String>,
}

/// A top-level block of type `kind` may be an object or a list of objects;
/// this yields each object with its pointer.
pub(crate) fn each_object<'a>(
    value: &'a Json,
    pointer: &str,
) -> Vec<(String, &'a Map<String, Json>)> {
    match value {
        Json::Object(map) => vec![(pointer.to_owned(), map)],
        Json::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.as_object().map(|m| (format!("{pointer}/{i}"), m)))
            .collect(),
        _ => Vec::new(),
    }
}

fn collect_declared(root: &Map<String, Json>) -> Declared {
    let mut d = Declared::default();
    let names = |key: &str| -> Vec<String> {
        root.get(key)
            .map(|v| each_object(v, ""))
            .unwrap_or_default()
            .into_iter()
            .flat_map(|(_, m)| m.keys().cloned().collect::<Vec<_>>())
            .collect()
    };
    d.variables.extend(names("variable"));
    d.locals.extend(names("locals"));
    d.modules.extend(names("module"));
    for (kind, target) in [("resource", &mut d.resources), ("data", &mut d.data)] {
        for (_, by_type) in root
            .get(kind)
            .map(|v| each_object(v, ""))
            .unwrap_or_default()
        {
            for (ty, by_name) in by_type {
                let entry = target.entry(ty.clone()).or_default();
                for (_, m) in each_object(by_name, "") {
                    entry.extend(m.keys().cloned());
                }
            }
        }
    }
    for (_, by_name) in root
        .get("provider")
        .map(|v| each_object(v, ""))
        .unwrap_or_default()
    {
        for (name, configs) in by_name {
            d.providers.insert(name.clone());
            for (_, config) in each_object(configs, "") {
                if let Some(alias) = config.get("alias").and_then(Json::as_str) {
                    d.providers.insert(format!("{name}.{alias}"));
                }
            }
        }
    }
    d
}

/// Validates Terraform JSON text.
pub fn validate(text: &str) -> Report {
    let mut report = Report::default();
    let root: Json = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            report.findings.push(Finding {
                address: "(file)".into(),
                pointer: String::new(),
                rule: "json-syntax",
                message: format!("not valid JSON: {e}"),
            });
            return report;
        }
    };
    let Some(root) = root.as_object() else {
        report.findings.push(Finding {
            address: "(file)".into(),
            pointer: String::new(),
            rule: "json-syntax",
            message: "the top level must be a JSON object of block types".into(),
        });
        return report;
    };
    let declared = collect_declared(root);
    let mut checker = blocks::Checker {
        schema: aws_schema(),
        names: type_names(),
        declared: &declared,
        report: &mut report,
    };
    checker.root(root);
    let (findings, waived) = policy::check(root);
    report.findings.extend(findings);
    report.waived = waived;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_schema_and_names_load() {
        let schema = aws_schema();
        assert!(schema.resource_schemas.contains_key("aws_vpc"));
        assert!(
            schema
                .data_source_schemas
                .contains_key("aws_iam_policy_document")
        );
        let (resources, data) = type_names();
        assert!(
            resources.len() > 1500 && data.len() > 600,
            "{} {}",
            resources.len(),
            data.len()
        );
        assert!(
            resources.contains("aws_instance")
                && !schema.resource_schemas.contains_key("aws_instance")
        );
    }

    #[test]
    fn pointer_segments_escape() {
        assert_eq!(pointer_segment("a/b~c"), "a~1b~0c");
    }

    #[test]
    fn bad_json_is_one_finding() {
        let r = validate("{");
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].rule, "json-syntax");
        assert_eq!(
            validate("[]").findings[0].message,
            "the top level must be a JSON object of block types"
        );
    }
}
