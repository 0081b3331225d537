"""What happened can be found out, for a while: state machines log and trace, log groups expire.

Resource policies on the state machine's and the log group's inputs. A log destination built from
a log group's ARN is unknown during a preview of a new stack; it counts as set.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .naming import subject
from .properties import UNKNOWN, is_set, peek

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOGGING_LEVELS = ("ALL", "ERROR", "FATAL")


def _state_machine_logs_and_traces(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != STATE_MACHINE:
        return
    who = subject(args.resource_type, args.name)
    logging = peek(args.props, "loggingConfiguration")
    level = peek(logging, "level")
    if level is not UNKNOWN and level not in LOGGING_LEVELS:
        report(
            f"{who} does not log its executions (level {level or 'OFF'}): set "
            f"logging_configuration with level one of {list(LOGGING_LEVELS)} and a "
            "log_destination (a log group ARN ending in ':*').",
            None,
        )
    elif not is_set(peek(logging, "logDestination")):
        report(
            f"{who} logs at level {level} to no destination: set logging_configuration's "
            "log_destination to a log group ARN ending in ':*'.",
            None,
        )
    tracing = peek(args.props, "tracingConfiguration", "enabled")
    if tracing is not True and tracing is not UNKNOWN:
        report(
            f"{who} is not traced: set tracing_configuration={{'enabled': True}} "
            "(its role needs the X-Ray write actions).",
            None,
        )


def _log_group_has_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != LOG_GROUP:
        return
    if is_set(peek(args.props, "retentionInDays")):
        return
    report(
        f"{subject(args.resource_type, args.name)} keeps its logs forever: set "
        "retention_in_days (the stack's logRetentionDays).",
        None,
    )


STATE_MACHINES_LOG_AND_TRACE = ResourceValidationPolicy(
    name="state-machines-log-and-trace",
    description=(
        "Step Functions state machines log their executions (level ALL, ERROR or FATAL, to a log "
        "group) and have X-Ray tracing enabled."
    ),
    validate=_state_machine_logs_and_traces,
)

LOG_GROUPS_HAVE_RETENTION = ResourceValidationPolicy(
    name="log-groups-have-retention",
    description="CloudWatch log groups have a retention period (retentionInDays), never forever.",
    validate=_log_group_has_retention,
)
