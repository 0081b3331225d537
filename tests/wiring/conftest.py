import pytest

from localcloud.recording import Deployment, deploy_with_mocks


@pytest.fixture(scope="module")
def dev() -> Deployment:
    """The dev stack as the program registers it (one run shared by a module's tests)."""
    return deploy_with_mocks("dev")
