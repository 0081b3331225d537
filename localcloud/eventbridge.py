"""EventBridge delivering matched events to Lambda and SNS targets, as EventBridge does.

moto matches an event against each rule's pattern (its ``EventPattern``, reused here) and delivers
it to log groups, archives, queues and other buses; but a matching rule with a Lambda or SNS
target raises NotImplementedError, a target's ``Input`` and ``InputPath`` are ignored, its
``InputTransformer`` must make JSON (a template of free text fails) and puts string values into
a JSON template unquoted, and a DISABLED rule delivers like an enabled one. While installed,
localcloud patches moto's ``Rule.send_to_targets``:

- A rule that is not ENABLED delivers nothing (EventBridge API Reference, PutRule ``State``).
- Each Lambda target of a matching rule is invoked asynchronously, as EventBridge invokes Lambda
  (Lambda Developer Guide, "Invoking a Lambda function asynchronously", which lists EventBridge
  among the services that do): an Event invoke into moto's Lambda backend, queued by
  ``localcloud.async_lambda``, so the function's own retries, maximum event age and destinations
  apply, and whoever put the event never waits for the function.
- Each SNS target gets one message, published to the topic as EventBridge publishes it, so SNS
  delivers it to every subscriber (an SQS subscriber gets it in SNS's JSON envelope).
- A target gets the event as EventBridge shapes it (EventBridge User Guide, "Event structure
  reference"), or what the target's ``Input`` (constant JSON), ``InputPath`` (a JSONPath into the
  event) or ``InputTransformer`` make of it ("Amazon EventBridge input transformation"): the
  template is text, each ``<name>`` replaced by the value its path finds. In a JSON template a
  value outside quotes is put as JSON (a string quoted), a value inside quotes as its text; a text
  template (``"instance <instance> is in <state>"``, quotes included) gets each value's text, and
  the quotes stay part of the message (the guide's SNS tutorial shows them). Values are not
  escaped, and a name whose path finds nothing is replaced by nothing ("Common issues with
  transforming input"). The predefined ``aws.events.rule-arn``, ``aws.events.rule-name``,
  ``aws.events.event.ingestion-time``, ``aws.events.event`` and ``aws.events.event.json`` are
  available too.
- EventBridge may deliver only when allowed (EventBridge User Guide, "Using resource-based
  policies for Amazon EventBridge"): by the target's ``RoleArn`` when it has one, else by the
  function's resource-based policy (``lambda:InvokeFunction``) or the topic's policy
  (``sns:Publish``) for ``events.amazonaws.com`` with the rule as source. An encrypted topic also
  needs a customer managed key whose policy lets ``events.amazonaws.com`` use it
  (``kms:GenerateDataKey`` and ``kms:Decrypt``; SNS Developer Guide, "Enable compatibility between
  event sources from AWS services and encrypted topics"): the AWS managed key ``alias/aws/sns``
  cannot be. Otherwise nothing is delivered, an error EventBridge does not retry ("Event retry
  policy and using dead-letter queues"); localcloud logs it. Sending such an event to the target's
  dead-letter queue, EventBridge's own retries of failed calls, and the key a target's role would
  need, are not modelled.

Other targets (queues, log groups, other buses) keep moto's delivery, its input transformation
included.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from jsonpath_ng.ext import parse as json_path
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.events.models import Rule
from moto.kms.models import Key, KmsBackend, kms_backends
from moto.sns.models import Topic, sns_backends

from localcloud.aws_types import rfc3339
from localcloud.iam_check import AccessDeniedError, RolePolicies
from localcloud.moto_patches import Patches
from localcloud.resource_policies import (
    INVOKE,
    policy_statements,
    qualifier_of,
    service_allowed,
    service_may_invoke,
)

LOG = logging.getLogger(__name__)

ENABLED_STATES = frozenset({"ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"})
EVENTS_PRINCIPAL = "events.amazonaws.com"
PUBLISH = "sns:Publish"
KEY_USE = ("kms:GenerateDataKey", "kms:Decrypt")
"""What a service publishing to an encrypted topic needs of its key."""
AWS_MANAGED_KEYS = "alias/aws/"
DELIVERED_HERE = frozenset({"lambda", "sns"})
"""The target services localcloud delivers to; moto delivers to the others."""
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_NOT_FOUND = object()


def _service(target: Mapping[str, Any]) -> str:
    parts = str(target.get("Arn", "")).split(":")
    return parts[2] if len(parts) > 2 else ""


def _delivered_here(target: Mapping[str, Any]) -> bool:
    return _service(target) in DELIVERED_HERE


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


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _variables(
    transformer: Mapping[str, Any], event: dict[str, Any], rule: Rule, ingestion_time: str
) -> dict[str, Any]:
    """Each name of the transformer's paths with the value its path finds in ``event``
    (``_NOT_FOUND`` when it finds nothing), and EventBridge's predefined names."""
    variables: dict[str, Any] = {}
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        found = json_path(path).find(event)
        variables[name] = found[0].value if found else _NOT_FOUND
    variables.update(
        {
            "aws.events.rule-arn": rule.arn,
            "aws.events.rule-name": rule.name,
            "aws.events.event.ingestion-time": ingestion_time,
            "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
            "aws.events.event.json": event,
        }
    )
    return variables


def _filled(value: Any, as_json: bool) -> str:
    if value is _NOT_FOUND:
        return ""
    if isinstance(value, str) and not as_json:
        return value
    return _json(value)


def transformed(template: str, variables: Mapping[str, Any]) -> str:
    """``template`` with each ``<name>`` of ``variables`` replaced, as EventBridge fills it."""
    json_template = template.lstrip()[:1] in ("{", "[")
    text: list[str] = []
    in_string = False
    position = 0
    while position < len(template):
        char = template[position]
        if in_string and char == "\\":
            text.append(template[position : position + 2])
            position += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "<":
            placeholder = _PLACEHOLDER.match(template, position)
            if placeholder and placeholder.group(1) in variables:
                value = variables[placeholder.group(1)]
                text.append(_filled(value, as_json=json_template and not in_string))
                position = placeholder.end()
                continue
        text.append(char)
        position += 1
    return "".join(text)


def target_input(
    target: Mapping[str, Any], event: dict[str, Any], ingestion_time: str, rule: Rule
) -> str:
    """The text the target receives for ``event`` (as ``delivered_event`` shapes it)."""
    if "Input" in target:
        return str(target["Input"])
    if "InputPath" in target:
        found = json_path(target["InputPath"]).find(event)
        return _json(found[0].value if found else None)
    transformer = target.get("InputTransformer")
    if transformer:
        variables = _variables(transformer, event, rule, ingestion_time)
        return transformed(transformer["InputTemplate"], variables)
    return _json(event)


def _may_invoke(rule: Rule, target: dict[str, Any], function: LambdaFunction) -> bool:
    role = target.get("RoleArn")
    if role:
        return _role_allows(role, INVOKE, target["Arn"])
    return service_may_invoke(
        function,
        EVENTS_PRINCIPAL,
        source_arn=rule.arn,
        source_account=rule.account_id,
        qualifier=qualifier_of(target["Arn"]),
    )


def _role_allows(role: str, action: str, resource: str) -> bool:
    try:
        return RolePolicies.of(role).allows(action, resource)
    except AccessDeniedError:
        return False


def _invoke(rule: Rule, target: dict[str, Any], payload: str) -> None:
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
    try:
        json.loads(payload)
    except json.JSONDecodeError:
        LOG.warning("%s: the input for %s is not JSON; the event is dropped", rule.arn, arn)
        return
    # An Event invoke: localcloud.async_lambda queues it and answers at once.
    backend.invoke(arn, None, payload, {"X-Amz-Invocation-Type": "Event"}, {})


def _events_allowed(rule: Rule, policy: str, action: str, resource: str) -> bool:
    """Whether a resource's ``policy`` lets EventBridge do ``action`` for the rule."""
    return service_allowed(
        policy_statements(policy),
        EVENTS_PRINCIPAL,
        action,
        resource,
        source_arn=rule.arn,
        source_account=rule.account_id,
    )


def _key(kms: KmsBackend, key_id: str) -> Key | None:
    """The key a topic names by id, ARN, alias or alias ARN; None when there is none."""
    name = kms.get_alias_name(key_id)
    raw = kms.get_key_id_from_alias(name) if name.startswith("alias/") else kms.get_key_id(name)
    return kms.keys.get(raw) if raw else None


def _key_refusal(rule: Rule, topic: Topic) -> str | None:
    """Why the topic's key keeps EventBridge from publishing to it, if it does."""
    key_id = topic.kms_master_key_id
    if not key_id:
        return None
    kms = kms_backends[topic.account_id][topic.sns_backend.region_name]
    if kms.get_alias_name(key_id).startswith(AWS_MANAGED_KEYS):
        return f"the topic is encrypted with the AWS managed key {key_id}, which no service may use"
    key = _key(kms, key_id)
    if key is None:
        return f"the topic's key {key_id} does not exist"
    if key.key_state != "Enabled":
        return f"the topic's key {key.arn} is {key.key_state}"
    for action in KEY_USE:
        if not _events_allowed(rule, key.policy, action, key.arn):
            return (
                f"the policy of the topic's key {key.arn} does not let {EVENTS_PRINCIPAL} {action}"
            )
    return None


def _publish_refusal(rule: Rule, target: dict[str, Any], topic: Topic) -> str | None:
    """Why EventBridge may not publish the rule's events to the topic, if it may not."""
    role = target.get("RoleArn")
    if role:
        allowed = _role_allows(role, PUBLISH, topic.arn)
        return None if allowed else f"its role {role} may not {PUBLISH} to {topic.arn}"
    if not _events_allowed(rule, topic.policy, PUBLISH, topic.arn):
        return (
            f"the policy of {topic.arn} does not let {EVENTS_PRINCIPAL} {PUBLISH} with this rule "
            "as its source"
        )
    return _key_refusal(rule, topic)


def _publish(rule: Rule, target: dict[str, Any], message: str) -> None:
    arn = target["Arn"]
    region, account = arn.split(":")[3:5]
    backend = sns_backends[account][region]
    topic = backend.topics.get(arn)
    if topic is None:
        LOG.warning("%s: target %s does not exist; the event is dropped", rule.arn, arn)
        return
    refusal = _publish_refusal(rule, target, topic)
    if refusal:
        LOG.warning("%s: %s; the event is dropped", rule.arn, refusal)
        return
    backend.publish(message, arn=arn)


_DELIVERIES = {"lambda": _invoke, "sns": _publish}


class EventBridgeTargets:
    """The patch of moto's rule delivery; installed by the emulator like its other changes."""

    def __init__(self) -> None:
        self._patches = Patches()

    def install(self) -> None:
        original = Rule.send_to_targets

        def send_to_targets(rule: Rule, event: Any, transform_input: bool = True) -> None:
            if rule.state not in ENABLED_STATES:
                return
            ours = [t for t in rule.targets if _delivered_here(t)]
            if len(ours) < len(rule.targets):
                others = copy.copy(rule)
                others.targets = [t for t in rule.targets if not _delivered_here(t)]
                original(others, event, transform_input)
            if not ours or not rule.event_pattern.matches_event(event):
                return
            delivered = delivered_event(dict(event))
            ingestion = event.get("ingestion-time")
            ingestion_time = rfc3339(ingestion) if ingestion else delivered["time"]
            for target in ours:
                text = (
                    target_input(target, delivered, ingestion_time, rule)
                    if transform_input
                    else _json(delivered)  # a replayed event goes as it is
                )
                _DELIVERIES[_service(target)](rule, target, text)

        self._patches.patch(Rule, "send_to_targets", send_to_targets)

    def uninstall(self) -> None:
        self._patches.undo()
