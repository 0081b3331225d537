"""Program-wide wiring: parenting, policies, exports. These hold for every system."""

import ast
import json
from pathlib import Path

import pytest

from components.function import HANDLERS_DIR
from components.iam import WILDCARD_RESOURCE_REASONS
from components.settings import ConfigError
from localcloud.recording import actions, deploy_with_mocks

COMPONENT_TYPE_PREFIX = "serverless-workflows:"


def test_every_resource_is_parented_to_a_component_of_this_project(dev):
    for resource in dev.resources:
        if not resource.parent.endswith("::serverless-workflows-dev"):  # not the root stack
            parent = dev.by_urn(resource.parent)
            assert parent.type.startswith(COMPONENT_TYPE_PREFIX), resource.name
        else:
            assert resource.type.startswith(COMPONENT_TYPE_PREFIX), (
                f"{resource.type} {resource.name} hangs off the stack, not a component"
            )


def test_component_type_tokens_match_their_module_and_class(dev):
    for component in (r for r in dev.resources if not r.custom):
        _, module, cls = component.type.split(":")
        assert __import__(f"components.{module}", fromlist=[cls]).__dict__[cls], component.type


def test_children_are_named_after_their_component(dev):
    for resource in dev.resources:
        if resource.parent and not resource.parent.endswith("::serverless-workflows-dev"):
            assert resource.name.startswith(dev.by_urn(resource.parent).name + "-"), resource.name


def test_no_policy_has_a_wildcard_action_or_a_public_principal(dev):
    for resource, document in dev.policies():
        for statement in document["Statement"]:
            assert all("*" not in a for a in actions(statement)), (resource.name, statement)
            principal = statement.get("Principal")
            assert principal in (None,) or set(principal) == {"Service"}, (resource.name, principal)
            assert statement["Effect"] == "Allow"


def test_every_wildcard_resource_has_a_written_reason(dev):
    for resource, document in dev.policies():
        for statement in document["Statement"]:
            if statement.get("Resource") == "*" or "*" in statement.get("Resource", []):
                assert frozenset(statement["Action"]) in WILDCARD_RESOURCE_REASONS, resource.name


def test_every_role_lives_under_the_path_the_deploy_role_may_manage(dev):
    # README, "The AWS account": the deploy role's IAM rights cover role/serverless-workflows/*.
    roles = dev.of_type("aws:iam/role:Role")
    assert len(roles) > 20
    for role in roles:
        assert role.inputs["path"] == "/serverless-workflows/", role.name
        assert ":role/serverless-workflows/" in role.outputs["arn"], role.name


def test_each_function_has_its_own_role_and_log_group_with_the_configured_retention(dev):
    functions = dev.of_type("aws:lambda/function:Function")
    assert functions
    roles = [f.inputs["role"] for f in functions]
    assert len(set(roles)) == len(roles)
    for function in functions:
        assert function.inputs["architectures"] == ["arm64"]
        assert function.inputs["tracingConfig"] == {"mode": "Active"}
        assert function.inputs["loggingConfig"]["logFormat"] == "JSON"
        group = next(
            g
            for g in dev.of_type("aws:cloudwatch/logGroup:LogGroup")
            if g.outputs["name"] == function.inputs["loggingConfig"]["logGroup"]
        )
        assert group.inputs["retentionInDays"] == 7  # Pulumi.dev.yaml


def _handler_packages_imported_by(archive) -> set[str]:
    """The packages under handlers/ that the archive's modules import (absolute imports)."""
    handler_packages = {path.parent.name for path in HANDLERS_DIR.glob("*/__init__.py")}
    imported = set()
    for asset in archive.assets.values():
        for node in ast.walk(ast.parse(Path(asset.path).read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    return imported & handler_packages


def test_each_archive_carries_exactly_its_package_and_the_handler_packages_its_code_imports(dev):
    for function in dev.of_type("aws:lambda/function:Function"):
        archive = function.inputs["code"]
        own = function.inputs["handler"].split(".")[0]

        carried = {path.split("/")[0] for path in archive.assets}

        assert carried == {own} | _handler_packages_imported_by(archive), function.name


def test_every_function_logs_under_the_name_of_the_system_it_belongs_to(dev):
    # Powertools' Logger() reads its service from POWERTOOLS_SERVICE_NAME; handlers name none.
    services = {
        function.name: function.inputs["environment"]["variables"]["POWERTOOLS_SERVICE_NAME"]
        for function in dev.of_type("aws:lambda/function:Function")
    }

    assert services == {
        "api-workflow-put-function": "api-workflow",
        "task-tracker-starter-function": "task-tracker",
        "account-applications-data-checking-function": "account-applications",
        "account-applications-flag-function": "account-applications",
        "account-applications-approve-function": "account-applications",
        "account-applications-reject-function": "account-applications",
        "account-applications-submit-function": "account-applications",
        "account-applications-find-function": "account-applications",
        "account-applications-review-function": "account-applications",
        "order-processing-payment-function": "order-processing",
        "order-processing-consumer-function": "order-processing",
        "order-processing-queries-function": "order-processing",
        "order-processing-intake-function": "order-processing",
        "order-processing-changes-function": "order-processing",
        "loan-mock-apis-identity-check-function": "loan-mock-apis",
        "loan-mock-apis-credit-reference-function": "loan-mock-apis",
        "loan-processor-identity-check-function": "loan-processor",
        "loan-processor-credit-reference-function": "loan-processor",
    }


def test_functions_use_the_aws_managed_powertools_layer_of_their_region(dev):
    for function in dev.of_type("aws:lambda/function:Function"):
        assert function.inputs["layers"] == [
            "arn:aws:lambda:us-east-1:017000801446:layer:"
            "AWSLambdaPowertoolsPythonV3-python313-arm64:27"
        ]


def test_a_function_is_created_only_after_its_role_may_write_logs(dev):
    for function in dev.of_type("aws:lambda/function:Function"):
        component = dev.by_urn(function.parent)
        logs_policy = dev.named(f"{component.name}-own-logs")
        assert logs_policy.type == "aws:iam/rolePolicy:RolePolicy"
        assert logs_policy.urn in function.dependencies


def test_state_machines_log_and_trace_and_wait_for_their_policy(dev):
    for machine in dev.of_type("aws:sfn/stateMachine:StateMachine"):
        component = dev.by_urn(machine.parent)
        assert machine.inputs["tracingConfiguration"] == {"enabled": True}
        assert machine.inputs["loggingConfiguration"]["level"] == "ALL"
        assert machine.inputs["loggingConfiguration"]["logDestination"].endswith(":*")
        assert dev.named(f"{component.name}-policy").urn in machine.dependencies


def test_config_changes_reach_the_resources():
    deployment = deploy_with_mocks(
        "dev", {"logRetentionDays": 30, "tracing": False, "powertoolsLayerVersion": 30}
    )
    assert {
        g.inputs["retentionInDays"] for g in deployment.of_type("aws:cloudwatch/logGroup:LogGroup")
    } == {30}
    for function in deployment.of_type("aws:lambda/function:Function"):
        assert function.inputs["tracingConfig"] == {"mode": "PassThrough"}
        assert function.inputs["layers"][0].endswith(":30")
    for machine in deployment.of_type("aws:sfn/stateMachine:StateMachine"):
        assert machine.inputs["tracingConfiguration"] == {"enabled": False}
    for _, document in deployment.policies():
        for statement in document["Statement"]:
            assert not any(action.startswith("xray:") for action in actions(statement))


def test_the_region_comes_from_stack_config():
    deployment = deploy_with_mocks("dev", {"aws:region": "eu-west-1"})
    for function in deployment.of_type("aws:lambda/function:Function"):
        assert function.inputs["layers"][0].startswith("arn:aws:lambda:eu-west-1:")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("logRetentionDays", 10, "logRetentionDays must be one of"),
        ("apiAuthorization", "COGNITO", "apiAuthorization must be one of"),
        ("apiThrottlingBurstLimit", 0, "must be positive"),
    ],
)
def test_bad_config_is_a_named_error(key, value, message):
    with pytest.raises(ConfigError, match=message):
        deploy_with_mocks("dev", {key: value})


def test_exports_are_plain_values_never_none(dev):
    assert dev.outputs
    for name, value in dev.outputs.items():
        assert value not in (None, ""), name
        json.dumps(value)


def test_the_program_previews_cleanly():
    # Given `pulumi preview` (dry run), when the program runs, then it registers the same resources
    preview = deploy_with_mocks("dev", preview=True)
    update = deploy_with_mocks("dev")
    assert sorted((r.type, r.name) for r in preview.resources) == sorted(
        (r.type, r.name) for r in update.resources
    )
