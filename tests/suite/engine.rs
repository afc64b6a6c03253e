//! The engine through the public API: synthesis, dependencies, errors.

use serde_json::{Value as Json, json};
use tfsynth::{
    App, Backend, CloudBackend, DataSource, Expr, Lifecycle, Node, Output, Provider, Resource,
    S3Backend, Stack, Type, Variable, func, interp,
};

fn synth_json(stack: &Stack) -> Json {
    let s = stack
        .synth()
        .unwrap_or_else(|e| panic!("synth failed: {e}"));
    serde_json::from_str(&s.json).expect("valid JSON")
}

fn problems(stack: &Stack) -> Vec<String> {
    match stack.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.to_string().lines().map(str::to_owned).collect(),
    }
}

/// Runs the command line in-process against `app`: (exit code, stdout, stderr).
fn run(app: &App, args: &[&str]) -> (u8, String, String) {
    super::support::run_app(app, args)
}

fn network(stack: &mut Stack) {
    let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
    let igw = stack.add(Resource::new("aws_internet_gateway", "gw").set("vpc_id", vpc.attr("id")));
    let eip = stack.add(Resource::new("aws_eip", "nat").set("domain", "vpc"));
    let subnet = stack.add(
        Resource::new("aws_subnet", "public")
            .set("vpc_id", vpc.attr("id"))
            .set("cidr_block", func::cidrsubnet(vpc.attr("cidr_block"), 8, 0)),
    );
    let nat = stack.add(
        Resource::new("aws_nat_gateway", "nat")
            .set("allocation_id", eip.attr("id"))
            .set("subnet_id", subnet.attr("id"))
            // Hidden: nothing the NAT gateway references leads to the gateway.
            .depends_on(&igw, "NAT gateways need the internet gateway to route")
            // Redundant: the subnet reference already orders it after the VPC.
            .depends_on(&vpc, "the VPC must exist")
            // Redundant: referenced directly.
            .depends_on(&eip, "the EIP must exist"),
    );
    stack.add(
        Resource::new("aws_route", "private_out")
            .set("route_table_id", "rtb-123")
            .set("destination_cidr_block", "0.0.0.0/0")
            .set("nat_gateway_id", nat.attr("id"))
            // Redundant transitively: through the NAT gateway's declared edge.
            .depends_on(&igw, "traffic leaves through the internet gateway"),
    );
}

#[test]
fn synthesis_is_deterministic() {
    let build = || {
        let mut s = Stack::new("net");
        network(&mut s);
        s.synth().unwrap().json
    };
    let first = build();
    assert_eq!(first, build(), "same input, same bytes");
    assert!(first.ends_with("}\n"), "ends in a newline");
    assert!(
        first.starts_with("{\n  \""),
        "pretty-printed with two spaces"
    );
}

#[test]
fn block_order_does_not_depend_on_declaration_order() {
    let mut a = Stack::new("s");
    a.add(Resource::new("aws_vpc", "b").set("cidr_block", "10.1.0.0/16"));
    a.add(Resource::new("aws_eip", "x"));
    a.add(Resource::new("aws_vpc", "a").set("cidr_block", "10.0.0.0/16"));
    let mut b = Stack::new("s");
    b.add(Resource::new("aws_vpc", "a").set("cidr_block", "10.0.0.0/16"));
    b.add(Resource::new("aws_vpc", "b").set("cidr_block", "10.1.0.0/16"));
    b.add(Resource::new("aws_eip", "x"));
    assert_eq!(a.synth().unwrap().json, b.synth().unwrap().json);
    let json = synth_json(&a);
    let types: Vec<&String> = json["resource"].as_object().unwrap().keys().collect();
    assert_eq!(types, ["aws_eip", "aws_vpc"]);
}

#[test]
fn hidden_dependency_kept_redundant_ones_dropped() {
    let mut s = Stack::new("net");
    network(&mut s);
    let synthesized = s.synth().unwrap();
    let json: Json = serde_json::from_str(&synthesized.json).unwrap();
    let nat = &json["resource"]["aws_nat_gateway"]["nat"];
    assert_eq!(nat["depends_on"], json!(["aws_internet_gateway.gw"]));
    assert_eq!(
        nat["//"],
        json!({"depends_on": {"aws_internet_gateway.gw": "NAT gateways need the internet gateway to route"}})
    );
    assert!(
        json["resource"]["aws_eip"]["nat"]
            .get("depends_on")
            .is_none()
    );
    assert!(
        json["resource"]["aws_route"]["private_out"]
            .get("depends_on")
            .is_none()
    );
    assert!(
        json["resource"]["aws_route"]["private_out"]
            .get("//")
            .is_none()
    );
    assert!(
        json["resource"]["aws_subnet"]["public"]
            .get("depends_on")
            .is_none()
    );
    let dropped: Vec<String> = synthesized
        .dropped
        .iter()
        .map(|d| format!("{} -> {}", d.from, d.to))
        .collect();
    assert_eq!(
        dropped,
        [
            "aws_nat_gateway.nat -> aws_vpc.main",
            "aws_nat_gateway.nat -> aws_eip.nat",
            "aws_route.private_out -> aws_internet_gateway.gw"
        ]
    );
}

#[test]
fn dependency_through_a_local_is_implied() {
    let mut s = Stack::new("s");
    let vpc = s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
    let id = s.local("vpc_id", vpc.attr("id"));
    s.add(
        Resource::new("aws_subnet", "a")
            .set("vpc_id", id)
            .set("cidr_block", "10.0.1.0/24")
            .depends_on(&vpc, "needs the VPC"),
    );
    let synthesized = s.synth().unwrap();
    assert_eq!(
        synthesized.dropped.len(),
        1,
        "the local carries the reference"
    );
    assert!(!synthesized.json.contains("depends_on"));
}

#[test]
fn cycle_is_an_error_naming_the_blocks() {
    let mut s = Stack::new("loop");
    let a = s.add(Resource::new("aws_security_group", "a").set(
        "name",
        tfsynth::ResourceRef::new("aws_security_group", "b").attr("name"),
    ));
    s.add(
        Resource::new("aws_security_group", "b")
            .set("description", "b")
            .depends_on(&a, "b after a"),
    );
    assert_eq!(
        problems(&s),
        [
            "stack loop: dependency cycle: aws_security_group.a -> aws_security_group.b -> aws_security_group.a (hint: remove one reference or depends_on on this cycle)"
        ]
    );
}

#[test]
fn duplicate_names_the_two_places() {
    let mut s = Stack::new("dup");
    let first_line = line!() + 1;
    s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
    s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.1.0.0/16"));
    let file = file!();
    assert_eq!(
        problems(&s),
        [format!(
            "stack dup: duplicate resource aws_vpc.main: declared at {file}:{first_line}:11 and again at {file}:{}:11 (hint: give one of them another name or module prefix)",
            first_line + 1
        )]
    );
}

#[test]
fn every_problem_is_collected() {
    let mut s = Stack::new("bad");
    s.add(Resource::new("aws_vpc", "1bad"));
    s.add(Variable::new("x y"));
    s.add(Resource::new("aws_subnet", "a").set(
        "vpc_id",
        tfsynth::ResourceRef::new("aws_vpc", "ghost").attr("id"),
    ));
    s.add(Resource::new("aws_eip", "e").set("weight", Node::from(f64::NAN)));
    s.add(Resource::new("aws_eip", "l").set("depends_on", Node::list_of(["aws_eip.e"])));
    s.add(Output::new(
        "o",
        Expr::Ref(tfsynth::Ref::Var("missing".into())),
    ));
    s.add(
        Resource::new("aws_eip", "f")
            .provider(&tfsynth::ProviderRef::new("aws", Some("west".into()))),
    );
    s.add(
        Resource::new("aws_eip", "g")
            .depends_on(&tfsynth::DataRef::new("aws_ami", "nope"), "because"),
    );
    s.add(Resource::new("aws_eip", "h").set("a", 1).set_path("a.b", 2));
    s.add(Resource::new("aws_eip", "i").count(2).for_each(Node::map()));
    s.add(Resource::new("aws_eip", "j").lifecycle(Lifecycle::new().ignore_changes(["${x}"])));
    s.add(
        Resource::new("aws_eip", "k").depends_on(&tfsynth::ResourceRef::new("aws_eip", "e"), " "),
    );
    s.backend(Backend::S3(S3Backend {
        bucket: "".into(),
        key: "state".into(),
        region: "us-east-1".into(),
        use_lockfile: true,
        encrypt: true,
        endpoint: None,
    }));
    s.problem("module says no");
    let found = problems(&s);
    let expect = [
        "invalid resource name \"1bad\"",
        "invalid variable name \"x y\"",
        "module says no",
        "s3 backend: required field bucket is empty",
        "aws_subnet.a references aws_vpc.ghost, which is not declared",
        "aws_eip.g depends on data.aws_ami.nope, which is not declared",
        "aws_eip.k: depends_on aws_eip.e has no reason",
        "output.o references var.missing, which is not declared",
        "aws_eip.e: weight is not a finite number",
        "aws_eip.l: \"depends_on\" is a meta-argument",
        "aws_eip.f uses provider aws.west, which is not configured",
        "aws_eip.h: cannot set \"a.b\"",
        "aws_eip.i: count and for_each are both set",
        "aws_eip.j: lifecycle.ignore_changes entry \"${x}\" is not an attribute path",
    ];
    for e in expect {
        assert!(
            found.iter().any(|f| f.contains(e)),
            "missing {e:?} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    assert!(found.iter().all(|f| f.starts_with("stack bad: ")));
}

#[test]
fn cycle_and_duplicate_exit_2_through_the_cli() {
    let app = App::new("t")
        .stack("good", "", |s| {
            s.add(Resource::new("aws_vpc", "v").set("cidr_block", "10.0.0.0/16"));
        })
        .stack("cyclic", "", |s| {
            let a = tfsynth::ResourceRef::new("aws_eip", "a");
            s.add(Resource::new("aws_eip", "b").set("x", a.attr("id")));
            let b = tfsynth::ResourceRef::new("aws_eip", "b");
            s.add(Resource::new("aws_eip", "a").set("x", b.attr("id")));
        })
        .stack("dup", "", |s| {
            s.add(Resource::new("aws_eip", "a"));
            s.add(Resource::new("aws_eip", "a"));
        });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&app, &["t", "synth", "--out", out]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with(
            "error: stack cyclic: dependency cycle: aws_eip.a -> aws_eip.b -> aws_eip.a"
        )
    );
    assert!(lines[1].starts_with(
        "error: stack dup: duplicate resource aws_eip.a: declared at tests/suite/engine.rs:"
    ));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written, not even the good stack"
    );

    let (code, stdout, _) = run(&app, &["t", "synth", "good", "--out", out]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("wrote "), "{stdout}");
}

#[test]
fn meta_arguments() {
    let mut s = Stack::new("meta");
    let west = s.add(
        Provider::new("aws")
            .alias("west")
            .set("region", "us-west-2"),
    );
    s.add(Provider::new("aws").set("region", "us-east-1"));
    let names = s.add(
        Variable::new("names")
            .ty(Type::set(Type::String))
            .default(Node::list_of(["a", "b"])),
    );
    let vpc = s.add(
        Resource::new("aws_vpc", "v")
            .set("cidr_block", "10.0.0.0/16")
            .provider(&west)
            .lifecycle(
                Lifecycle::new()
                    .create_before_destroy()
                    .prevent_destroy()
                    .ignore_changes(["tags", "tags[\"Name\"]"]),
            ),
    );
    s.add(
        Resource::new("aws_subnet", "n")
            .count(3)
            .set("vpc_id", vpc.attr("id"))
            .set(
                "cidr_block",
                func::cidrsubnet(
                    vpc.attr("cidr_block"),
                    8,
                    Expr::Ref(tfsynth::Ref::CountIndex),
                ),
            ),
    );
    s.add(
        Resource::new("aws_s3_bucket", "b")
            .for_each(names.expr())
            .set("bucket", interp!["logs-", Expr::Ref(tfsynth::Ref::EachKey)]),
    );
    s.add(DataSource::new("aws_caller_identity", "me").provider(&west));
    let json = synth_json(&s);
    assert_eq!(
        json["provider"],
        json!({"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"}]})
    );
    assert_eq!(
        json["resource"]["aws_vpc"]["v"],
        json!({
            "cidr_block": "10.0.0.0/16",
            "provider": "aws.west",
            "lifecycle": {"create_before_destroy": true, "prevent_destroy": true, "ignore_changes": ["tags", "tags[\"Name\"]"]}
        })
    );
    assert_eq!(json["resource"]["aws_subnet"]["n"]["count"], json!(3));
    assert_eq!(
        json["resource"]["aws_subnet"]["n"]["cidr_block"],
        json!("${cidrsubnet(aws_vpc.v.cidr_block, 8, count.index)}")
    );
    assert_eq!(
        json["resource"]["aws_s3_bucket"]["b"],
        json!({"bucket": "logs-${each.key}", "for_each": "${var.names}"})
    );
    assert_eq!(
        json["data"]["aws_caller_identity"]["me"],
        json!({"provider": "aws.west"})
    );
    assert_eq!(
        json["variable"]["names"],
        json!({"type": "set(string)", "default": ["a", "b"]})
    );
}

#[test]
fn variables_outputs_and_locals() {
    let mut s = Stack::new("io");
    let pw = s.add(
        Variable::new("db_password")
            .ty(Type::String)
            .sensitive()
            .nullable(false)
            .description("Never printed")
            .validation(
                Expr::binary(
                    tfsynth::BinOp::Ge,
                    func::length(Expr::Ref(tfsynth::Ref::Var("db_password".into()))),
                    16,
                ),
                "db_password must be at least 16 characters.",
            ),
    );
    let tags = s.local("tags", Node::map_of([("Team", "payments")]));
    s.add(Output::new("tags", tags).description("Common tags"));
    s.add(Output::new("pw", pw.expr()).sensitive());
    let json = synth_json(&s);
    assert_eq!(
        json["variable"]["db_password"],
        json!({
            "type": "string",
            "description": "Never printed",
            "sensitive": true,
            "nullable": false,
            "validation": [{"condition": "${length(var.db_password) >= 16}", "error_message": "db_password must be at least 16 characters."}]
        })
    );
    assert_eq!(json["locals"], json!({"tags": {"Team": "payments"}}));
    assert_eq!(
        json["output"]["pw"],
        json!({"value": "${var.db_password}", "sensitive": true})
    );
    assert_eq!(
        json["output"]["tags"],
        json!({"value": "${local.tags}", "description": "Common tags"})
    );
}

#[test]
fn backends_are_written_as_terraform_expects() {
    let check = |backend: Backend, expect: Json| {
        let mut s = Stack::new("b");
        s.required_version(">= 1.10.0");
        s.require_provider("aws", "hashicorp/aws", "~> 5.100");
        s.backend(backend);
        let json = synth_json(&s);
        let mut terraform = expect;
        terraform["required_version"] = json!(">= 1.10.0");
        terraform["required_providers"] =
            json!({"aws": {"source": "hashicorp/aws", "version": "~> 5.100"}});
        assert_eq!(json["terraform"], terraform);
    };
    check(
        Backend::Local { path: None },
        json!({"backend": {"local": {}}}),
    );
    check(
        Backend::Local {
            path: Some("state/x.tfstate".into()),
        },
        json!({"backend": {"local": {"path": "state/x.tfstate"}}}),
    );
    check(
        Backend::S3(S3Backend {
            bucket: "acme-state".into(),
            key: "app/terraform.tfstate".into(),
            region: "eu-west-1".into(),
            use_lockfile: true,
            encrypt: true,
            endpoint: None,
        }),
        json!({"backend": {"s3": {"bucket": "acme-state", "key": "app/terraform.tfstate", "region": "eu-west-1", "encrypt": true, "use_lockfile": true}}}),
    );
    check(
        Backend::Cloud(CloudBackend {
            organization: "acme".into(),
            workspace: "app-prod".into(),
            tags: vec![],
            project: None,
            hostname: None,
        }),
        json!({"cloud": {"organization": "acme", "workspaces": {"name": "app-prod"}}}),
    );
    check(
        Backend::Cloud(CloudBackend {
            organization: "acme".into(),
            workspace: "app-prod".into(),
            tags: vec!["app".into()],
            project: Some("payments".into()),
            hostname: Some("tfe.acme.test".into()),
        }),
        json!({"cloud": {"hostname": "tfe.acme.test", "organization": "acme", "workspaces": {"tags": ["app"], "project": "payments"}}}),
    );
}

/// A real user-data script: shell parameter expansions, command substitution
/// and a literal `%{` must reach the instance exactly as written.
pub const USER_DATA: &str = r#"#!/bin/bash
set -euo pipefail
APP_HOME="${APP_HOME:-/opt/app}"
echo "deploying to ${APP_HOME} as $(whoami)" >> /var/log/deploy.log
for f in "${APP_HOME}"/conf/*.env; do source "$f"; done
printf '%s\n' "${#PATH}" "100%{done}" '$${not a double escape}'
cat > /etc/motd <<'EOF'
Welcome, ${USER}! \o/ "quoted" \\ back\slash
EOF
"#;

#[test]
fn user_data_script_is_escaped_not_interpolated() {
    let mut s = Stack::new("ud");
    let bucket = s.add(Resource::new("aws_s3_bucket", "b").set("bucket", "data"));
    s.add(
        Resource::new("aws_launch_template", "web")
            .set("user_data", func::base64encode(USER_DATA))
            .set("description", USER_DATA)
            .set("name", interp!["web-", bucket.attr("id"), "-${literal}"]),
    );
    let json = synth_json(&s);
    let lt = &json["resource"]["aws_launch_template"]["web"];
    let description = lt["description"].as_str().unwrap();
    assert!(description.contains(r#"APP_HOME="$${APP_HOME:-/opt/app}""#));
    assert!(description.contains("100%%{done}"));
    assert!(description.contains("'$$${not a double escape}'"));
    assert!(description.contains("$(whoami)"), "a lone $ is not escaped");
    assert_eq!(
        description.replace("$${", "${").replace("%%{", "%{"),
        USER_DATA,
        "unescaping gives the script back"
    );
    let user_data = lt["user_data"].as_str().unwrap();
    assert!(user_data.starts_with(
        "${base64encode(\"#!/bin/bash\\nset -euo pipefail\\nAPP_HOME=\\\"$${APP_HOME:-/opt/app}\\\""
    ));
    assert_eq!(lt["name"], json!("web-${aws_s3_bucket.b.id}-$${literal}"));
}

#[test]
fn iam_policy_variables_stay_literal() {
    let mut s = Stack::new("iam");
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]
    })
    .to_string();
    s.add(Resource::new("aws_iam_policy", "home").set("policy", policy.as_str()));
    let json = synth_json(&s);
    let written = json["resource"]["aws_iam_policy"]["home"]["policy"]
        .as_str()
        .unwrap();
    assert!(written.contains("home/$${aws:username}/*"));
}

/// A raw nested block takes an object: an object expression of literals is
/// written as one (terraform validates it); a string, list or other
/// expression is an error naming the block, never a block rendered as text.
#[test]
fn raw_nested_blocks_are_objects_or_errors() {
    let mut stack = Stack::new("raw");
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    stack.add(Provider::new("aws").set("region", "us-east-1"));
    stack.add(
        Resource::new("aws_dynamodb_table", "orders")
            .set("name", "orders")
            .set("billing_mode", "PAY_PER_REQUEST")
            .set("hash_key", "pk")
            .set("range_key", "sk")
            .push_block(
                "attribute",
                Expr::Object(vec![
                    ("name".into(), "pk".into()),
                    ("type".into(), "S".into()),
                ]),
            )
            .push_block("attribute", Node::map_of([("name", "sk"), ("type", "S")])),
    );
    let json = synth_json(&stack);
    assert_eq!(
        json["resource"]["aws_dynamodb_table"]["orders"]["attribute"],
        json!([{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}])
    );
    let text = stack.synth().unwrap().json;
    let report = super::support::aws_validate(&text);
    assert!(report.errors().next().is_none(), "{report:?}");
    if let Some(tf) = super::support::Terraform::find("raw_nested_blocks_are_objects_or_errors") {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf.json"), &text).unwrap();
        tf.init(dir.path());
        tf.ok(dir.path(), &["validate", "-no-color"]);
    }

    let line = line!() + 3;
    let mut bad = Stack::new("raw");
    bad.add(
        Resource::new("aws_dynamodb_table", "orders")
            .push_block("attribute", "name=pk")
            .push_block("attribute", Expr::call("tolist", vec![]))
            .push_block("ttl", Node::List(vec![])),
    );
    let found = problems(&bad);
    let at = format!("aws_dynamodb_table.orders (declared at {}:{line}:", file!());
    for given in ["a string", "an expression", "a list"] {
        assert!(
            found.iter().any(|p| p.contains(&at)
                && p.contains(&format!(
                    "was given {given}, but a block body must be an object"
                ))),
            "{given}: {found:?}"
        );
    }
}

#[test]
fn synth_format_hcl_replaces_the_json_and_fails_whole_without_a_schema() {
    let app = App::new("t")
        .provider(&tfsynth_aws::PROVIDER)
        .stack("net", "", network)
        .stack("other", "", |s| {
            s.add(Resource::new("google_compute_network", "n").set("name", "n"));
        });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, stdout, _) = run(&app, &["t", "synth", "net", "--out", out]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("wrote "), "{stdout}");
    let (code, stdout, stderr) = run(
        &app,
        &["t", "synth", "net", "--format", "hcl", "--out", out],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(stdout.contains("net/main.tf ("), "{stdout}");
    let net = dir.path().join("net");
    assert!(
        !net.join("main.tf.json").exists(),
        "the JSON is gone: terraform would read both"
    );
    let hcl = std::fs::read_to_string(net.join("main.tf")).unwrap();
    assert!(
        hcl.contains("resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}"),
        "{hcl}"
    );
    // And back: the JSON replaces the HCL.
    assert_eq!(run(&app, &["t", "synth", "net", "--out", out]).0, 0);
    assert!(!net.join("main.tf").exists());
    assert!(net.join("main.tf.json").is_file());

    // A type without a schema here: exit 2, naming the stack and block, nothing written.
    let (code, stdout, stderr) = run(&app, &["t", "synth", "--format", "hcl", "--out", out]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("error: stack other: HCL export: google_compute_network.n: provider google has no schema here"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!dir.path().join("other").exists());
    assert!(net.join("main.tf.json").is_file() && !net.join("main.tf").exists());

    let (code, _, stderr) = run(&app, &["t", "synth", "--format", "yaml", "--out", out]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'yaml' for '--format <FORMAT>'"),
        "{stderr}"
    );
}

#[test]
fn synth_check_lists_what_synthesis_would_change_and_writes_nothing() {
    let app = App::new("t")
        .provider(&tfsynth_aws::PROVIDER)
        .stack("net", "", network)
        .stack("site", "", |s| {
            s.add(Resource::new("aws_s3_bucket", "b").set("bucket", "b"));
        });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    assert_eq!(run(&app, &["t", "synth", "--out", out]).0, 0);
    let (code, stdout, stderr) = run(&app, &["t", "synth", "--check", "--out", out]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(stdout, format!("up to date: {out}\n"));

    let net = dir.path().join("net/main.tf.json");
    std::fs::write(&net, "{}").unwrap();
    std::fs::remove_file(dir.path().join("site/main.tf.json")).unwrap();
    std::fs::write(dir.path().join("site/main.tf"), "").unwrap();
    std::fs::create_dir_all(dir.path().join("site/assets/old")).unwrap();
    std::fs::write(dir.path().join("site/assets/old/lambda.zip"), "x").unwrap();
    let before = super::support::tree(dir.path());
    let (code, stdout, stderr) = run(&app, &["t", "synth", "--check", "--out", out]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        format!(
            "{out}/net/main.tf.json differs from what synthesis writes\n\
             {out}/site/main.tf.json is missing\n\
             {out}/site/main.tf would be removed\n\
             {out}/site/assets/old/lambda.zip would be removed\n"
        )
    );
    assert_eq!(
        stderr,
        "error: 4 files are out of date (hint: run t synth and commit the result)\n"
    );
    assert_eq!(super::support::tree(dir.path()), before, "nothing written");
    // Only the stacks named are checked.
    let (code, _, stderr) = run(&app, &["t", "synth", "site", "--check", "--out", out]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("error: 3 files are out of date"),
        "{stderr}"
    );
    // A synthesis problem is reported as by synth, exit 2.
    let (code, _, stderr) = run(&app, &["t", "synth", "nope", "--check", "--out", out]);
    assert_eq!(code, 2, "{stderr}");
}
