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
mod refs;
mod schemas;
mod strict;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value as Json};

pub use crate::tfjson::{each_object, pointer_segment};
pub use schemas::{Loaded, Schemas, normalize_source};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Terraform would reject the configuration.
    Error,
    /// Terraform accepts it, but a policy rule does not.
    Policy,
}

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
    /// Whether Terraform would reject it or a policy rule does.
    pub severity: Severity,
}

impl Finding {
    /// A policy finding, as a [`Policy`]'s check reports it.
    pub fn policy(
        address: impl Into<String>,
        pointer: impl Into<String>,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            address: address.into(),
            pointer: pointer.into(),
            rule,
            message: message.into(),
            severity: Severity::Policy,
        }
    }
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

/// A set of policy rules over synthesized configurations, as a provider
/// crate or an organisation ships them. A block waives a rule with a
/// written reason in its `"//"` comment (`.waive(rule, reason)` in Rust);
/// validation moves its findings of that rule to [`Report::waived`].
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Every rule, with a one-line description.
    pub rules: &'static [(&'static str, &'static str)],
    /// Runs the rules over the configuration's top-level object.
    pub check: fn(&Map<String, Json>) -> Vec<Finding>,
}

/// The outcome of validating one configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Every problem, in document order, errors before policy findings.
    pub findings: Vec<Finding>,
    /// Blocks, providers or functions whose provider has no schema here, so they were not checked.
    pub unchecked: BTreeSet<String>,
    /// Policy rules waived by a block: (address, rule, the written reason).
    pub waived: Vec<(String, String, String)>,
}

impl Report {
    /// Findings that Terraform itself would reject.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// Policy findings.
    pub fn policy_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Policy)
    }
}

/// The declarations a configuration makes, for reference checks.
#[derive(Default)]
pub(crate) struct Declared {
    pub variables: BTreeSet<String>,
    pub locals: BTreeSet<String>,
    pub resources: BTreeMap<String, BTreeSet<String>>,
    pub data: BTreeMap<String, BTreeSet<String>>,
    pub ephemerals: BTreeMap<String, BTreeSet<String>>,
    pub modules: BTreeSet<String>,
    pub providers: BTreeSet<String>,
    /// `required_providers`: local name → source address.
    pub required_providers: BTreeMap<String, String>,
    /// Variables declared `ephemeral = true`.
    pub ephemeral_variables: BTreeSet<String>,
    /// Locals whose value is ephemeral (they use an ephemeral value).
    pub ephemeral_locals: BTreeSet<String>,
    /// Resources and data sources (`aws_vpc.v`, `data.aws_vpc.v`) with
    /// `count` or `for_each`, whose references take an instance key.
    pub repeated: BTreeSet<String>,
}

impl Declared {
    /// The first ephemeral value `value` uses, as written (`ephemeral.x.y`,
    /// an ephemeral variable, or a local computed from one).
    pub fn ephemeral_reference(&self, value: &Json) -> Option<String> {
        let mut found = None;
        visit_strings(value, &mut |text| {
            if found.is_some() || (!text.contains("${") && !text.contains("%{")) {
                return;
            }
            let Ok(parts) = crate::hcl::parse_template(text) else {
                return;
            };
            for t in crate::hcl::template_traversals(&parts) {
                let name = t.names().next().unwrap_or("");
                let ephemeral = match t.root.as_str() {
                    "ephemeral" => true,
                    "var" => self.ephemeral_variables.contains(name),
                    "local" => self.ephemeral_locals.contains(name),
                    _ => false,
                };
                if ephemeral {
                    let shown: Vec<&str> = std::iter::once(t.root.as_str())
                        .chain(t.names().take(2))
                        .collect();
                    found = Some(shown.join("."));
                    return;
                }
            }
        });
        found
    }
}

/// Calls `visit` with every string below `value`, except `"//"` comments.
pub(crate) fn visit_strings<'a>(value: &'a Json, visit: &mut dyn FnMut(&'a str)) {
    match value {
        Json::String(s) => visit(s),
        Json::Array(items) => items.iter().for_each(|v| visit_strings(v, visit)),
        Json::Object(map) => map
            .iter()
            .filter(|(k, _)| k.as_str() != "//")
            .for_each(|(_, v)| visit_strings(v, visit)),
        _ => {}
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
    for (_, vars) in root
        .get("variable")
        .map(|v| each_object(v, ""))
        .unwrap_or_default()
    {
        for (name, body) in vars {
            if body.get("ephemeral") == Some(&Json::Bool(true)) {
                d.ephemeral_variables.insert(name.clone());
            }
        }
    }
    for (_, block) in root
        .get("terraform")
        .map(|v| each_object(v, ""))
        .unwrap_or_default()
    {
        for (_, providers) in block
            .get("required_providers")
            .map(|v| each_object(v, ""))
            .unwrap_or_default()
        {
            for (local, req) in providers {
                let source = match req {
                    Json::String(_) => None,
                    other => other.get("source").and_then(Json::as_str),
                };
                if let Some(source) = source {
                    d.required_providers
                        .insert(local.clone(), source.to_owned());
                }
            }
        }
    }
    for (kind, target, prefix) in [
        ("resource", &mut d.resources, ""),
        ("data", &mut d.data, "data."),
        ("ephemeral", &mut d.ephemerals, "ephemeral."),
    ] {
        for (_, by_type) in root
            .get(kind)
            .map(|v| each_object(v, ""))
            .unwrap_or_default()
        {
            for (ty, by_name) in by_type {
                let entry = target.entry(ty.clone()).or_default();
                for (_, m) in each_object(by_name, "") {
                    for (name, body) in m {
                        entry.insert(name.clone());
                        let repeated = each_object(body, "")
                            .iter()
                            .any(|(_, b)| b.contains_key("count") || b.contains_key("for_each"));
                        if repeated {
                            d.repeated.insert(format!("{prefix}{ty}.{name}"));
                        }
                    }
                }
            }
        }
    }
    // A check's data sources are read only inside it; declaring them here
    // lets its assertions refer to them.
    for (_, checks) in root
        .get("check")
        .map(|v| each_object(v, ""))
        .unwrap_or_default()
    {
        for (_, check) in checks {
            for (_, body) in each_object(check, "") {
                for (_, by_type) in body
                    .get("data")
                    .map(|v| each_object(v, ""))
                    .unwrap_or_default()
                {
                    for (ty, by_name) in by_type {
                        let entry = d.data.entry(ty.clone()).or_default();
                        for (_, m) in each_object(by_name, "") {
                            entry.extend(m.keys().cloned());
                        }
                    }
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
    // A local is ephemeral when its value uses an ephemeral value, directly
    // or through another local: iterate until nothing changes.
    let locals: Vec<(&String, &Json)> = root
        .get("locals")
        .map(|v| each_object(v, ""))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(_, m)| m.iter().collect::<Vec<_>>())
        .collect();
    loop {
        let before = d.ephemeral_locals.len();
        for (name, value) in &locals {
            if !d.ephemeral_locals.contains(*name) && d.ephemeral_reference(value).is_some() {
                d.ephemeral_locals.insert((*name).clone());
            }
        }
        if d.ephemeral_locals.len() == before {
            break;
        }
    }
    d
}

/// The reason a block gives for waiving `rule`, if any.
fn waiver<'a>(root: &'a Map<String, Json>, address: &str, rule: &str) -> Option<&'a str> {
    let parts: Vec<&str> = address.split('.').collect();
    let (kind, ty, name) = match parts.as_slice() {
        ["data", ty, name] => ("data", *ty, *name),
        ["ephemeral", ty, name] => ("ephemeral", *ty, *name),
        [ty, name] => ("resource", *ty, *name),
        _ => return None,
    };
    each_object(root.get(kind)?, "")
        .into_iter()
        .filter_map(|(_, by_type)| by_type.get(ty))
        .flat_map(|by_name| each_object(by_name, ""))
        .filter_map(|(_, named)| named.get(name))
        .flat_map(|body| each_object(body, ""))
        .find_map(|(_, body)| body.get("//")?.get("waive")?.get(rule)?.as_str())
        .filter(|reason| !reason.trim().is_empty())
}

/// Validates Terraform JSON text against `schemas`, then with `policies`.
pub fn validate(text: &str, schemas: &Schemas, policies: &[Policy]) -> Report {
    let mut report = Report::default();
    let root: Json = match strict::parse(text) {
        Ok(v) => v,
        Err(e) => {
            report.findings.push(Finding {
                address: "(file)".into(),
                pointer: String::new(),
                rule: "json-syntax",
                message: format!("not valid JSON: {e}"),
                severity: Severity::Error,
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
            severity: Severity::Error,
        });
        return report;
    };
    let declared = collect_declared(root);
    let mut checker = blocks::Checker {
        schemas,
        declared: &declared,
        report: &mut report,
        ephemeral_ok: false,
    };
    checker.root(root);
    for policy in policies {
        for finding in (policy.check)(root) {
            match waiver(root, &finding.address, finding.rule) {
                Some(reason) => report.waived.push((
                    finding.address.clone(),
                    finding.rule.to_owned(),
                    reason.to_owned(),
                )),
                None => report.findings.push(finding),
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator's fixture provider: `aws_fixture` and friends.
    static FIXTURE: crate::provider::ProviderSchemaSource = crate::provider::ProviderSchemaSource {
        local_name: "aws",
        source: "registry.terraform.io/hashicorp/aws",
        version: "5.100.0",
        text: include_str!("../../../codegen/tests/fixture/schema.jsonl"),
        index: &[],
        checks: "",
    };

    fn check(json: serde_json::Value) -> Vec<String> {
        let schemas = Schemas::new(&[&FIXTURE]);
        let report = validate(&json.to_string(), &schemas, &[]);
        report
            .findings
            .iter()
            .map(|f| format!("{} {}", f.rule, f.address))
            .collect()
    }

    #[test]
    fn ephemeral_values_only_where_terraform_allows() {
        let base = serde_json::json!({
            "ephemeral": {"aws_fixture_secret": {"db": {"arn": "arn:x"}}},
            "locals": {"pw": "${ephemeral.aws_fixture_secret.db.value}", "again": "${local.pw}"},
            "resource": {"aws_fixture": {"a": {
                "label": "l", "name": "n", "rule": [{"action": "allow"}],
                "password_wo": "${local.again}"
            }}}
        });
        assert_eq!(
            check(base.clone()),
            Vec::<String>::new(),
            "write-only takes it"
        );
        let mut in_name = base.clone();
        in_name["resource"]["aws_fixture"]["a"]["name"] = "${local.again}".into();
        assert_eq!(check(in_name), ["ephemeral-value aws_fixture.a"]);
        let mut in_output = base;
        in_output["output"] =
            serde_json::json!({"o": {"value": "${ephemeral.aws_fixture_secret.db.value}"}});
        assert_eq!(check(in_output), ["ephemeral-value output.o"]);
    }

    #[test]
    fn provider_functions_by_name_and_arity() {
        let with = |expr: &str| check(serde_json::json!({"locals": {"x": format!("${{{expr}}}")}}));
        assert!(with("provider::aws::arn_parse(\"arn:x\").region").is_empty());
        assert_eq!(
            with("provider::aws::arn_parse(\"a\", \"b\")"),
            ["function-arguments local.x"]
        );
        assert_eq!(
            with("provider::aws::arn_pars(\"a\")"),
            ["unknown-function local.x"]
        );
        assert!(with("provider::aws::join_parts(\"-\", \"a\", \"b\", \"c\")").is_empty());
        assert_eq!(
            with("provider::aws::join_parts()"),
            ["function-arguments local.x"]
        );
        assert!(with("provider::terraform::encode_tfvars({a = 1})").is_empty());
    }

    #[test]
    fn unknown_types_and_unchecked_providers() {
        let schemas = Schemas::new(&[&FIXTURE]);
        let json = serde_json::json!({"resource": {
            "aws_fixtur": {"a": {}},
            "google_thing": {"b": {}},
            "terraform_data": {"c": {"input": 1}}
        }});
        let report = validate(&json.to_string(), &schemas, &[]);
        let found: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "aws_fixtur.a: /resource/aws_fixtur: provider hashicorp/aws has no resource type \"aws_fixtur\" (did you mean \"aws_fixture\"?) [unknown-resource-type]"
            ]
        );
        assert_eq!(
            report.unchecked.iter().collect::<Vec<_>>(),
            ["resource google_thing (provider google has no schema here)"]
        );
    }

    #[test]
    fn policies_and_waivers() {
        fn every_fixture(root: &Map<String, Json>) -> Vec<Finding> {
            let mut out = Vec::new();
            for (_, by_type) in root
                .get("resource")
                .map(|v| each_object(v, ""))
                .unwrap_or_default()
            {
                for name in by_type
                    .get("aws_fixture")
                    .and_then(Json::as_object)
                    .into_iter()
                    .flat_map(|m| m.keys())
                {
                    out.push(Finding::policy(
                        format!("aws_fixture.{name}"),
                        "",
                        "no-fixtures",
                        "a fixture",
                    ));
                }
            }
            out
        }
        let policy = Policy {
            rules: &[("no-fixtures", "no fixture resources")],
            check: every_fixture,
        };
        let body = serde_json::json!({"label": "l", "name": "n", "rule": [{"action": "allow"}]});
        let mut waived = body.clone();
        waived["//"] = serde_json::json!({"waive": {"no-fixtures": "this one is needed"}});
        let json = serde_json::json!({"resource": {"aws_fixture": {"a": body, "b": waived}}});
        let report = validate(&json.to_string(), &Schemas::new(&[&FIXTURE]), &[policy]);
        assert_eq!(report.errors().count(), 0);
        let policy_found: Vec<&str> = report
            .policy_findings()
            .map(|f| f.address.as_str())
            .collect();
        assert_eq!(policy_found, ["aws_fixture.a"]);
        assert_eq!(
            report.waived,
            [(
                "aws_fixture.b".to_owned(),
                "no-fixtures".to_owned(),
                "this one is needed".to_owned()
            )]
        );
    }

    #[test]
    fn bad_json_is_one_finding() {
        let schemas = Schemas::new(&[]);
        let r = validate("{", &schemas, &[]);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].rule, "json-syntax");
        assert_eq!(
            validate("[]", &schemas, &[]).findings[0].message,
            "the top level must be a JSON object of block types"
        );
    }
}
