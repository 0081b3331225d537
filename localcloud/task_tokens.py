"""Which state machine a task token belongs to.

IAM authorizes SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat against the state machine
whose execution issued the token: AWS denies them "on resource: arn:aws:states:...:stateMachine:
<name>", and the AWS SAM policy template StepFunctionsCallbackPolicy grants them on that ARN. A
token names no ARN, so localcloud asks its Step Functions backend which running execution waits
for it, as Step Functions itself does when the call arrives.
"""

from __future__ import annotations

from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.models import stepfunctions_parser_backends


def token_owner(account: str, region: str, token: str) -> str | None:
    """The ARN of the state machine whose running execution waits for ``token``; None when no
    execution does (Step Functions then answers the call itself, e.g. TaskDoesNotExist)."""
    backend = stepfunctions_parser_backends[account][region]
    for execution in backend._get_executions(ExecutionStatus.RUNNING):
        env = getattr(execution.exec_worker, "env", None)
        if env is not None and env.callback_pool_manager.get(token) is not None:
            return str(execution.state_machine_arn)
    return None
