#!/usr/bin/env python3
"""Writes crates/aws/services.txt: for every type of the AWS provider, the
cargo feature (the AWS service) its binding belongs to and the provider
endpoints (service API names) it calls.

Usage: aws_services.py SCHEMA.jsonl OUT.txt

The service of a type comes from its name: the longest run of its leading
words, joined, that is one of the provider's endpoint names (the `endpoints`
block of the provider schema): aws_api_gateway_rest_api -> apigateway,
aws_cloudwatch_log_group -> cloudwatchlog, an alias of logs. The names that
do not follow that rule (EC2's VPC types, load balancers, RDS's db_ types,
Direct Connect's dx_ ...) are listed below in PREFIXES. Types that call no
AWS API at all (policy documents, partitions, service accounts) have "-" as
endpoints; a type that reads a fixed URL outside the provider's endpoints
has "!<host>", so an emulator run can refuse it. A type matched by no rule
is an error naming it, so a provider update never goes unmapped.
"""
import json
import sys

# Aliases among the provider's endpoint names -> the name used as feature.
ALIASES = {
    "applicationautoscaling": "appautoscaling",
    "appintegrationsservice": "appintegrations",
    "beanstalk": "elasticbeanstalk",
    "costexplorer": "ce",
    "cloudcontrolapi": "cloudcontrol",
    "cloudwatchevents": "events",
    "eventbridge": "events",
    "cloudwatchevidently": "evidently",
    "cloudwatchlog": "logs",
    "cloudwatchlogs": "logs",
    "cloudwatchobservabilityaccessmanager": "oam",
    "cloudwatchrum": "rum",
    "cognitoidentityprovider": "cognitoidp",
    "config": "configservice",
    "costandusagereportservice": "cur",
    "databasemigration": "dms",
    "databasemigrationservice": "dms",
    "gluedatabrew": "databrew",
    "codedeploy": "deploy",
    "directoryservice": "ds",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearchservice": "elasticsearch",
    "es": "elasticsearch",
    "amg": "grafana",
    "managedgrafana": "grafana",
    "inspectorv2": "inspector2",
    "msk": "kafka",
    "lex": "lexmodels",
    "lexmodelbuilding": "lexmodels",
    "lexmodelbuildingservice": "lexmodels",
    "lexmodelsv2": "lexv2models",
    "locationservice": "location",
    "opensearchservice": "opensearch",
    "opensearchingestion": "osis",
    "prometheus": "amp",
    "prometheusservice": "amp",
    "recyclebin": "rbin",
    "redshiftdataapiservice": "redshiftdata",
    "resourcegroupstagging": "resourcegroupstaggingapi",
    "s3api": "s3",
    "simpledb": "sdb",
    "serverlessapplicationrepository": "serverlessrepo",
    "serverlessapprepo": "serverlessrepo",
    "appregistry": "servicecatalogappregistry",
    "stepfunctions": "sfn",
    "transcribeservice": "transcribe",
}

# Name rules the word rule gets wrong or cannot see: a prefix ending in "_"
# or a whole name (after "aws_"), longest first -> (feature, endpoints).
PREFIXES = {
    # EC2 and VPC
    **{p: ("ec2", "ec2") for p in [
        "ami", "ami_", "availability_zone", "availability_zones", "customer_gateway",
        "default_network_acl", "default_route_table", "default_security_group",
        "default_subnet", "default_vpc", "default_vpc_dhcp_options", "ebs_",
        "egress_only_internet_gateway", "eip", "eip_", "eips", "flow_log", "instance",
        "instances", "internet_gateway", "internet_gateway_", "key_pair",
        "launch_template", "launch_template_", "main_route_table_association",
        "nat_gateway", "nat_gateways", "network_acl", "network_acl_", "network_acls",
        "network_interface", "network_interface_", "network_interfaces", "placement_group",
        "prefix_list", "regions", "route", "route_table", "route_table_", "route_tables",
        "security_group", "security_group_", "security_groups", "snapshot_create_volume_permission",
        "spot_", "subnet", "subnets", "verifiedaccess_", "volume_attachment", "vpc", "vpc_", "vpcs",
        "vpn_",
    ]},
    # Load balancers
    **{p: ("elbv2", "elbv2") for p in ["alb", "alb_", "lb", "lb_listener", "lb_listener_", "lb_target_group",
                                        "lb_target_group_", "lb_trust_store", "lb_trust_store_", "lbs"]},
    "lb_hosted_zone_id": ("elbv2", "-"),
    **{p: ("elb", "elb") for p in ["app_cookie_stickiness_policy", "lb_cookie_stickiness_policy",
                                    "lb_ssl_negotiation_policy", "load_balancer_", "proxy_protocol_policy"]},
    "elb_service_account": ("elb", "-"),
    "elb_hosted_zone_id": ("elb", "-"),
    # Renamed or abbreviated services
    "db_": ("rds", "rds"),
    "dx_": ("directconnect", "directconnect"),
    "launch_configuration": ("autoscaling", "autoscaling"),
    "mskconnect_": ("kafkaconnect", "kafkaconnect"),
    "cognito_user": ("cognitoidp", "cognitoidp"),
    "cognito_user_": ("cognitoidp", "cognitoidp"),
    "cognito_managed_user_pool_client": ("cognitoidp", "cognitoidp"),
    "cognito_resource_server": ("cognitoidp", "cognitoidp"),
    "cognito_risk_configuration": ("cognitoidp", "cognitoidp"),
    "cognito_log_delivery_configuration": ("cognitoidp", "cognitoidp"),
    "cognito_identity_openid_token_for_developer_identity": ("cognitoidentity", "cognitoidentity"),
    "cloudwatch_event_": ("events", "events"),
    "cloudwatch_query_definition": ("logs", "logs"),
    "kinesis_firehose_": ("firehose", "firehose"),
    "s3_account_public_access_block": ("s3control", "s3control"),
    "s3_access_point": ("s3control", "s3control"),
    "s3_access_point_": ("s3control", "s3control"),
    "s3_object_lambda_access_point": ("s3control", "s3control"),
    "s3_object_lambda_access_point_policy": ("s3control", "s3control"),
    "canonical_user_id": ("s3", "s3"),
    "caller_identity": ("sts", "sts"),
    # No AWS API: computed by the provider itself
    "iam_policy_document": ("iam", "-"),
    "arn": ("meta", "-"),
    "partition": ("meta", "-"),
    "region": ("meta", "-"),
    "default_tags": ("meta", "-"),
    "service": ("meta", "-"),
    "service_principal": ("meta", "-"),
    "billing_service_account": ("billing", "-"),
    "cloudtrail_service_account": ("cloudtrail", "-"),
    "redshift_service_account": ("redshift", "-"),
    "kms_secrets": ("kms", "kms"),
    # A fixed URL outside every endpoint
    "ip_ranges": ("meta", "!ip-ranges.amazonaws.com"),
}

PROVIDER = "registry.terraform.io/hashicorp/aws"


def main(schema_path, out_path):
    kinds = {"resource": [], "data": [], "ephemeral": []}
    endpoints = None
    with open(schema_path) as f:
        for line in f:
            entry = json.loads(line)
            if entry[0] == "provider":
                endpoints = set(entry[2]["block"]["block_types"]["endpoints"]["block"]["attributes"])
            elif entry[0] in kinds:
                kinds[entry[0]].append(entry[1])
    if endpoints is None:
        sys.exit(f"{schema_path}: no provider entry with an endpoints block")
    rules = sorted(PREFIXES.items(), key=lambda kv: -len(kv[0]))
    lines, unmapped = [], []
    for kind, names in kinds.items():
        for name in names:
            rest = name[len("aws_"):]
            found = None
            for prefix, value in rules:
                if rest == prefix or (prefix.endswith("_") and rest.startswith(prefix)):
                    found = value
                    break
            if found is None:
                words = rest.split("_")
                best = None
                for i in range(1, len(words) + 1):
                    if "".join(words[:i]) in endpoints:
                        best = "".join(words[:i])
                if best is not None:
                    service = ALIASES.get(best, best)
                    found = (service, service)
            if found is None:
                unmapped.append(f"{kind} {name}")
                continue
            lines.append(f"{kind} {name} {found[0]} {found[1]}")
    if unmapped:
        sys.exit("no service rule for: " + ", ".join(unmapped))
    with open(out_path, "w") as f:
        f.write("# The AWS service of every provider type: `<kind> <type> <feature> <endpoints>`.\n")
        f.write("# <feature> is the cargo feature that enables the type's binding; <endpoints>\n")
        f.write("# the provider endpoints it calls (\"-\": none; \"!host\": a fixed URL outside\n")
        f.write("# the provider's endpoints). Written by scripts/aws_services.py.\n")
        for line in lines:
            f.write(line + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
