"""Account applications (seed 003) end to end, beyond its demo scenarios (tests/e2e/test_demo.py):
driven as a client does (``demo.systems.account_applications``), through timeouts, failures,
bad requests, search and load.

One deploy for the module, on a manual clock with a 300-second review timeout: nothing times out
until a test moves the clock past it. The last test checks, from the histories of every execution
the tests above caused, that every state, Choice rule and Catch of the definition was taken.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from applications.model import State

from components import asl
from demo.scenarios.account_applications import (
    CLEAN,
    FLAGGED_ADDRESS,
    FLAGGED_NAME,
    UNPROCESSABLE,
)
from demo.systems.account_applications import Applications
from localcloud import LocalCloud, deploy
from localcloud.clock import Clock
from localcloud.cloud import entered_states

REVIEW_TIMEOUT = 300
DEFINITION = asl.load_template("account_applications.asl.json")
TIMED_OUT_REASON = "no review decision arrived within the review period"

# The execution of every application the tests below submit one by one, for the coverage test.
EXECUTIONS: list[str] = []


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    config = {"reviewTimeoutSeconds": REVIEW_TIMEOUT}
    with deploy("dev", config=config, clock=Clock("manual")) as deployed:
        yield deployed


@pytest.fixture(scope="module")
def applications(cloud: LocalCloud) -> Applications:
    return Applications(cloud)


def submitted(applications: Applications, request: dict[str, str]) -> str:
    errored, application = applications.submit(request)
    assert not errored, application
    assert application["state"] == "SUBMITTED"
    EXECUTIONS.append(applications.execution_arn(application["id"]))
    return str(application["id"])


def stays(condition: Callable[[], bool], seconds: float = 0.3) -> bool:
    """Whether ``condition`` holds throughout ``seconds`` (polled)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not condition():
            return False
        time.sleep(0.02)
    return condition()


# -- the review period ends ---------------------------------------------------------------------


def test_given_no_review_when_the_clock_passes_the_timeout_then_timed_out_and_rejected(
    cloud, applications
):
    application_id = submitted(applications, FLAGGED_NAME)
    applications.await_review(application_id)

    # One second short of the review timeout, measured on the clock: still waiting.
    cloud.clock.advance(REVIEW_TIMEOUT - 1)
    assert stays(lambda: applications.status(application_id) == "RUNNING")
    assert applications.record(application_id)["state"] == "FLAGGED_FOR_REVIEW"

    cloud.clock.advance(1)

    assert applications.finished(application_id)["status"] == "SUCCEEDED"
    assert applications.path(application_id)[-3:] == [
        "Pending Review",
        "Mark Review Timed Out",
        "Reject Application",
    ]
    results = [
        json.loads(event["taskSucceededEventDetails"]["output"])["Payload"]
        for event in cloud.history(applications.execution_arn(application_id))
        if event["type"] == "TaskSucceeded"
    ]
    marked = [result["state"] for result in results if "state" in result]
    assert marked[-2:] == ["REVIEW_TIMED_OUT", "REJECTED"]
    record = applications.record(application_id)
    assert (record["state"], record["reason"]) == ("REJECTED", TIMED_OUT_REASON)
    assert "taskToken" not in record

    # A review arriving after the review period ended is told so, and changes nothing.
    errored, error = applications.review(application_id, "APPROVE")
    assert (errored, error["errorType"]) == (True, "ReviewClosedError")
    assert applications.record(application_id) == record


# -- failures the workflow cannot handle ---------------------------------------------------------


@contextlib.contextmanager
def denied(cloud: LocalCloud, applications: Applications, action: str, resource: str):
    """The workflow's role explicitly denied ``action`` on ``resource`` (an explicit Deny wins
    over any Allow: IAM's policy evaluation logic) until the block ends."""
    iam = cloud.client("iam")
    role_arn = cloud.client("stepfunctions").describe_state_machine(
        stateMachineArn=applications.state_machine_arn
    )["roleArn"]
    role = role_arn.rpartition("/")[2]
    statement = {"Effect": "Deny", "Action": action, "Resource": [resource, f"{resource}:*"]}
    name = f"e2e-deny-{uuid.uuid4().hex[:8]}"
    iam.put_role_policy(
        RoleName=role,
        PolicyName=name,
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    try:
        yield
    finally:
        iam.delete_role_policy(RoleName=role, PolicyName=name)


def function_arn(cloud: LocalCloud, role: str) -> str:
    """The ARN of the system's function whose name starts ``account-applications-<role>-``."""
    functions = cloud.client("lambda").list_functions()["Functions"]
    [arn] = [
        f["FunctionArn"]
        for f in functions
        if re.fullmatch(rf"account-applications-{role}-function-[0-9a-f]+", f["FunctionName"])
    ]
    return str(arn)


def finished_on_the_clock(cloud: LocalCloud, applications: Applications, application_id: str):
    """Advance the manual clock past each retry interval until the execution ends."""
    for _ in range(60):
        if applications.status(application_id) != "RUNNING":
            return applications.finished(application_id)
        cloud.clock.advance(10)
        time.sleep(0.05)
    raise AssertionError(f"{application_id} still running")


def top_level_path(applications: Applications, application_id: str) -> list[str]:
    return [name for name in applications.path(application_id) if name in DEFINITION["States"]]


def recorded_failure(applications: Applications, application_id: str, error: str) -> dict:
    """The record, checked to be PROCESSING_FAILED with ``error`` and no task token left."""
    record = applications.record(application_id)
    assert record is not None
    assert record["state"] == "PROCESSING_FAILED"
    assert json.loads(record["failure"])["Error"] == error
    assert "taskToken" not in record
    return record


def denied_invoke(cloud, applications, role):
    return denied(cloud, applications, "lambda:InvokeFunction", function_arn(cloud, role))


@dataclass(frozen=True)
class Breakage:
    request: dict[str, str]
    function: str
    """The function the workflow's role may not invoke."""
    review: str | None
    """The reviewer's decision, TIMEOUT for none in time, None for no review wait."""
    failing_state: str


@pytest.mark.parametrize(
    "breakage",
    [
        Breakage(CLEAN, "data-checking", None, "Check Applicant Data"),
        Breakage(FLAGGED_NAME, "flag", None, "Pending Review"),
        Breakage(UNPROCESSABLE, "flag", None, "Flag Application As Unprocessable"),
        Breakage(CLEAN, "approve", None, "Approve Application"),
        Breakage(FLAGGED_ADDRESS, "reject", "REJECT", "Reject Application"),
        Breakage(FLAGGED_NAME, "flag", "TIMEOUT", "Mark Review Timed Out"),
    ],
    ids=lambda breakage: breakage.failing_state,
)
def test_given_a_function_the_workflow_cannot_invoke_then_the_application_ends_processing_failed(
    cloud, applications, breakage
):
    # Given a function the workflow's role may not invoke: every retry fails (retries exhausted)
    failing_state = breakage.failing_state
    if breakage.review is None:
        with denied_invoke(cloud, applications, breakage.function):
            application_id = submitted(applications, breakage.request)
            final = finished_on_the_clock(cloud, applications, application_id)
    else:
        application_id = submitted(applications, breakage.request)
        applications.await_review(application_id)
        with denied_invoke(cloud, applications, breakage.function):
            if breakage.review == "TIMEOUT":
                cloud.clock.advance(REVIEW_TIMEOUT)
            else:
                assert not applications.review(application_id, breakage.review)[0]
            final = finished_on_the_clock(cloud, applications, application_id)

    # Then the execution fails with the error's own name, through the failure record
    assert (final["status"], final["error"]) == ("FAILED", "Lambda.AWSLambdaException")
    assert top_level_path(applications, application_id)[-3:] == [
        failing_state,
        "Record Processing Failure",
        "Processing Failed",
    ]
    record = recorded_failure(applications, application_id, "Lambda.AWSLambdaException")
    # and find lists it, with the error and its cause
    errored, page = applications.find({"state": "PROCESSING_FAILED", "limit": 100})
    assert not errored, page
    [listed] = [item for item in page["items"] if item["id"] == application_id]
    assert listed["failure"]["error"] == "Lambda.AWSLambdaException"
    assert listed["failure"]["cause"]
    # and a review of it is refused, changing nothing
    errored, error = applications.review(application_id, "APPROVE")
    assert (errored, error["errorType"]) == (True, "ApplicationNotAwaitingReviewError")
    assert applications.record(application_id) == record


def test_given_the_failure_cannot_be_recorded_either_then_the_execution_still_names_the_error(
    cloud, applications
):
    # Given neither the checks nor the table may be written by the workflow
    table_arn = cloud.client("dynamodb").describe_table(TableName=applications.table_name)["Table"][
        "TableArn"
    ]
    with (
        denied_invoke(cloud, applications, "data-checking"),
        denied(cloud, applications, "dynamodb:UpdateItem", table_arn),
    ):
        application_id = submitted(applications, CLEAN)
        final = finished_on_the_clock(cloud, applications, application_id)

    assert (final["status"], final["error"]) == ("FAILED", "Lambda.AWSLambdaException")
    assert top_level_path(applications, application_id)[-3:] == [
        "Check Applicant Data",
        "Record Processing Failure",
        "Failure Not Recorded",
    ]
    assert applications.record(application_id)["state"] == "SUBMITTED"


def test_given_a_resumption_with_another_decision_then_the_workflow_fails_loudly(
    cloud, applications
):
    # The review function only sends APPROVE or REJECT; a caller holding the token could send
    # anything, and "Review Approved?" must not treat that as either.
    application_id = submitted(applications, FLAGGED_ADDRESS)
    token = applications.await_review(application_id)["taskToken"]

    cloud.client("stepfunctions").send_task_success(
        taskToken=token, output=json.dumps({"decision": "MAYBE"})
    )

    final = applications.finished(application_id)
    assert (final["status"], final["error"]) == ("FAILED", "UnknownReviewDecision")
    assert applications.path(application_id)[-4:] == [
        "Review Approved?",
        "Unknown Review Decision",
        "Record Processing Failure",
        "Processing Failed",
    ]
    recorded_failure(applications, application_id, "UnknownReviewDecision")


def test_given_a_decided_application_when_submitted_again_with_its_key_then_nothing_new(
    applications,
):
    request = {**CLEAN, "idempotencyKey": f"retry-{uuid.uuid4()}"}
    application_id = submitted(applications, request)
    applications.finished(application_id)
    records, executions = applications.record_count(), len(applications.executions())

    errored, again = applications.submit(request)

    assert not errored, again
    assert (again["id"], again["state"]) == (application_id, "APPROVED")
    assert applications.record_count() == records
    assert len(applications.executions()) == executions
    # The same key with other data is a conflict, and changes nothing either.
    errored, error = applications.submit({**request, "name": "Kirk"})
    assert (errored, error["errorType"]) == (True, "SubmissionConflictError")
    assert applications.record(application_id)["name"] == CLEAN["name"]


# -- bad requests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        {"address": "123 Enterprise Street"},
        {"name": "", "address": "123 Enterprise Street"},
        {"name": "   ", "address": "123 Enterprise Street"},
        {"name": "Spock"},
        {"name": 7, "address": "123 Enterprise Street"},
        {"name": "\ud800", "address": "123 Enterprise Street"},
        {"name": "Spock", "address": "123 \udfff Street"},
    ],
    ids=[
        "missing name",
        "empty name",
        "blank name",
        "missing address",
        "name not a string",
        "lone surrogate in name",
        "lone surrogate in address",
    ],
)
def test_given_a_bad_application_when_submitted_then_a_named_error_and_no_record_nor_execution(
    applications, request_
):
    records, executions = applications.record_count(), len(applications.executions())

    errored, error = applications.submit(request_)

    assert (errored, error["errorType"]) == (True, "InvalidApplicationError")
    assert applications.record_count() == records
    assert len(applications.executions()) == executions


def test_given_a_review_with_decision_maybe_then_a_named_error_and_nothing_changes(applications):
    application_id = submitted(applications, FLAGGED_NAME)
    before = applications.await_review(application_id)

    errored, error = applications.review(application_id, "MAYBE")

    assert (errored, error["errorType"]) == (True, "InvalidDecisionError")
    assert applications.record(application_id) == before
    assert applications.status(application_id) == "RUNNING"
    assert applications.path(application_id)[-1] == "Pending Review"
    # The application still waits for a real decision.
    assert not applications.review(application_id, "APPROVE")[0]
    assert applications.finished(application_id)["status"] == "SUCCEEDED"


def test_given_a_reviewed_application_when_reviewed_again_then_refused_and_resumed_once(
    applications,
):
    application_id = submitted(applications, FLAGGED_NAME)
    applications.await_review(application_id)
    assert not applications.review(application_id, "REJECT")[0]
    applications.finished(application_id)
    after_first = applications.record(application_id)

    errored, error = applications.review(application_id, "APPROVE")

    assert (errored, error["errorType"]) == (True, "ApplicationNotAwaitingReviewError")
    assert applications.record(application_id) == after_first
    assert after_first["state"] == "REJECTED"
    assert applications.path(application_id).count("Review Approved?") == 1


def test_given_an_application_never_flagged_when_reviewed_then_refused_and_nothing_changes(
    applications,
):
    application_id = submitted(applications, CLEAN)
    applications.finished(application_id)
    before = applications.record(application_id)

    errored, error = applications.review(application_id, "REJECT")

    assert (errored, error["errorType"]) == (True, "ApplicationNotAwaitingReviewError")
    assert applications.record(application_id) == before


# -- find ----------------------------------------------------------------------------------------


def find_all(applications: Applications, state: str, limit: int) -> list[list[dict[str, Any]]]:
    """Every page find returns for ``state``, following ``nextToken``."""
    pages, token = [], None
    while True:
        request = {"state": state, "limit": limit, **({"nextToken": token} if token else {})}
        errored, page = applications.find(request)
        assert not errored, page
        pages.append(page["items"])
        token = page.get("nextToken")
        if token is None:
            return pages


def test_given_applications_in_every_state_when_found_page_by_page_then_each_lists_its_own(
    applications,
):
    # One more application resting in each state a workflow can leave it in.
    requests = [FLAGGED_NAME, FLAGGED_ADDRESS, CLEAN, UNPROCESSABLE]
    with ThreadPoolExecutor(max_workers=4) as pool:
        waiting, rejected, *others = pool.map(lambda r: submitted(applications, r), requests)
    for application_id in (waiting, rejected):
        applications.await_review(application_id)
    applications.review(rejected, "REJECT")
    for application_id in (rejected, *others):
        applications.finished(application_id)
    table = applications.cloud.client("dynamodb").scan(TableName=applications.table_name)["Items"]
    assert [applications.record(i)["state"] for i in (waiting, rejected, *others)] == [
        "FLAGGED_FOR_REVIEW",
        "REJECTED",
        "APPROVED",
        "FLAGGED_WITH_UNPROCESSABLE_DATA",
    ]

    for state in State:
        pages = find_all(applications, state.value, limit=1)

        found = [application["id"] for page in pages for application in page]
        stored = [item["id"]["S"] for item in table if item["state"]["S"] == state.value]
        assert sorted(found) == sorted(stored), state  # each once, none missing
        assert all(len(page) <= 1 for page in pages)
        assert all(application["state"] == state for page in pages for application in page)
        assert all("taskToken" not in application for page in pages for application in page)
        assert len(pages) >= len(stored)  # a page each (and perhaps an empty last one)
    applications.review(waiting, "APPROVE")  # leave nothing waiting
    applications.finished(waiting)


# -- many at once --------------------------------------------------------------------------------

EXPECTED = [
    (CLEAN, None, "APPROVED"),
    (FLAGGED_NAME, "APPROVE", "APPROVED"),
    (FLAGGED_ADDRESS, "REJECT", "REJECTED"),
    (UNPROCESSABLE, None, "FLAGGED_WITH_UNPROCESSABLE_DATA"),
]


def test_given_dozens_submitted_at_once_then_each_ends_as_expected_with_exactly_one_execution(
    applications,
):
    count, retried = 24, 6
    records, executions = applications.record_count(), len(applications.executions())
    run = uuid.uuid4().hex[:8]
    wanted = [EXPECTED[number % len(EXPECTED)] for number in range(count)]
    requests = [
        {**request, "name": f"{request['name']} {number}", "idempotencyKey": f"{run}-{number}"}
        for number, (request, _, _) in enumerate(wanted)
    ]
    # Some callers retry at once with the same idempotency key.
    calls = requests + requests[:retried]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(applications.submit, calls))

    assert [errored for errored, _ in answers] == [False] * len(calls)
    ids = [answer["id"] for _, answer in answers]
    assert ids[count:] == ids[:retried]  # a retry gets the same application
    ids = ids[:count]
    assert len(set(ids)) == count
    reviews = [
        (application_id, decision)
        for application_id, (_, decision, _) in zip(ids, wanted, strict=True)
        if decision
    ]
    for application_id, _ in reviews:
        applications.await_review(application_id)
    with ThreadPoolExecutor(max_workers=8) as pool:
        reviewed = list(pool.map(lambda review: applications.review(*review), reviews))
    assert [errored for errored, _ in reviewed] == [False] * len(reviews)

    finals = [applications.finished(application_id)["status"] for application_id in ids]
    assert finals == ["SUCCEEDED"] * count
    states = [applications.record(application_id)["state"] for application_id in ids]
    assert states == [state for _, _, state in wanted]
    assert applications.record_count() == records + count  # none lost, none doubled
    names = Counter(execution["name"] for execution in applications.executions())
    assert sum(names.values()) == executions + count
    assert all(names[application_id] == 1 for application_id in ids)


# -- coverage of the definition ------------------------------------------------------------------


def _at(document: Any, reference: str) -> Any:
    """The value at a definite JSONPath such as ``$.checks[0].flagged``."""
    value = document
    for name, index in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", reference):
        value = value[name] if name else value[int(index)]
    return value


def _rule_taken(choice: dict[str, Any], document: Any) -> tuple[str, str]:
    """Which branch of ``choice`` the input selects, evaluated from the ASL itself, and the state
    it leads to."""
    types = {"BooleanEquals": bool, "StringEquals": str}
    for number, rule in enumerate(choice["Choices"]):
        (operator,) = set(rule) - {"Variable", "Next"}
        if operator not in types:
            raise NotImplementedError(f"teach this test the Choice operator {operator}")
        value = _at(document, rule["Variable"])
        if isinstance(value, types[operator]) and value == rule[operator]:
            return f"Choices[{number}]", rule["Next"]
    return "Default", choice["Default"]


def _branches(definition: dict[str, Any]) -> set[tuple[str, str]]:
    """Every Choice rule and Default, and every Catch, of the top-level states."""
    branches = set()
    for name, state in definition["States"].items():
        if state["Type"] == "Choice":
            branches |= {(name, f"Choices[{n}]") for n in range(len(state["Choices"]))}
            branches |= {(name, "Default")} if "Default" in state else set()
        branches |= {(name, f"Catch[{n}]") for n in range(len(state.get("Catch", [])))}
    return branches


def _taken(history: list[dict[str, Any]], definition: dict[str, Any]) -> set[tuple[str, str]]:
    top = definition["States"]
    entered = [
        (details["name"], json.loads(details["input"]))
        for details in (event.get("stateEnteredEventDetails") for event in history)
        if details and details["name"] in top
    ]
    taken = set()
    for (name, document), (following, following_input) in itertools.pairwise(entered):
        state = top[name]
        if state["Type"] == "Choice":
            branch, target = _rule_taken(state, document)
            assert following == target, f"{name} should have gone to {target}"
            taken.add((name, branch))
        for number, catcher in enumerate(state.get("Catch", [])):
            if following == catcher["Next"] and following != state.get("Next"):
                error = _at(following_input, catcher["ResultPath"])["Error"]
                # Catchers are tried in order: States.ALL (always last) takes any other error.
                assert error in catcher["ErrorEquals"] or catcher["ErrorEquals"] == [
                    "States.ALL"
                ], (
                    name,
                    error,
                )
                taken.add((name, f"Catch[{number}]"))
                break
    return taken


def test_the_executions_above_entered_every_state_and_took_every_choice_and_catch(cloud):
    assert EXECUTIONS, "run with the module: the executions are those of the tests above"
    nested = [
        name
        for name, state in asl.states(DEFINITION)
        if name not in DEFINITION["States"] and ("Catch" in state or state["Type"] == "Choice")
    ]
    assert nested == [], "a nested Choice or Catch needs this test taught to find its branch"
    for name, state in DEFINITION["States"].items():
        targets = [catcher["Next"] for catcher in state.get("Catch", [])]
        assert state.get("Next") not in targets, f"{name}: a Catch to Next cannot be told apart"

    entered, taken = set(), set()
    for execution in EXECUTIONS:
        history = cloud.history(execution)
        entered |= set(entered_states(history))
        taken |= _taken(history, DEFINITION)

    assert {name for name, _ in asl.states(DEFINITION)} - entered == set()
    assert _branches(DEFINITION) - taken == set()
