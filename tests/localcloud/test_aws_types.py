"""One table of supported resource types serves the recording mocks and the provisioner alike."""

import re

import pytest
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from localcloud.aws_types import (
    RESOURCE_TYPES,
    Placement,
    UnsupportedInvokeError,
    UnsupportedResourceError,
)
from localcloud.layers import ManagedLayers
from localcloud.provisioner import MotoProvisioner
from localcloud.recording import AwsShapedMocks

PLACEMENT = Placement("us-east-1", "123456789012", api_base_url="http://127.0.0.1:1")
BOTH_MOCKS = [
    pytest.param(lambda: AwsShapedMocks("us-east-1"), id="recording mocks"),
    pytest.param(
        lambda: MotoProvisioner(PLACEMENT, ManagedLayers("123456789012")), id="provisioner"
    ),
]


def test_every_type_of_the_table_names_a_provisioner_method_that_creates_it():
    for resource_type in RESOURCE_TYPES.values():
        assert callable(getattr(MotoProvisioner, resource_type.created_by, None)), resource_type


@pytest.mark.parametrize("make_mocks", BOTH_MOCKS)
def test_a_type_not_in_the_table_fails_by_name(make_mocks):
    args = MockResourceArgs("aws:s3/bucket:Bucket", "uploads", {}, "", "", custom=True)

    with pytest.raises(
        UnsupportedResourceError, match=r"aws:s3/bucket:Bucket \(resource 'uploads'\)"
    ):
        make_mocks().new_resource(args)


@pytest.mark.parametrize("make_mocks", BOTH_MOCKS)
def test_an_invoke_not_in_the_table_fails_instead_of_answering_nothing(make_mocks):
    with pytest.raises(UnsupportedInvokeError, match="aws:ec2/getVpc:getVpc"):
        make_mocks().call(MockCallArgs("aws:ec2/getVpc:getVpc", {}, ""))


def test_http_apis_answer_on_execute_api_in_aws_and_at_the_base_url_in_localcloud():
    api = RESOURCE_TYPES["aws:apigatewayv2/api:Api"]
    in_aws = Placement("eu-west-1", "123456789012")

    _, outputs = api.shape(in_aws, "api", {}, made_up_id="a1b2c3")
    _, served = api.shape(PLACEMENT, "api", {}, made_up_id="a1b2c3")

    assert outputs["apiEndpoint"] == "https://a1b2c3.execute-api.eu-west-1.amazonaws.com"
    assert served["apiEndpoint"] == "http://127.0.0.1:1/a1b2c3"
    assert outputs["executionArn"] == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3"


def test_a_type_whose_id_aws_makes_up_needs_that_id():
    with pytest.raises(ValueError, match="makes up the id"):
        RESOURCE_TYPES["aws:apigatewayv2/route:Route"].shape(PLACEMENT, "r", {}, made_up_id=None)


def _recorded(token: str, logical_name: str, /, **inputs) -> tuple[str, dict]:
    args = MockResourceArgs(f"aws:{token}", logical_name, inputs, "", "", custom=True)
    return AwsShapedMocks("eu-west-1").new_resource(args)


def test_the_recording_mocks_give_the_ids_aws_gives_queues_topics_and_subscriptions():
    queue_id, queue = _recorded("sqs/queue:Queue", "jobs", name="jobs")
    topic_id, _ = _recorded("sns/topic:Topic", "alerts", name="alerts")
    subscription_id, subscription = _recorded(
        "sns/topicSubscription:TopicSubscription",
        "alerts-email",
        topic=topic_id,
        protocol="email",
        endpoint="ops@example.com",
    )
    mapping_id, mapping = _recorded(
        "lambda/eventSourceMapping:EventSourceMapping",
        "consumer",
        eventSourceArn=queue["arn"],
        functionName="worker",
    )

    assert queue_id == queue["url"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
    assert queue["arn"] == "arn:aws:sqs:eu-west-1:123456789012:jobs"
    assert topic_id == "arn:aws:sns:eu-west-1:123456789012:alerts"
    assert re.fullmatch(re.escape(topic_id) + r":[0-9a-f-]{36}", subscription_id)
    assert subscription["arn"] == subscription_id
    assert subscription["pendingConfirmation"] is True  # e-mail waits for the recipient
    assert re.fullmatch(r"[0-9a-f-]{36}", mapping_id)
    assert mapping["uuid"] == mapping_id
    assert mapping["functionArn"] == "arn:aws:lambda:eu-west-1:123456789012:function:worker"
    assert (
        mapping["arn"] == f"arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:{mapping_id}"
    )


def test_the_recording_mocks_give_appsync_resources_aws_shapes():
    api_id, api = _recorded("appsync/graphQLApi:GraphQLApi", "orders", authenticationType="API_KEY")
    key_id, key = _recorded(
        "appsync/apiKey:ApiKey", "orders-key", apiId=api_id, expires="2030-01-02T03:04:05Z"
    )
    source_id, source = _recorded(
        "appsync/dataSource:DataSource", "orders-source", apiId=api_id, name="orders"
    )
    resolver_id, resolver = _recorded(
        "appsync/resolver:Resolver", "orders-resolver", apiId=api_id, type="Query", field="order"
    )

    assert api["uris"] == {
        "GRAPHQL": f"https://{api_id}.appsync-api.eu-west-1.amazonaws.com/graphql",
        "REALTIME": f"wss://{api_id}.appsync-realtime-api.eu-west-1.amazonaws.com/graphql",
    }
    assert api["arn"] == f"arn:aws:appsync:eu-west-1:123456789012:apis/{api_id}"
    assert key_id == f"{api_id}:{key['key']}"  # the provider's id; AppSync's keys start "da2-"
    assert key["key"].startswith("da2-")
    assert key["expires"] == "2030-01-02T03:00:00Z"  # AppSync keeps it down to the hour
    assert source_id == f"{api_id}-orders"
    assert source["arn"] == f"{api['arn']}/datasources/orders"
    assert resolver_id == f"{api_id}-Query-order"
    assert resolver["arn"] == f"{api['arn']}/types/Query/resolvers/order"


def test_graphql_apis_answer_at_the_base_url_in_localcloud():
    served = Placement("us-east-1", "123456789012", graphql_base_url="http://127.0.0.1:2")

    _, outputs = RESOURCE_TYPES["aws:appsync/graphQLApi:GraphQLApi"].shape(
        served, "api", {}, made_up_id="a1b2c3"
    )

    assert outputs["uris"] == {"GRAPHQL": "http://127.0.0.1:2/a1b2c3/graphql"}


def test_the_recording_mocks_give_the_loan_chain_resources_the_ids_the_provider_gives():
    # The AWS provider's ids: terraform-provider-aws, internal/service/lambda/
    # function_event_invoke_config.go (the function as given, ":<qualifier>" when set), and
    # internal/service/events/id.go (a rule's name, "<bus>/<rule>" off the default bus; a
    # target's "<rule>-<target id>", "<bus>-<rule>-<target id>" off it); a permission's id is
    # its statement id (lambda/permission.go). Rule ARNs: EventBridge User Guide, "Managing access
    # permissions to your Amazon EventBridge resources" (rule/[event-bus-name/]rule-name).
    config_id, _ = _recorded(
        "lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "identity-async",
        functionName="identity",
        maximumRetryAttempts=0.0,
    )
    qualified_id, _ = _recorded(
        "lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "credit-async",
        functionName="credit",
        qualifier="$LATEST",
    )
    rule_id, rule = _recorded("cloudwatch/eventRule:EventRule", "chain", name="chain")
    bus_rule_id, bus_rule = _recorded(
        "cloudwatch/eventRule:EventRule", "other", name="other", eventBusName="loans"
    )
    target_id, target = _recorded(
        "cloudwatch/eventTarget:EventTarget", "next", rule="chain", targetId="credit", arn="a"
    )
    bus_target_id, _ = _recorded(
        "cloudwatch/eventTarget:EventTarget",
        "next",
        rule="other",
        eventBusName="loans",
        targetId="credit",
        arn="a",
    )
    named_target_id, named_target = _recorded(
        "cloudwatch/eventTarget:EventTarget", "unnamed", rule="chain", arn="a"
    )
    permission_id, permission = _recorded(
        "lambda/permission:Permission", "from-events", statementId="AllowEvents", function="f"
    )
    auto_id, auto = _recorded("lambda/permission:Permission", "from-api", function="f")

    assert (config_id, qualified_id) == ("identity", "credit:$LATEST")
    assert (rule_id, rule["arn"]) == ("chain", "arn:aws:events:eu-west-1:123456789012:rule/chain")
    assert (bus_rule_id, bus_rule["arn"]) == (
        "loans/other",
        "arn:aws:events:eu-west-1:123456789012:rule/loans/other",
    )
    assert (target_id, target["targetId"]) == ("chain-credit", "credit")
    assert bus_target_id == "loans-other-credit"
    assert named_target_id == f"chain-{named_target['targetId']}"  # an id made up for it
    assert (permission_id, permission["statementId"]) == ("AllowEvents", "AllowEvents")
    assert auto_id == auto["statementId"] and auto_id.startswith("from-api-")  # Pulumi names it


def test_the_recording_mocks_give_keys_topic_policies_and_alarms_aws_shapes():
    # Ids as the provider sets them (terraform-provider-aws: kms/key.go the key id KMS makes up,
    # kms/alias.go the alias name, sns/topic_policy.go the topic ARN, cloudwatch/metric_alarm.go
    # the alarm name). ARNs: KMS Developer Guide, "Key identifiers (KeyId)" (key/<id>,
    # alias/<name>); Service Authorization Reference, Amazon CloudWatch (alarm:<name>).
    key_id, key = _recorded("kms/key:Key", "ops-key", description="ops", enableKeyRotation=True)
    alias_id, alias = _recorded(
        "kms/alias:Alias", "ops-alias", name="alias/ops", targetKeyId=key_id
    )
    topic_id, _ = _recorded("sns/topic:Topic", "ops", name="ops")
    policy_id, policy = _recorded(
        "sns/topicPolicy:TopicPolicy", "ops-policy", arn=topic_id, policy="{}"
    )
    alarm_id, alarm = _recorded(
        "cloudwatch/metricAlarm:MetricAlarm", "ops-failed", name="ops-failed", threshold=0.0
    )

    assert re.fullmatch(r"[0-9a-f-]{36}", key_id)
    assert (key["keyId"], key["arn"]) == (
        key_id,
        f"arn:aws:kms:eu-west-1:123456789012:key/{key_id}",
    )
    assert (alias_id, alias["arn"]) == ("alias/ops", "arn:aws:kms:eu-west-1:123456789012:alias/ops")
    assert alias["targetKeyArn"] == key["arn"]
    assert (policy_id, policy["owner"]) == (topic_id, "123456789012")
    assert (alarm_id, alarm["arn"]) == (
        "ops-failed",
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ops-failed",
    )
