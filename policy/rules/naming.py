"""How a violation message names the resource it is about, first thing: its kind and its Pulumi
name (the logical name in the program, which is what a reader can search for)."""

from __future__ import annotations

KINDS: dict[str, str] = {
    "aws:iam/role:Role": "IAM role",
    "aws:iam/rolePolicy:RolePolicy": "IAM role policy",
    "aws:iam/policy:Policy": "IAM policy",
    "aws:iam/userPolicy:UserPolicy": "IAM user policy",
    "aws:iam/groupPolicy:GroupPolicy": "IAM group policy",
    "aws:sqs/queue:Queue": "SQS queue",
    "aws:sqs/queuePolicy:QueuePolicy": "SQS queue policy",
    "aws:sqs/redrivePolicy:RedrivePolicy": "SQS redrive policy",
    "aws:sns/topic:Topic": "SNS topic",
    "aws:sns/topicPolicy:TopicPolicy": "SNS topic policy",
    "aws:sns/topicSubscription:TopicSubscription": "SNS subscription",
    "aws:kms/key:Key": "KMS key",
    "aws:kms/keyPolicy:KeyPolicy": "KMS key policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "EventBridge bus policy",
    "aws:cloudwatch/eventTarget:EventTarget": "EventBridge target",
    "aws:cloudwatch/logGroup:LogGroup": "Log group",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "CloudWatch Logs resource policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "DynamoDB resource policy",
    "aws:dynamodb/table:Table": "DynamoDB table",
    "aws:lambda/function:Function": "Lambda function",
    "aws:lambda/permission:Permission": "Lambda permission",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "Event source mapping",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "Event invoke config",
    "aws:sfn/stateMachine:StateMachine": "State machine",
}


def subject(resource_type: str, name: str) -> str:
    """``SQS queue 'orders-queue-messages'``; an unlisted type by the last part of its token."""
    return f"{KINDS.get(resource_type, resource_type.rpartition(':')[2])} '{name}'"
