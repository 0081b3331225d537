"""Every system's scenarios, in the order the demo runs them."""

from demo.scenario import Scenario
from demo.scenarios import account_applications, api_workflow, loans, orders, task_tracker

SCENARIOS: list[Scenario] = [
    *api_workflow.SCENARIOS,
    *task_tracker.SCENARIOS,
    *account_applications.SCENARIOS,
    *orders.SCENARIOS,
    *loans.SCENARIOS,
]
