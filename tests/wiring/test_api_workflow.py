"""ApiWorkflow (seed 004) as the program registers it."""

import json

from components import asl
from components.asl_policy import _FUNCTION_ARN
from localcloud.recording import deploy_with_mocks


def _component(deployment, type_suffix):
    return next(r for r in deployment.resources if r.type.endswith(type_suffix))


def _machine(deployment):
    return deployment.named("api-workflow-workflow-state-machine")


def test_rendered_definition_is_the_seed_machine_invoking_the_put_function(dev):
    definition = json.loads(_machine(dev).inputs["definition"])
    put_function = dev.named("api-workflow-put-function")

    invoke = definition["States"]["InvokeLambda"]
    assert invoke["Resource"] == put_function.outputs["arn"]
    assert invoke["Next"] == "HandleResponse"
    assert invoke["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$", "Next": "HandleError"}
    ]
    assert definition["States"]["HandleResponse"] == {
        "Type": "Pass",
        "ResultPath": "$.response",
        "End": True,
    }
    assert definition["States"]["HandleError"]["Error"] == "LambdaFunctionError"
    assert not asl.placeholders(definition)


def test_lambda_transient_errors_are_retried_with_backoff_and_jitter(dev):
    retry = json.loads(_machine(dev).inputs["definition"])["States"]["InvokeLambda"]["Retry"]
    assert set(retry[0]["ErrorEquals"]) == {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    }
    assert retry[0]["BackoffRate"] > 1 and retry[0]["JitterStrategy"] == "FULL"


def test_state_machine_role_allows_exactly_the_functions_its_definition_invokes(dev):
    definition = json.loads(_machine(dev).inputs["definition"])
    invoked = {
        _FUNCTION_ARN.match(state["Resource"])["arn"]
        for _, state in asl.states(definition)
        if state["Type"] == "Task"
    }
    role = dev.named("api-workflow-workflow-role")

    invoke_statements = [
        s for s in dev.role_statements(role) if "lambda:InvokeFunction" in s["Action"]
    ]

    assert len(invoke_statements) == 1
    assert invoke_statements[0]["Action"] == ["lambda:InvokeFunction"]
    assert set(invoke_statements[0]["Resource"]) == invoked | {f"{arn}:*" for arn in invoked}
    other_actions = {a for s in dev.role_statements(role) for a in s["Action"]} - {
        "lambda:InvokeFunction"
    }
    assert all(a.startswith(("logs:", "xray:")) for a in other_actions)


def test_put_function_may_only_put_items_into_its_own_table(dev):
    role = dev.named("api-workflow-put-role")
    table_arn = dev.named("api-workflow-items-table").outputs["arn"]

    data_statements = [
        s for s in dev.role_statements(role) if any(a.startswith("dynamodb:") for a in s["Action"])
    ]

    assert data_statements == [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [table_arn]}
    ]
    function = dev.named("api-workflow-put-function")
    assert function.inputs["environment"]["variables"] == {
        "TABLE_NAME": dev.outputs["apiWorkflowTableName"],
        "POWERTOOLS_SERVICE_NAME": "api-workflow",
    }
    assert function.inputs["handler"] == "put_item.app.handler"


def test_the_function_archive_contains_the_handler_and_its_helpers_and_nothing_else(dev):
    archive = dev.named("api-workflow-put-function").inputs["code"]
    assert sorted(archive.assets) == [
        "lambda_support/__init__.py",
        "lambda_support/arns.py",
        "lambda_support/aws_errors.py",
        "lambda_support/executions.py",
        "lambda_support/lazy.py",
        "lambda_support/text.py",
        "put_item/__init__.py",
        "put_item/app.py",
        "put_item/items.py",
    ]


def test_table_is_keyed_by_id_on_demand_and_encrypted(dev):
    table = dev.named("api-workflow-items-table").inputs
    assert table["hashKey"] == "id"
    assert table["attributes"] == [{"name": "id", "type": "S"}]
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["serverSideEncryption"] == {"enabled": True}


def test_post_items_starts_this_state_machine_with_the_request_body(dev):
    integration = dev.named("api-workflow-http-post-items-integration").inputs
    route = dev.named("api-workflow-http-post-items-route").inputs

    assert route["routeKey"] == "POST /items"
    assert route["authorizationType"] == "AWS_IAM"
    assert (
        route["target"]
        == f"integrations/{dev.named('api-workflow-http-post-items-integration').outputs['id']}"
    )
    assert integration["integrationType"] == "AWS_PROXY"
    assert integration["integrationSubtype"] == "StepFunctions-StartExecution"
    assert integration["requestParameters"] == {
        "StateMachineArn": dev.outputs["apiWorkflowStateMachineArn"],
        "Input": "$request.body",
    }
    assert integration["credentialsArn"] == dev.named("api-workflow-http-role").outputs["arn"]


def test_api_role_can_start_only_this_state_machine(dev):
    statements = dev.role_statements(dev.named("api-workflow-http-role"))
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": [dev.outputs["apiWorkflowStateMachineArn"]],
        }
    ]
    trust = json.loads(dev.named("api-workflow-http-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}


def test_stage_is_throttled_and_logs_access(dev):
    stage = dev.named("api-workflow-http-stage").inputs
    assert stage["name"] == "$default" and stage["autoDeploy"] is True
    assert stage["defaultRouteSettings"]["throttlingRateLimit"] == 10
    assert stage["defaultRouteSettings"]["throttlingBurstLimit"] == 20
    assert stage["accessLogSettings"]["destinationArn"].startswith("arn:aws:logs:")


def test_api_authorization_and_throttling_follow_stack_config():
    deployment = deploy_with_mocks(
        "dev",
        {"apiAuthorization": "NONE", "apiThrottlingRateLimit": 3, "apiThrottlingBurstLimit": 6},
    )
    assert (
        deployment.named("api-workflow-http-post-items-route").inputs["authorizationType"] == "NONE"
    )
    settings = deployment.named("api-workflow-http-stage").inputs["defaultRouteSettings"]
    assert (settings["throttlingRateLimit"], settings["throttlingBurstLimit"]) == (3, 6)


def test_exports_point_at_the_api_the_machine_and_the_table(dev):
    api = dev.named("api-workflow-http-api").outputs
    assert dev.outputs["apiWorkflowUrl"] == f"{api['apiEndpoint']}/items"
    assert dev.outputs["apiWorkflowStateMachineArn"] == _machine(dev).outputs["arn"]
    assert (
        dev.outputs["apiWorkflowTableName"] == dev.named("api-workflow-items-table").outputs["name"]
    )
