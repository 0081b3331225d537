"""Deploying the program into moto: real resources, and no silent fakes."""

import json

import pytest

from localcloud import deploy
from localcloud.aws_types import RESOURCE_TYPES, Placement
from localcloud.layers import ManagedLayers, UnknownLayerError
from tests.localcloud.test_eventbridge_lambda import PROVISIONED_HERE as PROVISIONED_IN_CHAINS
from tests.localcloud.test_execution_notifications import (
    PROVISIONED_HERE as PROVISIONED_FOR_NOTIFICATIONS,
)
from tests.localcloud.test_provisioned_resources import (
    PROVISIONED_HERE,
    assert_shaped_as_the_table,
)


@pytest.fixture(scope="module")
def cloud():
    with deploy("dev", {"logRetentionDays": 3}) as deployed:
        yield deployed


def test_outputs_are_real_moto_resources_with_the_program_inputs(cloud):
    sfn = cloud.client("stepfunctions")
    machine = sfn.describe_state_machine(
        stateMachineArn=cloud.outputs["apiWorkflowStateMachineArn"]
    )
    definition = json.loads(machine["definition"])
    function_arn = definition["States"]["InvokeLambda"]["Resource"]

    function = cloud.client("lambda").get_function_configuration(FunctionName=function_arn)
    assert function["Architectures"] == ["arm64"]
    assert (
        function["Environment"]["Variables"]["TABLE_NAME"] == cloud.outputs["apiWorkflowTableName"]
    )
    assert cloud.client("dynamodb").describe_table(TableName=cloud.outputs["apiWorkflowTableName"])[
        "Table"
    ]


def test_role_policies_in_iam_are_the_ones_the_program_derived(cloud):
    iam = cloud.client("iam")
    machine = cloud.client("stepfunctions").describe_state_machine(
        stateMachineArn=cloud.outputs["apiWorkflowStateMachineArn"]
    )
    role = machine["roleArn"].rsplit("/", 1)[1]
    [policy_name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    invoke = next(s for s in document["Statement"] if s["Action"] == ["lambda:InvokeFunction"])
    function_arn = json.loads(machine["definition"])["States"]["InvokeLambda"]["Resource"]
    assert invoke["Resource"] == [function_arn, f"{function_arn}:*"]


def test_log_groups_get_the_configured_retention(cloud):
    groups = cloud.client("logs").describe_log_groups()["logGroups"]
    assert groups and {g.get("retentionInDays") for g in groups} == {3}


def test_every_resource_has_the_outputs_the_table_shapes_for_it(cloud):
    # The recording mocks answer with these shapes: here moto's own answers (ARNs, ids) agree,
    # for every type of the table (the dev stack uses them, or test_provisioned_resources,
    # test_eventbridge_lambda or test_execution_notifications does).
    account = cloud.client("sts").get_caller_identity()["Account"]
    placement = Placement(
        cloud.region, account, api_base_url=cloud.url, graphql_base_url=cloud.graphql_url
    )
    used = {resource.type for resource in cloud.resources}
    provisioned = PROVISIONED_HERE | PROVISIONED_IN_CHAINS | PROVISIONED_FOR_NOTIFICATIONS
    assert used | provisioned == set(RESOURCE_TYPES)
    for resource in cloud.resources:
        assert_shaped_as_the_table(placement, resource)


def test_a_layer_localcloud_cannot_provide_is_an_error(cloud):
    with pytest.raises(UnknownLayerError, match="cannot provide the layer"):
        ManagedLayers("123456789012").ensure(
            ["arn:aws:lambda:us-east-1:999999999999:layer:private-deps:3"], region="us-east-1"
        )
