"""The orders queue's consumer through the Lambda entry point, with the events an SQS event source
mapping sends, against the order workflow (from its definition) in moto: one execution per
message, named after it; only failed records are reported for redelivery.

moto does not run the workflow here: executions stay RUNNING until a test stops them.
"""

import pytest
from lambda_support.lazy import Lazy
from order_consumer import app

from tests.handlers.applications_support import client
from tests.handlers.orders_support import (
    create_order_machine,
    executions,
    order_body,
    sqs_event,
    sqs_record,
)

IDS = [
    "0b6f3c1e-6c1d-4c4e-9a4f-3f1b2c3d4e01",
    "0b6f3c1e-6c1d-4c4e-9a4f-3f1b2c3d4e02",
    "0b6f3c1e-6c1d-4c4e-9a4f-3f1b2c3d4e03",
    "0b6f3c1e-6c1d-4c4e-9a4f-3f1b2c3d4e04",
    "0b6f3c1e-6c1d-4c4e-9a4f-3f1b2c3d4e05",
]


@pytest.fixture
def machine(aws, monkeypatch):
    arn = create_order_machine()
    monkeypatch.setattr(
        app, "WORKFLOW", Lazy(lambda: app.OrderWorkflow(client("stepfunctions"), arn))
    )
    return arn


def consume(lambda_context, *records):
    return app.handler(sqs_event(*records), lambda_context)


def test_given_a_batch_of_five_orders_then_five_executions_named_after_the_messages(
    machine, lambda_context
):
    records = [sqs_record(IDS[n], order_body(quantity=n + 1)) for n in range(5)]

    answer = consume(lambda_context, *records)

    assert answer == {"batchItemFailures": []}
    assert executions(machine) == {
        IDS[n]: {
            "input": {
                "id": IDS[n],
                "userId": "demo_user",
                "name": "Margherita",
                "quantity": n + 1,
                "restaurantId": "luigis",
                "createdAt": "2026-12-02T01:23:45.678Z",
            },
            "status": "RUNNING",
        }
        for n in range(5)
    }


def test_the_input_is_json_encoded_once_with_the_quantity_a_number(machine, lambda_context):
    consume(lambda_context, sqs_record(IDS[0], order_body(name='Pizza "🍕"')))

    [listed] = client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    raw = client("stepfunctions").describe_execution(executionArn=listed["executionArn"])["input"]
    assert raw == (
        '{"createdAt":"2026-12-02T01:23:45.678Z","id":"0b6f3c1e-6c1d-4c4e-9a4f-3f1b2c3d4e01",'
        '"name":"Pizza \\"\\ud83c\\udf55\\"","quantity":2,"restaurantId":"luigis",'
        '"userId":"demo_user"}'
    )


def test_given_a_message_redelivered_while_its_execution_runs_then_no_second_and_no_failure(
    machine, lambda_context
):
    consume(lambda_context, sqs_record(IDS[0], order_body()))

    answer = consume(lambda_context, sqs_record(IDS[0], order_body(), receives=2))

    assert answer == {"batchItemFailures": []}
    assert list(executions(machine)) == [IDS[0]]


def test_given_a_message_redelivered_after_its_execution_ended_then_no_second_and_no_failure(
    machine, lambda_context
):
    # Given the first delivery's execution has ended (here: stopped), Step Functions answers a
    # second start of that name with ExecutionAlreadyExists ...
    consume(lambda_context, sqs_record(IDS[0], order_body()))
    [listed] = client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    client("stepfunctions").stop_execution(executionArn=listed["executionArn"])

    answer = consume(lambda_context, sqs_record(IDS[0], order_body(), receives=2))

    # ... and the consumer recognises its own input: done, nothing new runs.
    assert answer == {"batchItemFailures": []}
    assert {name: e["status"] for name, e in executions(machine).items()} == {IDS[0]: "ABORTED"}


def test_given_the_messages_execution_name_taken_by_another_input_then_that_record_fails(
    machine, lambda_context
):
    taken = client("stepfunctions").start_execution(
        stateMachineArn=machine, name=IDS[0], input='{"something": "else"}'
    )
    client("stepfunctions").stop_execution(executionArn=taken["executionArn"])

    answer = consume(
        lambda_context, sqs_record(IDS[0], order_body()), sqs_record(IDS[1], order_body())
    )

    assert answer == {"batchItemFailures": [{"itemIdentifier": IDS[0]}]}
    assert executions(machine)[IDS[0]]["input"] == {"something": "else"}
    assert set(executions(machine)) == {IDS[0], IDS[1]}


def test_given_a_malformed_record_among_good_ones_then_it_alone_fails_and_the_others_start(
    machine, lambda_context
):
    records = [
        sqs_record(IDS[0], order_body()),
        sqs_record(IDS[1], order_body(quantity=0)),
        sqs_record(IDS[2], order_body()),
        sqs_record(IDS[3], "not json"),
        sqs_record(IDS[4], order_body(orderStatus="SUCCESS")),
    ]

    answer = consume(lambda_context, *records)

    assert answer == {
        "batchItemFailures": [
            {"itemIdentifier": IDS[1]},
            {"itemIdentifier": IDS[3]},
            {"itemIdentifier": IDS[4]},
        ]
    }
    assert set(executions(machine)) == {IDS[0], IDS[2]}


def test_given_a_batch_where_every_record_is_malformed_then_all_are_reported_not_raised(
    machine, lambda_context
):
    answer = consume(
        lambda_context, sqs_record(IDS[0], "{}"), sqs_record(IDS[1], order_body(userId=""))
    )

    assert answer == {"batchItemFailures": [{"itemIdentifier": IDS[0]}, {"itemIdentifier": IDS[1]}]}
    assert executions(machine) == {}


def test_given_a_body_without_created_at_then_the_time_sqs_received_the_message(
    machine, lambda_context
):
    record = sqs_record(IDS[0], order_body(createdAt=None), sent_timestamp="1796178225000")

    consume(lambda_context, record)

    assert executions(machine)[IDS[0]]["input"]["createdAt"] == "2026-12-02T02:23:45.000Z"


def test_given_a_body_without_created_at_then_a_redelivery_gives_the_same_input(
    machine, lambda_context
):
    # SentTimestamp is when SQS first received the message: the same on every delivery.
    record = sqs_record(IDS[0], order_body(createdAt=None), sent_timestamp="1796178225000")
    consume(lambda_context, record)

    answer = consume(lambda_context, {**record, "receiptHandle": "AQEBsecond"})

    assert answer == {"batchItemFailures": []}
    assert list(executions(machine)) == [IDS[0]]


def test_given_no_created_at_and_no_sent_timestamp_then_the_record_fails(machine, lambda_context):
    record = sqs_record(IDS[0], order_body(createdAt=None), sent_timestamp=None)

    answer = consume(lambda_context, record, sqs_record(IDS[1], order_body()))

    assert answer == {"batchItemFailures": [{"itemIdentifier": IDS[0]}]}
    assert list(executions(machine)) == [IDS[1]]


def test_given_a_created_at_in_another_zone_then_the_input_has_it_in_utc(machine, lambda_context):
    consume(lambda_context, sqs_record(IDS[0], order_body(createdAt="2026-12-02T02:23:45+01:00")))

    assert executions(machine)[IDS[0]]["input"]["createdAt"] == "2026-12-02T01:23:45.000Z"


def test_the_workflow_is_the_state_machine_in_the_environment(machine, monkeypatch, lambda_context):
    monkeypatch.setenv("STATE_MACHINE_ARN", machine)
    monkeypatch.setattr(app, "WORKFLOW", Lazy(app._workflow))

    assert consume(lambda_context, sqs_record(IDS[0], order_body())) == {"batchItemFailures": []}
    assert list(executions(machine)) == [IDS[0]]
