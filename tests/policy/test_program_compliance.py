"""The program under the pack: every rule over every resource the program creates, for the dev
and the prod stack, finds no violation; and the rules do read the program's resources (breaking
one resource the way a careless change would is caught, named).

Each resource policy gets each recorded resource's inputs, each stack policy every resource's
outputs with parents and dependencies, as pulumi_policy's analyzer builds them (tests/policy/
support.py). The program runs once per stack in this module.
"""

import dataclasses
import json
from pathlib import Path

import pytest
from pulumi_policy import ResourceValidationPolicy

from localcloud.recording import Deployment, deploy_with_mocks
from policy.rules import POLICIES
from policy.rules.async_invocations import ASYNC_FUNCTIONS_HAVE_FAILURE_DESTINATIONS
from policy.rules.event_sources import SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME
from policy.rules.iam import NO_WILDCARD_ACTIONS
from policy.rules.tables import PRODUCTION_TABLES_PROTECTED
from tests.policy.support import analyzed_resources, analyzed_stack, violations

PROJECT_DIR = Path(__file__).resolve().parents[2]
STACKS = ("dev", "prod")


@pytest.fixture(scope="module")
def deployed():
    """The program as it registers each stack, deployed under mocks once per stack."""
    deployments: dict[str, Deployment] = {}

    def deploy(stack: str) -> Deployment:
        if not (PROJECT_DIR / f"Pulumi.{stack}.yaml").is_file():
            pytest.skip(f"no Pulumi.{stack}.yaml yet")
        if stack not in deployments:
            deployments[stack] = deploy_with_mocks(stack, program_dir=PROJECT_DIR)
        return deployments[stack]

    return deploy


def all_violations(deployment: Deployment, stack: str) -> dict[str, list[str]]:
    """Policy name -> messages, for every rule over every resource."""
    resources = analyzed_resources(deployment)
    whole_stack = analyzed_stack(deployment)
    found = {}
    for policy in POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            messages = [m for args in resources for m in violations(policy, args, stack)]
        else:
            messages = violations(policy, whole_stack, stack)
        if messages:
            found[policy.name] = messages
    return found


def changed(deployment: Deployment, name: str, drop=False, without=(), **props) -> Deployment:
    """``deployment`` with the resource ``name`` dropped, or with ``props`` set in (and
    ``without`` removed from) both its inputs and outputs."""
    deployment.named(name)  # it exists
    resources = []
    for resource in deployment.resources:
        if resource.name != name:
            resources.append(resource)
        elif not drop:
            inputs = {k: v for k, v in resource.inputs.items() if k not in without} | props
            outputs = {k: v for k, v in resource.outputs.items() if k not in without} | props
            resources.append(dataclasses.replace(resource, inputs=inputs, outputs=outputs))
    return dataclasses.replace(deployment, resources=resources)


@pytest.mark.parametrize("stack", STACKS)
def test_given_the_program_when_every_rule_checks_every_resource_then_none_is_violated(
    deployed, stack
):
    assert all_violations(deployed(stack), stack) == {}


@pytest.mark.parametrize("stack", STACKS)
def test_the_stack_holds_every_kind_of_resource_the_rules_are_about(deployed, stack):
    """So "no violation" above is not "nothing was checked"."""
    present = {r.type for r in deployed(stack).resources}

    assert {
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:lambda/permission:Permission",
        "aws:sqs/queue:Queue",
        "aws:sns/topic:Topic",
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:sfn/stateMachine:StateMachine",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:dynamodb/table:Table",
    } <= present


def test_given_the_orders_queue_without_its_dead_letter_queue_then_it_is_named(deployed):
    broken = changed(deployed("dev"), "order-processing-queue-messages", without={"redrivePolicy"})

    [message] = violations(SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME, analyzed_stack(broken))

    assert message.startswith(
        "SQS queue 'order-processing-queue-messages' (read by order-processing-queue-consumer) "
        "has no dead-letter queue"
    )


def test_given_the_orders_consumer_slower_than_its_queue_allows_then_the_queue_is_named(deployed):
    broken = changed(deployed("dev"), "order-processing-consumer-function", timeout=60.0)

    [message] = violations(SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME, analyzed_stack(broken))

    assert message == (
        "SQS queue 'order-processing-queue-messages' (read by order-processing-queue-consumer) "
        "has a visibility timeout of 180 s, under 6 x the 60 s timeout of function "
        "'order-processing-consumer-function': set visibility_timeout_seconds to at least 360."
    )


def test_given_the_credit_reference_without_its_invoke_config_then_the_function_is_named(
    deployed,
):
    """The credit reference is invoked by an EventBridge rule: its failures must land somewhere."""
    broken = changed(deployed("dev"), "loan-processor-credit-reference-async", drop=True)

    [message] = violations(ASYNC_FUNCTIONS_HAVE_FAILURE_DESTINATIONS, analyzed_stack(broken))

    assert message.startswith(
        "Lambda function 'loan-processor-credit-reference-function' is invoked asynchronously "
        "by loan-processor-identity-checked-target (an EventBridge target) but has no event "
        "invoke config for $LATEST"
    )


def test_given_a_prod_table_without_deletion_protection_then_it_is_named(deployed):
    broken = changed(
        deployed("prod"), "order-processing-orders-table", deletionProtectionEnabled=False
    )

    found = [
        message
        for args in analyzed_resources(broken)
        for message in violations(PRODUCTION_TABLES_PROTECTED, args, stack="prod")
    ]

    assert found == [
        "DynamoDB table 'order-processing-orders-table' on production stack 'prod' has no "
        "deletion protection: set deletion_protection_enabled=True."
    ]


def test_given_a_role_policy_widened_to_a_service_wildcard_then_it_is_named(deployed):
    dev = deployed("dev")
    name = "order-processing-intake-queue-orders"
    widened = json.loads(dev.named(name).inputs["policy"])
    widened["Statement"][0]["Action"] = "sqs:*"
    broken = changed(dev, name, policy=json.dumps(widened))

    found = [
        message
        for args in analyzed_resources(broken)
        for message in violations(NO_WILDCARD_ACTIONS, args)
    ]

    assert found == [
        f"IAM role policy '{name}', policy, statement 1: allows the wildcard action(s) "
        "['sqs:*']: list the exact actions it needs (for example 'sqs:SendMessage', not "
        "'sqs:*')."
    ]
