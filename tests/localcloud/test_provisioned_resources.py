"""Provisioning queues, topics, subscriptions, event source mappings and AppSync APIs into moto as
the Pulumi AWS provider creates them on AWS, and what the emulator then does with them.

Each test creates resources through ``MotoProvisioner`` with the inputs a program's mocks see
(camelCase wire names, numbers as floats), so what it checks is what ``deploy()`` does.
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from pulumi.runtime.mocks import MockResourceArgs

from localcloud.aws_types import RESOURCE_TYPES, Placement, UnsupportedResourceError
from localcloud.cloud import Emulator
from localcloud.layers import ManagedLayers
from localcloud.provisioner import CreatedResource, MotoProvisioner
from tests.localcloud.conftest import allows, make_function, role, trust
from tests.localcloud.test_sqs_event_source import counts, drain_queue, send
from tests.localcloud.test_stepfunctions_fixes import machine, wait

CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
# Reports every record it gets as failed (ReportBatchItemFailures), so nothing is ever processed.
ALWAYS_FAILS = """
def handler(event, context):
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}
"""
ORDER_SCHEMA = "type Order { id: String! name: String! } type Query { order(id: String!): Order }"
ORDER = """
def handler(event, context):
    return {"id": event["arguments"]["id"], "name": "tea"}
"""

PROVISIONED_HERE = frozenset(
    {
        "aws:sqs/queue:Queue",
        "aws:sns/topic:Topic",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:appsync/graphQLApi:GraphQLApi",
        "aws:appsync/apiKey:ApiKey",
        "aws:appsync/dataSource:DataSource",
        "aws:appsync/resolver:Resolver",
    }
)
"""The types these tests provision and check against the table (test_provisioner checks the
others with the program's dev stack)."""


def assert_shaped_as_the_table(placement: Placement, resource: CreatedResource) -> None:
    """The recording mocks answer with the table's shapes: moto's own answers must agree."""
    resource_id, shaped = RESOURCE_TYPES[resource.type].shape(
        placement, resource.outputs["name"], resource.inputs, made_up_id=resource.id
    )
    assert resource_id == resource.id, resource.name
    assert {key: resource.outputs[key] for key in shaped} == shaped, resource.name


class Provisioner:
    def __init__(self, aws: Emulator) -> None:
        self.placement = Placement(
            aws.region,
            aws.account_id,
            api_base_url=aws.front_door.url,
            graphql_base_url=aws.graphql.url,
        )
        self.mocks = MotoProvisioner(self.placement, ManagedLayers(aws.account_id))

    def create(self, kind: str, logical_name: str, /, **inputs: Any) -> dict[str, Any]:
        """The outputs of the resource, after checking them against the table."""
        args = MockResourceArgs(f"aws:{kind}", logical_name, inputs, "", "", custom=True)
        self.mocks.new_resource(args)
        resource = self.mocks.created[-1]
        assert_shaped_as_the_table(self.placement, resource)
        return resource.outputs


def attributes(queue_url: str) -> dict[str, str]:
    return boto3.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])[
        "Attributes"
    ]


def consumer_queue(provision: Provisioner, max_receive_count: int = 4) -> dict[str, Any]:
    """The program's queue: server-side encrypted, redriving to a dead-letter queue."""
    dead_letters = provision.create(
        "sqs/queue:Queue",
        "orders-dead-letters",
        messageRetentionSeconds=1209600.0,
        sqsManagedSseEnabled=True,
    )
    redrive = {"deadLetterTargetArn": dead_letters["arn"], "maxReceiveCount": max_receive_count}
    queue = provision.create(
        "sqs/queue:Queue",
        "orders-messages",
        visibilityTimeoutSeconds=30.0,
        sqsManagedSseEnabled=True,
        redrivePolicy=json.dumps(redrive),
    )
    return {"queue": queue, "dead_letters": dead_letters}


def test_a_queue_is_created_with_the_programs_attributes_and_its_url_is_its_id(aws):
    provision = Provisioner(aws)

    queues = consumer_queue(provision)

    queue, dead_letters = queues["queue"], queues["dead_letters"]
    assert queue["id"] == queue["url"]
    assert queue["url"].endswith(f"/{aws.account_id}/{queue['name']}")
    created = attributes(queue["url"])
    assert (
        created.items()
        >= {
            "QueueArn": queue["arn"],
            "VisibilityTimeout": "30",
            "SqsManagedSseEnabled": "true",
        }.items()
    )
    assert json.loads(created["RedrivePolicy"]) == {
        "deadLetterTargetArn": dead_letters["arn"],
        "maxReceiveCount": 4,
    }
    assert attributes(dead_letters["url"])["MessageRetentionPeriod"] == "1209600"


def test_a_topic_uses_its_kms_key_and_an_email_subscription_stays_pending(aws):
    # SNS API Reference, Subscribe: the endpoint's owner must confirm the subscription; until
    # then it is pending (PendingConfirmation, "Amazon SNS email subscription setup and
    # management"), and no one confirms it here.
    provision = Provisioner(aws)
    sns = boto3.client("sns")

    topic = provision.create("sns/topic:Topic", "order-alerts", kmsMasterKeyId="alias/aws/sns")
    email = provision.create(
        "sns/topicSubscription:TopicSubscription",
        "order-alerts-email",
        topic=topic["arn"],
        protocol="email",
        endpoint="ops@example.com",
    )

    assert topic["id"] == topic["arn"]
    assert sns.get_topic_attributes(TopicArn=topic["arn"])["Attributes"]["KmsMasterKeyId"] == (
        "alias/aws/sns"
    )
    assert re.fullmatch(re.escape(topic["arn"]) + r":[0-9a-f-]{36}", email["arn"])
    assert email["pendingConfirmation"] is True
    subscription = sns.get_subscription_attributes(SubscriptionArn=email["arn"])["Attributes"]
    assert subscription["PendingConfirmation"] == "true"


def test_a_mapping_with_partial_batch_responses_redrives_a_message_after_4_receives(aws):
    # Lambda Developer Guide, "Using Lambda with Amazon SQS" (ReportBatchItemFailures) and the SQS
    # Developer Guide, "Using dead-letter queues" (moved after maxReceiveCount receives)
    provision = Provisioner(aws)
    queues = consumer_queue(provision, max_receive_count=4)
    queue_arn = queues["queue"]["arn"]
    function = make_function(
        "consumer", {"main.py": ALWAYS_FAILS}, statements=allows(queue_arn, *CONSUMER_ACTIONS)
    )

    mapping = provision.create(
        "lambda/eventSourceMapping:EventSourceMapping",
        "orders-consumer",
        eventSourceArn=queue_arn,
        functionName=function,
        batchSize=10.0,
        functionResponseTypes=["ReportBatchItemFailures"],
    )
    send(queues["queue"]["url"], "poison")
    aws.dispatcher.drain()

    configuration = boto3.client("lambda").get_event_source_mapping(UUID=mapping["id"])
    assert (configuration["FunctionResponseTypes"], configuration["BatchSize"]) == (
        ["ReportBatchItemFailures"],
        10,
    )
    assert aws.runtime.invocations == [("consumer", False)] * 4
    assert counts(queues["queue"]["url"]) == (0, 0)
    [dead] = drain_queue(queues["dead_letters"]["url"])
    assert dead["Body"] == "poison"


def test_lambda_refuses_a_mapping_whose_function_may_not_consume_the_queue(aws):
    # The InvalidParameterValueException CreateEventSourceMapping answers (aws/aws-cdk#6770)
    provision = Provisioner(aws)
    queue = consumer_queue(provision)["queue"]
    function = make_function(
        "consumer", {"main.py": ALWAYS_FAILS}, statements=allows(queue["arn"], "sqs:SendMessage")
    )

    with pytest.raises(ValueError, match="does not have permissions to call ReceiveMessage on SQS"):
        provision.create(
            "lambda/eventSourceMapping:EventSourceMapping",
            "orders-consumer",
            eventSourceArn=queue["arn"],
            functionName=function,
        )


def test_a_graphql_api_with_its_key_data_source_and_resolver_answers_at_its_exported_url(aws):
    provision = Provisioner(aws)
    logs_role = role("api-logs", trust("appsync.amazonaws.com"))
    expires = (datetime.now(UTC) + timedelta(days=30, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    function = make_function("orders", {"main.py": ORDER})
    source_role = role(
        "orders-source", trust("appsync.amazonaws.com"), allows(function, "lambda:InvokeFunction")
    )

    api = provision.create(
        "appsync/graphQLApi:GraphQLApi",
        "orders-api",
        authenticationType="API_KEY",
        schema=ORDER_SCHEMA,
        xrayEnabled=True,
        logConfig={
            "cloudwatchLogsRoleArn": logs_role,
            "fieldLogLevel": "ALL",
            "excludeVerboseContent": True,
        },
    )
    key = provision.create(
        "appsync/apiKey:ApiKey", "orders-key", apiId=api["id"], description="c", expires=expires
    )
    provision.create(
        "appsync/dataSource:DataSource",
        "orders-source",
        apiId=api["id"],
        name="orders",
        type="AWS_LAMBDA",
        serviceRoleArn=source_role,
        lambdaConfig={"functionArn": function},
    )
    provision.create(
        "appsync/resolver:Resolver",
        "orders-resolver",
        apiId=api["id"],
        type="Query",
        field="order",
        dataSource="orders",
        kind="UNIT",
    )

    # Then the exported URL is localcloud's, the key's expiry is AppSync's (down to the hour)
    assert api["uris"] == {"GRAPHQL": f"{aws.graphql.url}/{api['id']}/graphql"}
    assert key["id"] == f"{api['id']}:{key['key']}"
    assert key["expires"] == expires[:14] + "00:00Z"
    described = boto3.client("appsync").get_graphql_api(apiId=api["id"])["graphqlApi"]
    assert (described["xrayEnabled"], described["logConfig"]["fieldLogLevel"]) == (True, "ALL")
    # And a query with the key is resolved by the function
    request = urllib.request.Request(
        api["uris"]["GRAPHQL"],
        data=json.dumps({"query": '{ order(id: "7") { id name } }'}).encode(),
        headers={"x-api-key": key["key"], "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"data": {"order": {"id": "7", "name": "tea"}}}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("type Query { order: Missing }", "not valid"),
        ("type Query { order: String", "failed"),
    ],
    ids=["unknown type", "syntax error"],
)
def test_a_schema_appsync_would_not_accept_fails_the_api(aws, schema, message):
    with pytest.raises(ValueError, match=message):
        Provisioner(aws).create(
            "appsync/graphQLApi:GraphQLApi", "api", authenticationType="API_KEY", schema=schema
        )


def _api(provision: Provisioner) -> dict[str, Any]:
    return provision.create(
        "appsync/graphQLApi:GraphQLApi", "api", authenticationType="API_KEY", schema=ORDER_SCHEMA
    )


def _lambda_source(provision: Provisioner, api: dict[str, Any]) -> None:
    provision.create(
        "appsync/dataSource:DataSource",
        "source",
        apiId=api["id"],
        name="orders",
        type="AWS_LAMBDA",
        lambdaConfig={"functionArn": "arn:aws:lambda:us-east-1:123456789012:function:f"},
    )


def _resolver(provision: Provisioner, **options: Any) -> None:
    api = _api(provision)
    _lambda_source(provision, api)
    provision.create(
        "appsync/resolver:Resolver",
        "resolver",
        apiId=api["id"],
        type="Query",
        field="order",
        dataSource="orders",
        **options,
    )


@pytest.mark.parametrize(
    ("create", "message"),
    [
        (
            lambda p: p.create(
                "appsync/graphQLApi:GraphQLApi", "api", authenticationType="AWS_IAM", schema=""
            ),
            "AWS_IAM authorization",
        ),
        (
            lambda p: p.create(
                "appsync/dataSource:DataSource",
                "none",
                apiId=_api(p)["id"],
                name="none",
                type="NONE",
            ),
            "AWS_LAMBDA AppSync data sources only",
        ),
        (lambda p: _resolver(p, kind="PIPELINE"), "pipeline resolvers"),
        (lambda p: _resolver(p, requestTemplate="{}"), "VTL request mapping template"),
        (lambda p: _resolver(p, code="export function request() {}"), "APPSYNC_JS code"),
        (
            lambda p: p.create(
                "lambda/eventSourceMapping:EventSourceMapping",
                "stream",
                eventSourceArn="arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1",
                functionName="f",
            ),
            "SQS event sources only",
        ),
        (
            lambda p: p.create(
                "sns/topicSubscription:TopicSubscription",
                "hook",
                topic=p.create("sns/topic:Topic", "t")["arn"],
                protocol="https",
                endpoint="https://example.com/hook",
            ),
            "does not deliver to https",
        ),
        (
            lambda p: p.create(
                "lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
                "alias-async",
                functionName="f",
                qualifier="live",
            ),
            "not per version or alias",
        ),
        (
            lambda p: p.create(
                "cloudwatch/eventRule:EventRule", "nightly", scheduleExpression="rate(1 day)"
            ),
            "does not run scheduled rules",
        ),
        (
            lambda p: p.create(
                "cloudwatch/eventTarget:EventTarget",
                "to-queue",
                rule="r",
                arn="arn:aws:sqs:us-east-1:123456789012:q",
                inputPath="$.detail",
            ),
            "Input and InputPath to Lambda and SNS targets only",
        ),
        (
            lambda p: p.create(
                "cloudwatch/eventTarget:EventTarget",
                "to-fifo-topic",
                rule="r",
                arn="arn:aws:sns:us-east-1:123456789012:alerts.fifo",
            ),
            "does not deliver to FIFO topic targets",
        ),
        (
            lambda p: p.create("kms/key:Key", "external", customKeyStoreId="cks-1234567890abcdef0"),
            "keeps no custom key stores",
        ),
        (
            lambda p: p.create(
                "cloudwatch/metricAlarm:MetricAlarm",
                "promql",
                comparisonOperator="GreaterThanThreshold",
                evaluationPeriods=1.0,
                evaluationCriteria={"promqlCriteria": {"query": "up == 0"}},
            ),
            "keeps metric alarms only",
        ),
        (
            lambda p: p.create(
                "cloudwatch/eventTarget:EventTarget",
                "to-task",
                rule="r",
                arn="arn:aws:ecs:us-east-1:123456789012:cluster/c",
                ecsTarget={"taskDefinitionArn": "t"},
            ),
            "does not deliver to targets with ecsTarget",
        ),
    ],
    ids=[
        "iam api",
        "none source",
        "pipeline",
        "vtl",
        "js",
        "stream",
        "https",
        "alias config",
        "schedule",
        "queue input path",
        "fifo topic",
        "custom key store",
        "promql alarm",
        "ecs",
    ],
)
def test_what_localcloud_cannot_serve_as_aws_does_is_refused_by_name(aws, create, message):
    with pytest.raises(UnsupportedResourceError, match=message):
        create(Provisioner(aws))


def test_a_resolver_of_a_field_the_schema_lacks_is_refused(aws):
    provision = Provisioner(aws)
    api = _api(provision)
    _lambda_source(provision, api)

    with pytest.raises(ValueError, match=r"no field Query\.orders"):
        provision.create(
            "appsync/resolver:Resolver",
            "resolver",
            apiId=api["id"],
            type="Query",
            field="orders",
            dataSource="orders",
        )


def sns_publish(**parameters: Any) -> dict[str, Any]:
    """A state machine of one ``arn:aws:states:::sns:publish`` task with ``parameters``."""
    task = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True}
    return {"StartAt": "Notify", "States": {"Notify": {**task, "Parameters": parameters}}}


def test_an_sns_publish_task_reaches_an_sqs_subscriber_in_the_sns_json_envelope(aws):
    # Amazon SNS Developer Guide, "Amazon SNS message and JSON formats" (HTTP/HTTPS notification
    # JSON), which SQS subscribers receive unless raw message delivery is on ("Fanout to Amazon SQS
    # queues"); the task: Step Functions Developer Guide, "Call Amazon SNS with Step Functions".
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="orders", Attributes={"KmsMasterKeyId": "alias/aws/sns"})[
        "TopicArn"
    ]
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue["QueueArn"])
    publish = sns_publish(
        TopicArn=topic,
        Subject="Order failed",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "payment"}},
        **{"Message.$": "$.reason"},
    )
    allowed = machine(publish, "notify", allow=[("sns:Publish", topic)])
    sfn = boto3.client("stepfunctions")

    execution = sfn.start_execution(stateMachineArn=allowed, input='{"reason": "declined"}')
    finished = wait(execution["executionArn"])

    assert finished["status"] == "SUCCEEDED"
    [message] = drain_queue(url)
    envelope = json.loads(message["Body"])
    assert envelope | {"Signature": "", "SigningCertURL": "", "UnsubscribeURL": ""} == {
        "Type": "Notification",
        "MessageId": json.loads(finished["output"])["MessageId"],
        "TopicArn": topic,
        "Subject": "Order failed",
        "Message": "declined",
        "MessageAttributes": {"kind": {"Type": "String", "Value": "payment"}},
        "Timestamp": envelope["Timestamp"],
        "SignatureVersion": envelope["SignatureVersion"],  # moto signs with SHA256 ("2") only
        "Signature": "",
        "SigningCertURL": "",
        "UnsubscribeURL": "",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", envelope["Timestamp"])
    assert envelope["UnsubscribeURL"].startswith("https://sns.")


def test_an_sns_publish_task_whose_role_may_not_publish_fails_as_aws_names_it(aws):
    # SNS API Reference, Publish "Errors": AuthorizationError (HTTP 403); Step Functions names a
    # service integration's error <Service>.<Exception>
    topic = boto3.client("sns").create_topic(Name="orders")["TopicArn"]
    publish = sns_publish(TopicArn=topic, Message="m")
    denied = machine(publish, "notify", allow=[("sns:Publish", f"{topic}-other")])

    execution = boto3.client("stepfunctions").start_execution(stateMachineArn=denied)
    finished = wait(execution["executionArn"])

    assert (finished["status"], finished["error"]) == ("FAILED", "SNS.AuthorizationErrorException")
    assert "is not authorized to perform: sns:Publish" in finished["cause"]
