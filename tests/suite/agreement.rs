//! `tfsynth validate` against `terraform validate` with the real AWS
//! provider: what one rejects, the other rejects; what one accepts, the
//! other accepts. Needs terraform and the provider mirror; without them
//! each test prints `skipped: <reason>`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value as Json, json};
use tfsynth_schema::checks::{Format, Rule, ValueCheck};

use super::support::{Terraform, aws_validate};
use super::validate::RAW;

/// Raw cases terraform reports only when it plans (they need state).
const PLAN_TIME: &[&str] = &[
    "moved to an undeclared resource",
    "removed while still declared",
];

/// A directory initialised with the AWS provider, for `terraform validate`.
fn initialised(tf: &Terraform) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf.json"),
        r#"{"provider": {"aws": {"region": "us-east-1"}}}"#,
    )
    .unwrap();
    tf.init(dir.path());
    dir
}

/// `terraform validate -json` of one configuration text.
fn terraform_validate(tf: &Terraform, dir: &Path, text: &str) -> Json {
    std::fs::write(dir.join("main.tf.json"), text).unwrap();
    let out = tf.run(dir, &["validate", "-json", "-no-color"]);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("terraform validate -json: {e}: {out:?}"))
}

fn errors(report: &Json) -> Vec<&Json> {
    report["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter(|d| d["severity"] == "error").collect())
        .unwrap_or_default()
}

#[test]
fn terraform_rejects_what_the_raw_corpus_rejects() {
    let Some(tf) = Terraform::find("terraform_rejects_what_the_raw_corpus_rejects") else {
        return;
    };
    // Each validate loads the provider's schema (seconds): spread the cases
    // over a few initialised directories.
    let cases: Vec<_> = RAW.iter().filter(|c| !PLAN_TIME.contains(&c.0)).collect();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let chunk = cases.len().div_ceil(workers);
    let mut accepted: Vec<&str> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                let tf = &tf;
                scope.spawn(move || {
                    let dir = initialised(tf);
                    part.iter()
                        .filter(|(_, text, _)| {
                            terraform_validate(tf, dir.path(), text)["valid"] != json!(false)
                        })
                        .map(|(name, _, _)| *name)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    accepted.sort_unstable();
    assert!(
        accepted.is_empty(),
        "terraform accepts what tfsynth rejects: {accepted:?}"
    );
}

/// Valid configurations from the provider's documentation and common
/// modules, each next to a mistake of the corpus: neither tool may object.
const VALID: &str = r#"{
  "variable": {"names": {"type": "set(string)"}},
  "resource": {
    "aws_security_group": {"allow_tls": {"name": "allow_tls", "ingress": [{"description": "TLS from VPC", "from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"], "ipv6_cidr_blocks": null, "prefix_list_ids": null, "security_groups": null, "self": null}]}},
    "aws_route_table": {"rt": {"vpc_id": "vpc-1", "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "ipv6_cidr_block": null, "carrier_gateway_id": null, "core_network_arn": null, "destination_prefix_list_id": null, "egress_only_gateway_id": null, "local_gateway_id": null, "nat_gateway_id": null, "network_interface_id": null, "transit_gateway_id": null, "vpc_endpoint_id": null, "vpc_peering_connection_id": null}]}},
    "aws_instance": {"web": {"ami": "ami-1", "instance_type": "t3.micro", "count": "2"}},
    "aws_eip": {
      "first": {"instance": "${aws_instance.web[0].id}"},
      "each": {"count": 2, "instance": "${aws_instance.web[count.index].id}"},
      "all": {"count": "${length(aws_instance.web)}", "tags": {"ids": "${join(\",\", aws_instance.web[*].id)}"}}
    },
    "aws_iam_user": {"u": {"for_each": "${var.names}", "name": "${each.key}"}, "literal": {"for_each": {"alice": "a"}, "name": "${each.key}"}},
    "aws_iam_user_policy": {"p": {"name": "p", "user": "${aws_iam_user.literal[\"alice\"].name}", "policy": " {\"Version\": \"2012-10-17\", \"Statement\": []}"}},
    "aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}},
    "aws_subnet": {"a": {"vpc_id": "${aws_vpc.main.id}", "cidr_block": "10.0.1.0/24"}, "splat": {"vpc_id": "${aws_vpc.main[*].id[0]}", "cidr_block": "10.0.2.0/24"}},
    "aws_lb": {"front": {"name": "front", "load_balancer_type": "application", "subnets": ["subnet-1", "subnet-2"]}},
    "aws_kms_key": {"k": {"description": "example", "deletion_window_in_days": "7"}},
    "aws_s3_bucket_versioning": {"v": {"bucket": "b", "versioning_configuration": {"status": "Enabled"}}},
    "aws_cloudwatch_log_group": {"g": {"retention_in_days": 3653}}
  }
}"#;

#[test]
fn both_accept_the_valid_counterparts() {
    let Some(tf) = Terraform::find("both_accept_the_valid_counterparts") else {
        return;
    };
    let ours: Vec<String> = aws_validate(VALID)
        .errors()
        .map(ToString::to_string)
        .collect();
    assert!(ours.is_empty(), "{ours:#?}");
    let dir = initialised(&tf);
    let report = terraform_validate(&tf, dir.path(), VALID);
    assert_eq!(report["valid"], json!(true), "{report:#}");
}

/// Values a check must accept and values it must refuse.
fn samples(rule: &Rule) -> (Vec<Json>, Vec<Json>) {
    let s = |v: &[&str]| v.iter().map(|s| json!(s)).collect::<Vec<_>>();
    match rule {
        Rule::OneOf(options) => {
            let bad = if options.iter().all(Json::is_number) {
                let max = options.iter().filter_map(Json::as_f64).fold(0.0, f64::max);
                vec![json!(max as i64 + 1)]
            } else {
                s(&["not-an-option"])
            };
            (options.clone(), bad)
        }
        Rule::Range(min, max) => (
            vec![json!(*min as i64), json!(*max as i64)],
            vec![json!(*min as i64 - 1), json!(*max as i64 + 1)],
        ),
        Rule::Format(Format::Cidr) => (s(&["10.0.0.0/16"]), s(&["10.0.0.0/33", "x"])),
        Rule::Format(Format::CidrNetwork) => (
            s(&["10.0.0.0/16", "10.1.2.0/24"]),
            s(&["10.0.0.0/33", "10.0.0.1/16"]),
        ),
        Rule::Format(Format::Json) => (s(&["{}", "{\"a\": [1]}"]), s(&["{x", "not json"])),
        Rule::Format(Format::PolicyJson) => (
            s(&["{\"Version\": \"2012-10-17\", \"Statement\": []}"]),
            s(&["[]", "{\"Version\":"]),
        ),
        Rule::Format(Format::Arn) => (
            s(&["arn:aws:iam::123456789012:role/r"]),
            s(&["role-r", "arn:aws:iam::1:role/r"]),
        ),
        other => panic!("no samples for {other:?}"),
    }
}

/// The schema block at the check's path, and its attribute.
fn target<'a>(
    schema: &'a tfsynth_schema::ProviderSchema,
    check: &ValueCheck,
) -> &'a tfsynth_schema::Attribute {
    let Some(ty) = schema.resource_schemas.get(&check.type_name) else {
        panic!("checks.jsonl: no resource type {}", check.type_name);
    };
    let mut block = &ty.block;
    let (attr, blocks) = check.path.split_last().unwrap();
    for b in blocks {
        block = &block
            .block_types
            .get(b)
            .unwrap_or_else(|| panic!("checks.jsonl: {} has no block {b}", check.type_name))
            .block;
    }
    block
        .attributes
        .get(attr)
        .unwrap_or_else(|| panic!("checks.jsonl: {} has no attribute {attr}", check.type_name))
}

/// A block with every required argument and block given some value, so
/// that Terraform goes on to the provider's own checks.
fn filled(block: &tfsynth_schema::Block) -> serde_json::Map<String, Json> {
    use tfsynth_schema::TypeExpr as T;
    let mut m = serde_json::Map::new();
    for (name, a) in block.attributes.iter().filter(|(_, a)| a.required) {
        let v = match &a.ty {
            Some(T::Number) => json!(1),
            Some(T::Bool) => json!(true),
            Some(T::List(inner) | T::Set(inner)) if **inner == T::String => json!(["x"]),
            Some(T::List(_) | T::Set(_)) => json!([]),
            Some(T::Map(_)) => json!({}),
            _ => json!("x"),
        };
        m.insert(name.clone(), v);
    }
    for (name, nested) in block.block_types.iter().filter(|(_, b)| b.min_items > 0) {
        m.insert(name.clone(), Json::Object(filled(&nested.block)));
    }
    m
}

/// A block body with `value` at the check's path, its required arguments filled.
fn body(schema: &tfsynth_schema::ProviderSchema, check: &ValueCheck, value: Json) -> Json {
    let mut block = &schema.resource_schemas[&check.type_name].block;
    let mut root = filled(block);
    let (attr, blocks) = check.path.split_last().unwrap();
    let mut at = &mut root;
    for b in blocks {
        block = &block.block_types[b].block;
        let entry = at
            .entry(b.clone())
            .or_insert_with(|| Json::Object(filled(block)));
        at = entry.as_object_mut().unwrap();
    }
    at.insert(attr.clone(), value);
    Json::Object(root)
}

#[test]
fn every_provider_value_check_agrees_with_terraform() {
    let Some(tf) = Terraform::find("every_provider_value_check_agrees_with_terraform") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/aws");
    let checks =
        tfsynth_schema::checks::parse(&std::fs::read_to_string(root.join("checks.jsonl")).unwrap())
            .unwrap();
    let (_, schema) =
        tfsynth_schema::jsonl::read(&std::fs::read_to_string(root.join("schema.jsonl")).unwrap())
            .unwrap();
    assert!(checks.len() >= 40, "{} checks", checks.len());
    // One block per sample: good_<check>_<n> and bad_<check>_<n>.
    let mut resources: BTreeMap<String, serde_json::Map<String, Json>> = BTreeMap::new();
    let mut expect_bad = Vec::new();
    for (i, check) in checks.iter().enumerate() {
        let (good, bad) = samples(&check.rule);
        let collection = matches!(
            target(&schema, check).ty,
            Some(tfsynth_schema::TypeExpr::List(_) | tfsynth_schema::TypeExpr::Set(_))
        );
        let wrap = |v: Json| {
            if collection { json!([v]) } else { v }
        };
        for (tag, values) in [("good", good), ("bad", bad)] {
            for (n, v) in values.into_iter().enumerate() {
                let name = format!("{tag}_{i}_{n}");
                if tag == "bad" {
                    expect_bad.push((format!("{}.{name}", check.type_name), i));
                }
                resources
                    .entry(check.type_name.clone())
                    .or_default()
                    .insert(name, body(&schema, check, wrap(v)));
            }
        }
    }
    let text = json!({ "resource": resources }).to_string();

    // Terraform's errors per block address; a good sample may still lack
    // other required arguments, so compare each bad block with its good twin.
    let dir = initialised(&tf);
    let report = terraform_validate(&tf, dir.path(), &text);
    let mut theirs: BTreeMap<String, usize> = BTreeMap::new();
    for e in errors(&report) {
        if let Some(a) = e["address"].as_str() {
            *theirs.entry(a.to_owned()).or_default() += 1;
        }
    }
    let ours = aws_validate(&text);
    // Our findings on each sample's own value (the filled-in arguments may
    // break other checks, in both tools alike).
    let mut flagged: BTreeMap<String, usize> = BTreeMap::new();
    for f in ours.findings.iter().filter(|f| f.rule == "provider-value") {
        let (ty, name) = f.address.split_once('.').unwrap();
        let i: usize = name.split('_').nth(1).unwrap().parse().unwrap();
        let at = format!("/resource/{ty}/{name}/{}", checks[i].path.join("/"));
        if f.pointer.starts_with(&at) {
            *flagged.entry(f.address.clone()).or_default() += 1;
        }
    }
    let mut failures = Vec::new();
    for (address, i) in &expect_bad {
        let ty = address.split_once('.').unwrap().0;
        let twin = format!("{ty}.good_{i}_0");
        let (bad_n, good_n) = (
            theirs.get(address).copied().unwrap_or(0),
            theirs.get(&twin).copied().unwrap_or(0),
        );
        if bad_n <= good_n {
            failures.push(format!(
                "{address} ({:?}): terraform does not refuse it ({bad_n} errors, {good_n} for {twin})",
                checks[*i].path
            ));
        }
        if !flagged.contains_key(address) {
            failures.push(format!("{address}: tfsynth does not refuse it"));
        }
    }
    for address in flagged.keys().filter(|a| a.contains(".good_")) {
        failures.push(format!(
            "{address}: tfsynth refuses a value terraform accepts"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
