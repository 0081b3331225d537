"""The pack as the CLI runs it: its entry point registers every rule as mandatory, its project
and requirements files, the copy of the documented wildcard-resource sets, and pulumi_policy's own
analyzer (the object behind the gRPC server, called directly: no server, no network) driving the
rules with engine-shaped requests."""

import contextvars
import runpy
import sys
from pathlib import Path

import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, StackValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

import policy.rules
from components.iam import WILDCARD_RESOURCE_REASONS
from policy.rules.wildcard_resources import DOCUMENTED_ACTION_SETS
from tests.policy.support import UNKNOWN, urn

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACK_DIR = PROJECT_DIR / "policy"


@pytest.fixture(scope="module")
def pack_arguments():
    """What ``policy/__main__.py`` constructs the PolicyPack with, run as the CLI's
    ``python -m pulumi.policy`` runs it (``runpy.run_path`` on the pack's directory), with the
    PolicyPack that would start the gRPC server replaced by a recorder."""
    constructed = []
    patch = pytest.MonkeyPatch()
    patch.setattr("pulumi_policy.PolicyPack", lambda **kwargs: constructed.append(kwargs))
    try:
        runpy.run_path(str(PACK_DIR), run_name="__main__")
    finally:
        patch.undo()
        # The run imported the rules as the top-level package ``rules``: forget that copy.
        for name in [m for m in sys.modules if m == "rules" or m.startswith("rules.")]:
            del sys.modules[name]
    [arguments] = constructed
    return arguments


def test_the_entry_point_serves_every_rule_as_mandatory(pack_arguments):
    names = [p.name for p in pack_arguments["policies"]]

    assert names == [p.name for p in policy.rules.POLICIES]
    assert len(set(names)) == len(names) == 10
    assert pack_arguments["enforcement_level"] is EnforcementLevel.MANDATORY
    assert all(p.enforcement_level is None for p in pack_arguments["policies"]), (
        "no rule lowers the pack's level"
    )
    assert pack_arguments["name"] == "serverless-workflows"


def test_the_pack_project_runs_python_from_its_own_virtualenv():
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())

    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"] == {"toolchain": "pip", "virtualenv": ".venv"}
    assert project["description"]


def _pins(text):
    return dict(
        line.split(" ")[0].split("==")
        for line in text.splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    )


def test_the_pack_requirements_pin_the_versions_the_program_locks():
    pack = _pins((PACK_DIR / "requirements.txt").read_text())
    lock = _pins((PROJECT_DIR / "requirements.lock").read_text())

    assert pack["pulumi-policy"] == "1.21.0"
    assert pack["pulumi"] == "3.272.0"
    assert {name: lock.get(name) for name in pack} == pack


def test_the_documented_wildcard_resource_sets_are_the_programs():
    """The pack keeps its own copy (it runs, and is published, without the program's packages);
    a set added in components.iam must be added to the pack on purpose."""
    assert set(DOCUMENTED_ACTION_SETS) == set(WILDCARD_RESOURCE_REASONS)


# pulumi_policy's analyzer, given requests shaped as the engine sends them.


def _struct(values):
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


@pytest.fixture
def analyzer(pack_arguments, monkeypatch):
    """The pack's analyzer on stack ``prod`` of a preview, its environment as the CLI sets it
    (PULUMI_PROJECT, PULUMI_STACK, PULUMI_DRY_RUN), in a context of its own."""
    monkeypatch.setenv("PULUMI_PROJECT", "serverless-workflows")
    monkeypatch.setenv("PULUMI_STACK", "prod")
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    servicer = _PolicyAnalyzerServicer(
        pack_arguments["name"],
        "0.1.0",
        pack_arguments["policies"],
        pack_arguments["enforcement_level"],
        description=pack_arguments["description"],
    )

    def call(method, request):
        return contextvars.Context().run(getattr(servicer, method), request, None)

    return call


def test_the_analyzer_reads_a_tables_inputs_and_the_stack_from_the_cli_environment(analyzer):
    table = "aws:dynamodb/table:Table"
    request = proto.AnalyzeRequest(
        type=table,
        urn=urn(table, "orders-table", "prod"),
        name="orders-table",
        properties=_struct(
            {"billingMode": "PAY_PER_REQUEST", "pointInTimeRecovery": {"enabled": False}}
        ),
    )

    response = analyzer("Analyze", request)

    [diagnostic] = response.diagnostics
    assert diagnostic.policyName == "production-tables-protected"
    assert diagnostic.enforcementLevel == proto.MANDATORY
    assert diagnostic.message.endswith(
        "\nDynamoDB table 'orders-table' on production stack 'prod' has no point-in-time "
        "recovery and no deletion protection: set point_in_time_recovery={'enabled': True} and "
        "deletion_protection_enabled=True."
    )


def test_the_analyzer_reports_an_unknown_document_as_not_checkable_during_preview(analyzer):
    role_policy = "aws:iam/rolePolicy:RolePolicy"
    request = proto.AnalyzeRequest(
        type=role_policy,
        urn=urn(role_policy, "consumer-policy", "prod"),
        name="consumer-policy",
        properties=_struct({"policy": UNKNOWN, "role": UNKNOWN}),
    )

    response = analyzer("Analyze", request)

    assert {d.policyName for d in response.diagnostics} == {
        "no-wildcard-actions",
        "no-public-principals",
        "documented-wildcard-resources",
    }
    assert all(d.enforcementLevel == proto.ADVISORY for d in response.diagnostics)
    assert all("can't run policy" in d.message for d in response.diagnostics)


def test_the_analyzer_links_a_stack_by_property_dependencies_during_preview(analyzer):
    queue_type = "aws:sqs/queue:Queue"
    function_type = "aws:lambda/function:Function"
    mapping_type = "aws:lambda/eventSourceMapping:EventSourceMapping"
    queue_urn = urn(queue_type, "orders-messages", "prod")
    function_urn = urn(function_type, "orders-consumer-function", "prod")

    def dependencies(*urns):
        return proto.AnalyzerPropertyDependencies(urns=list(urns))

    request = proto.AnalyzeStackRequest(
        resources=[
            proto.AnalyzerResource(
                type=queue_type,
                urn=queue_urn,
                name="orders-messages",
                properties=_struct({"arn": UNKNOWN, "visibilityTimeoutSeconds": 60}),
            ),
            proto.AnalyzerResource(
                type=function_type,
                urn=function_urn,
                name="orders-consumer-function",
                properties=_struct({"arn": UNKNOWN, "name": UNKNOWN, "timeout": 30}),
            ),
            proto.AnalyzerResource(
                type=mapping_type,
                urn=urn(mapping_type, "orders-consumer", "prod"),
                name="orders-consumer",
                properties=_struct({"eventSourceArn": UNKNOWN, "functionName": UNKNOWN}),
                dependencies=[queue_urn, function_urn],
                propertyDependencies={
                    "eventSourceArn": dependencies(queue_urn),
                    "functionName": dependencies(function_urn),
                },
            ),
        ]
    )

    response = analyzer("AnalyzeStack", request)

    assert [(d.policyName, d.urn) for d in response.diagnostics] == [
        ("sqs-consumers-have-dead-letters-and-time", queue_urn),
        ("sqs-consumers-have-dead-letters-and-time", queue_urn),
    ]
    assert [d.message.split("\n")[1].split(":")[0] for d in response.diagnostics] == [
        "SQS queue 'orders-messages' (read by orders-consumer) has no dead-letter queue",
        "SQS queue 'orders-messages' (read by orders-consumer) has a visibility timeout of 60 s, "
        "under 6 x the 30 s timeout of function 'orders-consumer-function'",
    ]


def test_only_the_two_rules_that_span_resources_are_stack_policies():
    assert sorted(
        p.name for p in policy.rules.POLICIES if isinstance(p, StackValidationPolicy)
    ) == ["async-functions-have-failure-destinations", "sqs-consumers-have-dead-letters-and-time"]
