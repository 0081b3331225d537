"""The API workflow's put function against DynamoDB in moto."""

from decimal import Decimal

import pytest
from lambda_support.lazy import Lazy
from put_item import app
from put_item.items import InvalidItemError, ItemStore, MissingItemIdError

from tests.conftest import create_table


@pytest.fixture
def table(aws, monkeypatch):
    table = create_table("items")
    monkeypatch.setattr(app, "STORE", Lazy(lambda: ItemStore(table)))
    return table


def test_given_an_item_when_handled_then_it_is_written_whole(table, lambda_context):
    result = app.handler({"id": "order-1", "payload": {"qty": 2, "price": 9.5}}, lambda_context)

    assert result == {"id": "order-1", "stored": True}
    assert table.get_item(Key={"id": "order-1"})["Item"] == {
        "id": "order-1",
        "payload": {"qty": Decimal("2"), "price": Decimal("9.5")},
    }


def test_given_text_beyond_ascii_when_handled_then_it_is_stored_as_sent(table, lambda_context):
    app.handler({"id": "café-🖖", "payload": {"名前": "Spøck"}}, lambda_context)

    assert table.get_item(Key={"id": "café-🖖"})["Item"] == {
        "id": "café-🖖",
        "payload": {"名前": "Spøck"},
    }


def test_given_the_same_item_twice_when_handled_then_one_item_remains(table, lambda_context):
    app.handler({"id": "a", "payload": "x"}, lambda_context)
    app.handler({"id": "a", "payload": "x"}, lambda_context)

    assert table.scan()["Items"] == [{"id": "a", "payload": "x"}]


@pytest.mark.parametrize("event", [{"payload": "x"}, {"id": ""}, {"id": "   "}, {"id": None}])
def test_given_no_id_when_handled_then_missing_item_id_error_and_nothing_written(
    table, lambda_context, event
):
    with pytest.raises(MissingItemIdError, match="non-empty string 'id'"):
        app.handler(event, lambda_context)

    assert table.scan()["Items"] == []


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (["id"], "expected a JSON object"),
        ({"id": 7}, "'id' must be a string"),
        ({"id": "x" * 1025}, "longer than"),
        # Lone surrogates (JSON "\ud800") anywhere: no UTF-8 form for DynamoDB to store.
        ({"id": "a\ud800"}, "not valid Unicode"),
        ({"id": "a", "payload": {"note": ["\udfff"]}}, "not valid Unicode"),
        ({"id": "a", "payload": {"\ud83d": 1}}, "not valid Unicode"),
    ],
)
def test_given_an_invalid_item_when_handled_then_invalid_item_error_and_nothing_written(
    table, lambda_context, event, message
):
    with pytest.raises(InvalidItemError, match=message):
        app.handler(event, lambda_context)

    assert table.scan()["Items"] == []


def test_the_store_is_built_from_the_table_name_in_the_environment(
    aws, monkeypatch, lambda_context
):
    table = create_table("from-env")
    monkeypatch.setenv("TABLE_NAME", "from-env")
    monkeypatch.setattr(app, "STORE", Lazy(app._store))

    app.handler({"id": "b"}, lambda_context)

    assert table.get_item(Key={"id": "b"})["Item"] == {"id": "b"}
