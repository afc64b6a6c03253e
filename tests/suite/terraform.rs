//! The real terraform and AWS provider on synthesized output.
//!
//! These tests need terraform and the provider mirror (`TFSYNTH_PLUGIN_DIR`);
//! without them they print `skipped: <reason>`.

use serde_json::{Value as Json, json};
use tfsynth::{Backend, BinOp, CloudBackend, Expr, Node, Output, S3Backend, Stack, func, interp};

use super::engine::USER_DATA;
use super::support::{Terraform, tfsynth};

/// The stack written in both formats passes `terraform validate` without
/// warnings; the HCL is also exactly as `terraform fmt` would write it.
fn validate_stack(tf: &Terraform, bin: impl Fn() -> assert_cmd::Command, stack: &str) {
    for format in ["json", "hcl"] {
        let dir = tempfile::tempdir().unwrap();
        bin()
            .args(["synth", stack, "--format", format, "--out"])
            .arg(dir.path())
            .assert()
            .success();
        let stack_dir = dir.path().join(stack);
        if format == "hcl" {
            assert!(!stack_dir.join("main.tf.json").exists());
            let diff = tf.ok(&stack_dir, &["fmt", "-check", "-diff", "-no-color"]);
            assert_eq!(diff, "", "{stack}: terraform fmt would change main.tf");
        }
        tf.init(&stack_dir);
        let report: Json =
            serde_json::from_str(&tf.ok(&stack_dir, &["validate", "-json", "-no-color"])).unwrap();
        assert_eq!(
            report["valid"],
            json!(true),
            "{stack} ({format}): {report:#}"
        );
        assert_eq!(
            report["warning_count"],
            json!(0),
            "{stack} ({format}): {report:#}"
        );
    }
}

#[test]
fn terraform_validate_accepts_the_demo_stack() {
    let Some(tf) = Terraform::find("terraform_validate_accepts_the_demo_stack") else {
        return;
    };
    validate_stack(&tf, tfsynth, "demo");
}

#[test]
fn terraform_validate_accepts_the_financial_stack() {
    let Some(tf) = Terraform::find("terraform_validate_accepts_the_financial_stack") else {
        return;
    };
    validate_stack(&tf, tfsynth, "financial");
}

#[test]
fn terraform_validate_accepts_the_webapp_stack() {
    let Some(tf) = Terraform::find("terraform_validate_accepts_the_webapp_stack") else {
        return;
    };
    validate_stack(&tf, tfsynth, "webapp");
}

#[test]
fn terraform_validate_accepts_the_serverless_stack_and_its_asset_hash() {
    let Some(tf) =
        Terraform::find("terraform_validate_accepts_the_serverless_stack_and_its_asset_hash")
    else {
        return;
    };
    validate_stack(&tf, tfsynth, "serverless");
    // terraform computes the same hash of the archive as the one synthesized.
    let (dir, json) = super::support::synth_stack("serverless");
    let json: Json = serde_json::from_str(&json).unwrap();
    let ours = json["resource"]["aws_lambda_function"]["orders"]["source_code_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let stack_dir = dir.path().join("serverless");
    tf.init(&stack_dir);
    let out = std::process::Command::new(&tf.bin)
        .arg("console")
        .current_dir(&stack_dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"filebase64sha256(\"assets/orders_function.zip\")\n")?;
            child.wait_with_output()
        })
        .unwrap();
    let theirs = String::from_utf8_lossy(&out.stdout)
        .trim()
        .trim_matches('"')
        .to_owned();
    assert_eq!(theirs, ours, "terraform's filebase64sha256 of the archive");
}

#[test]
fn terraform_validate_accepts_the_example_stack() {
    let Some(tf) = Terraform::find("terraform_validate_accepts_the_example_stack") else {
        return;
    };
    validate_stack(&tf, super::example::custom_app, "site");
}

/// Terraform itself evaluates every escaping case and must read back exactly
/// the literal text we put in: the strongest check that escaping is right.
#[test]
fn terraform_reads_back_exactly_what_was_written() {
    let Some(tf) = Terraform::find("terraform_reads_back_exactly_what_was_written") else {
        return;
    };
    let mut stack = Stack::new("roundtrip");
    let upper = |e: Expr| Expr::call("upper", vec![e]);
    let mut cases: Vec<(&str, Node, Json)> = vec![
        ("user_data", USER_DATA.into(), json!(USER_DATA)),
        (
            "iam_variable",
            "arn:aws:s3:::home/${aws:username}/*".into(),
            json!("arn:aws:s3:::home/${aws:username}/*"),
        ),
        (
            "double_escape",
            "$${x} and $$${y} and %%{z}".into(),
            json!("$${x} and $$${y} and %%{z}"),
        ),
        (
            "lone_dollars",
            "cost $5, $$ and 100%".into(),
            json!("cost $5, $$ and 100%"),
        ),
        (
            "template",
            interp!["a-", upper("b".into()), "-${lit}%{x}"].into(),
            json!("a-B-${lit}%{x}"),
        ),
        (
            "function_argument",
            upper("${x} \"q\" \\ \n\t%{y}".into()).into(),
            json!("${X} \"Q\" \\ \n\t%{Y}"),
        ),
        (
            "map_keys",
            Node::map_of([("${key}", "v"), ("%{k}", "w"), ("plain", "${v}")]),
            json!({"${key}": "v", "%{k}": "w", "plain": "${v}"}),
        ),
        (
            "object_in_expression",
            func::jsonencode(Expr::Object(vec![("k ${x}".into(), "v%{y}".into())])).into(),
            json!("{\"k ${x}\":\"v%{y}\"}"),
        ),
        (
            "heredoc_markers",
            "EOT\n  EOT_\nx = \"${y}\" \\n\n".into(),
            json!("EOT\n  EOT_\nx = \"${y}\" \\n\n"),
        ),
        ("no_final_newline", "two\nlines".into(), json!("two\nlines")),
        (
            "keys_that_are_words",
            Node::map_of([
                ("for", "a"),
                ("null", "b"),
                ("in", "c"),
                ("a b", "d"),
                ("x-y", "e"),
            ]),
            json!({"for": "a", "null": "b", "in": "c", "a b": "d", "x-y": "e"}),
        ),
        (
            "unicode",
            "héllo ✓ 😀 \u{7}".into(),
            json!("héllo ✓ 😀 \u{7}"),
        ),
        (
            "operators",
            Expr::cond(
                Expr::binary(
                    BinOp::Gt,
                    Expr::binary(BinOp::Mul, Expr::binary(BinOp::Add, 1, 2), 3),
                    8,
                ),
                "yes",
                "no",
            )
            .into(),
            json!("yes"),
        ),
        (
            "numbers",
            Node::list_of([
                Node::from(2.5),
                Node::from(9_007_199_254_740_993u64),
                Node::from(-3),
            ]),
            json!([2.5, 9_007_199_254_740_993u64, -3]),
        ),
    ];
    for (name, value, _) in &cases {
        let local = stack.local(*name, value.clone());
        stack.add(Output::new(*name, local));
    }
    // Template directives, which the builders escape in literal text,
    // written into the JSON as a user's raw template would be.
    let mut json: Json = serde_json::from_str(&stack.synth().unwrap().json).unwrap();
    let directives = "line ${upper(\"one\")}\n%{ for x in [1, 2] }${x}\n%{ endfor }%{ if true }\"q\" \\%{ else }no%{ endif }";
    json["locals"]["directives"] = json!(directives);
    json["output"]["directives"] = json!({"value": "${local.directives}"});
    let json = json.to_string();
    cases.push(("directives", Node::Null, json!("line ONE\n1\n2\n\"q\" \\")));
    let hcl = tfsynth::export::to_hcl(&json, &tfsynth::validate::Schemas::new(&[])).unwrap();
    // The same values through the JSON and through its HCL export.
    for (file, text) in [("main.tf.json", &json), ("main.tf", &hcl)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), text).unwrap();
        tf.init(dir.path());
        if file == "main.tf" {
            let diff = tf.ok(dir.path(), &["fmt", "-check", "-diff", "-no-color"]);
            assert_eq!(diff, "", "terraform fmt would change the export");
        }
        tf.ok(
            dir.path(),
            &["apply", "-auto-approve", "-input=false", "-no-color"],
        );
        let outputs: Json = serde_json::from_str(&tf.ok(dir.path(), &["output", "-json"])).unwrap();
        for (name, _, expect) in &cases {
            let got = &outputs[name]["value"];
            let same = match (got, expect) {
                // Terraform's numbers are arbitrary precision; compare large ones as text.
                (Json::Array(g), Json::Array(e)) => g
                    .iter()
                    .map(ToString::to_string)
                    .eq(e.iter().map(ToString::to_string)),
                _ => got == expect,
            };
            assert!(
                same,
                "{file}: {name}: terraform read {got} but {expect} was meant"
            );
        }
    }
}

/// Each backend as tfsynth writes it goes through a real `terraform init`.
/// Every AWS and HCP Terraform endpoint points at a closed loopback port, so
/// terraform decodes the block (rejecting any unknown or missing argument)
/// and then fails only when it tries to connect.
#[test]
fn terraform_init_accepts_every_backend() {
    let Some(tf) = Terraform::find("terraform_init_accepts_every_backend") else {
        return;
    };
    let env = super::support::CLOSED_ENDPOINTS;
    let s3 = S3Backend {
        bucket: "acme-state".into(),
        key: "app/terraform.tfstate".into(),
        region: "eu-west-1".into(),
        use_lockfile: true,
        encrypt: true,
        endpoint: None,
    };
    let cloud = |tags: &[&str], project: Option<&str>| {
        Backend::Cloud(CloudBackend {
            organization: "acme".into(),
            workspace: "app-prod".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            project: project.map(str::to_owned),
            hostname: Some("127.0.0.1:9".into()),
        })
    };
    // (name, backend, text to tamper with, whether init succeeds)
    type Case<'a> = (&'a str, Backend, Option<(&'a str, &'a str)>, bool);
    let cases: Vec<Case> = vec![
        (
            "local",
            Backend::Local {
                path: Some("state/app.tfstate".into()),
            },
            None,
            true,
        ),
        ("s3", Backend::S3(s3.clone()), None, false),
        ("cloud by name", cloud(&[], None), None, false),
        (
            "cloud by tags",
            cloud(&["app", "env:prod"], Some("payments")),
            None,
            false,
        ),
        (
            "control: unknown s3 argument",
            Backend::S3(s3),
            Some((
                "\"use_lockfile\": true",
                "\"use_lockfile\": true, \"bogus\": 1",
            )),
            false,
        ),
    ];
    for (name, backend, tamper, succeeds) in cases {
        let mut stack = Stack::new("backend");
        stack.required_version(">= 1.10.0");
        stack.backend(backend);
        stack.add(tfsynth::Resource::new("terraform_data", "marker"));
        let mut json = stack.synth().unwrap().json;
        if let Some((from, to)) = tamper {
            assert!(json.contains(from), "{name}: {json}");
            json = json.replace(from, to);
        }
        // The block as written, and as its HCL export writes it.
        for (file, text) in super::support::both_formats(&json) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(file), &text).unwrap();
            let (ok, text) = tf.run_env(dir.path(), &["init", "-input=false", "-no-color"], &env);
            let decode_error = [
                "Extraneous JSON object property",
                "Unsupported argument",
                "Missing required argument",
                "Invalid value",
            ]
            .iter()
            .any(|e| text.contains(e));
            if name.starts_with("control") {
                assert!(
                    decode_error,
                    "{name} ({file}): terraform must reject the tampered block\n{text}"
                );
                continue;
            }
            assert!(
                !decode_error,
                "{name} ({file}): terraform rejected the block\n{text}"
            );
            assert_eq!(ok, succeeds, "{name} ({file})\n{text}");
            if !succeeds {
                assert!(
                    text.contains("127.0.0.1:9") && text.contains("connection refused"),
                    "{name} ({file}): failed only at the connection\n{text}"
                );
            }
            if file == "main.tf" {
                tf.fmt_clean(dir.path());
            }
        }
    }
}
