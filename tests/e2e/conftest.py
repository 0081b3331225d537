"""End-to-end tests: the whole program deployed into localcloud, driven as a client would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localcloud import LocalCloud, deploy


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    """The dev stack deployed once per test module (a deploy takes a few seconds)."""
    with deploy("dev") as deployed:
        yield deployed
