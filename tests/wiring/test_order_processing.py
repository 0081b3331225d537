"""OrderProcessing (seed 002) as the program registers it: queue, workflow, topic, GraphQL API."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from components import asl
from components.settings import ConfigError
from localcloud.recording import deploy_with_mocks

SYSTEM = "order-processing"
ACCOUNT = "123456789012"
SCHEMA = "definitions/orders.graphql"
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
# How Pulumi's wire format marks a secret value (sdk/python/lib/pulumi/runtime/rpc.py).
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"


@pytest.fixture(scope="module")
def configured():
    """The dev stack with every orders setting away from its default (one program run)."""
    return deploy_with_mocks(
        "dev",
        {
            "ordersNotificationEmail": "orders@example.com",
            "ordersApiKeyExpiryDays": 90,
            "ordersPaymentFailureRate": "0.25",
        },
    )


def _arn(deployment, name):
    return deployment.named(name).outputs["arn"]


def _definition(deployment):
    return json.loads(deployment.named(f"{SYSTEM}-workflow-state-machine").inputs["definition"])


def _statements(deployment, role_name):
    """The role's statements, without the log and X-Ray statements every function role has."""
    return [
        statement
        for statement in deployment.role_statements(deployment.named(role_name))
        if not any(action.startswith(("logs:", "xray:")) for action in statement["Action"])
    ]


def _trusted_service(deployment, role_name):
    trust = json.loads(deployment.named(role_name).inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    return statement["Principal"], statement["Action"]


# -- queue and consumer ---------------------------------------------------------------------


def test_the_queue_moves_a_message_to_its_dead_letter_queue_after_4_receives(dev):
    queue = dev.named(f"{SYSTEM}-queue-messages")
    dead_letters = dev.named(f"{SYSTEM}-queue-dead-letters")

    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dead_letters.outputs["arn"],
        "maxReceiveCount": 4,
    }
    assert dead_letters.inputs["messageRetentionSeconds"] == 1_209_600  # 14 days
    assert "redrivePolicy" not in dead_letters.inputs


def test_both_queues_are_encrypted(dev):
    for name in (f"{SYSTEM}-queue-messages", f"{SYSTEM}-queue-dead-letters"):
        assert dev.named(name).inputs["sqsManagedSseEnabled"] is True, name


def test_the_visibility_timeout_is_six_times_the_consumers_timeout(dev):
    assert dev.named(f"{SYSTEM}-consumer-function").inputs["timeout"] == 30
    assert dev.named(f"{SYSTEM}-queue-messages").inputs["visibilityTimeoutSeconds"] == 180


def test_the_consumer_reads_batches_of_5_and_reports_failed_messages_alone(dev):
    mapping = dev.named(f"{SYSTEM}-queue-consumer")

    assert mapping.inputs["eventSourceArn"] == _arn(dev, f"{SYSTEM}-queue-messages")
    assert mapping.inputs["functionName"] == _arn(dev, f"{SYSTEM}-consumer-function")
    assert mapping.inputs["batchSize"] == 5
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    # Lambda checks the role's queue permissions when the mapping is created.
    assert dev.named(f"{SYSTEM}-consumer-consume-queue").urn in mapping.dependencies


def test_the_consumer_may_read_the_queue_and_start_and_look_up_this_machines_executions(dev):
    machine_arn = _arn(dev, f"{SYSTEM}-workflow-state-machine")
    machine_name = machine_arn.rsplit(":", 1)[1]

    assert sorted(_statements(dev, f"{SYSTEM}-consumer-role"), key=lambda s: s["Action"][0]) == [
        {
            "Effect": "Allow",
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
            "Resource": [_arn(dev, f"{SYSTEM}-queue-messages")],
        },
        {
            "Effect": "Allow",
            "Action": ["states:DescribeExecution"],
            "Resource": [f"arn:aws:states:us-east-1:{ACCOUNT}:execution:{machine_name}:*"],
        },
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [machine_arn]},
    ]
    assert dev.named(f"{SYSTEM}-consumer-function").inputs["environment"]["variables"] == {
        "POWERTOOLS_SERVICE_NAME": SYSTEM,
        "STATE_MACHINE_ARN": machine_arn,
    }


# -- the GraphQL resolvers ------------------------------------------------------------------


def test_post_order_may_only_send_to_the_queue(dev):
    assert _statements(dev, f"{SYSTEM}-intake-role") == [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [_arn(dev, f"{SYSTEM}-queue-messages")],
        }
    ]
    environment = dev.named(f"{SYSTEM}-intake-function").inputs["environment"]["variables"]
    assert environment["QUEUE_URL"] == dev.named(f"{SYSTEM}-queue-messages").outputs["url"]


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        ("queries", ["dynamodb:GetItem", "dynamodb:Query"]),
        ("changes", ["dynamodb:DeleteItem", "dynamodb:UpdateItem"]),
    ],
)
def test_the_table_resolvers_may_call_exactly_their_actions_on_the_orders_table(dev, role, actions):
    table = dev.named(f"{SYSTEM}-orders-table")

    assert _statements(dev, f"{SYSTEM}-{role}-role") == [
        {"Effect": "Allow", "Action": actions, "Resource": [table.outputs["arn"]]}
    ]
    environment = dev.named(f"{SYSTEM}-{role}-function").inputs["environment"]["variables"]
    assert environment == {"POWERTOOLS_SERVICE_NAME": SYSTEM, "TABLE_NAME": table.outputs["name"]}


def test_the_payment_function_calls_nothing_and_gets_the_failure_rate(dev):
    assert _statements(dev, f"{SYSTEM}-payment-role") == []
    environment = dev.named(f"{SYSTEM}-payment-function").inputs["environment"]["variables"]
    assert environment["PAYMENT_FAILURE_RATE"] == "0.5"  # Pulumi.yaml's default


def test_each_function_carries_only_the_packages_it_imports(dev):
    packages = {
        role: {
            path.split("/")[0]
            for path in dev.named(f"{SYSTEM}-{role}-function").inputs["code"].assets
        }
        for role in ("payment", "consumer", "queries", "intake", "changes")
    }

    assert packages == {
        "payment": {"process_payment", "orders", "lambda_support"},
        "consumer": {"order_consumer", "orders", "lambda_support"},
        "queries": {"order_queries", "orders", "lambda_support"},
        "intake": {"order_intake", "orders", "lambda_support"},
        "changes": {"order_changes", "orders", "lambda_support"},
    }


# -- the workflow ---------------------------------------------------------------------------


def test_the_workflow_writes_this_stacks_table_and_notifies_on_this_stacks_topic(dev):
    definition = _definition(dev)
    table = dev.named(f"{SYSTEM}-orders-table").outputs["name"]
    topic = _arn(dev, f"{SYSTEM}-notifications-topic")

    resources = {
        name: (
            state["Resource"],
            state["Parameters"].get("TableName")
            or state["Parameters"].get("TopicArn")
            or state["Parameters"].get("FunctionName"),
        )
        for name, state in asl.states(definition)
        if state["Type"] == "Task"
    }

    assert resources == {
        "InitializeOrder": ("arn:aws:states:::dynamodb:putItem", table),
        "ProcessPayment": (
            "arn:aws:states:::lambda:invoke",
            _arn(dev, f"{SYSTEM}-payment-function"),
        ),
        "CompleteOrder": ("arn:aws:states:::dynamodb:updateItem", table),
        "CancelOrder": ("arn:aws:states:::dynamodb:updateItem", table),
        "RecordProcessingFailure": ("arn:aws:states:::dynamodb:updateItem", table),
        "NotifyOrderCompleted": ("arn:aws:states:::sns:publish", topic),
        "NotifyOrderFailed": ("arn:aws:states:::sns:publish", topic),
    }
    assert not asl.placeholders(definition)
    assert dev.named(f"{SYSTEM}-workflow-state-machine").inputs["type"] == "STANDARD"


def test_the_order_is_saved_pending_only_if_it_is_new_and_settled_only_while_pending(dev):
    states = _definition(dev)["States"]

    initialize = states["InitializeOrder"]["Parameters"]
    assert initialize["Item"]["orderStatus"] == {"S": "PENDING"}
    assert initialize["Item"]["quantity"] == {"N.$": "States.Format('{}', $.quantity)"}
    assert initialize["ConditionExpression"] == "attribute_not_exists(id)"
    assert states["InitializeOrder"]["Catch"] == [
        {
            "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
            "ResultPath": "$.failure",
            "Next": "OrderAlreadyExists",
        }
    ]
    for name, status in (
        ("CompleteOrder", "SUCCESS"),
        ("CancelOrder", "FAILED"),
        ("RecordProcessingFailure", "FAILED"),
    ):
        parameters = states[name]["Parameters"]
        assert parameters["ConditionExpression"] == "orderStatus = :pending", name
        assert parameters["ExpressionAttributeValues"][":status"] == {"S": status}, name
    assert states["CancelOrder"]["Parameters"]["ExpressionAttributeValues"][":error"] == {
        "S.$": "$.payment.errorMessage"
    }


def test_the_payment_outcome_chooses_completion_or_cancellation(dev):
    states = _definition(dev)["States"]

    assert states["ProcessPayment"]["Next"] == "PaymentOutcome"
    assert states["PaymentOutcome"]["Choices"] == [
        {"Variable": "$.payment.status", "StringEquals": "SUCCESS", "Next": "CompleteOrder"}
    ]
    assert states["PaymentOutcome"]["Default"] == "CancelOrder"
    assert (states["CompleteOrder"]["Next"], states["CancelOrder"]["Next"]) == (
        "NotifyOrderCompleted",
        "NotifyOrderFailed",
    )


def test_every_failure_that_is_not_a_payment_failure_ends_in_a_named_error(dev):
    states = _definition(dev)["States"]

    assert states["ProcessPayment"]["Catch"] == [
        {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.failure",
            "Next": "RecordProcessingFailure",
        }
    ]
    assert states["RecordProcessingFailure"]["Next"] == "OrderProcessingFailed"
    fails = {name: state.get("Error") for name, state in states.items() if state["Type"] == "Fail"}
    assert fails == {
        "OrderProcessingFailed": "OrderProcessingFailed",
        "OrderAlreadyExists": "OrderAlreadyExists",
    }


def test_every_notification_names_the_order_and_its_final_status(dev):
    states = _definition(dev)["States"]

    for name, status in (("NotifyOrderCompleted", "SUCCESS"), ("NotifyOrderFailed", "FAILED")):
        parameters = states[name]["Parameters"]
        assert parameters["MessageAttributes"] == {
            "orderId": {"DataType": "String", "StringValue.$": "$.id"},
            "orderStatus": {"DataType": "String", "StringValue": status},
        }
        assert parameters["Subject.$"] == f"States.Format('Order {{}}: {status}', $.id)"


def test_the_workflows_role_holds_exactly_what_its_tasks_call(dev):
    table = _arn(dev, f"{SYSTEM}-orders-table")
    payment = _arn(dev, f"{SYSTEM}-payment-function")
    statements = [
        statement
        for statement in dev.role_statements(dev.named(f"{SYSTEM}-workflow-role"))
        if any(a.split(":")[0] in {"dynamodb", "sns", "lambda"} for a in statement["Action"])
    ]

    assert sorted(statements, key=lambda s: s["Action"][0]) == [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [table]},
        {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"], "Resource": [table]},
        {
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": [payment, f"{payment}:*"],
        },
        {
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "Resource": [_arn(dev, f"{SYSTEM}-notifications-topic")],
        },
    ]


# -- the topic ------------------------------------------------------------------------------


def test_the_topic_is_encrypted_and_has_no_topic_policy_and_no_subscription_by_default(dev):
    topic = dev.named(f"{SYSTEM}-notifications-topic")

    assert topic.inputs["kmsMasterKeyId"] == "alias/aws/sns"
    arn = topic.outputs["arn"]
    assert [
        p for p in dev.of_type("aws:sns/topicPolicy:TopicPolicy") if p.inputs["arn"] == arn
    ] == []
    subscriptions = dev.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert [s for s in subscriptions if s.inputs["topic"] == arn] == []


def test_given_a_notification_address_then_it_is_subscribed_by_email(configured):
    (subscription,) = configured.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs["protocol"] == "email"
    assert subscription.inputs["endpoint"] == "orders@example.com"
    assert subscription.inputs["topic"] == _arn(configured, f"{SYSTEM}-notifications-topic")


# -- the GraphQL API ------------------------------------------------------------------------


def test_the_api_uses_api_keys_traces_and_logs_every_field_through_its_own_role(dev):
    api = dev.named(f"{SYSTEM}-graphql-api")

    assert api.inputs["authenticationType"] == "API_KEY"
    assert api.inputs["xrayEnabled"] is True
    assert api.inputs["logConfig"] == {
        "cloudwatchLogsRoleArn": _arn(dev, f"{SYSTEM}-graphql-logs-role"),
        "fieldLogLevel": "ALL",
        "excludeVerboseContent": True,
    }
    with open(SCHEMA) as schema:
        assert api.inputs["schema"] == schema.read()


def test_the_log_role_may_write_only_to_this_apis_log_group(dev):
    api_id = dev.named(f"{SYSTEM}-graphql-api").outputs["id"]
    log_group = dev.named(f"{SYSTEM}-graphql-field-logs")

    assert log_group.inputs["name"] == f"/aws/appsync/apis/{api_id}"
    assert log_group.inputs["retentionInDays"] == 7  # Pulumi.dev.yaml
    assert dev.role_statements(dev.named(f"{SYSTEM}-graphql-logs-role")) == [
        {
            "Effect": "Allow",
            "Action": LOG_ACTIONS,
            "Resource": [
                f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/appsync/apis/{api_id}:*"
            ],
        }
    ]
    assert _trusted_service(dev, f"{SYSTEM}-graphql-logs-role") == (
        {"Service": "appsync.amazonaws.com"},
        "sts:AssumeRole",
    )


def test_every_field_is_resolved_directly_by_its_lambda(dev):
    resolvers = {
        (r.inputs["type"], r.inputs["field"]): (r.inputs["dataSource"], r.inputs["kind"])
        for r in dev.of_type("aws:appsync/resolver:Resolver")
    }

    assert resolvers == {
        ("Query", "orders"): ("orderQueries", "UNIT"),
        ("Query", "order"): ("orderQueries", "UNIT"),
        ("Mutation", "postOrder"): ("orderIntake", "UNIT"),
        ("Mutation", "updateOrder"): ("orderChanges", "UNIT"),
        ("Mutation", "deleteOrder"): ("orderChanges", "UNIT"),
    }
    for resolver in dev.of_type("aws:appsync/resolver:Resolver"):
        # No mapping templates or code: a direct Lambda resolver.
        assert not {"requestTemplate", "responseTemplate", "code"} & set(resolver.inputs)


@pytest.mark.parametrize(
    ("source", "role"),
    [("orderQueries", "queries"), ("orderIntake", "intake"), ("orderChanges", "changes")],
)
def test_each_data_source_may_invoke_its_one_function(dev, source, role):
    data_source = dev.named(f"{SYSTEM}-graphql-{source}")
    function_arn = _arn(dev, f"{SYSTEM}-{role}-function")
    role_name = f"{SYSTEM}-graphql-{source}-role"

    assert data_source.inputs["type"] == "AWS_LAMBDA"
    assert data_source.inputs["lambdaConfig"] == {"functionArn": function_arn}
    assert data_source.inputs["serviceRoleArn"] == _arn(dev, role_name)
    assert dev.role_statements(dev.named(role_name)) == [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [function_arn]}
    ]
    assert _trusted_service(dev, role_name) == (
        {"Service": "appsync.amazonaws.com"},
        "sts:AssumeRole",
    )


def test_the_api_key_expires_the_configured_days_after_the_deploys_day(configured):
    today = datetime.now(UTC).date()

    expires = configured.named(f"{SYSTEM}-graphql-key").inputs["expires"]

    # Around midnight UTC the program may have read the clock on the day before.
    assert expires in {
        f"{today + timedelta(days=90)}T00:00:00Z",
        f"{today + timedelta(days=89)}T00:00:00Z",
    }


def test_the_stack_exports_the_orders_entry_points_and_keeps_the_key_secret(dev):
    assert (
        dev.outputs["ordersGraphqlUrl"]
        == (dev.named(f"{SYSTEM}-graphql-api").outputs["uris"]["GRAPHQL"])
    )
    assert dev.outputs["ordersQueueUrl"] == dev.named(f"{SYSTEM}-queue-messages").outputs["url"]
    assert (
        dev.outputs["ordersDeadLetterQueueUrl"]
        == (dev.named(f"{SYSTEM}-queue-dead-letters").outputs["url"])
    )
    assert dev.outputs["ordersTableName"] == dev.named(f"{SYSTEM}-orders-table").outputs["name"]
    assert dev.outputs["ordersStateMachineArn"] == _arn(dev, f"{SYSTEM}-workflow-state-machine")
    assert dev.outputs["ordersTopicArn"] == _arn(dev, f"{SYSTEM}-notifications-topic")
    key = dev.named(f"{SYSTEM}-graphql-key").outputs["key"]
    assert dev.outputs["ordersApiKey"] == key
    # Registered as a secret (Pulumi's secret envelope), so `pulumi stack output` hides it.
    (system_outputs,) = [
        outputs for urn, outputs in dev.component_outputs.items() if urn.endswith(f"::{SYSTEM}")
    ]
    assert system_outputs["apiKey"] == {SECRET_SIGNATURE: SECRET_VALUE, "value": key}


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("ordersPaymentFailureRate", "1.5", "ordersPaymentFailureRate must be from 0 to 1"),
        ("ordersPaymentFailureRate", "-0.1", "ordersPaymentFailureRate must be from 0 to 1"),
        ("ordersPaymentFailureRate", "nan", "ordersPaymentFailureRate must be from 0 to 1"),
        ("ordersApiKeyExpiryDays", "0", "ordersApiKeyExpiryDays must be from 1 to 365"),
        ("ordersApiKeyExpiryDays", "366", "ordersApiKeyExpiryDays must be from 1 to 365"),
        ("ordersNotificationEmail", "not an address", "is not an e-mail address"),
        ("ordersNotificationEmail", "a@b.com, c@d.com", "is not an e-mail address"),
    ],
)
def test_a_config_value_the_system_cannot_use_fails_the_preview(key, value, message):
    with pytest.raises(ConfigError, match=message):
        deploy_with_mocks("dev", {key: value}, preview=True)


def test_a_failure_rate_that_is_not_a_number_fails_the_preview():
    with pytest.raises(Exception, match="ordersPaymentFailureRate"):
        deploy_with_mocks("dev", {"ordersPaymentFailureRate": "half"}, preview=True)


def test_the_failure_rate_reaches_the_payment_function(configured):
    environment = configured.named(f"{SYSTEM}-payment-function").inputs["environment"]
    assert environment["variables"]["PAYMENT_FAILURE_RATE"] == "0.25"
