import pytest

from localcloud.recording import Deployment, deploy_with_mocks


@pytest.fixture(scope="session")
def dev() -> Deployment:
    """The dev stack as the program registers it: one run per test process, which the tests
    only read (about a second each time the program runs under mocks)."""
    return deploy_with_mocks("dev")
