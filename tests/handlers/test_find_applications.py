"""Find (seed 003's FindApplications) against the table's ``state`` index in moto."""

import base64
import json

import pytest
from applications.model import State
from find_applications import app
from find_applications.search import InvalidSearchError, encode_token

from tests.handlers.applications_support import (
    put_application,
    table_for,
)

ID = "application_0f8fad5b-d9cb-469f-a165-70867728950e"


def _token(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.fixture
def table(aws, monkeypatch):
    return table_for(monkeypatch, app)


def test_given_applications_in_several_states_then_only_the_asked_state_is_listed(
    table, lambda_context
):
    flagged = {
        put_application(table, State.FLAGGED_FOR_REVIEW, taskToken="secret"),
        put_application(table, State.FLAGGED_FOR_REVIEW, taskToken="secret"),
    }
    put_application(table, State.APPROVED)

    page = app.handler({"state": "FLAGGED_FOR_REVIEW"}, lambda_context)

    assert {item["id"] for item in page["items"]} == flagged
    assert all(item["state"] == "FLAGGED_FOR_REVIEW" for item in page["items"])
    assert "secret" not in json.dumps(page)
    assert "nextToken" not in page


def test_given_more_than_a_page_then_the_next_tokens_walk_every_application_once(
    table, lambda_context
):
    submitted = {put_application(table, State.SUBMITTED) for _ in range(5)}
    put_application(table, State.REJECTED)

    seen, sizes, request = [], [], {"state": "SUBMITTED", "limit": 2}
    while True:
        page = app.handler(request, lambda_context)
        seen += [item["id"] for item in page["items"]]
        sizes.append(len(page["items"]))
        if "nextToken" not in page:
            break
        request = {"state": "SUBMITTED", "limit": 2, "nextToken": page["nextToken"]}

    assert sorted(seen) == sorted(submitted)
    assert sizes[:2] == [2, 2] and sum(sizes) == 5


def test_given_a_well_formed_token_of_the_state_then_the_page_continues_after_its_key(
    table, lambda_context
):
    # Given a token in exactly the shape find issues, for an application that is in the index
    ids = sorted(put_application(table, State.APPROVED) for _ in range(3))
    first = app.handler({"state": "APPROVED", "limit": 1}, lambda_context)

    rest = app.handler(
        {"state": "APPROVED", "limit": 5, "nextToken": first["nextToken"]}, lambda_context
    )

    assert sorted([first["items"][0]["id"]] + [item["id"] for item in rest["items"]]) == ids
    assert json.loads(base64.urlsafe_b64decode(first["nextToken"])) == {
        "state": "APPROVED",
        "key": {"id": first["items"][0]["id"], "state": "APPROVED"},
    }


def test_given_a_processing_failure_then_find_lists_it_with_the_error_and_cause(
    table, lambda_context
):
    # Given the workflow's "Record Processing Failure" write (the caught error output as JSON)
    failure = json.dumps({"Error": "Lambda.AWSLambdaException", "Cause": "not authorized"})
    application_id = put_application(table, State.PROCESSING_FAILED, failure=failure)

    page = app.handler({"state": "PROCESSING_FAILED"}, lambda_context)

    assert [(item["id"], item["state"], item["failure"]) for item in page["items"]] == [
        (
            application_id,
            "PROCESSING_FAILED",
            {"error": "Lambda.AWSLambdaException", "cause": "not authorized"},
        )
    ]


def test_given_no_application_in_the_state_then_an_empty_last_page(table, lambda_context):
    put_application(table, State.SUBMITTED)

    assert app.handler({"state": "APPROVED"}, lambda_context) == {"items": []}


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "'state' must be one of"),
        ({"state": "PENDING"}, "'state' must be one of"),
        ({"state": ["SUBMITTED"]}, "'state' must be one of"),
        ({"state": "SUBMITTED", "limit": 0}, "'limit' must be a whole number from 1 to 100"),
        ({"state": "SUBMITTED", "limit": 101}, "'limit'"),
        ({"state": "SUBMITTED", "limit": "5"}, "'limit'"),
        ({"state": "SUBMITTED", "limit": True}, "'limit'"),
        ({"state": "SUBMITTED", "nextToken": "not base64 json!"}, "not a token"),
        ({"state": "SUBMITTED", "nextToken": ""}, "must be a token"),
        (
            {"state": "SUBMITTED", "nextToken": base64.urlsafe_b64encode(b"[1]").decode()},
            "not a token",
        ),
        (
            {"state": "SUBMITTED", "nextToken": encode_token(State.APPROVED, {"id": "a"})},
            "not issued for state SUBMITTED",
        ),
        # Forged tokens that decode to a well-formed payload with the wrong key shape.
        (
            {
                "state": "APPROVED",
                "nextToken": _token({"state": "APPROVED", "key": {"foo": "bar"}}),
            },
            "not a token",
        ),
        (
            {"state": "APPROVED", "nextToken": _token({"state": "APPROVED", "key": {"id": ID}})},
            "not a token",
        ),
        (
            {
                "state": "APPROVED",
                "nextToken": _token({"state": "APPROVED", "key": {"id": ID, "state": "REJECTED"}}),
            },
            "not a token",
        ),
        (
            {
                "state": "APPROVED",
                "nextToken": _token(
                    {"state": "APPROVED", "key": {"id": ID, "state": "APPROVED", "extra": "x"}}
                ),
            },
            "not a token",
        ),
        (
            {
                "state": "APPROVED",
                "nextToken": _token({"state": "APPROVED", "key": {"id": "x", "state": "APPROVED"}}),
            },
            "not a token",
        ),
        (
            {
                "state": "APPROVED",
                "nextToken": _token({"state": "APPROVED", "key": {"id": 7, "state": "APPROVED"}}),
            },
            "not a token",
        ),
        (
            {
                "state": "APPROVED",
                "nextToken": _token(
                    {"state": "APPROVED", "key": {"id": ID, "state": "APPROVED"}, "more": 1}
                ),
            },
            "not a token",
        ),
        (
            {"state": "APPROVED", "nextToken": _token({"key": {"id": ID, "state": "APPROVED"}})},
            "not a token",
        ),
        ({"state": "APPROVED", "nextToken": "\ud800"}, "not a token"),
    ],
)
def test_given_a_bad_search_then_invalid_search(table, lambda_context, event, message):
    with pytest.raises(InvalidSearchError, match=message):
        app.handler(event, lambda_context)
