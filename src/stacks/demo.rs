//! The demonstration stack: a VPC and two subnets with the typed AWS
//! bindings, exercising variables with validation, locals, a data source,
//! interpolation, functions and outputs.

use tfsynth::{Expr, Node, Output, Provider, Stack, Type, Variable, func, interp};
use tfsynth_aws::data::DataAwsAvailabilityZones;
use tfsynth_aws::resource::{AwsSubnet, AwsVpc};

/// Adds the demonstration stack's blocks.
pub fn build(stack: &mut Stack) {
    stack.required_version(">= 1.6.0");
    stack.require_provider("aws", "hashicorp/aws", "~> 5.100");

    let region = stack.add(
        Variable::new("region")
            .ty(Type::String)
            .default("eu-west-1")
            .description("AWS region to deploy into"),
    );
    let environment = stack.add(
        Variable::new("environment")
            .ty(Type::String)
            .default("dev")
            .description("Deployment environment")
            .validation(
                Expr::call(
                    "contains",
                    vec![
                        Expr::Tuple(vec!["dev".into(), "staging".into(), "prod".into()]),
                        environment_ref(),
                    ],
                ),
                "environment must be one of dev, staging, prod.",
            ),
    );
    let name_prefix = stack.local("name_prefix", interp!["demo-", environment.expr()]);

    stack.add(
        Provider::new("aws")
            .set("region", region.expr())
            .default_tags([
                ("Environment", Node::from(environment.expr())),
                ("ManagedBy", Node::from("tfsynth")),
                ("Project", Node::from("demo")),
            ]),
    );

    let zones = stack.add(DataAwsAvailabilityZones::new("available").state("available"));

    let vpc = stack.add(
        AwsVpc::new("main")
            .cidr_block("10.0.0.0/16")
            .enable_dns_support(true)
            .enable_dns_hostnames(true)
            .tags([("Name", interp![name_prefix.clone(), "-vpc"])]),
    );

    let subnets: Vec<_> = ["a", "b"]
        .into_iter()
        .enumerate()
        .map(|(i, zone)| {
            stack.add(
                AwsSubnet::new(format!("public_{zone}"), vpc.id())
                    .cidr_block(func::cidrsubnet(vpc.cidr_block(), 8, i))
                    .availability_zone(func::element(zones.names(), i))
                    .map_public_ip_on_launch(false)
                    .tags([("Name", interp![name_prefix.clone(), "-public-", zone])]),
            )
        })
        .collect();

    stack.add(Output::new("vpc_id", vpc.id()).description("ID of the VPC"));
    stack.add(
        Output::new(
            "subnet_ids",
            Expr::Tuple(subnets.iter().map(|s| s.id().expr()).collect()),
        )
        .description("IDs of the two public subnets"),
    );
}

fn environment_ref() -> Expr {
    tfsynth::VariableRef::new("environment").expr()
}
