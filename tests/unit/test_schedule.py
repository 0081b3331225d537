"""The suite's schedule over two workers (tests/conftest.py) keeps each module that shares a
fixture on one worker: a fixture wider than a test would otherwise be made on both, and a test
that reads what earlier tests of its module did would run without them."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_FIXTURE_MODULES

WIDER_THAN_A_TEST = {"package", "module", "session"}


def _shares_a_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture of this suite wider than a test (pytest's own, such as
    tmp_path_factory, hold nothing a test leaves behind)."""
    definitions = item._fixtureinfo.name2fixturedefs.values()  # type: ignore[attr-defined]
    return any(
        d.scope in WIDER_THAN_A_TEST and d.func.__module__.startswith("tests.")
        for defs in definitions
        for d in defs
    )


def test_every_module_sharing_a_fixture_is_scheduled_whole(request):
    sharing = {
        item.nodeid.split("::", 1)[0] for item in request.session.items if _shares_a_fixture(item)
    }
    if "tests/e2e/test_load.py" not in sharing:
        pytest.skip("needs the whole suite collected")
    assert {module for module in sharing if not module.startswith(SHARED_FIXTURE_MODULES)} == set()
