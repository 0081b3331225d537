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
    ],
)
def test_given_a_bad_search_then_invalid_search(table, lambda_context, event, message):
    with pytest.raises(InvalidSearchError, match=message):
        app.handler(event, lambda_context)
