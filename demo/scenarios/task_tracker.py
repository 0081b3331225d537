"""Task tracker (seed 001): the starter starts a machine that records the task in DynamoDB."""

from __future__ import annotations

import uuid

from demo.scenario import Outcome, Scenario
from demo.systems.task_tracker import Tasks
from localcloud import LocalCloud

SYSTEM = "Task tracker (seed 001): Lambda -> Step Functions -> DynamoDB"


def track_a_task(cloud: LocalCloud, outcome: Outcome) -> None:
    tasks = Tasks(cloud)
    task_id = f"Breakfast-{uuid.uuid4().hex[:6]}"
    errored, started = tasks.start(task_id)
    outcome.expect("the starter starts an execution", errored, False)
    outcome.expect(
        "the execution is named after the task and its start",
        started["name"],
        f"{task_id}-{started['timestamp']}",
    )
    outcome.executions.append(started["executionArn"])
    final = cloud.wait(started["executionArn"])
    outcome.expect("the execution succeeds", final["status"], "SUCCEEDED")
    outcome.expect(
        "it created the task, waited, and marked it done",
        cloud.path(started["executionArn"]),
        ["CreateTaskItem", "LongRunningTask", "MarkTaskDone"],
    )
    outcome.expect("the task ends Done", tasks.status(task_id, started["timestamp"]), "Done")


def refuse_an_illegal_task_id(cloud: LocalCloud, outcome: Outcome) -> None:
    tasks = Tasks(cloud)
    started = len(tasks.executions())
    errored, payload = tasks.start("has spaces/and slashes")
    outcome.expect(
        "the starter refuses the id",
        (errored, payload.get("errorType")),
        (True, "InvalidTaskIdError"),
    )
    outcome.expect("no execution was started", len(tasks.executions()), started)


SCENARIOS = [
    Scenario(SYSTEM, "a task is recorded STARTED, then Done after the wait", track_a_task),
    Scenario(SYSTEM, "an id that cannot name an execution is refused", refuse_an_illegal_task_id),
]
