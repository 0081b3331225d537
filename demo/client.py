"""What every system's client does the same way: invoke a function, list a machine's executions."""

from __future__ import annotations

import json
import uuid
from typing import Any

from localcloud import LocalCloud


def invoke(cloud: LocalCloud, function_name: str, event: Any) -> tuple[bool, Any]:
    """Invoke a function synchronously as a client would: (errored, decoded payload)."""
    response = cloud.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(event))
    return bool(response.get("FunctionError")), json.loads(response["Payload"].read() or b"null")


def set_environment_variable(cloud: LocalCloud, function_name: str, name: str, value: str) -> str:
    """Change one of a function's environment variables, as an operator changes its
    configuration (its new execution environments read it); returns the value it had."""
    client = cloud.client("lambda")
    configuration = client.get_function_configuration(FunctionName=function_name)
    variables = configuration["Environment"]["Variables"]
    client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": {**variables, name: value}}
    )
    return str(variables.get(name, ""))


def executions(cloud: LocalCloud, state_machine_arn: str) -> list[dict[str, Any]]:
    """Every execution of the state machine, newest first."""
    paginator = cloud.client("stepfunctions").get_paginator("list_executions")
    pages = paginator.paginate(stateMachineArn=state_machine_arn)
    return [execution for page in pages for execution in page["executions"]]


class Subscriber:
    """A queue of the caller's subscribed to an SNS topic, as a subscriber would set it up: the
    queue lets this topic alone send to it."""

    def __init__(self, cloud: LocalCloud, topic_arn: str) -> None:
        self._sqs = cloud.client("sqs")
        name = f"subscriber-{uuid.uuid4().hex[:8]}"
        self.queue_url: str = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self._sqs.set_queue_attributes(
            QueueUrl=self.queue_url,
            Attributes={"Policy": _topic_may_send(queue_arn, topic_arn)},
        )
        cloud.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    def notifications(self) -> list[dict[str, Any]]:
        """Every notification delivered so far (SNS's JSON envelopes), each read once."""
        received: list[dict[str, Any]] = []
        while True:
            batch = self._sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return received
            for message in batch:
                received.append(json.loads(message["Body"]))
                self._sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )


def _topic_may_send(queue_arn: str, topic_arn: str) -> str:
    # "Amazon SNS: Subscribe an Amazon SQS queue to an Amazon SNS topic": the queue policy.
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
    )
