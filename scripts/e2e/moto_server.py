#!/usr/bin/env python3
"""moto_server with small, documented fixes for the places where moto 5.2.5
answers differently from AWS in ways the AWS provider reads back, so that a
second plan would show changes that real AWS would not. The stacks are never
changed to suit the emulator; the emulator is patched to behave like AWS.

Usage: moto_server.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)
"""
import json
import sys

from moto.autoscaling import models as autoscaling_models
from moto.ec2.models import instances as ec2_instances
from moto.ec2.models import launch_templates
from moto.ec2.utils import convert_tag_spec
from moto.ec2.models import security_groups
from moto.rds import models as rds_models
from moto.sqs import models as sqs_models


# Gap: AWS returns the description of a rule whose peer is a security group;
# moto keeps it with the peer group and never returns it.
def _rule_description(rule):
    return rule.ip_range.get("Description") or (rule.source_group or {}).get("Description")


security_groups.SecurityGroupRule.description = property(_rule_description)

# Gap: moto copies the tags of the launch template itself (resource type
# "launch-template", which the provider sends from default_tags) into the
# template's data, so every apply makes a new version. AWS keeps them apart.
_version_init = launch_templates.LaunchTemplateVersion.__init__


def _version_without_own_tags(self, template, number, data, description):
    data = dict(data)
    specs = [s for s in data.get("TagSpecifications", []) if s.get("ResourceType") != "launch-template"]
    if specs:
        data["TagSpecifications"] = specs
    else:
        data.pop("TagSpecifications", None)
    _version_init(self, template, number, data, description)


launch_templates.LaunchTemplateVersion.__init__ = _version_without_own_tags

# Gap: AWS tags the volumes of an instance launched from a template with the
# template's "volume" tag specification (an auto scaling group launches that
# way); moto applies only its "instance" one and leaves the volumes untagged.
_run_instances = ec2_instances.InstanceBackend.run_instances


def _run_instances_with_volume_tags(self, image_id, count, user_data, security_group_names, **kwargs):
    if kwargs.get("launch_template"):
        template = self._get_template_from_args(kwargs["launch_template"])
        volume = convert_tag_spec(template.data.get("TagSpecifications", [])).get("volume", {})
        if volume:
            tags = dict(kwargs.get("tags") or {})
            tags["volume"] = {**volume, **tags.get("volume", {})}
            kwargs["tags"] = tags
    return _run_instances(self, image_id, count, user_data, security_group_names, **kwargs)


ec2_instances.InstanceBackend.run_instances = _run_instances_with_volume_tags

# Gap: AWS reports every scaling policy as Enabled and has no predictive
# scaling block unless one was configured; moto omits the first and returns
# an empty second.
_policy_init = autoscaling_models.FakeScalingPolicy.__init__


def _policy_like_aws(self, *args, **kwargs):
    _policy_init(self, *args, **kwargs)
    self.enabled = True
    if not self.predictive_scaling_configuration:
        self.predictive_scaling_configuration = None


autoscaling_models.FakeScalingPolicy.__init__ = _policy_like_aws

# Gap: moto accepts EnablePerformanceInsights and PerformanceInsightsKMSKeyId
# but never reports them back.
_db_init = rds_models.DBInstance.__init__


def _db_reports_performance_insights(self, *args, **kwargs):
    _db_init(self, *args, **kwargs)
    self.performance_insights_enabled = bool(kwargs.get("enable_performance_insights", False))
    if self.performance_insights_enabled:
        self.performance_insights_kms_key_id = kwargs.get("performance_insights_kms_key_id")


rds_models.DBInstance.__init__ = _db_reports_performance_insights

# Gap: AWS marks parameters set through ModifyDBParameterGroup with
# Source "user", which is what the provider reads back; moto has no Source.
_update_parameters = rds_models.DBParameterGroup.update_parameters


def _user_parameters(self, new_parameters):
    _update_parameters(self, [dict(p, Source="user") for p in new_parameters])


rds_models.DBParameterGroup.update_parameters = _user_parameters

# Gap: AWS returns a queue's RedrivePolicy and Policy as compact JSON, as
# they were sent; moto re-serializes them with spaces after ',' and ':', which
# the provider reads back as a change ("whitespace changes") on every plan.
_queue_attributes = sqs_models.Queue.attributes


def _compact(text):
    return json.dumps(json.loads(text), separators=(",", ":"))


def _compact_attributes(self):
    result = dict(_queue_attributes.fget(self))
    for key in ("RedrivePolicy", "Policy"):
        if result.get(key):
            result[key] = _compact(result[key])
    return result


sqs_models.Queue.attributes = property(_compact_attributes)

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
