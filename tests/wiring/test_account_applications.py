"""AccountApplications (seed 003) as the program registers it."""

import json

import pytest

from components import asl
from components.asl_policy import _FUNCTION_ARN, executions_of
from components.settings import ConfigError
from localcloud.recording import deploy_with_mocks

SYSTEM = "account-applications"
LAMBDA_TRANSIENT_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}
RECORD_ANY_ERROR = {
    "ErrorEquals": ["States.ALL"],
    "ResultPath": "$.failure",
    "Next": "Record Processing Failure",
}
# role -> (package, the DynamoDB actions it calls)
FUNCTIONS = {
    "submit": ("submit_application", {"dynamodb:UpdateItem", "dynamodb:DeleteItem"}),
    "flag": ("flag_application", {"dynamodb:UpdateItem"}),
    "find": ("find_applications", {"dynamodb:Query"}),
    "approve": ("approve_application", {"dynamodb:UpdateItem"}),
    "reject": ("reject_application", {"dynamodb:UpdateItem"}),
    "review": ("review_application", {"dynamodb:UpdateItem"}),
    "data-checking": ("data_checking", set()),
}
RECORDS = {"applications", "lambda_support"}  # the records code and the helpers it imports
# role -> the packages its archive carries beside its own
SHARED = {
    "submit": RECORDS,
    "flag": RECORDS,
    "find": RECORDS,
    "approve": RECORDS,
    "reject": RECORDS,
    "review": RECORDS,
    "data-checking": set(),
}
# role -> the names of its environment variables
ENVIRONMENT = {
    "submit": {"POWERTOOLS_SERVICE_NAME", "TABLE_NAME", "STATE_MACHINE_ARN"},
    "flag": {"POWERTOOLS_SERVICE_NAME", "TABLE_NAME"},
    "find": {"POWERTOOLS_SERVICE_NAME", "TABLE_NAME"},
    "approve": {"POWERTOOLS_SERVICE_NAME", "TABLE_NAME"},
    "reject": {"POWERTOOLS_SERVICE_NAME", "TABLE_NAME"},
    "review": {"POWERTOOLS_SERVICE_NAME", "TABLE_NAME"},
    "data-checking": {"POWERTOOLS_SERVICE_NAME"},
}


def _definition(deployment):
    return json.loads(deployment.named(f"{SYSTEM}-workflow-state-machine").inputs["definition"])


def _function(deployment, role):
    return deployment.named(f"{SYSTEM}-{role}-function")


def _arn(deployment, name):
    return deployment.named(name).outputs["arn"]


def _statements(deployment, role, prefix):
    """The role's statements that grant any action of the service ``prefix`` (e.g. ``states:``)."""
    return [
        statement
        for statement in deployment.role_statements(deployment.named(f"{SYSTEM}-{role}-role"))
        if any(action.startswith(prefix) for action in statement["Action"])
    ]


def _lambda_tasks(definition):
    return {
        name: state
        for name, state in asl.states(definition)
        if state["Type"] == "Task" and state["Resource"].startswith("arn:aws:states:::lambda:")
    }


def test_the_machine_is_the_workshops_final_version(dev):
    definition = _definition(dev)
    states = definition["States"]

    assert definition["StartAt"] == "Check Applicant Data"
    check = states["Check Applicant Data"]
    assert check["Type"] == "Parallel" and check["ResultPath"] == "$.checks"
    assert [branch["StartAt"] for branch in check["Branches"]] == ["Check Name", "Check Address"]
    assert check["Catch"] == [
        {
            "ErrorEquals": ["UnprocessableDataException"],
            "ResultPath": "$.errorInfo",
            "Next": "Flag Application As Unprocessable",
        },
        RECORD_ANY_ERROR,
    ]
    assert check["Next"] == "Review Required?"
    review_required = states["Review Required?"]
    assert [c["Variable"] for c in review_required["Choices"]] == [
        "$.checks[0].flagged",
        "$.checks[1].flagged",
    ]
    assert {c["Next"] for c in review_required["Choices"]} == {"Pending Review"}
    assert review_required["Default"] == "Approve Application"
    approved = states["Review Approved?"]
    assert [(c["StringEquals"], c["Next"]) for c in approved["Choices"]] == [
        ("APPROVE", "Approve Application"),
        ("REJECT", "Reject Application"),
    ]
    assert not asl.placeholders(definition)


def test_an_unknown_review_decision_is_recorded_as_a_processing_failure(dev):
    states = _definition(dev)["States"]

    default = states[states["Review Approved?"]["Default"]]

    assert default["Type"] == "Pass"
    assert default["Result"]["Error"] == "UnknownReviewDecision"
    assert (default["ResultPath"], default["Next"]) == ("$.failure", "Record Processing Failure")


@pytest.mark.parametrize(
    "state",
    [
        "Check Applicant Data",
        "Pending Review",
        "Mark Review Timed Out",
        "Approve Application",
        "Reject Application",
        "Flag Application As Unprocessable",
    ],
)
def test_every_error_a_step_does_not_handle_is_recorded_as_a_processing_failure(dev, state):
    # Given retries that are exhausted, a function that cannot be invoked, or a timeout
    assert _definition(dev)["States"][state]["Catch"][-1] == RECORD_ANY_ERROR


def test_a_processing_failure_marks_an_undecided_application_and_keeps_the_error_name(dev):
    states = _definition(dev)["States"]
    table = dev.named(f"{SYSTEM}-applications-table").outputs["name"]

    record = states["Record Processing Failure"]

    assert record["Resource"] == "arn:aws:states:::dynamodb:updateItem"
    parameters = record["Parameters"]
    assert parameters["TableName"] == table
    assert parameters["Key"] == {"id": {"S.$": "$.application.id"}}
    assert parameters["UpdateExpression"] == (
        "SET #state = :failed, #failure = :failure, #updatedAt = :now REMOVE #taskToken"
    )
    values = parameters["ExpressionAttributeValues"]
    assert values[":failed"] == {"S": "PROCESSING_FAILED"}
    assert values[":failure"] == {"S.$": "States.JsonToString($.failure)"}
    # Only from the states before a decision: a decided application keeps its outcome.
    assert {
        value["S"] for name, value in values.items() if name not in (":failure", ":now", ":failed")
    } == {
        "SUBMITTED",
        "FLAGGED_FOR_REVIEW",
        "REVIEW_APPROVED",
        "REVIEW_REJECTED",
        "REVIEW_TIMED_OUT",
    }
    assert record["Next"] == "Processing Failed"
    assert record["Catch"] == [
        {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.recordingFailure",
            "Next": "Failure Not Recorded",
        }
    ]
    for end in ("Processing Failed", "Failure Not Recorded"):
        assert states[end]["Type"] == "Fail"
        assert states[end]["ErrorPath"] == "$.failure.Error", end


def test_the_checks_call_the_data_checking_service_with_its_commands(dev):
    tasks = _lambda_tasks(_definition(dev))
    data_checking = _arn(dev, f"{SYSTEM}-data-checking-function")

    for name, command, field in (
        ("Check Name", "CHECK_NAME", "name"),
        ("Check Address", "CHECK_ADDRESS", "address"),
    ):
        parameters = tasks[name]["Parameters"]
        assert tasks[name]["Resource"] == "arn:aws:states:::lambda:invoke"
        assert parameters["FunctionName"] == data_checking
        assert parameters["Payload"] == {
            "command": command,
            "data": {f"{field}.$": f"$.application.{field}"},
        }
        assert tasks[name]["ResultSelector"] == {"flagged.$": "$.Payload.flagged"}


def test_pending_review_waits_for_the_callback_with_the_task_token_and_a_timeout(dev):
    pending = _definition(dev)["States"]["Pending Review"]

    assert pending["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert pending["Parameters"]["FunctionName"] == _arn(dev, f"{SYSTEM}-flag-function")
    payload = pending["Parameters"]["Payload"]
    assert payload["taskToken.$"] == "$$.Task.Token"
    assert payload["flagType"] == "REVIEW"
    assert pending["TimeoutSeconds"] == 86400  # Pulumi.yaml default, rendered as a number
    assert pending["ResultPath"] == "$.review" and pending["Next"] == "Review Approved?"


def test_a_review_timeout_marks_the_application_timed_out_then_rejects_it(dev):
    states = _definition(dev)["States"]

    timeout_catch, _ = states["Pending Review"]["Catch"]
    assert timeout_catch["ErrorEquals"] == ["States.Timeout"]
    mark = states[timeout_catch["Next"]]
    assert mark["Parameters"]["FunctionName"] == _arn(dev, f"{SYSTEM}-flag-function")
    assert mark["Parameters"]["Payload"]["flagType"] == "REVIEW_TIMED_OUT"
    assert mark["Next"] == "Reject Application"


def test_the_unprocessable_flag_gets_the_caught_error(dev):
    flag = _definition(dev)["States"]["Flag Application As Unprocessable"]

    assert flag["Parameters"]["FunctionName"] == _arn(dev, f"{SYSTEM}-flag-function")
    assert flag["Parameters"]["Payload"]["flagType"] == "UNPROCESSABLE_DATA"
    assert flag["Parameters"]["Payload"]["errorInfo.$"] == "$.errorInfo"
    assert flag["End"] is True


def test_every_lambda_task_retries_transient_errors_with_backoff_and_jitter(dev):
    tasks = _lambda_tasks(_definition(dev))

    assert len(tasks) == 7
    for name, task in tasks.items():
        [retry] = task["Retry"]
        assert set(retry["ErrorEquals"]) == LAMBDA_TRANSIENT_ERRORS, name
        assert retry["BackoffRate"] > 1, name
        assert retry["JitterStrategy"] == "FULL" and retry["MaxDelaySeconds"] > 0, name


def test_the_review_timeout_follows_stack_config():
    deployment = deploy_with_mocks("dev", {"reviewTimeoutSeconds": 90})

    assert _definition(deployment)["States"]["Pending Review"]["TimeoutSeconds"] == 90


@pytest.mark.parametrize("value", [0, 31_536_001])
def test_a_review_timeout_outside_a_standard_executions_life_is_a_config_error(value):
    with pytest.raises(ConfigError, match="reviewTimeoutSeconds must be from 1 to 31536000"):
        deploy_with_mocks("dev", {"reviewTimeoutSeconds": value})


def test_the_state_machine_role_invokes_exactly_the_functions_its_definition_calls(dev):
    invoked = {
        _FUNCTION_ARN.match(task["Parameters"]["FunctionName"])["arn"]
        for task in _lambda_tasks(_definition(dev)).values()
    }
    expected = {
        _arn(dev, f"{SYSTEM}-{role}-function")
        for role in ("data-checking", "flag", "approve", "reject")
    }

    statements = dev.role_statements(dev.named(f"{SYSTEM}-workflow-role"))

    assert invoked == expected
    [invoke] = [s for s in statements if "lambda:InvokeFunction" in s["Action"]]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    assert set(invoke["Resource"]) == invoked | {f"{arn}:*" for arn in invoked}
    [update] = [s for s in statements if any(a.startswith("dynamodb:") for a in s["Action"])]
    assert update["Action"] == ["dynamodb:UpdateItem"]
    assert update["Resource"] == [_arn(dev, f"{SYSTEM}-applications-table")]
    other_actions = {a for s in statements for a in s["Action"]} - {
        "lambda:InvokeFunction",
        "dynamodb:UpdateItem",
    }
    assert all(action.startswith(("logs:", "xray:")) for action in other_actions)


@pytest.mark.parametrize("role", sorted(FUNCTIONS))
def test_each_function_may_only_call_its_own_actions_on_this_table(dev, role):
    table_arn = _arn(dev, f"{SYSTEM}-applications-table")
    _, actions = FUNCTIONS[role]

    statements = _statements(dev, role, "dynamodb:")

    granted = {action for statement in statements for action in statement["Action"]}
    assert granted == actions
    resources = {resource for statement in statements for resource in statement["Resource"]}
    if role == "find":
        assert resources == {table_arn, f"{table_arn}/index/state"}
    elif actions:
        assert resources == {table_arn}


@pytest.mark.parametrize("role", sorted(FUNCTIONS))
def test_only_submit_starts_executions_and_only_review_resumes_them_on_this_machine(dev, role):
    machine_arn = dev.outputs["accountApplicationsStateMachineArn"]
    expected = {
        "submit": [
            (["states:StartExecution"], [machine_arn]),
            (["states:DescribeExecution"], [executions_of(machine_arn)]),
        ],
        "review": [(["states:SendTaskSuccess"], [machine_arn])],
    }.get(role, [])

    statements = _statements(dev, role, "states:")

    assert sorted((s["Action"], s["Resource"]) for s in statements) == sorted(expected)


def test_no_other_role_in_the_program_may_answer_a_callback(dev):
    review_role = dev.named(f"{SYSTEM}-review-role").outputs["id"]
    answering = {
        policy.inputs["role"]
        for policy in dev.of_type("aws:iam/rolePolicy:RolePolicy")
        for statement in json.loads(policy.inputs["policy"])["Statement"]
        if {"states:SendTaskSuccess", "states:SendTaskFailure"} & set(statement["Action"])
    }
    assert answering == {review_role}


def test_describing_executions_is_limited_to_this_machines_executions():
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:workflow"
    assert executions_of(machine) == "arn:aws:states:us-east-1:123456789012:execution:workflow:*"
    with pytest.raises(ValueError, match="not a state machine ARN"):
        executions_of("arn:aws:lambda:us-east-1:123456789012:function:workflow")


@pytest.mark.parametrize("role", sorted(FUNCTIONS))
def test_each_function_ships_its_package_and_exactly_the_shared_packages_it_imports(dev, role):
    package, _ = FUNCTIONS[role]
    function = _function(dev, role)

    packages = {path.split("/")[0] for path in function.inputs["code"].assets}

    assert function.inputs["handler"] == f"{package}.app.handler"
    assert packages == {package} | SHARED[role]


@pytest.mark.parametrize("role", sorted(FUNCTIONS))
def test_each_function_is_told_its_service_and_the_table_only_if_it_uses_it(dev, role):
    variables = _function(dev, role).inputs["environment"]["variables"]

    assert set(variables) == ENVIRONMENT[role]
    assert variables["POWERTOOLS_SERVICE_NAME"] == "account-applications"
    if "TABLE_NAME" in variables:
        assert variables["TABLE_NAME"] == dev.outputs["accountApplicationsTableName"]


def test_data_checking_is_told_of_no_table_and_ships_no_records_code(dev):
    function = _function(dev, "data-checking")

    assert function.inputs["environment"]["variables"] == {
        "POWERTOOLS_SERVICE_NAME": "account-applications"
    }
    assert sorted(function.inputs["code"].assets) == [
        "data_checking/__init__.py",
        "data_checking/app.py",
        "data_checking/checks.py",
    ]


def test_approve_ships_its_entry_point_the_records_code_and_the_generic_helpers(dev):
    assert sorted(_function(dev, "approve").inputs["code"].assets) == [
        "applications/__init__.py",
        "applications/model.py",
        "applications/outcomes.py",
        "applications/repository.py",
        "approve_application/__init__.py",
        "approve_application/app.py",
        "lambda_support/__init__.py",
        "lambda_support/arns.py",
        "lambda_support/aws_errors.py",
        "lambda_support/executions.py",
        "lambda_support/lazy.py",
        "lambda_support/text.py",
    ]


def test_submit_starts_executions_of_this_machine(dev):
    variables = _function(dev, "submit").inputs["environment"]["variables"]
    assert variables["STATE_MACHINE_ARN"] == dev.outputs["accountApplicationsStateMachineArn"]


def test_the_table_is_keyed_by_id_with_a_state_index_on_demand_and_recoverable(dev):
    table = dev.named(f"{SYSTEM}-applications-table").inputs

    assert table["hashKey"] == "id"
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert sorted(table["attributes"], key=lambda a: a["name"]) == [
        {"name": "id", "type": "S"},
        {"name": "state", "type": "S"},
    ]
    [index] = table["globalSecondaryIndexes"]
    assert (index["name"], index["hashKey"], index["projectionType"]) == ("state", "state", "ALL")
    assert table["pointInTimeRecovery"] == {"enabled": True}  # Pulumi.yaml default


def test_exports_point_at_the_machine_the_table_and_the_callers_functions(dev):
    assert dev.outputs["accountApplicationsStateMachineArn"] == _arn(
        dev, f"{SYSTEM}-workflow-state-machine"
    )
    assert (
        dev.outputs["accountApplicationsTableName"]
        == (dev.named(f"{SYSTEM}-applications-table").outputs["name"])
    )
    for export, role in (
        ("submitApplicationFunctionName", "submit"),
        ("findApplicationsFunctionName", "find"),
        ("reviewApplicationFunctionName", "review"),
    ):
        assert dev.outputs[export] == _function(dev, role).outputs["name"]
