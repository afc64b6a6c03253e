"""Checks the many-stacks example on moto through the AWS API.

Usage: verify_many.py ENDPOINT STATE_BUCKET applied PLATFORM_OUTPUTS SERVICE_OUTPUTS
       verify_many.py ENDPOINT STATE_BUCKET gone PLATFORM_OUTPUTS

applied: the service read the platform's outputs from its state (the same
key and topic), its queue is encrypted with that key and subscribed to
that topic, and the state objects are where the backends say, with no lock
left behind. gone: after destroy, nothing but the state bucket is left
(the key waits for deletion, as KMS keys do). Prints one line per check
and exits 1 on any failure.
"""

import json
import sys

import boto3

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def client(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def main():
    endpoint, bucket, mode = sys.argv[1:4]
    s3, sqs, sns, kms = (client(endpoint, s) for s in ("s3", "sqs", "sns", "kms"))
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
    check(
        keys == ["platform/terraform.tfstate", "service/terraform.tfstate"],
        f"state objects where the backends say, no lock left: {keys}",
    )
    if mode == "applied":
        with open(sys.argv[4]) as f:
            platform = json.load(f)
        with open(sys.argv[5]) as f:
            service = json.load(f)
        key_arn = platform["key_arn"]["value"]
        topic_arn = platform["alarm_topic_arn"]["value"]
        check(service["key_arn"]["value"] == key_arn, "the service read the platform's key from its state")
        check(service["topic_arn"]["value"] == topic_arn, "the service read the platform's topic from its state")
        url = service["queue_url"]["value"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        check(attrs.get("KmsMasterKeyId") == key_arn, "the queue is encrypted with the platform's key")
        subs = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        check(
            any(s["Protocol"] == "sqs" and s["Endpoint"] == attrs["QueueArn"] for s in subs),
            "the queue is subscribed to the platform's topic",
        )
        state = json.loads(s3.get_object(Bucket=bucket, Key="service/terraform.tfstate")["Body"].read())
        check(
            any(r.get("type") == "terraform_remote_state" for r in state.get("resources", [])),
            "the service's state records its read of the platform's state",
        )
    else:
        buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        check(buckets == [bucket], f"only the state bucket is left: {buckets}")
        check(not sqs.list_queues().get("QueueUrls"), "no queue is left")
        check(not sns.list_topics()["Topics"], "no topic is left")
        with open(sys.argv[4]) as f:
            key_arn = json.load(f)["key_arn"]["value"]
        state = kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyState"]
        check(state == "PendingDeletion", f"the platform's key waits for deletion: {state}")
    print(f"many stacks: {'0 failed' if failures == 0 else f'{failures} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
