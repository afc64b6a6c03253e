//! Pointing the AWS provider at an emulator (moto, LocalStack): every
//! service the stack's types call goes to one base URL, S3 path-style, and
//! the provider checks that need real AWS credentials are switched off.
//!
//! The services come from the committed table of every provider type
//! (`tfsynth_aws::SERVICES`). A type the table does not know, or one that
//! reads a fixed URL outside the provider's endpoints, would send traffic
//! past the emulator to real AWS, so it is a synthesis problem naming the
//! type, never a silent fallback.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use tfsynth::{Node, Stack};

/// What a provider type calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Calls {
    /// Nothing: the provider computes it (policy documents, partitions).
    Nothing,
    /// These provider endpoints (service API names).
    Endpoints(Vec<&'static str>),
    /// A fixed host outside the provider's endpoints.
    External(&'static str),
}

fn table() -> &'static BTreeMap<String, Calls> {
    static TABLE: OnceLock<BTreeMap<String, Calls>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut out = BTreeMap::new();
        for line in tfsynth_aws::SERVICES.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let parts: Vec<&'static str> = line.split_whitespace().collect();
            let [kind, ty, _feature, endpoints] = parts[..] else {
                continue;
            };
            let calls = match endpoints {
                "-" => Calls::Nothing,
                e if e.starts_with('!') => Calls::External(&e[1..]),
                e => Calls::Endpoints(e.split(',').collect()),
            };
            out.insert(format!("{kind} {ty}"), calls);
        }
        out
    })
}

/// What the AWS type `ty` of `kind` (`resource`, `data`, `ephemeral`)
/// calls; `None` when the provider has no such type.
pub fn calls(kind: &str, ty: &str) -> Option<&'static Calls> {
    table().get(&format!("{kind} {ty}"))
}

/// The AWS provider arguments that send every service the stack's AWS
/// types call (and STS, which the provider always calls) to `base_url`.
/// Add them after the stack's other blocks, since the services are read
/// from those. A type that would reach past the emulator is recorded as a
/// problem of the stack, so synthesis fails naming it.
pub fn aws_provider_settings(stack: &mut Stack, base_url: &str) -> Vec<(&'static str, Node)> {
    let mut services: BTreeSet<&'static str> = ["sts"].into();
    let types: Vec<(&'static str, String)> = stack
        .resources()
        .map(|r| ("resource", r.ty().to_owned()))
        .chain(stack.data_sources().map(|d| ("data", d.ty().to_owned())))
        .chain(
            stack
                .ephemeral_resources()
                .map(|e| ("ephemeral", e.ty().to_owned())),
        )
        .filter(|(_, ty)| ty.starts_with("aws_"))
        .collect();
    let mut problems = BTreeSet::new();
    for (kind, ty) in &types {
        match calls(kind, ty) {
            Some(Calls::Nothing) => {}
            Some(Calls::Endpoints(endpoints)) => services.extend(endpoints.iter().copied()),
            Some(Calls::External(host)) => {
                problems.insert(format!(
                    "{kind} type {ty} reads https://{host}, which no emulator endpoint can redirect, so with emulator_endpoint set it would reach the internet (hint: remove it, or unset emulator_endpoint)"
                ));
            }
            None => {
                problems.insert(format!(
                    "{kind} type {ty} is not in the AWS provider's service table, so with emulator_endpoint set its calls could go to real AWS (hint: check the type name, or add it to crates/aws/services.txt)"
                ));
            }
        }
    }
    for problem in problems {
        stack.problem(problem);
    }
    vec![
        (
            "endpoints",
            Node::map_of(services.into_iter().map(|svc| (svc, Node::from(base_url)))),
        ),
        ("s3_use_path_style", true.into()),
        ("skip_credentials_validation", true.into()),
        ("skip_metadata_api_check", true.into()),
        ("skip_region_validation", true.into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfsynth::{DataSource, EphemeralResource, Resource};

    #[test]
    fn services_by_type() {
        let check = |kind: &str, ty: &str, expect: Option<Calls>| {
            assert_eq!(calls(kind, ty).cloned(), expect, "{kind} {ty}")
        };
        let e = |names: &[&'static str]| Some(Calls::Endpoints(names.to_vec()));
        check("resource", "aws_vpc", e(&["ec2"]));
        check("resource", "aws_lb_target_group", e(&["elbv2"]));
        check("resource", "aws_db_instance", e(&["rds"]));
        check("resource", "aws_lambda_function", e(&["lambda"]));
        check("resource", "aws_dynamodb_table", e(&["dynamodb"]));
        check("resource", "aws_cloudwatch_event_rule", e(&["events"]));
        check("resource", "aws_api_gateway_rest_api", e(&["apigateway"]));
        check("resource", "aws_ecs_service", e(&["ecs"]));
        check("data", "aws_iam_policy_document", Some(Calls::Nothing));
        check("data", "aws_caller_identity", e(&["sts"]));
        check(
            "data",
            "aws_ip_ranges",
            Some(Calls::External("ip-ranges.amazonaws.com")),
        );
        check(
            "ephemeral",
            "aws_secretsmanager_secret_version",
            e(&["secretsmanager"]),
        );
        check("resource", "aws_not_a_type", None);
    }

    #[test]
    fn every_endpoint_name_exists_in_the_provider_schema() {
        let schemas = tfsynth::validate::Schemas::new(&[&tfsynth_aws::PROVIDER]);
        let aws = schemas
            .provider("aws", &Default::default())
            .expect("the AWS schema loads");
        let provider = aws
            .schema(tfsynth::provider::Kind::Provider, "")
            .expect("the provider block");
        let endpoints = provider
            .block_type("endpoints")
            .expect("the provider has an endpoints block")
            .block()
            .attributes();
        for calls in table().values() {
            if let Calls::Endpoints(names) = calls {
                for name in names {
                    assert!(endpoints.contains_key(*name), "{name} is not an endpoint");
                }
            }
        }
        for kind in [
            tfsynth::provider::Kind::Resource,
            tfsynth::provider::Kind::Data,
            tfsynth::provider::Kind::Ephemeral,
        ] {
            let word = match kind {
                tfsynth::provider::Kind::Resource => "resource",
                tfsynth::provider::Kind::Data => "data",
                _ => "ephemeral",
            };
            for ty in aws.names(kind) {
                assert!(calls(word, ty).is_some(), "{word} {ty} has no service");
            }
        }
    }

    #[test]
    fn settings_cover_the_services_used_and_refuse_the_unknown() {
        let mut stack = Stack::new("s");
        stack.add(Resource::new("aws_s3_bucket", "b"));
        stack.add(Resource::new("aws_lambda_function", "f"));
        stack.add(Resource::new("aws_dynamodb_table", "t"));
        stack.add(EphemeralResource::new("aws_ssm_parameter", "p"));
        stack.add(Resource::new("terraform_data", "local_only"));
        stack.add(DataSource::new("aws_iam_policy_document", "d"));
        let settings = aws_provider_settings(&mut stack, "http://127.0.0.1:5000");
        let Node::Map(endpoints) = &settings[0].1 else {
            panic!("endpoints is a map")
        };
        let names: Vec<&str> = endpoints.keys().map(String::as_str).collect();
        assert_eq!(names, ["dynamodb", "lambda", "s3", "ssm", "sts"]);
        assert!(stack.synth().is_ok());

        let mut risky = Stack::new("r");
        risky.add(Resource::new("aws_made_up_thing", "x"));
        risky.add(DataSource::new("aws_ip_ranges", "ips"));
        aws_provider_settings(&mut risky, "http://127.0.0.1:5000");
        let err = risky.synth().unwrap_err().to_string();
        assert!(
            err.contains(
                "resource type aws_made_up_thing is not in the AWS provider's service table"
            ),
            "{err}"
        );
        assert!(
            err.contains("data type aws_ip_ranges reads https://ip-ranges.amazonaws.com"),
            "{err}"
        );
    }
}
