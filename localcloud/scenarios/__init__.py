"""Every system's demo scenarios, in the order the demo runs them."""

from localcloud.demo import Scenario
from localcloud.scenarios import account_applications, api_workflow, task_tracker

SCENARIOS: list[Scenario] = [
    *api_workflow.SCENARIOS,
    *task_tracker.SCENARIOS,
    *account_applications.SCENARIOS,
]
