"""ARNs a function derives from the ones it is configured with, as AWS spells them."""

from __future__ import annotations

_STATE_MACHINE = ":stateMachine:"


def execution_arn(state_machine_arn: str, execution_name: str) -> str:
    """The ARN Step Functions gives the execution ``execution_name`` of this state machine.

    Derived rather than looked up, so a function can name an execution it may have started
    without listing executions. Anything but a state machine ARN is a ValueError, never an ARN
    that names nothing.
    """
    prefix, separator, machine_name = state_machine_arn.partition(_STATE_MACHINE)
    if not separator or not prefix.startswith("arn:"):
        raise ValueError(f"{state_machine_arn!r} is not a state machine ARN")
    if not machine_name:
        raise ValueError(f"{state_machine_arn!r} is not a state machine ARN: it names no machine")
    return f"{prefix}:execution:{machine_name}:{execution_name}"
