"""EventBridge delivering matched events to Lambda targets, as EventBridge does.

moto matches an event against each rule's pattern (its ``EventPattern``, reused here) and delivers
it to log groups, archives, queues and other buses; but a matching rule with a Lambda target
raises NotImplementedError, a target's ``Input`` and ``InputPath`` are ignored, and a DISABLED
rule delivers like an enabled one. While installed, localcloud patches moto's
``Rule.send_to_targets``:

- A rule that is not ENABLED delivers nothing (EventBridge API Reference, PutRule ``State``).
- Each Lambda target of a matching rule is invoked asynchronously, as EventBridge invokes Lambda
  (Lambda Developer Guide, "Invoking a Lambda function asynchronously", which lists EventBridge
  among the services that do): an Event invoke into moto's Lambda backend, queued by
  ``localcloud.async_lambda``, so the function's own retries, maximum event age and destinations
  apply, and whoever put the event never waits for the function.
- The function gets the event as EventBridge shapes it (EventBridge User Guide, "Event structure
  reference"), or what the target's ``Input`` (constant JSON), ``InputPath`` (a JSONPath into the
  event) or ``InputTransformer`` (moto's template code) make of it ("Transforming target input").
- EventBridge may invoke the function only when allowed: by the target's ``RoleArn`` when it has
  one, else by the function's resource-based policy for ``events.amazonaws.com`` with the rule as
  source (EventBridge User Guide, "Using resource-based policies for Amazon EventBridge").
  Otherwise the function is not invoked, an error EventBridge does not retry ("Event retry policy
  and using dead-letter queues"); localcloud logs it. Sending such an event to the target's
  dead-letter queue, and EventBridge's own retries of failed Invoke calls, are not modelled.

Other targets keep moto's delivery.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

from jsonpath_ng.ext import parse as json_path
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.events.models import Rule
from moto.events.utils import EventTemplateParser

from localcloud.aws_types import rfc3339
from localcloud.iam_check import AccessDeniedError, RolePolicies
from localcloud.moto_patches import Patches
from localcloud.resource_policies import INVOKE, qualifier_of, service_may_invoke

LOG = logging.getLogger(__name__)

ENABLED_STATES = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})
EVENTS_PRINCIPAL = "events.amazonaws.com"
_WHOLE_EVENT = "<aws.events.event.json>"


def _is_function(target: dict[str, Any]) -> bool:
    return str(target.get("Arn", "")).split(":")[2:3] == ["lambda"]


def delivered_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event as EventBridge hands it to a target: its metadata fields and ``detail``
    (moto keeps ``time`` as Unix seconds and an ``ingestion-time`` of its own)."""
    time = event.get("time")
    shaped: dict[str, Any] = {
        "version": event.get("version", "0"),
        "id": event.get("id"),
        "detail-type": event.get("detail-type"),
        "source": event.get("source"),
        "account": event.get("account"),
        "time": rfc3339(time) if isinstance(time, int | float) else time,
        "region": event.get("region"),
        "resources": list(event.get("resources") or []),
        "detail": event.get("detail", {}),
    }
    if "replay-name" in event:
        shaped["replay-name"] = event["replay-name"]
    return shaped


def target_input(target: dict[str, Any], event: dict[str, Any], ingestion_time: str) -> Any:
    """What the target receives for ``event`` (as ``delivered_event`` shapes it)."""
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        found = json_path(target["InputPath"]).find(event)
        return found[0].value if found else None
    transformer = target.get("InputTransformer")
    if transformer:
        # moto substitutes <aws.events.event.json> with the event it is given, which carries the
        # ingestion time its own placeholder needs: the event itself goes in first.
        template = transformer["InputTemplate"].replace(_WHOLE_EVENT, json.dumps(event))
        with_ingestion: Any = {**event, "ingestion-time": ingestion_time}
        return EventTemplateParser.parse(
            input_template=template,
            input_paths_map=transformer.get("InputPathsMap") or {},
            event=with_ingestion,
        )
    return event


def _may_invoke(rule: Rule, target: dict[str, Any], function: LambdaFunction) -> bool:
    role = target.get("RoleArn")
    if role:
        try:
            return RolePolicies.of(role).allows(INVOKE, target["Arn"])
        except AccessDeniedError:
            return False
    return service_may_invoke(
        function,
        EVENTS_PRINCIPAL,
        source_arn=rule.arn,
        source_account=rule.account_id,
        qualifier=qualifier_of(target["Arn"]),
    )


def _invoke(rule: Rule, target: dict[str, Any], payload: Any) -> None:
    arn = target["Arn"]
    region, account = arn.split(":")[3:5]
    backend = lambda_backends[account][region]
    try:
        function = backend.get_function(arn)
    except LambdaClientError:
        LOG.warning("%s: target %s does not exist; the event is dropped", rule.arn, arn)
        return
    if not _may_invoke(rule, target, function):
        LOG.warning(
            "%s: EventBridge is not allowed to invoke %s (no %s for %s with this rule as its "
            "source); the event is dropped",
            rule.arn,
            arn,
            INVOKE,
            EVENTS_PRINCIPAL,
        )
        return
    # An Event invoke: localcloud.async_lambda queues it and answers at once.
    backend.invoke(arn, None, json.dumps(payload), {"X-Amz-Invocation-Type": "Event"}, {})


class EventBridgeTargets:
    """The patch of moto's rule delivery; installed by the emulator like its other changes."""

    def __init__(self) -> None:
        self._patches = Patches()

    def install(self) -> None:
        original = Rule.send_to_targets

        def send_to_targets(rule: Rule, event: Any, transform_input: bool = True) -> None:
            if rule.state not in ENABLED_STATES:
                return
            functions = [t for t in rule.targets if _is_function(t)]
            if len(functions) < len(rule.targets):
                others = copy.copy(rule)
                others.targets = [t for t in rule.targets if not _is_function(t)]
                original(others, event, transform_input)
            if not functions or not rule.event_pattern.matches_event(event):
                return
            delivered = delivered_event(dict(event))
            ingestion = event.get("ingestion-time")
            ingestion_time = rfc3339(ingestion) if ingestion else delivered["time"]
            for target in functions:
                payload = (
                    target_input(target, delivered, ingestion_time) if transform_input else event
                )
                _invoke(rule, target, payload)

        self._patches.patch(Rule, "send_to_targets", send_to_targets)

    def uninstall(self) -> None:
        self._patches.undo()
