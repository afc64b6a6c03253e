//! The `financial` and `webapp` stacks: outputs, IAM, buckets, secrets, configuration.

use std::collections::BTreeSet;

use predicates::str::contains;
use serde_json::Value as Json;

use super::support::{synth_stack, tfsynth};

fn parsed(stack: &str) -> Json {
    serde_json::from_str(&synth_stack(stack).1).unwrap()
}

fn names(object: &Json) -> BTreeSet<String> {
    object
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_required_output_exists() {
    let expect = |stack: &str, outputs: &[&str]| {
        let json = parsed(stack);
        let found = names(&json["output"]);
        let wanted: BTreeSet<String> = outputs.iter().map(|s| s.to_string()).collect();
        assert_eq!(found, wanted, "{stack}");
        for name in outputs {
            assert!(
                json["output"][name]["value"]
                    .as_str()
                    .unwrap()
                    .starts_with("${"),
                "{stack}.{name} is a reference"
            );
        }
    };
    expect(
        "financial",
        &[
            "vpc_id",
            "alb_dns_name",
            "alb_arn",
            "rds_endpoint",
            "rds_address",
            "data_bucket_arn",
            "data_bucket_name",
            "logs_bucket_arn",
            "logs_bucket_name",
        ],
    );
    expect(
        "webapp",
        &[
            "alb_dns_name",
            "alb_zone_id",
            "sns_topic_arn",
            "auto_scaling_group_name",
            "cpu_scaling_policy_name",
            "unhealthy_alarm_name",
        ],
    );
}

/// Every action string in every policy document and inline policy.
fn actions(json: &Json) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(docs) = json["data"]["aws_iam_policy_document"].as_object() {
        for doc in docs.values() {
            for statement in doc["statement"].as_array().into_iter().flatten() {
                for key in ["actions", "not_actions"] {
                    found.extend(
                        statement[key]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|a| a.as_str())
                            .map(String::from),
                    );
                }
            }
        }
    }
    found
}

#[test]
fn no_iam_statement_has_a_wildcard_action() {
    for stack in ["financial", "webapp"] {
        let json = parsed(stack);
        let all = actions(&json);
        assert!(!all.is_empty(), "{stack} has policy documents");
        // The TLS-only bucket policy denies every S3 action: a Deny, never a grant.
        let allowed: Vec<&String> = all.iter().filter(|a| *a != "s3:*").collect();
        for action in allowed {
            assert!(!action.contains('*'), "{stack}: wildcard action {action}");
        }
        for (name, doc) in json["data"]["aws_iam_policy_document"].as_object().unwrap() {
            for statement in doc["statement"].as_array().unwrap() {
                let acts = statement["actions"].as_array().unwrap();
                if acts.iter().any(|a| a.as_str().unwrap().contains('*')) {
                    assert_eq!(
                        statement["effect"], "Deny",
                        "{stack}: {name} grants a wildcard"
                    );
                }
                for resource in statement["resources"].as_array().into_iter().flatten() {
                    assert_ne!(resource, "*", "{stack}: {name} has a wildcard resource");
                }
            }
        }
        for policy in json["resource"]["aws_iam_role_policy"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            assert!(
                policy["policy"]
                    .as_str()
                    .unwrap()
                    .starts_with("${data.aws_iam_policy_document.")
            );
        }
    }
}

#[test]
fn every_bucket_is_encrypted_versioned_and_private() {
    let json = parsed("financial");
    let buckets = names(&json["resource"]["aws_s3_bucket"]);
    assert_eq!(buckets.len(), 2);
    for bucket in &buckets {
        let reference = format!("${{aws_s3_bucket.{bucket}.id}}");
        let has = |ty: &str, check: &dyn Fn(&Json) -> bool| {
            json["resource"][ty]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
                .any(|b| b["bucket"] == reference.as_str() && check(b))
        };
        assert!(
            has("aws_s3_bucket_server_side_encryption_configuration", &|b| {
                b["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
            }),
            "{bucket} is encrypted"
        );
        assert!(
            has(
                "aws_s3_bucket_versioning",
                &|b| b["versioning_configuration"]["status"] == "Enabled"
            ),
            "{bucket} is versioned"
        );
        assert!(
            has("aws_s3_bucket_public_access_block", &|b| {
                [
                    "block_public_acls",
                    "block_public_policy",
                    "ignore_public_acls",
                    "restrict_public_buckets",
                ]
                .iter()
                .all(|f| b[f] == true)
            }),
            "{bucket} is private"
        );
        assert!(
            has("aws_s3_bucket_policy", &|_| true),
            "{bucket} has a TLS-only policy"
        );
    }
}

#[test]
fn no_password_reaches_the_output() {
    for stack in ["financial", "webapp"] {
        let text = synth_stack(stack).1;
        let json: Json = serde_json::from_str(&text).unwrap();
        let mut keys = Vec::new();
        fn walk(v: &Json, keys: &mut Vec<String>) {
            match v {
                Json::Object(m) => m.iter().for_each(|(k, v)| {
                    keys.push(k.clone());
                    walk(v, keys)
                }),
                Json::Array(a) => a.iter().for_each(|v| walk(v, keys)),
                _ => {}
            }
        }
        walk(&json, &mut keys);
        let secret_keys: Vec<&String> = keys
            .iter()
            .filter(|k| k.contains("password") && k.as_str() != "manage_master_user_password")
            .collect();
        assert!(secret_keys.is_empty(), "{stack}: {secret_keys:?}");
    }
    let json = parsed("financial");
    assert_eq!(
        json["resource"]["aws_db_instance"]["db"]["manage_master_user_password"],
        true
    );
}

#[test]
fn hidden_dependencies_carry_their_reasons() {
    let json = parsed("financial");
    let mut with_deps = 0;
    for by_name in json["resource"].as_object().unwrap().values() {
        for (name, block) in by_name.as_object().unwrap() {
            if let Some(deps) = block["depends_on"].as_array() {
                with_deps += 1;
                for dep in deps {
                    let reason = &block["//"]["depends_on"][dep.as_str().unwrap()];
                    assert!(
                        reason.as_str().is_some_and(|r| r.len() > 20),
                        "{name} -> {dep} has a reason"
                    );
                }
            }
        }
    }
    assert!(
        with_deps >= 10,
        "the financial stack declares its hidden orderings ({with_deps})"
    );
}

#[test]
fn config_shows_values_and_sources() {
    tfsynth()
        .args(["config", "financial", "--env", "staging", "--set", "asg_max=4"])
        .env("TFSYNTH_FINANCIAL_INSTANCE_TYPE", "t3.large")
        .assert()
        .success()
        .stdout(contains("stack financial, environment staging"))
        .stdout(contains("[stacks.financial.environments.staging]"))
        .stdout(predicates::str::is_match(r#"instance_type\s+= "t3.large"\s+# environment variable TFSYNTH_FINANCIAL_INSTANCE_TYPE"#).unwrap())
        .stdout(predicates::str::is_match(r"(?m)asg_max\s+= 4\s+# --set asg_max$").unwrap())
        .stdout(predicates::str::is_match(r#"vpc_cidr\s+= "10.0.0.0/16"\s+# default"#).unwrap());
}

#[test]
fn staging_environment_changes_the_synthesized_stack() {
    let dir = tempfile::tempdir().unwrap();
    tfsynth()
        .args(["synth", "financial", "--env", "staging", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let json: Json = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("financial/main.tf.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["resource"]["aws_nat_gateway"]
            .as_object()
            .unwrap()
            .len(),
        1,
        "single NAT in staging"
    );
    assert_eq!(json["resource"]["aws_db_instance"]["db"]["multi_az"], false);
    assert_eq!(
        json["provider"]["aws"][0]["default_tags"]["tags"]["Environment"],
        "staging"
    );
}

#[test]
fn configuration_mistakes_exit_2_and_write_nothing() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--set", "asg_min=7"],
            "error: stack financial: asg_min (--set asg_min), asg_desired (default), asg_max (default): asg_min <= asg_desired <= asg_max does not hold (rule: min <= desired <= max)",
        ),
        (
            &["--set", "vpc_cidr=10.0.0.0/27"],
            "error: stack financial: vpc_cidr (--set vpc_cidr), az_count (default), subnet_newbits (default): the VPC prefix plus subnet_newbits gives subnets smaller than /28, the smallest AWS allows (rule: CIDR fits the zones)",
        ),
        (
            &["--set", "data_bucket_name=Data_Bucket"],
            "tfsynth.toml [stacks.financial.environments.prod]): a bucket name may contain only lowercase letters, digits, dots and hyphens (rule: S3 bucket naming rules)",
        ),
        (
            &["--set", "log_retention_days=10"],
            "(rule: CloudWatch retention)",
        ),
        (
            &["--set", "instnce_type=t3.large"],
            "stack financial has no configuration key \"instnce_type\" (did you mean \"instance_type\"?)",
        ),
        (
            &["--set", "project=a-very-long-project-name-here"],
            "(rule: names within 32 characters)",
        ),
    ];
    for (args, expect) in cases {
        let dir = tempfile::tempdir().unwrap();
        tfsynth()
            .args(["synth", "financial", "--out"])
            .arg(dir.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(expect));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{args:?} wrote nothing"
        );
    }
}

#[test]
fn readme_lists_every_configuration_key() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    for stack in ["financial", "webapp"] {
        let output = tfsynth()
            .args(["config", stack, "--keys"])
            .output()
            .unwrap();
        let table = String::from_utf8(output.stdout).unwrap();
        assert!(
            readme.contains(&format!("`{stack}` keys:\n\n{table}")),
            "README's {stack} key table is out of date; paste `tfsynth config {stack} --keys`"
        );
    }
}

/// The financial seed's names and sizes are the defaults (dashboards,
/// queries and state keep working); each can be set.
#[test]
fn financial_keeps_the_seed_log_group_names_and_storage() {
    // The repository's configuration selects the prod environment.
    let json = parsed("financial");
    let groups = &json["resource"]["aws_cloudwatch_log_group"];
    assert_eq!(groups["mon_app"]["name"], "/aws/app/prod");
    assert_eq!(groups["mon_flow"]["name"], "/aws/vpc/flowlogs/prod");
    let db = json["resource"]["aws_db_instance"]
        .as_object()
        .and_then(|m| m.values().next())
        .unwrap();
    assert_eq!(db["allocated_storage"], 100);

    let dir = tempfile::tempdir().unwrap();
    tfsynth()
        .args([
            "synth",
            "financial",
            "--set",
            "financial.app_log_group=/fin/app",
            "--set",
            "financial.flow_log_group=/fin/flow",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("financial/main.tf.json")).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let groups = &json["resource"]["aws_cloudwatch_log_group"];
    assert_eq!(groups["mon_app"]["name"], "/fin/app");
    assert_eq!(groups["mon_flow"]["name"], "/fin/flow");
}
