//! The demonstration stack: a VPC and two subnets, written with the engine's
//! raw block API (no generated bindings), exercising variables with
//! validation, locals, a data source, interpolation, functions and outputs.

use tfsynth::{
    DataSource, Expr, Node, Output, Provider, Resource, Stack, Type, Variable, func, interp,
};

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

    let zones =
        stack.add(DataSource::new("aws_availability_zones", "available").set("state", "available"));

    let vpc = stack.add(
        Resource::new("aws_vpc", "main")
            .set("cidr_block", "10.0.0.0/16")
            .set("enable_dns_support", true)
            .set("enable_dns_hostnames", true)
            .set(
                "tags",
                Node::map_of([("Name", interp![name_prefix.clone(), "-vpc"])]),
            ),
    );

    let subnets: Vec<_> = ["a", "b"]
        .into_iter()
        .enumerate()
        .map(|(i, zone)| {
            stack.add(
                Resource::new("aws_subnet", format!("public_{zone}"))
                    .set("vpc_id", vpc.attr("id"))
                    .set("cidr_block", func::cidrsubnet(vpc.attr("cidr_block"), 8, i))
                    .set("availability_zone", func::element(zones.attr("names"), i))
                    .set("map_public_ip_on_launch", false)
                    .set(
                        "tags",
                        Node::map_of([("Name", interp![name_prefix.clone(), "-public-", zone])]),
                    ),
            )
        })
        .collect();

    stack.add(Output::new("vpc_id", vpc.attr("id")).description("ID of the VPC"));
    stack.add(
        Output::new(
            "subnet_ids",
            Expr::Tuple(subnets.iter().map(|s| s.attr("id")).collect()),
        )
        .description("IDs of the two public subnets"),
    );
}

fn environment_ref() -> Expr {
    tfsynth::VariableRef::new("environment").expr()
}
