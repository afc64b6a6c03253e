//! Networking: a VPC across N availability zones with a public and a private
//! subnet per zone, an internet gateway, NAT gateways (one per zone, or one
//! shared to save cost) with Elastic IPs, route tables and associations, and
//! the default security group locked down.

use tfsynth::{Expr, ResourceBlock, Stack, Value, func};
use tfsynth_aws::data::DataAwsAvailabilityZones;
use tfsynth_aws::resource::{
    AwsDefaultSecurityGroup, AwsEip, AwsInternetGateway, AwsNatGateway, AwsRoute, AwsRouteTable,
    AwsRouteTableAssociation, AwsSubnet, AwsVpc,
};

use crate::{label, name_tags};

/// How private subnets reach the internet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatMode {
    /// One NAT gateway per zone: a zone failure does not cut the others off.
    PerAz,
    /// One shared NAT gateway: cheaper, but a single point of failure.
    Single,
}

impl NatMode {
    /// Parses the configuration value `per_az` or `single`.
    pub fn parse(text: &str) -> Option<NatMode> {
        match text {
            "per_az" => Some(NatMode::PerAz),
            "single" => Some(NatMode::Single),
            _ => None,
        }
    }
}

/// Inputs of [`Networking`].
#[derive(Clone, Debug)]
pub struct NetworkingConfig {
    /// Prefix of `Name` tags, e.g. `financial-prod`.
    pub name: String,
    /// The VPC CIDR block.
    pub cidr: String,
    /// Number of availability zones.
    pub az_count: usize,
    /// Explicit zone names; empty means the first `az_count` available zones.
    pub zones: Vec<String>,
    /// Bits added to the VPC prefix for each subnet (8 turns a /16 into /24s).
    pub subnet_newbits: u32,
    /// NAT gateway layout.
    pub nat: NatMode,
}

/// A VPC with public and private subnets in every zone.
pub struct Networking {
    /// The VPC's id.
    pub vpc_id: Value<String>,
    /// Public subnet ids, one per zone.
    pub public_subnet_ids: Vec<Value<String>>,
    /// Private subnet ids, one per zone.
    pub private_subnet_ids: Vec<Value<String>>,
}

impl Networking {
    /// Adds the networking blocks under `prefix`.
    pub fn new(stack: &mut Stack, prefix: &str, config: &NetworkingConfig) -> Networking {
        let name = &config.name;
        let zone = |stack: &mut Stack, i: usize| -> Expr {
            match config.zones.get(i) {
                Some(z) => z.as_str().into(),
                None => func::element(zones_data(stack, prefix), i),
            }
        };
        let vpc = stack.add(
            AwsVpc::new(prefix)
                .cidr_block(config.cidr.as_str())
                .enable_dns_support(true)
                .enable_dns_hostnames(true)
                .tags(name_tags(&format!("{name}-vpc"))),
        );
        // With no rules the provider removes every rule AWS puts in the
        // default group, so nothing can use it by accident.
        stack.add(
            AwsDefaultSecurityGroup::new(label(prefix, "default"))
                .vpc_id(vpc.id())
                .tags(name_tags(&format!("{name}-default-locked"))),
        );
        let igw = stack.add(
            AwsInternetGateway::new(label(prefix, "igw"))
                .vpc_id(vpc.id())
                .tags(name_tags(&format!("{name}-igw"))),
        );

        let public_rt = stack.add(
            AwsRouteTable::new(label(prefix, "public"), vpc.id())
                .tags(name_tags(&format!("{name}-public"))),
        );
        stack.add(
            AwsRoute::new(label(prefix, "public_internet"), public_rt.id())
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id(igw.id()),
        );

        let n = config.az_count;
        let mut public_subnet_ids = Vec::new();
        let mut private_subnet_ids = Vec::new();
        let mut nat_ids = Vec::new();
        for i in 0..n {
            let az = zone(stack, i);
            let public = stack.add(
                AwsSubnet::new(label(prefix, &format!("public_{i}")), vpc.id())
                    .cidr_block(func::cidrsubnet(vpc.cidr_block(), config.subnet_newbits, i))
                    .availability_zone(az.clone())
                    .map_public_ip_on_launch(false)
                    .tags(name_tags(&format!("{name}-public-{i}"))),
            );
            let private = stack.add(
                AwsSubnet::new(label(prefix, &format!("private_{i}")), vpc.id())
                    .cidr_block(func::cidrsubnet(
                        vpc.cidr_block(),
                        config.subnet_newbits,
                        n + i,
                    ))
                    .availability_zone(az)
                    .tags(name_tags(&format!("{name}-private-{i}"))),
            );
            stack.add(
                AwsRouteTableAssociation::new(
                    label(prefix, &format!("public_{i}")),
                    public_rt.id(),
                )
                .subnet_id(public.id()),
            );
            if i == 0 || config.nat == NatMode::PerAz {
                let eip = stack.add(
                    AwsEip::new(label(prefix, &format!("nat_{i}")))
                        .domain("vpc")
                        .tags(name_tags(&format!("{name}-nat-{i}")))
                        // An EIP for a NAT gateway needs the VPC attached to the
                        // internet; no reference orders it after the gateway.
                        .depends_on(&igw, "an EIP in a VPC needs the internet gateway attached"),
                );
                // A public NAT gateway routes through the internet gateway; it
                // references its EIP, which already waits for the gateway.
                let nat = stack.add(
                    AwsNatGateway::new(label(prefix, &format!("nat_{i}")), public.id())
                        .allocation_id(eip.id())
                        .tags(name_tags(&format!("{name}-nat-{i}"))),
                );
                nat_ids.push(nat.id());
            }
            let private_rt = stack.add(
                AwsRouteTable::new(label(prefix, &format!("private_{i}")), vpc.id())
                    .tags(name_tags(&format!("{name}-private-{i}"))),
            );
            let nat_id = nat_ids
                .last()
                .expect("a NAT gateway exists from zone 0 on")
                .clone();
            stack.add(
                AwsRoute::new(
                    label(prefix, &format!("private_{i}_internet")),
                    private_rt.id(),
                )
                .destination_cidr_block("0.0.0.0/0")
                .nat_gateway_id(nat_id),
            );
            stack.add(
                AwsRouteTableAssociation::new(
                    label(prefix, &format!("private_{i}")),
                    private_rt.id(),
                )
                .subnet_id(private.id()),
            );
            public_subnet_ids.push(public.id());
            private_subnet_ids.push(private.id());
        }
        Networking {
            vpc_id: vpc.id(),
            public_subnet_ids,
            private_subnet_ids,
        }
    }
}

/// The availability zones data source, added once per prefix.
fn zones_data(stack: &mut Stack, prefix: &str) -> Expr {
    let name = label(prefix, "zones");
    if stack
        .data_sources()
        .any(|d| d.ty() == "aws_availability_zones" && d.name() == name)
    {
        return tfsynth::DataRef::new("aws_availability_zones", name).attr("names");
    }
    stack
        .add(DataAwsAvailabilityZones::new(name).state("available"))
        .names()
        .expr()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tfsynth::testing::Synth;

    fn build(nat: NatMode, zones: Vec<String>) -> Synth {
        let mut stack = Stack::new("t");
        let config = NetworkingConfig {
            name: "acme-dev".into(),
            cidr: "10.0.0.0/16".into(),
            az_count: 3,
            zones,
            subnet_newbits: 8,
            nat,
        };
        Networking::new(&mut stack, "net", &config);
        Synth::stack(&stack)
    }

    #[test]
    fn three_zones_per_az_nat() {
        let j = build(NatMode::PerAz, vec![]);
        assert_eq!(j.resources("aws_subnet").len(), 6);
        assert_eq!(j.resources("aws_nat_gateway").len(), 3);
        assert_eq!(j.resources("aws_eip").len(), 3);
        assert_eq!(j.resources("aws_route_table").len(), 4);
        assert_eq!(j.resources("aws_route_table_association").len(), 6);
        assert_eq!(j.resources("aws_route").len(), 4);
        let vpc = j.resource("aws_vpc", "net");
        assert_eq!(vpc["enable_dns_support"], json!(true));
        assert_eq!(vpc["enable_dns_hostnames"], json!(true));
        assert_eq!(
            j.resource("aws_subnet", "net_private_2")["cidr_block"],
            json!("${cidrsubnet(aws_vpc.net.cidr_block, 8, 5)}")
        );
        assert_eq!(
            j.resource("aws_subnet", "net_public_1")["availability_zone"],
            json!("${element(data.aws_availability_zones.net_zones.names, 1)}")
        );
        assert_eq!(
            j.resource("aws_subnet", "net_public_1")["map_public_ip_on_launch"],
            json!(false)
        );
        assert_eq!(
            j.resource("aws_route", "net_private_1_internet")["nat_gateway_id"],
            json!("${aws_nat_gateway.net_nat_1.id}")
        );
        // Only the EIP declares the ordering: the NAT gateway references the
        // EIP and so already follows the internet gateway.
        assert_eq!(
            j.resource("aws_eip", "net_nat_0")["depends_on"],
            json!(["aws_internet_gateway.net_igw"])
        );
        assert!(
            j.resource("aws_nat_gateway", "net_nat_0")
                .get("depends_on")
                .is_none()
        );
        let dsg = j.resource("aws_default_security_group", "net_default");
        assert!(
            dsg.get("ingress").is_none() && dsg.get("egress").is_none(),
            "locked down: no rules"
        );
        assert_eq!(
            j.resource("aws_internet_gateway", "net_igw")["tags"],
            json!({"Name": "acme-dev-igw"})
        );
    }

    #[test]
    fn single_nat_and_explicit_zones() {
        let j = build(
            NatMode::Single,
            vec![
                "eu-west-1a".into(),
                "eu-west-1b".into(),
                "eu-west-1c".into(),
            ],
        );
        assert_eq!(j.resources("aws_nat_gateway").len(), 1);
        assert_eq!(j.resources("aws_eip").len(), 1);
        for i in 0..3 {
            assert_eq!(
                j.resource("aws_route", &format!("net_private_{i}_internet"))["nat_gateway_id"],
                json!("${aws_nat_gateway.net_nat_0.id}")
            );
        }
        assert_eq!(
            j.resource("aws_subnet", "net_public_2")["availability_zone"],
            json!("eu-west-1c")
        );
        assert!(
            j.json().get("data").is_none(),
            "no zone lookup when zones are given"
        );
    }

    #[test]
    fn nat_mode_parses() {
        assert_eq!(NatMode::parse("per_az"), Some(NatMode::PerAz));
        assert_eq!(NatMode::parse("single"), Some(NatMode::Single));
        assert_eq!(NatMode::parse("none"), None);
    }
}
