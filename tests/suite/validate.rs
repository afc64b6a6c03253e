//! `tfsynth validate`: a corpus of deliberately broken stacks, one mistake
//! each, each with its exact finding; and the clean stacks pass.

use super::support::{aws_validate, tfsynth};
use predicates::str::contains;
use tfsynth::{
    DataSource, Expr, Node, Output, Provider, Ref, Resource, ResourceBlock, Stack, Variable,
    validate,
};
use tfsynth_aws::data::DataAwsAvailabilityZones;
use tfsynth_aws::resource::{AwsLaunchTemplate, AwsSecurityGroup, AwsSubnet, AwsVpc};

/// A small valid stack the broken ones start from.
fn base(stack: &mut Stack) -> tfsynth_aws::resource::AwsVpcRef {
    stack.add(Provider::new("aws").set("region", "eu-west-1"));
    stack.add(AwsVpc::new("main").cidr_block("10.0.0.0/16"))
}

fn findings(build: impl Fn(&mut Stack)) -> Vec<String> {
    let mut stack = Stack::new("broken");
    build(&mut stack);
    let json = stack
        .synth()
        .unwrap_or_else(|e| panic!("the broken stack still synthesizes: {e}"))
        .json;
    // Schema and reference findings only: the policy rules have a corpus of their own.
    aws_validate(&json)
        .errors()
        .map(ToString::to_string)
        .collect()
}

type Case = (&'static str, fn(&mut Stack), &'static str);
const CORPUS: &[Case] = &[
    (
        "unknown resource type",
        |s| {
            base(s);
            s.add(Resource::new("aws_vcp", "x").set("cidr_block", "10.1.0.0/16"));
        },
        "aws_vcp.x: /resource/aws_vcp: provider hashicorp/aws has no resource type \"aws_vcp\" (did you mean \"aws_vpc\"?) [unknown-resource-type]",
    ),
    (
        "unknown data source type",
        |s| {
            base(s);
            s.add(DataSource::new("aws_availability_zone_list", "z"));
        },
        "data.aws_availability_zone_list.z: /data/aws_availability_zone_list: provider hashicorp/aws has no data source type \"aws_availability_zone_list\" (did you mean \"aws_availability_zone\"?) [unknown-data-type]",
    ),
    (
        "misspelt attribute",
        |s| {
            base(s);
            s.add(AwsVpc::new("other").set("cidr_blok", "10.2.0.0/16"));
        },
        "aws_vpc.other: /resource/aws_vpc/other/cidr_blok: unknown attribute or block \"cidr_blok\" (did you mean \"cidr_block\"?) [unknown-attribute]",
    ),
    (
        "missing required attribute",
        |s| {
            base(s);
            s.add(Resource::new("aws_subnet", "a").set("cidr_block", "10.0.1.0/24"));
        },
        "aws_subnet.a: /resource/aws_subnet/a: required attribute \"vpc_id\" is not set [missing-required]",
    ),
    (
        "number where a bool belongs",
        |s| {
            base(s);
            s.add(
                AwsVpc::new("other")
                    .cidr_block("10.2.0.0/16")
                    .set("enable_dns_support", 1),
            );
        },
        "aws_vpc.other: /resource/aws_vpc/other/enable_dns_support: \"enable_dns_support\": expected bool, found a number [type-mismatch]",
    ),
    (
        "text where a number belongs",
        |s| {
            let vpc = base(s);
            s.add(AwsSecurityGroup::new("web").vpc_id(vpc.id()).set(
                "ingress",
                Node::list_of([Node::map_of([
                    ("from_port", Node::from("http")),
                    ("to_port", Node::from(80)),
                    ("protocol", Node::from("tcp")),
                ])]),
            ));
        },
        "aws_security_group.web: /resource/aws_security_group/web/ingress: \"ingress\": element 0: attribute \"from_port\": expected number, found the string \"http\" [type-mismatch]",
    ),
    (
        "list where a string belongs",
        |s| {
            base(s);
            s.add(AwsVpc::new("other").set("cidr_block", Node::list_of(["10.2.0.0/16"])));
        },
        "aws_vpc.other: /resource/aws_vpc/other/cidr_block: \"cidr_block\": expected string, found a list [type-mismatch]",
    ),
    (
        "computed-only attribute set",
        |s| {
            base(s);
            s.add(
                AwsVpc::new("other")
                    .cidr_block("10.2.0.0/16")
                    .set("arn", "arn:aws:ec2:::vpc/x"),
            );
        },
        "aws_vpc.other: /resource/aws_vpc/other/arn: \"arn\" is computed by the provider and cannot be set [computed-only]",
    ),
    (
        "list where one block belongs",
        |s| {
            base(s);
            s.add(AwsLaunchTemplate::new("lt").set(
                "metadata_options",
                Node::list_of([
                    Node::map_of([("http_tokens", "required")]),
                    Node::map_of([("http_tokens", "optional")]),
                ]),
            ));
        },
        "aws_launch_template.lt: /resource/aws_launch_template/lt/metadata_options: block \"metadata_options\" allows at most 1, found 2 [block-shape]",
    ),
    (
        "text where a block belongs",
        |s| {
            base(s);
            s.add(AwsLaunchTemplate::new("lt").set("metadata_options", "required"));
        },
        "aws_launch_template.lt: /resource/aws_launch_template/lt/metadata_options: block \"metadata_options\" must be an object or a list of objects, not a string [block-shape]",
    ),
    (
        "unknown attribute inside a nested block",
        |s| {
            base(s);
            s.add(AwsLaunchTemplate::new("lt").set(
                "metadata_options",
                Node::map_of([("http_token", "required")]),
            ));
        },
        "aws_launch_template.lt: /resource/aws_launch_template/lt/metadata_options/http_token: unknown attribute or block \"http_token\" (did you mean \"http_tokens\"?) [unknown-attribute]",
    ),
    (
        "reference to an attribute the type lacks",
        |s| {
            let vpc = base(s);
            s.add(AwsSubnet::new("a", vpc.raw().attr("vpc_id")).cidr_block("10.0.1.0/24"));
        },
        "aws_subnet.a: /resource/aws_subnet/a/vpc_id: aws_vpc.main has no attribute \"vpc_id\" [unknown-reference-attribute]",
    ),
    (
        "reference to a data attribute the type lacks",
        |s| {
            let vpc = base(s);
            let zones = s.add(DataAwsAvailabilityZones::new("all"));
            s.add(
                AwsSubnet::new("a", vpc.id())
                    .cidr_block("10.0.1.0/24")
                    .availability_zone(zones.raw().attr("zone_names").index(0)),
            );
        },
        "aws_subnet.a: /resource/aws_subnet/a/availability_zone: data.aws_availability_zones.all has no attribute \"zone_names\" (did you mean \"names\"?) [unknown-reference-attribute]",
    ),
    (
        "count.index outside count",
        |s| {
            let vpc = base(s);
            s.add(
                AwsSubnet::new("a", vpc.id()).cidr_block(tfsynth::func::cidrsubnet(
                    vpc.cidr_block(),
                    8,
                    Expr::Ref(Ref::CountIndex),
                )),
            );
        },
        "aws_subnet.a: /resource/aws_subnet/a/cidr_block: count.index is only valid in a block with count [invalid-reference]",
    ),
    (
        "each.value outside for_each",
        |s| {
            base(s);
            s.add(AwsVpc::new("other").cidr_block(Expr::Ref(Ref::EachValue)));
        },
        "aws_vpc.other: /resource/aws_vpc/other/cidr_block: each.key and each.value are only valid in a block with for_each [invalid-reference]",
    ),
    (
        "wrong value type inside a map",
        |s| {
            let vpc = base(s);
            s.add(Variable::new("unused").default("x"));
            s.add(Output::new("id", vpc.id()));
            s.add(
                AwsVpc::new("other")
                    .cidr_block("10.9.0.0/16")
                    .set("tags", Node::map_of([("Name", Node::list_of([1]))])),
            );
        },
        "aws_vpc.other: /resource/aws_vpc/other/tags: \"tags\": key \"Name\": expected string, found a list [type-mismatch]",
    ),
    (
        "provider argument misspelt",
        |s| {
            s.add(Provider::new("aws").set("regoin", "eu-west-1"));
            s.add(AwsVpc::new("main").cidr_block("10.0.0.0/16"));
        },
        "provider.aws: /provider/aws/0/regoin: unknown attribute or block \"regoin\" (did you mean \"region\"?) [unknown-attribute]",
    ),
];

#[test]
fn broken_stack_corpus() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, build, expect) in CORPUS {
        checked += 1;
        let found = findings(build);
        if found != [*expect] {
            failures.push(format!(
                "{name}:\n  expected: {expect}\n  found:    {found:?}"
            ));
        }
    }
    assert!(checked >= 15, "the corpus holds at least 15 broken stacks");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Hand-written or edited JSON (what `tfsynth validate --file` reads) can
/// hold mistakes that the engine never writes; one per case.
pub(crate) const RAW: &[(&str, &str, &str)] = &[
    (
        "moved to an undeclared resource",
        r#"{"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}}, "moved": [{"from": "aws_vpc.old", "to": "aws_vpc.mian"}]}"#,
        "moved block: /moved/0/to: aws_vpc.mian is not declared in this configuration [undeclared-reference]",
    ),
    (
        "removed while still declared",
        r#"{"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}}, "removed": [{"from": "aws_vpc.main", "lifecycle": {"destroy": false}}]}"#,
        "removed block: /removed/0/from: aws_vpc.main is still declared, so removed cannot apply to it [still-declared]",
    ),
    (
        "import into something that is not an address",
        r#"{"import": [{"to": "${aws_vpc.main}", "id": "vpc-1"}]}"#,
        "import block: /import/0/to: \"${aws_vpc.main}\" is not a resource address such as aws_vpc.main [invalid-reference]",
    ),
    (
        "misspelt scoped data source in a check",
        r#"{"check": {"c": {"data": {"aws_s3_buckt": {"probe": {"bucket": "b"}}}, "assert": [{"condition": "${data.aws_s3_buckt.probe.id != \"\"}", "error_message": "m"}]}}}"#,
        "data.aws_s3_buckt.probe: /check/c/data/aws_s3_buckt: provider hashicorp/aws has no data source type \"aws_s3_buckt\" (did you mean \"aws_s3_bucket\"?) [unknown-data-type]",
    ),
    (
        "a provider function with too many arguments",
        r#"{"locals": {"r": "${provider::aws::arn_parse(\"a\", \"b\")}"}}"#,
        "local.r: /locals/r: provider::aws::arn_parse takes 1 argument, found 2 [function-arguments]",
    ),
    (
        "an ephemeral value in a normal argument",
        r#"{"ephemeral": {"aws_ssm_parameter": {"p": {"arn": "arn:aws:ssm:us-east-1:1:parameter/x"}}}, "resource": {"aws_ssm_parameter": {"c": {"name": "n", "type": "String", "value": "${ephemeral.aws_ssm_parameter.p.value}"}}}}"#,
        "aws_ssm_parameter.c: /resource/aws_ssm_parameter/c/value: \"value\" is stored in plan and state, so it cannot take the ephemeral value ephemeral.aws_ssm_parameter.p (hint: set a write-only argument instead, such as password_wo) [ephemeral-value]",
    ),
    (
        "undeclared variable",
        r#"{"resource": {"aws_vpc": {"v": {"cidr_block": "${var.cidr}"}}}}"#,
        "aws_vpc.v: /resource/aws_vpc/v/cidr_block: reference to undeclared variable \"cidr\" [undeclared-reference]",
    ),
    (
        "misspelt resource name in a reference",
        r#"{"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}, "aws_subnet": {"a": {"vpc_id": "${aws_vpc.mian.id}"}}}}"#,
        "aws_subnet.a: /resource/aws_subnet/a/vpc_id: reference to undeclared resource \"aws_vpc.mian\" (did you mean \"main\"?) [undeclared-reference]",
    ),
    (
        "undeclared local in an output",
        r#"{"locals": {"tags": {}}, "output": {"o": {"value": "${local.tag}"}}}"#,
        "output.o: /output/o/value: reference to undeclared local value \"tag\" (did you mean \"tags\"?) [undeclared-reference]",
    ),
    (
        "template syntax error",
        r#"{"output": {"o": {"value": "${cidrsubnet(var.a, 8}"}}, "variable": {"a": {}}}"#,
        "output.o: /output/o/value: cannot parse the template: at byte 21: expected `,` or `)`, found `}` [syntax]",
    ),
    (
        "unknown top-level block",
        r#"{"resources": {}}"#,
        "(file): /resources: unknown top-level block type \"resources\" (did you mean \"resource\"?) [unknown-block-type]",
    ),
    (
        "depends_on an undeclared block",
        r#"{"resource": {"aws_vpc": {"v": {"cidr_block": "10.0.0.0/16", "depends_on": ["aws_internet_gateway.gw"]}}}}"#,
        "aws_vpc.v: /resource/aws_vpc/v/depends_on/0: reference to undeclared resource \"aws_internet_gateway.gw\" [undeclared-reference]",
    ),
    (
        "provider alias not configured",
        r#"{"provider": {"aws": [{"region": "eu-west-1"}]}, "resource": {"aws_vpc": {"v": {"cidr_block": "10.0.0.0/16", "provider": "aws.west"}}}}"#,
        "aws_vpc.v: /resource/aws_vpc/v/provider: provider configuration \"aws.west\" is not declared (did you mean \"aws\"?) [undeclared-provider]",
    ),
    (
        "output without a value",
        r#"{"output": {"o": {"description": "nothing"}}}"#,
        "output.o: /output/o: an output needs a \"value\" [missing-required]",
    ),
    (
        "required block given no items",
        r#"{"resource": {"aws_lb_listener": {"l": {"load_balancer_arn": "arn:aws:elasticloadbalancing:::lb", "default_action": []}}}}"#,
        "aws_lb_listener.l: /resource/aws_lb_listener/l/default_action: block \"default_action\" needs at least 1, found 0 [block-shape]",
    ),
    (
        // The aws_security_group documentation's ingress, written as JSON.
        "an attribute-as-block object that leaves attributes out",
        r#"{"resource": {"aws_security_group": {"allow_tls": {"name": "allow_tls", "ingress": [{"description": "TLS from VPC", "from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]}]}}}}"#,
        "aws_security_group.allow_tls: /resource/aws_security_group/allow_tls/ingress: \"ingress\": element 0: the object leaves out \"ipv6_cidr_blocks\", \"prefix_list_ids\", \"security_groups\", \"self\" (Terraform needs every attribute; give null for those not set) [type-mismatch]",
    ),
    (
        "a route table route that leaves attributes out",
        r#"{"resource": {"aws_route_table": {"rt": {"vpc_id": "vpc-1", "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "ipv6_cidr_block": null, "carrier_gateway_id": null, "core_network_arn": null, "destination_prefix_list_id": null, "egress_only_gateway_id": null, "local_gateway_id": null, "nat_gateway_id": null, "network_interface_id": null, "transit_gateway_id": null, "vpc_endpoint_id": null}]}}}}"#,
        "aws_route_table.rt: /resource/aws_route_table/rt/route: \"route\": element 0: the object leaves out \"vpc_peering_connection_id\" (Terraform needs every attribute; give null for those not set) [type-mismatch]",
    ),
    (
        "count that is not a whole number",
        r#"{"resource": {"aws_instance": {"web": {"ami": "ami-1", "instance_type": "t3.micro", "count": 1.5}}}}"#,
        "aws_instance.web: /resource/aws_instance/web/count: count must be a whole number, found a fraction [invalid-count]",
    ),
    (
        "count of a wrong type",
        r#"{"resource": {"aws_instance": {"web": {"ami": "ami-1", "instance_type": "t3.micro", "count": "two"}}}}"#,
        "aws_instance.web: /resource/aws_instance/web/count: count must be a whole number, found a string [invalid-count]",
    ),
    (
        "negative count",
        r#"{"resource": {"aws_instance": {"web": {"ami": "ami-1", "instance_type": "t3.micro", "count": -1}}}}"#,
        "aws_instance.web: /resource/aws_instance/web/count: count must be 0 or more, found a negative number [invalid-count]",
    ),
    (
        "for_each over a JSON list",
        r#"{"resource": {"aws_iam_user": {"u": {"name": "${each.key}", "for_each": ["alice", "bob"]}}}}"#,
        "aws_iam_user.u: /resource/aws_iam_user/u/for_each: for_each takes a map or a set of strings, and a JSON list is a tuple: write \"${toset([...])}\" [invalid-for-each]",
    ),
    (
        "an index on a resource without count or for_each",
        r#"{"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}, "aws_subnet": {"a": {"vpc_id": "${aws_vpc.main[0].id}", "cidr_block": "10.0.1.0/24"}}}}"#,
        "aws_subnet.a: /resource/aws_subnet/a/vpc_id: aws_vpc.main has no count or for_each, so a reference to it takes no index key: remove the brackets [instance-key]",
    ),
    (
        "no index on a counted resource",
        r#"{"resource": {"aws_instance": {"web": {"ami": "ami-1", "instance_type": "t3.micro", "count": 2}}, "aws_eip": {"ip": {"instance": "${aws_instance.web.id}"}}}}"#,
        "aws_eip.ip: /resource/aws_eip/ip/instance: aws_instance.web has count or for_each, so its attributes are read from one instance, as in aws_instance.web[0].id, or from all with aws_instance.web[*].id [instance-key]",
    ),
    (
        "id set on a resource",
        r#"{"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16", "id": "vpc-0123"}}}}"#,
        "aws_vpc.main: /resource/aws_vpc/main/id: \"id\" is set by the provider and a resource cannot set it [computed-only]",
    ),
    (
        "a load balancer type the provider does not have",
        r#"{"resource": {"aws_lb": {"front": {"name": "front", "load_balancer_type": "alb", "subnets": ["subnet-1", "subnet-2"]}}}}"#,
        "aws_lb.front: /resource/aws_lb/front/load_balancer_type: \"load_balancer_type\" must be one of \"application\", \"network\", \"gateway\" [provider-value]",
    ),
    (
        "a KMS deletion window out of range",
        r#"{"resource": {"aws_kms_key": {"k": {"description": "example", "deletion_window_in_days": 5}}}}"#,
        "aws_kms_key.k: /resource/aws_kms_key/k/deletion_window_in_days: \"deletion_window_in_days\" must be from 7 to 30 [provider-value]",
    ),
    (
        "a subnet CIDR with host bits set",
        r#"{"resource": {"aws_subnet": {"a": {"vpc_id": "vpc-1", "cidr_block": "10.0.1.5/24"}}}}"#,
        "aws_subnet.a: /resource/aws_subnet/a/cidr_block: \"cidr_block\" must be a network address, host bits zero: did you mean \"10.0.1.0/24\"? [provider-value]",
    ),
    (
        "a policy that is not a JSON object",
        r#"{"resource": {"aws_iam_policy": {"p": {"name": "p", "policy": "[{\"Effect\": \"Allow\"}]"}}}}"#,
        "aws_iam_policy.p: /resource/aws_iam_policy/p/policy: \"policy\" must be a JSON policy document, an object [provider-value]",
    ),
    (
        "a versioning status in a nested block",
        r#"{"resource": {"aws_s3_bucket_versioning": {"v": {"bucket": "b", "versioning_configuration": {"status": "On"}}}}}"#,
        "aws_s3_bucket_versioning.v: /resource/aws_s3_bucket_versioning/v/versioning_configuration/status: \"status\" must be one of \"Enabled\", \"Suspended\", \"Disabled\" [provider-value]",
    ),
    (
        "not JSON",
        "{\"resource\": ",
        "(file): not valid JSON: EOF while parsing a value at line 1 column 13 [json-syntax]",
    ),
];

#[test]
fn raw_json_corpus() {
    json_corpus(RAW, |_| true);
}

/// Validates each `(name, json, expected finding)` case and asserts that
/// exactly the expected finding, among those `keep` selects, is reported.
fn json_corpus(cases: &[(&str, &str, &str)], keep: fn(&validate::Finding) -> bool) {
    let mut failures = Vec::new();
    for (name, json, expect) in cases {
        let found: Vec<String> = aws_validate(json)
            .findings
            .iter()
            .filter(|f| keep(f))
            .map(ToString::to_string)
            .collect();
        if found != [*expect] {
            failures.push(format!(
                "{name}:\n  expected: {expect}\n  found:    {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn clean_stacks_pass_and_findings_exit_2() {
    tfsynth()
        .arg("validate")
        .assert()
        .success()
        .stdout(contains("stack demo: valid"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tf.json");
    std::fs::write(&file, RAW[0].1).unwrap();
    tfsynth()
        .args(["validate", "--file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(format!(
            "error: {}: {}\nerror: validation found 1 problem\n",
            file.display(),
            RAW[0].2
        ));
    tfsynth()
        .args(["validate", "--file"])
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2)
        .stderr(contains("error: cannot read"));
}

#[test]
fn other_providers_and_unlisted_types_are_reported_as_unchecked() {
    let report = aws_validate(
        r#"{"resource": {"random_id": {"r": {"byte_length": 4}}, "aws_instance": {"i": {"ami": "ami-1", "instance_type": "t3.micro"}}}}"#,
    );
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let unchecked: Vec<&String> = report.unchecked.iter().collect();
    assert_eq!(
        unchecked,
        ["resource random_id (provider random has no schema here)"],
        "every AWS type is checked"
    );
}

/// One policy violation per case, each with its exact finding.
const POLICY: &[(&str, &str, &str)] = &[
    (
        "wildcard action in a policy document",
        r#"{"data": {"aws_iam_policy_document": {"d": {"statement": [{"actions": ["s3:*"], "resources": ["arn:aws:s3:::b/*"]}]}}}}"#,
        "data.aws_iam_policy_document.d: /data/aws_iam_policy_document/d/statement/0: the statement allows the wildcard action \"s3:*\"; name the actions [iam-wildcard-action]",
    ),
    (
        "wildcard resource in an inline policy",
        r#"{"resource": {"aws_iam_role_policy": {"p": {"role": "r", "policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}"}}}}"#,
        "aws_iam_role_policy.p: /resource/aws_iam_role_policy/p/policy: the statement allows its actions on every resource (\"*\"); name the resources [iam-wildcard-resource]",
    ),
    (
        "unencrypted bucket",
        r#"{"resource": {"aws_s3_bucket": {"b": {}}, "aws_s3_bucket_public_access_block": {"b": {"bucket": "${aws_s3_bucket.b.id}", "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}}}}"#,
        "aws_s3_bucket.b: /resource/aws_s3_bucket/b: the bucket has no aws_s3_bucket_server_side_encryption_configuration [s3-encryption]",
    ),
    (
        "bucket without a full public access block",
        r#"{"resource": {"aws_s3_bucket": {"b": {}}, "aws_s3_bucket_server_side_encryption_configuration": {"b": {"bucket": "${aws_s3_bucket.b.id}", "rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]}}, "aws_s3_bucket_public_access_block": {"b": {"bucket": "${aws_s3_bucket.b.id}", "block_public_acls": true, "block_public_policy": false, "ignore_public_acls": true, "restrict_public_buckets": true}}}}"#,
        "aws_s3_bucket.b: /resource/aws_s3_bucket/b: the bucket has no aws_s3_bucket_public_access_block blocking all four kinds of public access [s3-public-access]",
    ),
    (
        "unencrypted database",
        r#"{"resource": {"aws_db_instance": {"db": {"instance_class": "db.t3.micro", "storage_encrypted": false}}}}"#,
        "aws_db_instance.db: /resource/aws_db_instance/db/storage_encrypted: storage_encrypted is not true [rds-encryption]",
    ),
    (
        "public database",
        r#"{"resource": {"aws_db_instance": {"db": {"instance_class": "db.t3.micro", "storage_encrypted": true, "publicly_accessible": true}}}}"#,
        "aws_db_instance.db: /resource/aws_db_instance/db/publicly_accessible: the database is publicly accessible [rds-public]",
    ),
    (
        "unencrypted launch template volume",
        r#"{"resource": {"aws_launch_template": {"lt": {"metadata_options": {"http_tokens": "required"}, "block_device_mappings": [{"device_name": "/dev/xvda", "ebs": {"volume_size": 8}}]}}}}"#,
        "aws_launch_template.lt: /resource/aws_launch_template/lt/block_device_mappings/0/ebs: the volume is not encrypted [ebs-encryption]",
    ),
    (
        "launch template without IMDSv2",
        r#"{"resource": {"aws_launch_template": {"lt": {"metadata_options": {"http_tokens": "optional"}}}}}"#,
        "aws_launch_template.lt: /resource/aws_launch_template/lt/metadata_options: metadata_options.http_tokens is not \"required\" [imdsv2]",
    ),
    (
        "SSH open to the world",
        r#"{"resource": {"aws_vpc_security_group_ingress_rule": {"ssh": {"security_group_id": "sg-1", "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"}}}}"#,
        "aws_vpc_security_group_ingress_rule.ssh: /resource/aws_vpc_security_group_ingress_rule/ssh: ports 22-22 are open to the whole internet [sg-open-world]",
    ),
    (
        "every port open over IPv6 in an inline rule",
        r#"{"resource": {"aws_security_group": {"sg": {"ingress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "ipv6_cidr_blocks": ["::/0"], "cidr_blocks": [], "description": "", "prefix_list_ids": [], "security_groups": [], "self": false}]}}}}"#,
        "aws_security_group.sg: /resource/aws_security_group/sg/ingress/0: ports 0-0 are open to the whole internet [sg-open-world]",
    ),
];

#[test]
fn policy_corpus() {
    json_corpus(POLICY, |f| {
        !f.rule.starts_with("unknown") && f.rule != "missing-required"
    });
}

#[test]
fn waiving_a_rule_needs_a_reason_and_is_reported() {
    let build = |reason: &str| {
        let mut s = Stack::new("w");
        s.add(
            Resource::new("aws_vpc_security_group_ingress_rule", "smtp")
                .set("security_group_id", "sg-1")
                .set("ip_protocol", "tcp")
                .set("from_port", 25)
                .set("to_port", 25)
                .set("cidr_ipv4", "0.0.0.0/0")
                .waive("sg-open-world", reason),
        );
        aws_validate(&s.synth().unwrap().json)
    };
    let report = build("inbound mail relay: SMTP must accept the internet");
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(
        report.waived,
        [(
            "aws_vpc_security_group_ingress_rule.smtp".to_string(),
            "sg-open-world".to_string(),
            "inbound mail relay: SMTP must accept the internet".to_string()
        )]
    );
    let unexplained = build(" ");
    assert_eq!(
        unexplained.findings.len(),
        1,
        "a blank reason waives nothing"
    );
    assert_eq!(unexplained.findings[0].rule, "sg-open-world");
}

#[test]
fn validate_prints_waivers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tf.json");
    std::fs::write(
        &file,
        r#"{"resource": {"aws_db_instance": {"db": {"instance_class": "db.t3.micro", "storage_encrypted": true, "publicly_accessible": true, "//": {"waive": {"rds-public": "a read-only public demo dataset"}}}}}}"#,
    )
    .unwrap();
    tfsynth()
        .args(["validate", "--file"])
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("waived: "))
        .stdout(contains(
            "aws_db_instance.db: policy rule rds-public: a read-only public demo dataset",
        ));
}

#[test]
fn nested_waf_statements_are_checked_to_the_bottom() {
    let acl = |rule: &str| {
        format!(
            r#"{{"resource": {{"aws_wafv2_web_acl": {{"w": {{
                "scope": "REGIONAL",
                "default_action": {{"allow": {{}}}},
                "visibility_config": {{"cloudwatch_metrics_enabled": true, "metric_name": "m", "sampled_requests_enabled": true}},
                "rule": [{rule}]}}}}}}}}"#
        )
    };
    // Statements nest three levels deep in the provider's schema; every level is typed.
    let nested = r#"{"name": "r", "priority": 1, "action": {"block": {}},
        "visibility_config": {"cloudwatch_metrics_enabled": true, "metric_name": "r", "sampled_requests_enabled": true},
        "statement": {"and_statement": {"statement": [
            {"geo_match_statement": {"country_codes": ["NL"]}},
            {"not_statement": {"statement": {"ip_set_reference_statement": {"arn": "arn:aws:wafv2:x"}}}}]}}}"#;
    let report = aws_validate(&acl(nested));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let typo = r#"{"name": "r", "priority": 1, "action": {"block": {}},
        "visibility_config": {"cloudwatch_metrics_enabled": true, "metric_name": "r", "sampled_requests_enabled": true},
        "statement": {"and_statement": {"statement": [
            {"not_statement": {"statement": {"geo_match_statment": {"country_codes": ["NL"]}}}}]}}}"#;
    let findings: Vec<String> = aws_validate(&acl(typo))
        .findings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        findings,
        [
            "aws_wafv2_web_acl.w: /resource/aws_wafv2_web_acl/w/rule/0/statement/and_statement/statement/0/not_statement/statement/geo_match_statment: unknown attribute or block \"geo_match_statment\" (did you mean \"geo_match_statement\"?) [unknown-attribute]"
        ]
    );
}

/// Policy findings are apart from errors: exit 3 by default, 0 with
/// `--policy warn` (still printed), not run with `--policy off`; an error
/// Terraform would reject exits 2 whatever the mode.
#[test]
fn policy_modes_keep_policy_findings_apart_from_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Valid Terraform that breaks a policy rule (a wildcard action).
    let policy_only = dir.path().join("policy.tf.json");
    std::fs::write(
        &policy_only,
        r#"{"data": {"aws_iam_policy_document": {"d": {"statement": [{"actions": ["s3:*"], "resources": ["arn:aws:s3:::b/*"]}]}}}}"#,
    )
    .unwrap();
    let both = dir.path().join("both.tf.json");
    std::fs::write(
        &both,
        r#"{"data": {"aws_iam_policy_document": {"d": {"statement": [{"actions": ["s3:*"], "resources": ["arn:aws:s3:::b/*"]}]}}}, "resource": {"aws_kms_key": {"k": {"deletion_window_in_days": 3}}}}"#,
    )
    .unwrap();
    let run = |file: &std::path::Path, mode: Option<&str>| {
        let mut cmd = tfsynth();
        cmd.arg("validate").arg("--file").arg(file);
        if let Some(m) = mode {
            cmd.args(["--policy", m]);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let wildcard = "[iam-wildcard-action]";
    for (mode, code, printed) in [
        (None, 3, true),
        (Some("deny"), 3, true),
        (Some("warn"), 0, true),
        (Some("off"), 0, false),
    ] {
        let (got, stderr) = run(&policy_only, mode);
        assert_eq!(got, Some(code), "{mode:?}: {stderr}");
        assert_eq!(stderr.contains(wildcard), printed, "{mode:?}: {stderr}");
        if printed {
            assert!(stderr.contains("policy: "), "{mode:?}: {stderr}");
        }
        let (got, stderr) = run(&both, mode);
        assert_eq!(got, Some(2), "{mode:?}: {stderr}");
        assert!(stderr.contains("[provider-value]"), "{mode:?}: {stderr}");
    }
}
