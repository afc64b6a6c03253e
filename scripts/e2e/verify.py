#!/usr/bin/env python3
"""Checks through the AWS API (boto3, against the emulator) that a stack
deployed by `tfsynth apply` exists with the properties asked for, or, with
--gone, that nothing of it is left after `tfsynth destroy`.

Usage: verify.py STACK ENDPOINT OUTPUTS_JSON
       verify.py STACK ENDPOINT --gone
"""
import json
import sys

import boto3

REGION = "us-east-1"
WAF_RULES = ["rate-limit-per-ip", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
             "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList"]


class Checker:
    def __init__(self, stack, endpoint):
        self.stack = stack
        self.endpoint = endpoint
        self.failures = []
        self.passed = 0

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION)

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{self.stack}: {what}" + (f" ({detail})" if detail else ""))

    def equal(self, what, got, want):
        self.check(what, got == want, f"got {got!r}, want {want!r}")

    def finish(self):
        for failure in self.failures:
            print(f"FAIL {failure}")
        print(f"{self.stack}: {self.passed} checks passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def bucket(c, name):
    s3 = c.client("s3")
    sse = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    c.equal(f"bucket {name} encryption", sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
    c.equal(f"bucket {name} versioning", s3.get_bucket_versioning(Bucket=name).get("Status"), "Enabled")
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    c.check(f"bucket {name} public access block", all(block.values()) and len(block) == 4, str(block))
    policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    c.check(f"bucket {name} denies plain HTTP", any(
        s.get("Effect") == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for s in policy["Statement"]))


def launch_template(c, name_prefix):
    ec2 = c.client("ec2")
    templates = [t for t in ec2.describe_launch_templates()["LaunchTemplates"] if t["LaunchTemplateName"].startswith(name_prefix)]
    c.equal("one launch template", len(templates), 1)
    if not templates:
        return
    data = ec2.describe_launch_template_versions(LaunchTemplateId=templates[0]["LaunchTemplateId"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    c.equal("launch template requires IMDSv2", data["MetadataOptions"]["HttpTokens"], "required")
    ebs = data["BlockDeviceMappings"][0]["Ebs"]
    c.check("launch template encrypts the root volume", ebs.get("Encrypted") in (True, "true"), str(ebs))
    c.check("launch template has an instance profile", "Arn" in data.get("IamInstanceProfile", {}))


def asg(c, name, sizes, subnet_count):
    group = c.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    c.equal(f"auto scaling group {name} exists", len(group), 1)
    if not group:
        return None
    g = group[0]
    c.equal("auto scaling sizes (min, max, desired)", (g["MinSize"], g["MaxSize"], g["DesiredCapacity"]), sizes)
    c.equal("auto scaling subnets", len(g["VPCZoneIdentifier"].split(",")), subnet_count)
    c.equal("auto scaling health check type", g["HealthCheckType"], "ELB")
    c.equal("auto scaling group attached to one target group", len(g.get("TargetGroupARNs", [])), 1)
    return g


def launched_tags(c, group, tags):
    """What the group launched carries the stack's central tags, with its own
    Name: each running instance and every volume attached to it."""
    ec2 = c.client("ec2")
    ids = [i["InstanceId"] for i in group.get("Instances", [])]
    c.check("the auto scaling group runs instances", bool(ids), group["AutoScalingGroupName"])
    if not ids:
        return
    for reservation in ec2.describe_instances(InstanceIds=ids[:1])["Reservations"]:
        for instance in reservation["Instances"]:
            got = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
            c.equal(f"instance {instance['InstanceId']} tags", {k: got.get(k) for k in tags}, tags)
            c.equal(f"instance {instance['InstanceId']} Name", got.get("Name"), f"{group['AutoScalingGroupName'][:-4]}-instance")
            volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}])["Volumes"]
            c.check(f"instance {instance['InstanceId']} has volumes", bool(volumes))
            for volume in volumes:
                got = {t["Key"]: t["Value"] for t in volume.get("Tags", [])}
                c.equal(f"volume {volume['VolumeId']} tags", {k: got.get(k) for k in tags}, tags)
                c.equal(f"volume {volume['VolumeId']} Name", got.get("Name"), f"{group['AutoScalingGroupName'][:-4]}-volume")


def target_group(c, name, expected):
    tg = c.client("elbv2").describe_target_groups(Names=[name])["TargetGroups"][0]
    got = {
        "path": tg["HealthCheckPath"],
        "matcher": tg["Matcher"]["HttpCode"],
        "healthy": tg["HealthyThresholdCount"],
        "unhealthy": tg["UnhealthyThresholdCount"],
        "timeout": tg["HealthCheckTimeoutSeconds"],
        "interval": tg["HealthCheckIntervalSeconds"],
    }
    c.equal("target group health check", got, expected)
    return tg


def alarms(c, expected):
    found = {a["AlarmName"]: a for a in c.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    for name, (metric, threshold, dimensions) in expected.items():
        alarm = found.get(name)
        c.check(f"alarm {name} exists", alarm is not None)
        if alarm:
            c.equal(f"alarm {name} metric", alarm["MetricName"], metric)
            c.equal(f"alarm {name} threshold", alarm["Threshold"], threshold)
            c.equal(f"alarm {name} dimensions", sorted(d["Name"] for d in alarm["Dimensions"]), sorted(dimensions))
            c.equal(f"alarm {name} missing data", alarm.get("TreatMissingData"), "notBreaching")
            c.check(f"alarm {name} notifies a topic", any(":sns:" in a for a in alarm.get("AlarmActions", [])))


def no_wildcard_actions(c, prefix):
    iam = c.client("iam")
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
    c.check("IAM roles exist", bool(roles), prefix)
    for role in roles:
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            if isinstance(document, str):
                document = json.loads(document)
            for statement in document["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                c.check(f"role {role} policy {name} has no wildcard action", not any("*" in a for a in actions), str(actions))
    return roles


def edge(c, name, domain):
    """HTTPS with the domain's certificate, HTTP redirecting to it, and the WAF."""
    elbv2 = c.client("elbv2")
    alb = elbv2.describe_load_balancers(Names=[f"{name}-alb"])["LoadBalancers"][0]
    listeners = {l["Port"]: l for l in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]}
    redirect = (listeners.get(80, {}).get("DefaultActions") or [{}])[0]
    c.check("HTTP answers with a permanent redirect to HTTPS", redirect.get("Type") == "redirect"
            and redirect.get("RedirectConfig", {}).get("Protocol") == "HTTPS"
            and redirect["RedirectConfig"].get("StatusCode") == "HTTP_301", str(redirect))
    https = listeners.get(443, {})
    c.equal("HTTPS listener", https.get("Protocol"), "HTTPS")
    c.equal("HTTPS allows TLS 1.2 and 1.3 only", https.get("SslPolicy"), "ELBSecurityPolicy-TLS13-1-2-2021-06")
    certificates = [x["CertificateArn"] for x in https.get("Certificates", [])]
    domains = [c.client("acm").describe_certificate(CertificateArn=a)["Certificate"]["DomainName"] for a in certificates]
    c.equal("HTTPS serves the issued certificate of the configured domain", domains, [domain])
    waf = c.client("wafv2")
    acl = waf.get_web_acl_for_resource(ResourceArn=alb["LoadBalancerArn"]).get("WebACL")
    c.check("a WAF web ACL guards the load balancer", acl is not None)
    if acl:
        c.equal("WAF rules in priority order", [r["Name"] for r in sorted(acl["Rules"], key=lambda r: r["Priority"])], WAF_RULES)
        logging = waf.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
        c.check("WAF logs into an aws-waf-logs- group", all(":log-group:aws-waf-logs-" in d for d in logging["LogDestinationConfigs"]),
                str(logging["LogDestinationConfigs"]))
        redacted = sorted(f["SingleHeader"]["Name"] for f in logging.get("RedactedFields") or [])
        c.equal("WAF logs redact credentials", redacted, ["authorization", "cookie"])
    return alb


def encryption_key(c, name, topic_arn):
    """The stack's key: rotated, and encrypting every log group and the topic."""
    kms = c.client("kms")
    key = kms.describe_key(KeyId=f"alias/{name}-logs")["KeyMetadata"]
    c.equal("the logs key rotates", kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"], True)
    groups = [g for g in c.client("logs").describe_log_groups()["logGroups"] if name in g["logGroupName"]]
    c.check("log groups exist", bool(groups))
    unencrypted = [g["logGroupName"] for g in groups if g.get("kmsKeyId") != key["Arn"]]
    c.equal("every log group is encrypted with the logs key", unencrypted, [])
    attributes = c.client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    c.equal("the alarm topic is encrypted with the logs key", attributes.get("KmsMasterKeyId"), key["Arn"])
    return key


def outputs(c, values, names):
    for name in names:
        value = values.get(name, {}).get("value")
        c.check(f"output {name} is set", value not in (None, "", [], {}), repr(value))


def verify_financial(c, values):
    outputs(c, values, ["vpc_id", "alb_dns_name", "alb_arn", "rds_endpoint", "rds_address", "data_bucket_arn",
                        "data_bucket_name", "logs_bucket_arn", "logs_bucket_name"])
    for name in ("financial-prod-data", "financial-prod-logs"):
        bucket(c, name)
    db = c.client("rds").describe_db_instances(DBInstanceIdentifier="financial-prod-mysql")["DBInstances"][0]
    c.equal("RDS engine", db["Engine"], "mysql")
    c.check("RDS engine version 8.0", db["EngineVersion"].startswith("8.0"), db["EngineVersion"])
    c.equal("RDS instance class", db["DBInstanceClass"], "db.t3.medium")
    c.equal("RDS storage encrypted", db["StorageEncrypted"], True)
    c.equal("RDS Multi-AZ", db["MultiAZ"], True)
    c.equal("RDS not public", db["PubliclyAccessible"], False)
    c.check("RDS password managed by Secrets Manager", "MasterUserSecret" in db, str(db.get("MasterUserSecret")))
    vpc_id = values["vpc_id"]["value"]
    subnets = c.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    c.equal("six subnets across three zones", (len(subnets), len({s["AvailabilityZone"] for s in subnets})), (6, 3))
    group = asg(c, "financial-prod-asg", (2, 6, 3), 3)
    private = {s["SubnetId"] for s in subnets if any(t["Value"].startswith("financial-prod-private") for t in s.get("Tags", []) if t["Key"] == "Name")}
    if group:
        c.equal("instances in the private subnets", set(group["VPCZoneIdentifier"].split(",")), private)
        launched_tags(c, group, {"Environment": "prod", "Owner": "payments-platform", "CostCenter": "CC-4410",
                                 "Project": "financial", "ManagedBy": "tfsynth"})
    target_group(c, "financial-prod-tg", {"path": "/", "matcher": "200", "healthy": 2, "unhealthy": 2, "timeout": 5, "interval": 30})
    launch_template(c, "financial-prod-")
    flow = c.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    c.check("VPC flow log captures ALL traffic to CloudWatch Logs",
            len(flow) == 1 and flow[0]["TrafficType"] == "ALL" and flow[0]["LogDestinationType"] == "cloud-watch-logs", str(flow))
    alarms(c, {
        "financial-prod-rds-cpu": ("CPUUtilization", 80.0, ["DBInstanceIdentifier"]),
        "financial-prod-rds-connections": ("DatabaseConnections", 80.0, ["DBInstanceIdentifier"]),
        "financial-prod-alb-unhealthy-hosts": ("UnHealthyHostCount", 1.0, ["LoadBalancer", "TargetGroup"]),
        "financial-prod-alb-5xx": ("HTTPCode_ELB_5XX_Count", 10.0, ["LoadBalancer"]),
    })
    no_wildcard_actions(c, "financial-prod")
    alb = edge(c, "financial-prod", "payments.example.com")
    c.equal("alb_arn output", values["alb_arn"]["value"], alb["LoadBalancerArn"])
    topics = [t["TopicArn"] for t in c.client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":financial-prod-alarms")]
    key = encryption_key(c, "financial-prod", topics[0] if topics else "missing")
    c.equal("Performance Insights uses the logs key", db.get("PerformanceInsightsKMSKeyId"), key["Arn"])
    c.equal("RDS exports its logs", sorted(db.get("EnabledCloudwatchLogsExports", [])), ["error", "general", "slowquery"])


def verify_webapp(c, values):
    outputs(c, values, ["alb_dns_name", "alb_zone_id", "sns_topic_arn", "auto_scaling_group_name",
                        "cpu_scaling_policy_name", "unhealthy_alarm_name"])
    default_vpc = c.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    default_subnets = c.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"]
    group = asg(c, "webapp-dev-asg", (1, 3, 1), len(default_subnets))
    if group:
        launched_tags(c, group, {"Environment": "dev", "Owner": "web-team", "CostCenter": "CC-2020",
                                 "Project": "webapp", "ManagedBy": "tfsynth"})
    tg = target_group(c, "webapp-dev-tg", {"path": "/", "matcher": "200", "healthy": 2, "unhealthy": 2, "timeout": 5, "interval": 30})
    c.equal("target group in the default VPC", tg["VpcId"], default_vpc)
    launch_template(c, "webapp-dev-")
    policies = c.client("autoscaling").describe_policies(AutoScalingGroupName="webapp-dev-asg")["ScalingPolicies"]
    tracking = [p for p in policies if p["PolicyType"] == "TargetTrackingScaling"]
    c.check("CPU target tracking at 50%", len(tracking) == 1 and tracking[0]["TargetTrackingConfiguration"]["TargetValue"] == 50.0
            and tracking[0]["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization",
            str(tracking))
    alarms(c, {"webapp-dev-unhealthy-hosts": ("UnHealthyHostCount", 0.0, ["LoadBalancer", "TargetGroup"])})
    topic = values["sns_topic_arn"]["value"]
    alarm = c.client("cloudwatch").describe_alarms(AlarmNames=["webapp-dev-unhealthy-hosts"])["MetricAlarms"]
    c.check("the alarm notifies the stack's topic", bool(alarm) and topic in alarm[0].get("AlarmActions", []))
    roles = no_wildcard_actions(c, "webapp-dev")
    attached = [p["PolicyName"] for r in roles for p in c.client("iam").list_attached_role_policies(RoleName=r)["AttachedPolicies"]]
    c.check("instances can use Systems Manager", "AmazonSSMManagedInstanceCore" in attached, str(attached))
    alb = edge(c, "webapp-dev", "webapp.example.com")
    attributes = {a["Key"]: a["Value"] for a in c.client("elbv2").describe_load_balancer_attributes(
        LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]}
    c.equal("ALB access logs go to the logs bucket", (attributes.get("access_logs.s3.enabled"), attributes.get("access_logs.s3.bucket")),
            ("true", "webapp-dev-logs"))
    c.equal("ALB deletion protection", attributes.get("deletion_protection.enabled"), "false")  # the e2e override, for destroy
    bucket(c, "webapp-dev-logs")
    encryption_key(c, "webapp-dev", topic)


def verify_gone(c):
    prefix = f"{c.stack}-"
    ec2 = c.client("ec2")
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    c.equal("no VPC left besides the default", vpcs, [])
    c.equal("no bucket left", [b["Name"] for b in c.client("s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)], [])
    c.equal("no database left", [d["DBInstanceIdentifier"] for d in c.client("rds").describe_db_instances()["DBInstances"]], [])
    c.equal("no auto scaling group left", [g["AutoScalingGroupName"] for g in c.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]], [])
    c.equal("no load balancer left", [lb["LoadBalancerName"] for lb in c.client("elbv2").describe_load_balancers()["LoadBalancers"]], [])
    c.equal("no alarm left", [a["AlarmName"] for a in c.client("cloudwatch").describe_alarms()["MetricAlarms"] if a["AlarmName"].startswith(prefix)], [])
    c.equal("no topic left", [t["TopicArn"] for t in c.client("sns").list_topics()["Topics"] if prefix in t["TopicArn"]], [])
    c.equal("no role left", [r["RoleName"] for r in c.client("iam").list_roles()["Roles"] if r["RoleName"].startswith(prefix)], [])
    c.equal("no launch template left", [t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"] if t["LaunchTemplateName"].startswith(prefix)], [])
    c.equal("no web ACL left", [a["Name"] for a in c.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"].startswith(prefix)], [])
    c.equal("no key alias left", [a["AliasName"] for a in c.client("kms").list_aliases()["Aliases"] if a["AliasName"].startswith(f"alias/{prefix}")], [])
    logs = c.client("logs").describe_log_groups()["logGroups"]
    c.equal("no log group left", [g["logGroupName"] for g in logs if c.stack in g["logGroupName"]], [])


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    stack, endpoint, what = sys.argv[1:]
    c = Checker(stack, endpoint)
    try:
        if what == "--gone":
            verify_gone(c)
        else:
            with open(what) as f:
                values = json.load(f)
            {"financial": verify_financial, "webapp": verify_webapp}[stack](c, values)
    except Exception as e:  # an API error is a failed check, reported with what was asked
        c.check("the emulator answers every query", False, f"{type(e).__name__}: {e}")
    sys.exit(c.finish())


if __name__ == "__main__":
    main()
