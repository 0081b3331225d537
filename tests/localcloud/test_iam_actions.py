"""The IAM actions and resource ARNs an API call is authorized as.

Each section pins one page of the Service Authorization Reference (SAR),
https://docs.aws.amazon.com/service-authorization/latest/reference/<page>, or the service guide
page named beside a test. Expected ARNs are written out in full on purpose.
"""

from __future__ import annotations

import pytest

from localcloud.iam_actions import (
    Authorization,
    InvalidRequestError,
    UnknownOperationError,
    authorizations,
)

REGION = "us-east-1"
ACCOUNT = "123456789012"


def needed(service: str, operation: str, **params) -> list[tuple[str, str]]:
    """(action, resource) pairs, flattened for readable expectations."""
    return [
        (authorization.action, resource)
        for authorization in authorizations(service, operation, params, REGION, ACCOUNT)
        for resource in authorization.resources
    ]


# -- DynamoDB: list_amazondynamodb.html ---------------------------------------------------------


@pytest.mark.parametrize("operation", ["GetItem", "PutItem", "UpdateItem", "DeleteItem"])
def test_dynamodb_item_calls_act_on_the_table(operation):
    assert needed("dynamodb", operation, TableName="Tasks", Key={}) == [
        (f"dynamodb:{operation}", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks")
    ]


def test_dynamodb_takes_the_table_by_arn_too():
    arn = "arn:aws:dynamodb:eu-west-1:210987654321:table/Other"
    assert needed("dynamodb", "DescribeTable", TableName=arn) == [("dynamodb:DescribeTable", arn)]


@pytest.mark.parametrize("operation", ["Query", "Scan"])
def test_dynamodb_reads_act_on_the_table_without_an_index(operation):
    assert needed("dynamodb", operation, TableName="Tasks") == [
        (f"dynamodb:{operation}", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks")
    ]


@pytest.mark.parametrize("operation", ["Query", "Scan"])
def test_dynamodb_reads_of_an_index_act_on_the_index_alone(operation):
    assert needed("dynamodb", operation, TableName="Tasks", IndexName="state") == [
        (f"dynamodb:{operation}", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks/index/state")
    ]


def test_dynamodb_batch_get_is_authorized_once_per_table():
    request = {"Tasks": {"Keys": []}, "arn:aws:dynamodb:us-east-1:123456789012:table/Runs": {}}
    assert needed("dynamodb", "BatchGetItem", RequestItems=request) == [
        ("dynamodb:BatchGetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks"),
        ("dynamodb:BatchGetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Runs"),
    ]


def test_dynamodb_batch_write_is_authorized_once_per_table():
    request = {"Tasks": [{"PutRequest": {}}], "Runs": [{"DeleteRequest": {}}]}
    assert needed("dynamodb", "BatchWriteItem", RequestItems=request) == [
        ("dynamodb:BatchWriteItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks"),
        ("dynamodb:BatchWriteItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Runs"),
    ]


def test_dynamodb_transact_write_needs_each_items_own_action():
    # amazondynamodb/latest/developerguide/transaction-apis-iam.html
    items = [
        {"Put": {"TableName": "Tasks", "Item": {}}},
        {"Update": {"TableName": "Tasks", "Key": {}}},
        {"Put": {"TableName": "Tasks", "Item": {}}},
        {"ConditionCheck": {"TableName": "Runs", "Key": {}}},
        {"Delete": {"TableName": "Runs", "Key": {}}},
    ]
    assert needed("dynamodb", "TransactWriteItems", TransactItems=items) == [
        ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks"),
        ("dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks"),
        ("dynamodb:ConditionCheckItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Runs"),
        ("dynamodb:DeleteItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Runs"),
    ]


def test_dynamodb_transact_get_needs_get_item():
    items = [{"Get": {"TableName": "Tasks", "Key": {}}}]
    assert needed("dynamodb", "TransactGetItems", TransactItems=items) == [
        ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks")
    ]


def test_dynamodb_without_a_table_is_refused():
    with pytest.raises(InvalidRequestError, match="TableName"):
        needed("dynamodb", "GetItem", Key={})


# -- Step Functions: list_awsstepfunctions.html -------------------------------------------------

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1"


@pytest.mark.parametrize(
    "operation",
    ["StartExecution", "StartSyncExecution", "DescribeStateMachine", "ListExecutions"],
)
def test_state_machine_calls_act_on_the_state_machine(operation):
    assert needed("stepfunctions", operation, stateMachineArn=MACHINE) == [
        (f"states:{operation}", "arn:aws:states:us-east-1:123456789012:stateMachine:Orders")
    ]


@pytest.mark.parametrize("operation", ["DescribeExecution", "StopExecution", "GetExecutionHistory"])
def test_execution_calls_act_on_the_execution(operation):
    assert needed("stepfunctions", operation, executionArn=EXECUTION) == [
        (f"states:{operation}", "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1")
    ]


def test_listing_a_map_runs_executions_acts_on_the_map_run():
    map_run = "arn:aws:states:us-east-1:123456789012:mapRun:Orders/items:0a1b"
    assert needed("stepfunctions", "ListExecutions", mapRunArn=map_run) == [
        ("states:ListExecutions", "arn:aws:states:us-east-1:123456789012:mapRun:Orders/items:0a1b")
    ]


# AWS denies these "on resource: arn:aws:states:<region>:<account>:stateMachine:<name>" of the
# execution that issued the token; the AWS SAM policy template StepFunctionsCallbackPolicy grants
# them on that state machine ARN.
@pytest.mark.parametrize("operation", ["SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"])
def test_task_token_calls_are_authorized_on_the_state_machine_that_issued_the_token(operation):
    owners = {"token-1": "arn:aws:states:us-east-1:123456789012:stateMachine:Reviews"}
    found = authorizations(
        "stepfunctions",
        operation,
        {"taskToken": "token-1"},
        REGION,
        ACCOUNT,
        token_owner=owners.get,
    )

    assert [(a.action, a.resources) for a in found] == [
        (f"states:{operation}", ("arn:aws:states:us-east-1:123456789012:stateMachine:Reviews",))
    ]


def test_a_token_no_execution_waits_for_is_left_to_step_functions_to_refuse():
    assert needed("stepfunctions", "SendTaskSuccess", taskToken="unknown") == []


# -- Lambda: list_awslambda.html; lambda/latest/dg/lambda-api-permissions-ref.html --------------

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:resize"


@pytest.mark.parametrize(
    "function_name",
    [
        "resize",
        "123456789012:function:resize",
        "arn:aws:lambda:us-east-1:123456789012:function:resize",
    ],
)
def test_invoke_by_name_partial_arn_or_arn_acts_on_the_function(function_name):
    assert needed("lambda", "Invoke", FunctionName=function_name) == [
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:resize")
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"FunctionName": "resize:live"},
        {"FunctionName": "resize", "Qualifier": "live"},
        {"FunctionName": "123456789012:function:resize:live"},
        {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:resize:live"},
        {
            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:resize:live",
            "Qualifier": "live",
        },
    ],
)
def test_a_qualified_invoke_acts_on_the_qualified_arn(params):
    assert needed("lambda", "Invoke", **params) == [
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:resize:live")
    ]


def test_invoking_a_version_or_latest_acts_on_that_version():
    assert needed("lambda", "Invoke", FunctionName="resize", Qualifier="7") == [
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:resize:7")
    ]
    assert needed("lambda", "Invoke", FunctionName="resize:$LATEST") == [
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:resize:$LATEST")
    ]


def test_a_function_of_another_account_or_region_keeps_its_own():
    assert needed(
        "lambda", "Invoke", FunctionName="arn:aws:lambda:eu-west-1:210987654321:function:f"
    ) == [("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:210987654321:function:f")]
    assert needed("lambda", "Invoke", FunctionName="210987654321:function:f") == [
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:210987654321:function:f")
    ]


def test_conflicting_qualifiers_are_refused():
    with pytest.raises(InvalidRequestError, match="qualifier"):
        needed("lambda", "Invoke", FunctionName="resize:live", Qualifier="7")


def test_a_malformed_function_name_is_refused():
    with pytest.raises(InvalidRequestError, match="not a function"):
        needed("lambda", "Invoke", FunctionName="arn:aws:sqs:us-east-1:123456789012:q")


def test_invoke_async_and_get_function_have_their_own_actions():
    assert needed("lambda", "InvokeAsync", FunctionName="resize", InvokeArgs=b"{}") == [
        ("lambda:InvokeAsync", "arn:aws:lambda:us-east-1:123456789012:function:resize")
    ]
    assert needed("lambda", "GetFunction", FunctionName="resize", Qualifier="live") == [
        ("lambda:GetFunction", "arn:aws:lambda:us-east-1:123456789012:function:resize:live")
    ]


# -- SQS: list_amazonsqs.html; SQSDeveloperGuide/sqs-batch-api-actions.html ---------------------

QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("SendMessage", "sqs:SendMessage"),
        ("SendMessageBatch", "sqs:SendMessage"),
        ("ReceiveMessage", "sqs:ReceiveMessage"),
        ("DeleteMessage", "sqs:DeleteMessage"),
        ("DeleteMessageBatch", "sqs:DeleteMessage"),
        ("ChangeMessageVisibility", "sqs:ChangeMessageVisibility"),
        ("GetQueueAttributes", "sqs:GetQueueAttributes"),
    ],
)
def test_queue_calls_act_on_the_queue_of_the_url(operation, action):
    assert needed("sqs", operation, QueueUrl=QUEUE_URL) == [
        (action, "arn:aws:sqs:eu-west-1:123456789012:jobs")
    ]


@pytest.mark.parametrize(
    ("url", "arn"),
    [
        (
            "https://eu-west-2.queue.amazonaws.com/123456789012/jobs",
            "arn:aws:sqs:eu-west-2:123456789012:jobs",
        ),
        (
            "https://queue.amazonaws.com/123456789012/jobs",
            "arn:aws:sqs:us-east-1:123456789012:jobs",
        ),
        # A local endpoint's URL names no region: the queue is where the call was made.
        (
            "http://127.0.0.1:4566/123456789012/jobs.fifo",
            "arn:aws:sqs:us-east-1:123456789012:jobs.fifo",
        ),
    ],
)
def test_legacy_and_local_queue_urls(url, arn):
    assert needed("sqs", "SendMessage", QueueUrl=url) == [("sqs:SendMessage", arn)]


def test_a_url_that_is_not_a_queue_is_refused():
    with pytest.raises(InvalidRequestError, match="not a queue URL"):
        needed("sqs", "SendMessage", QueueUrl="https://sqs.us-east-1.amazonaws.com/jobs")


def test_get_queue_url_acts_on_the_named_queue():
    assert needed("sqs", "GetQueueUrl", QueueName="jobs") == [
        ("sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:123456789012:jobs")
    ]
    assert needed(
        "sqs", "GetQueueUrl", QueueName="jobs", QueueOwnerAWSAccountId="210987654321"
    ) == [("sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:210987654321:jobs")]


# -- SNS: list_amazonsns.html -------------------------------------------------------------------


def test_publish_acts_on_the_topic_or_the_target():
    topic = "arn:aws:sns:us-east-1:123456789012:alerts"
    endpoint = "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/0a1b"
    assert needed("sns", "Publish", TopicArn=topic, Message="m") == [
        ("sns:Publish", "arn:aws:sns:us-east-1:123456789012:alerts")
    ]
    assert needed("sns", "Publish", TargetArn=endpoint, Message="m") == [
        ("sns:Publish", "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/0a1b")
    ]


def test_publishing_to_a_phone_number_is_not_modelled():
    with pytest.raises(InvalidRequestError, match="TargetArn"):
        needed("sns", "Publish", PhoneNumber="+15555550100", Message="m")


def test_subscribe_acts_on_the_topic():
    topic = "arn:aws:sns:us-east-1:123456789012:alerts"
    assert needed("sns", "Subscribe", TopicArn=topic, Protocol="sqs") == [
        ("sns:Subscribe", "arn:aws:sns:us-east-1:123456789012:alerts")
    ]


# -- EventBridge: list_amazoneventbridge.html ---------------------------------------------------


def test_put_events_is_authorized_once_per_bus_named_or_default():
    entries = [
        {"Source": "a", "DetailType": "t", "Detail": "{}"},
        {"Source": "a", "DetailType": "t", "Detail": "{}", "EventBusName": "orders"},
        {"EventBusName": "arn:aws:events:us-east-1:210987654321:event-bus/shared"},
        {"EventBusName": "orders"},
    ]
    assert needed("events", "PutEvents", Entries=entries) == [
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default"),
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/orders"),
        ("events:PutEvents", "arn:aws:events:us-east-1:210987654321:event-bus/shared"),
    ]


# -- CloudWatch Logs: list_amazoncloudwatchlogs.html --------------------------------------------


@pytest.mark.parametrize("operation", ["CreateLogStream", "PutLogEvents"])
def test_log_calls_act_on_the_log_stream(operation):
    params = {"logGroupName": "/aws/lambda/resize", "logStreamName": "2024/01/01/[$LATEST]0a1b"}
    assert needed("logs", operation, **params) == [
        (
            f"logs:{operation}",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/resize"
            ":log-stream:2024/01/01/[$LATEST]0a1b",
        )
    ]


# -- STS: list_awssecuritytokenservice.html; STS API reference, GetCallerIdentity ---------------


def test_get_caller_identity_needs_no_permission():
    assert authorizations("sts", "GetCallerIdentity", {}, REGION, ACCOUNT) == []


# -- anything else ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("iam", "CreateRole"),
        ("dynamodb", "DeleteTable"),
        ("s3", "GetObject"),
        ("states", "StartExecution"),
    ],
)
def test_an_unknown_operation_raises_rather_than_allowing(service, operation):
    with pytest.raises(UnknownOperationError, match=f"{service} {operation}"):
        authorizations(service, operation, {}, REGION, ACCOUNT)


def test_the_partition_comes_from_the_caller():
    assert authorizations(
        "dynamodb", "GetItem", {"TableName": "T"}, "cn-north-1", ACCOUNT, partition="aws-cn"
    ) == [
        Authorization("dynamodb:GetItem", ("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/T",))
    ]
