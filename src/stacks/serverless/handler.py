"""Order intake: API Gateway posts an order, S3 uploads arrive through SQS,
and a schedule sweeps stale orders. Every path writes to the orders table."""
import json
import os
import time
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    if "requestContext" in event:  # HTTP API
        order = json.loads(event.get("body") or "{}")
        order_id = str(uuid.uuid4())
        TABLE.put_item(Item={"pk": order_id, "status": "received", **order})
        return {"statusCode": 201, "body": json.dumps({"id": order_id})}
    if "Records" in event:  # SQS messages carrying S3 notifications
        for record in event["Records"]:
            body = json.loads(record["body"])
            for s3 in body.get("Records", []):
                key = s3["s3"]["object"]["key"]
                TABLE.put_item(Item={"pk": f"upload/{key}", "status": "uploaded"})
        return {"batchItemFailures": []}
    # The scheduled sweep.
    TABLE.put_item(Item={"pk": "sweep", "at": int(time.time())})
    return {"swept": True}
