//! The Terraform 1.11 language beyond resources: `moved`, `import`,
//! `removed` and `check` blocks, lifecycle conditions and replacement
//! triggers, output preconditions, ephemeral resources with write-only
//! arguments, and provider functions. Each is written by tfsynth, passes
//! tfsynth's own validation and is read back by the real terraform; the
//! plan-time blocks are also planned against the emulator (`emulator.rs`).

use serde_json::{Value as Json, json};
use tfsynth::{
    Address, BinOp, Check, DataBlock, Expr, Import, Lifecycle, Moved, Node, Output, Provider,
    Removed, ResourceBlock, Stack,
};
use tfsynth_aws::data::DataAwsS3Bucket;
use tfsynth_aws::ephemeral::EphemeralAwsSsmParameter;
use tfsynth_aws::resource::{AwsS3Bucket, AwsSsmParameter, AwsSsmParameterArgs};

use super::support::{Terraform, aws_validate, both_formats};

/// A stack that uses every block of the language tfsynth writes.
pub fn language_stack() -> Stack {
    let mut stack = Stack::new("language");
    stack.required_version(">= 1.11.0");
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    stack.add(Provider::new("aws").set("region", "us-east-1"));
    let logs = stack.add(AwsS3Bucket::new("logs").bucket("acme-language-logs"));
    let data = stack.add(
        AwsS3Bucket::new("data")
            .bucket("acme-language-data")
            .lifecycle(
                Lifecycle::new()
                    .replace_triggered_by_attr(logs.bucket())
                    .precondition(
                        Expr::binary(
                            BinOp::Gt,
                            Expr::call("length", vec![logs.bucket().expr()]),
                            3,
                        ),
                        "the logs bucket needs a real name",
                    )
                    .postcondition(
                        Expr::binary(BinOp::Ne, Expr::self_attr("arn"), ""),
                        "the bucket has an ARN",
                    ),
            ),
    );
    // The data bucket was `aws_s3_bucket.old_data` before; an existing bucket
    // becomes the logs bucket; an old one is no longer managed, and kept.
    stack.add(Moved::new(
        Address::resource("aws_s3_bucket", "old_data"),
        &data,
    ));
    stack.add(Import::new(&logs, "acme-language-logs"));
    stack.add(Removed::forget(Address::resource(
        "aws_s3_bucket",
        "archive",
    )));
    let mut check = Check::new("logs_bucket_exists");
    let probe = check.data(DataAwsS3Bucket::new("logs_probe", logs.bucket()));
    stack.add(check.assert(
        Expr::binary(BinOp::Eq, probe.bucket().expr(), logs.bucket().expr()),
        "the logs bucket can be read back",
    ));
    let secret = stack.add(EphemeralAwsSsmParameter::new(
        "db_password",
        "arn:aws:ssm:us-east-1:123456789012:parameter/db",
    ));
    stack.add(
        AwsSsmParameter::new(
            "copy",
            AwsSsmParameterArgs {
                name: "/app/db-password".into(),
                r#type: "SecureString".into(),
            },
        )
        .value_wo(secret.value())
        .value_wo_version(1),
    );
    let region = stack.local(
        "logs_region",
        tfsynth_aws::func::arn_parse(logs.arn()).attr("region"),
    );
    stack.add(
        Output::new("data_bucket", data.arn())
            .precondition(
                Expr::binary(BinOp::Ne, region, ""),
                "the logs bucket's ARN names a region",
            )
            .description("the data bucket's ARN"),
    );
    stack
}

#[test]
fn every_language_block_is_written_as_terraform_reads_it() {
    let synthesized = language_stack().synth().unwrap_or_else(|e| panic!("{e}"));
    let json: Json = serde_json::from_str(&synthesized.json).unwrap();
    assert_eq!(
        json["moved"],
        json!([{"from": "aws_s3_bucket.old_data", "to": "aws_s3_bucket.data"}])
    );
    assert_eq!(
        json["import"],
        json!([{"to": "aws_s3_bucket.logs", "id": "acme-language-logs"}])
    );
    assert_eq!(
        json["removed"],
        json!([{"from": "aws_s3_bucket.archive", "lifecycle": {"destroy": false}}])
    );
    assert_eq!(
        json["check"]["logs_bucket_exists"],
        json!({
            "data": {"aws_s3_bucket": {"logs_probe": {"bucket": "${aws_s3_bucket.logs.bucket}"}}},
            "assert": [{
                "condition": "${data.aws_s3_bucket.logs_probe.bucket == aws_s3_bucket.logs.bucket}",
                "error_message": "the logs bucket can be read back"
            }]
        })
    );
    let lifecycle = &json["resource"]["aws_s3_bucket"]["data"]["lifecycle"];
    assert_eq!(
        lifecycle["replace_triggered_by"],
        json!(["aws_s3_bucket.logs.bucket"]),
        "a static reference, without ${{}}"
    );
    assert_eq!(
        lifecycle["postcondition"][0]["condition"],
        json!("${self.arn != \"\"}")
    );
    assert_eq!(
        json["ephemeral"]["aws_ssm_parameter"]["db_password"]["arn"],
        json!("arn:aws:ssm:us-east-1:123456789012:parameter/db")
    );
    assert_eq!(
        json["resource"]["aws_ssm_parameter"]["copy"]["value_wo"],
        json!("${ephemeral.aws_ssm_parameter.db_password.value}")
    );
    assert_eq!(
        json["locals"]["logs_region"],
        json!("${provider::aws::arn_parse(aws_s3_bucket.logs.arn).region}")
    );
    let report = aws_validate(&synthesized.json);
    let errors: Vec<String> = report.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn mistakes_in_language_blocks_fail_synthesis_naming_them() {
    let mut stack = Stack::new("broken");
    let a = stack.add(AwsS3Bucket::new("a"));
    let b = stack.add(AwsS3Bucket::new("b"));
    stack.add(Moved::new(Address::resource("aws_s3_bucket", "a"), &b));
    stack.add(Moved::new(Address::resource("aws_s3_bucket", "b"), &b));
    stack.add(Import::new(
        &tfsynth::ResourceRef::new("aws_s3_bucket", "nowhere"),
        "x",
    ));
    stack.add(Removed::forget(Address::resource("aws_s3_bucket", "a")));
    stack.add(Check::new("empty"));
    stack.add(
        AwsS3Bucket::new("c").lifecycle(
            Lifecycle::new()
                .replace_triggered_by_attr(Expr::from("not a reference"))
                .precondition(Expr::binary(BinOp::Ne, Expr::self_attr("id"), ""), "self")
                .postcondition(Expr::from(true), "checks nothing"),
        ),
    );
    stack.add(DataAwsS3Bucket::new("d", a.bucket()).lifecycle(Lifecycle::new().prevent_destroy()));
    let err = stack.synth().unwrap_err().to_string();
    let messages: Vec<&str> = err.lines().map(|l| l.split_once(": ").unwrap().1).collect();
    let expect = [
        "aws_s3_bucket.c: replace_triggered_by entry \"not a reference\" is not a reference to a managed resource or one of its attributes",
        "aws_s3_bucket.c: self is only available in a postcondition (hint: refer to the block by its address)",
        "aws_s3_bucket.c: the condition true refers to nothing, so it checks nothing (hint: compare an attribute, a variable or self)",
        "data.aws_s3_bucket.d: a data source's lifecycle takes only preconditions and postconditions (hint: drop the other settings)",
    ];
    for e in expect {
        assert!(messages.contains(&e), "missing {e:?} in:\n{err}");
    }
    for fragment in [
        "aws_s3_bucket.a is still declared, so Terraform cannot move it to aws_s3_bucket.b",
        "aws_s3_bucket.b is moved to itself",
        "aws_s3_bucket.nowhere is not declared in this stack (hint: add the resource the object is imported into)",
        "removed at ",
        "aws_s3_bucket.a is still declared (hint: delete the block, then say it was removed)",
        "check.empty has no assertion",
    ] {
        assert!(err.contains(fragment), "missing {fragment:?} in:\n{err}");
    }
}

#[test]
fn terraform_validates_every_language_block() {
    let Some(tf) = Terraform::find("terraform_validates_every_language_block") else {
        return;
    };
    for (file, text) in both_formats(&language_stack().synth().unwrap().json) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), text).unwrap();
        tf.init(dir.path());
        tf.fmt_clean(dir.path());
        let report: Json =
            serde_json::from_str(&tf.ok(dir.path(), &["validate", "-json", "-no-color"])).unwrap();
        assert_eq!(report["valid"], json!(true), "{file}: {report:#}");
        assert_eq!(report["warning_count"], json!(0), "{file}: {report:#}");
    }
}

/// `for` expressions, a local module call, `path.module` and
/// `terraform.workspace`, in a stack terraform can apply with no cloud
/// provider: tfsynth writes them, its validator and graph read them, and
/// the real terraform evaluates them to the values expected.
fn expressions_stack() -> Stack {
    use tfsynth::{For, Module, ModuleFiles, Type, Variable};
    let mut stack = Stack::new("expressions");
    stack.required_version(">= 1.11.0");
    let subnets = stack.add(
        Variable::new("subnets")
            .ty(Type::list(Type::Object(
                [
                    ("name".to_string(), Type::String),
                    ("az".to_string(), Type::String),
                ]
                .into(),
            )))
            .default(Node::List(
                [("a", "x"), ("b", "y"), ("c", "x")]
                    .into_iter()
                    .map(|(name, az)| Node::map_of([("name", name), ("az", az)]))
                    .collect(),
            )),
    );
    let names = stack.local(
        "names",
        For::each("s", subnets.expr()).list(|s| s.attr("name")),
    );
    let by_az = stack.local(
        "by_az",
        For::each("s", subnets.expr()).map_grouped(|s| (s.attr("az"), s.attr("name"))),
    );
    let first_two = stack.local(
        "first_two",
        For::each_pair("i", "s", subnets.expr())
            .only(|(i, _)| Expr::binary(BinOp::Lt, i, 2))
            .map(|(i, s)| (s.attr("name"), i)),
    );
    let files = stack.add(ModuleFiles::directory(
        "naming",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/modules/naming"),
    ));
    let naming = stack.add(
        Module::new("naming", files.source())
            .input("prefix", Expr::workspace())
            .input("names", names.clone()),
    );
    stack.add(
        tfsynth::Resource::new("terraform_data", "uses_module")
            .set("input", naming.output("full_names")),
    );
    stack.add(Output::new("full_names", naming.output("full_names")));
    stack.add(Output::new(
        "module_has_own_file",
        naming.output("has_own_file"),
    ));
    stack.add(Output::new("by_az", by_az));
    stack.add(Output::new("first_two", first_two));
    stack.add(Output::new("workspace", Expr::workspace()));
    stack.add(Output::new("here", Expr::path_module()));
    stack
}

#[test]
fn for_expressions_modules_and_paths_are_written_and_evaluated() {
    let synthesized = expressions_stack()
        .synth()
        .unwrap_or_else(|e| panic!("{e}"));
    let json: Json = serde_json::from_str(&synthesized.json).unwrap();
    assert_eq!(
        json["locals"],
        json!({
            "by_az": "${{for s in var.subnets : s.az => s.name...}}",
            "first_two": "${{for i, s in var.subnets : s.name => i if i < 2}}",
            "names": "${[for s in var.subnets : s.name]}",
        })
    );
    assert_eq!(
        json["module"]["naming"],
        json!({
            "source": "./assets/modules/naming",
            "prefix": "${terraform.workspace}",
            "names": "${local.names}",
        })
    );
    let files: Vec<&str> = synthesized.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(files, ["assets/modules/naming/main.tf"]);
    let report = aws_validate(&synthesized.json);
    assert!(report.errors().next().is_none(), "{report:?}");
    let graph = tfsynth::graph::Graph::from_json(&synthesized.json).unwrap();
    let index = |a: &str| graph.nodes.iter().position(|n| n.address == a).unwrap();
    assert!(
        graph
            .references
            .contains(&(index("terraform_data.uses_module"), index("module.naming"))),
        "{:?}",
        graph.references
    );

    let Some(tf) = Terraform::find("for_expressions_modules_and_paths_are_written_and_evaluated")
    else {
        return;
    };
    for (file, text) in both_formats(&synthesized.json) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), text).unwrap();
        for (path, bytes) in &synthesized.files {
            let target = dir.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
        tf.ok(dir.path(), &["init", "-input=false", "-no-color"]);
        tf.ok(
            dir.path(),
            &["apply", "-input=false", "-no-color", "-auto-approve"],
        );
        let outputs: Json = serde_json::from_str(&tf.ok(dir.path(), &["output", "-json"])).unwrap();
        let value = |name: &str| outputs[name]["value"].clone();
        assert_eq!(
            value("full_names"),
            json!(["default-a", "default-b", "default-c"]),
            "{file}"
        );
        assert_eq!(
            value("by_az"),
            json!({"x": ["a", "c"], "y": ["b"]}),
            "{file}"
        );
        assert_eq!(value("first_two"), json!({"a": 0, "b": 1}), "{file}");
        assert_eq!(value("workspace"), json!("default"), "{file}");
        assert_eq!(value("here"), json!("."), "{file}");
        assert_eq!(value("module_has_own_file"), json!(true), "{file}");
    }
}

/// `dynamic` blocks from raw and typed builders: written as terraform's JSON
/// syntax wants, their content checked against the nested block's schema,
/// their iterators in scope, and accepted by `terraform validate`.
#[test]
fn dynamic_blocks_are_written_checked_and_validated() {
    use tfsynth::prelude::ResourceBlock;
    use tfsynth::{Type, Variable};
    let mut stack = Stack::new("dynamic");
    stack.required_version(">= 1.11.0");
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");
    stack.add(Provider::new("aws").set("region", "us-east-1"));
    let keys = stack.add(
        Variable::new("keys")
            .ty(Type::map(Type::String))
            .default(Node::map_of([("pk", "S"), ("sk", "S")])),
    );
    stack.add(
        tfsynth_aws::resource::AwsDynamodbTable::new("typed", "typed")
            .billing_mode("PAY_PER_REQUEST")
            .hash_key("pk")
            .range_key("sk")
            .dynamic("attribute", keys.expr(), |attr| {
                Node::map_of([("name", attr.key()), ("type", attr.value())])
            }),
    );
    stack.add(
        tfsynth::Resource::new("aws_dynamodb_table", "raw")
            .set("name", "raw")
            .set("billing_mode", "PAY_PER_REQUEST")
            .set("hash_key", "pk")
            .dynamic_as("attribute", "key", keys.expr(), |k| {
                Node::map_of([("name", k.key()), ("type", k.value())])
            }),
    );
    let text = stack.synth().unwrap_or_else(|e| panic!("{e}")).json;
    let json: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["resource"]["aws_dynamodb_table"]["raw"]["dynamic"],
        json!({"attribute": {
            "for_each": "${var.keys}",
            "iterator": "key",
            "content": {"name": "${key.key}", "type": "${key.value}"},
        }})
    );
    assert_eq!(
        json["resource"]["aws_dynamodb_table"]["typed"]["dynamic"]["attribute"]["content"],
        json!({"name": "${attribute.key}", "type": "${attribute.value}"})
    );
    let report = aws_validate(&text);
    assert!(report.errors().next().is_none(), "{report:?}");

    // The validator looks inside: a misspelt argument in the content, an
    // iterator used wrongly, one used outside its block, a missing for_each.
    let mut broken = json.clone();
    let raw = &mut broken["resource"]["aws_dynamodb_table"]["raw"];
    raw["dynamic"]["attribute"]["content"]["nmae"] = json!("${key.key}");
    raw["dynamic"]["attribute"]["content"]["type"] = json!("${key.vaule}");
    raw["name"] = json!("${key.value}");
    broken["resource"]["aws_dynamodb_table"]["typed"]["dynamic"]["attribute"]
        .as_object_mut()
        .unwrap()
        .remove("for_each");
    let report = aws_validate(&broken.to_string());
    let messages: Vec<String> = report
        .errors()
        .map(|f| format!("{} {}", f.pointer, f.message))
        .collect();
    for expected in [
        "/resource/aws_dynamodb_table/raw/dynamic/attribute/content/nmae unknown attribute or block \"nmae\" (did you mean \"name\"?)",
        "/resource/aws_dynamodb_table/raw/dynamic/attribute/content/type key is a dynamic block's iterator: use key.key or key.value",
        "/resource/aws_dynamodb_table/raw/name reference to undeclared resource \"key.value\"",
        "/resource/aws_dynamodb_table/typed/dynamic/attribute dynamic \"attribute\" needs for_each",
    ] {
        assert!(
            messages.iter().any(|m| m.starts_with(expected)),
            "missing {expected:?} in {messages:#?}"
        );
    }

    let exported = super::support::hcl(&text);
    assert!(
        exported.contains("  dynamic \"attribute\" {\n    for_each = var.keys\n    iterator = key\n    content {\n      name = key.key\n      type = key.value\n    }\n  }\n"),
        "{exported}"
    );
    if let Some(tf) = Terraform::find("dynamic_blocks_are_written_checked_and_validated") {
        for (file, text) in both_formats(&text) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(file), text).unwrap();
            tf.init(dir.path());
            tf.fmt_clean(dir.path());
            tf.ok(dir.path(), &["validate", "-no-color"]);
        }
    }
}

/// Mistakes in module calls that terraform would reject are named at
/// synthesis, with the line that declared the call, and by the validator
/// in JSON from elsewhere.
#[test]
fn module_mistakes_are_named() {
    use tfsynth::{Module, ModuleFiles, ProviderRef};
    let mut stack = Stack::new("modules");
    let line = line!() + 2;
    stack.add(
        Module::new("versioned", "./modules/x")
            .version("1.0.0")
            .count(2)
            .for_each(Node::map_of([("a", "b")]))
            .input("source", "again")
            .provider("aws", &ProviderRef::new("aws", Some("west".into()))),
    );
    stack.add(Module::new("empty", ""));
    stack.add(Module::new("bad name!", "./x"));
    stack.add(ModuleFiles::directory("missing", "/nonexistent/module"));
    let err = stack.synth().unwrap_err().to_string();
    let at = format!("module.versioned (declared at {}:{line}:", file!());
    for fragment in [
        at.clone(),
        "sets version \"1.0.0\" for the local source \"./modules/x\", which only registry modules take".into(),
        "sets both count and for_each".into(),
        "has an input named \"source\", which is a meta-argument of module blocks".into(),
        "module.versioned uses provider aws.west, which is not configured in this stack".into(),
        "module.empty (declared at".into(),
        "has an empty source".into(),
        "invalid module name \"bad name!\"".into(),
        "module files missing: cannot read /nonexistent/module".into(),
    ] {
        assert!(err.contains(&fragment), "missing {fragment:?} in:\n{err}");
    }

    let report = aws_validate(
        &json!({
            "module": {
                "a": {"version": "1.0"},
                "b": {"source": "${var.where}"},
                "c": {"source": "../c", "version": "~> 1.0", "x": "${local.nowhere}"},
                "d": {"source": "hashicorp/consul/aws", "providers": {"aws": "aws.nowhere"}},
            },
            "output": {"o": {"value": "${module.e.x}"}},
        })
        .to_string(),
    );
    let messages: Vec<String> = report
        .errors()
        .map(|f| format!("{} {} {}", f.address, f.pointer, f.message))
        .collect();
    for expected in [
        "module.a /module/a a module block needs a source",
        "module.b /module/b/source a module source must be a literal, non-empty string",
        "module.c /module/c/version a local module takes no version",
        "module.c /module/c/x reference to undeclared local value \"nowhere\"",
        "module.d /module/d/providers/aws provider configuration \"aws.nowhere\" is not declared",
        "output.o /output/o/value reference to undeclared module \"e\"",
    ] {
        assert!(
            messages.iter().any(|m| m.starts_with(expected)),
            "missing {expected:?} in {messages:#?}"
        );
    }
}
