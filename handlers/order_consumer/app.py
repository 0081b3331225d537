"""Lambda entry point of the orders queue's consumer: one workflow execution per message.

SQS delivers at least once, so the execution is named after the message id and its input is built
only from the message (``orders.messages``): a redelivered message asks for the same execution
with the same input, and ``lambda_support.executions`` counts it done without starting a second.
Records are processed one by one with Powertools' batch processing and only those that failed are
reported (``batchItemFailures``): SQS redelivers them alone and, after the queue's maximum
receives, moves them to the dead-letter queue. A malformed body fails with
``MalformedOrderMessageError``; an execution name taken by another input with
``ExecutionNameTakenError``. A batch in which every record failed is reported the same way (not
raised), so the answer always says exactly which messages to redeliver.

AWS calls: ``states:StartExecution`` on the state machine, ``states:DescribeExecution`` on its
executions (only for a redelivered message whose execution has finished).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from lambda_support.executions import Execution, start_execution_once
from lambda_support.lazy import Lazy
from orders.messages import QueuedOrder, parse_body

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@dataclass(frozen=True)
class OrderWorkflow:
    client: Any
    """A boto3 Step Functions client."""
    state_machine_arn: str

    def start(self, order_id: str, order: QueuedOrder) -> Execution:
        return start_execution_once(
            self.client, self.state_machine_arn, order_id, order.execution_input(order_id)
        )


def _workflow() -> OrderWorkflow:
    return OrderWorkflow(boto3.client("stepfunctions"), os.environ["STATE_MACHINE_ARN"])


# The client is built on first use, once per execution environment, so importing needs no
# environment; tests replace it.
WORKFLOW = Lazy(_workflow)


def start_order(record: SQSRecord) -> str:
    """Start the workflow of the order in one message; returns the execution's ARN."""
    try:
        order = parse_body(record.body, (record.get("attributes") or {}).get("SentTimestamp"))
        execution = WORKFLOW.get().start(record.message_id, order)
    except Exception as error:
        logger.warning(
            "order message failed; SQS will redeliver it",
            extra={"message_id": record.get("messageId"), "error_type": type(error).__name__},
            exc_info=error,
        )
        raise
    logger.info(
        "order workflow started",
        extra={"order_id": record.message_id, "execution_arn": execution.execution_arn},
    )
    return execution.execution_arn


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=start_order, processor=processor, context=context
    )
