"""LoanProcessor (seed 000): a state machine made of Lambda destinations, no Step Functions.

An asynchronous invoke of the identity check proxy starts a loan application. Each proxy adds its
service's answer to the state and returns the whole state:

- identity check succeeds -> the default EventBridge bus receives Lambda's "Invocation Result -
  Success" event -> a rule invokes the credit reference proxy (asynchronously, as EventBridge
  does) with the event's ``detail.responsePayload``: exactly the state the identity check
  returned, as CDK's ``responseOnly`` destination does;
- credit reference succeeds -> its invocation record goes to the output queue;
- either fails once Lambda's retries are spent (or the event is too old) -> its invocation record
  goes to the failure queue.

Why EventBridge and not a Lambda-to-Lambda destination: a native destination hands the next
function the whole invocation record. The credit reference proxy would have to unwrap it, a direct
invoke of it would take a different shape, and the records it sends on would carry a record
inside a record (``requestPayload`` of the failure message would not be the state). With the rule,
every proxy takes and returns only the state.

Each function's role may send only to its own destinations (Lambda checks this when the
destinations are set) and call only its own API route. Retries and event age come from config.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws_context import arn_context
from components.durability import Durability
from components.function import PythonFunction
from components.iam import allow
from components.mock_apis import MockApis
from components.queue import FOURTEEN_DAYS, record_queue
from components.settings import LoanSettings, Observability
from components.system import System

# The state model, its validation and the signed API client, and the helpers they use.
PROXY_PACKAGES = ("loans", "lambda_support")
SUCCESS_DETAIL_TYPE = "Lambda Function Invocation Result - Success"


def success_pattern(function_arn: str) -> str:
    """The event pattern of a function's successful asynchronous invocations, as Lambda puts them
    on an event bus destination (the function ARN with the version it ran, ``$LATEST``)."""
    return json.dumps(
        {
            "source": ["lambda"],
            "detail-type": [SUCCESS_DETAIL_TYPE],
            "resources": [f"{function_arn}:$LATEST"],
        },
        sort_keys=True,
    )


@dataclass
class LoanProcessorArgs:
    observability: Observability
    settings: LoanSettings
    apis: MockApis
    durability: Durability = field(default_factory=Durability)


class LoanProcessor(System):
    seed = "000"

    identity_check: PythonFunction
    credit_reference: PythonFunction
    output_queue: aws.sqs.Queue
    failure_queue: aws.sqs.Queue

    def __init__(
        self, name: str, args: LoanProcessorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "serverless-workflows:loan_processor:LoanProcessor", name, args.observability, opts
        )
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        apis = args.apis

        self.output_queue = record_queue(f"{name}-output", self, args.durability)
        self.failure_queue = record_queue(f"{name}-failures", self, args.durability, FOURTEEN_DAYS)
        default_bus = arn_context().apply(lambda ctx: ctx.arn("events", "event-bus/default"))

        self.identity_check = self._function(
            "identity-check",
            "identity_check_proxy",
            "Adds the identity check to a loan application's state",
            shared=PROXY_PACKAGES,
            environment={"IDENTITY_CHECK_API_URL": apis.identity_check_url},
        )
        apis.grant_call(self.identity_check, apis.identity_check, "call-identity-check")
        self.credit_reference = self._function(
            "credit-reference",
            "credit_reference_proxy",
            "Adds the credit reference to a loan application's state",
            shared=PROXY_PACKAGES,
            environment={"CREDIT_REFERENCE_API_URL": apis.credit_reference_url},
        )
        apis.grant_call(self.credit_reference, apis.credit_reference, "call-credit-reference")

        # The identity check's success goes to the default bus, its failure to the failure queue.
        identity_grants = self.identity_check.grant(
            "send-to-destinations",
            pulumi.Output.all(default_bus, self.failure_queue.arn).apply(
                lambda arns: [
                    allow(["events:PutEvents"], [arns[0]]),
                    allow(["sqs:SendMessage"], [arns[1]]),
                ]
            ),
        )
        self._destinations("identity-check", self.identity_check, default_bus, identity_grants)

        rule = aws.cloudwatch.EventRule(
            f"{name}-identity-checked",
            description="A loan application's identity check succeeded: run its credit reference",
            event_pattern=self.identity_check.arn.apply(success_pattern),
            opts=child,
        )
        invoke_permission = aws.lambda_.Permission(
            f"{name}-credit-reference-from-rule",
            action="lambda:InvokeFunction",
            function=self.credit_reference.arn,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-identity-checked-target",
            rule=rule.name,
            arn=self.credit_reference.arn,
            # Only the state the identity check returned, as CDK's responseOnly destination.
            input_path="$.detail.responsePayload",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[invoke_permission]),
        )

        credit_grants = self.credit_reference.grant(
            "send-to-destinations",
            pulumi.Output.all(self.output_queue.arn, self.failure_queue.arn).apply(
                lambda arns: [allow(["sqs:SendMessage"], arns)]
            ),
        )
        self._destinations(
            "credit-reference", self.credit_reference, self.output_queue.arn, credit_grants
        )

        self.register_outputs(
            {
                "inputFunctionName": self.identity_check.name,
                "outputQueueUrl": self.output_queue.url,
                "failureQueueUrl": self.failure_queue.url,
            }
        )

    def _destinations(
        self,
        role: str,
        function: PythonFunction,
        on_success: pulumi.Input[str],
        grants: aws.iam.RolePolicy,
    ) -> aws.lambda_.FunctionEventInvokeConfig:
        """Where ``function``'s asynchronous invocations end, with the configured retries and
        event age; Lambda refuses destinations the role may not send to, hence ``grants``."""
        settings = self._args.settings
        return aws.lambda_.FunctionEventInvokeConfig(
            f"{self._name}-{role}-async",
            function_name=function.name,
            maximum_retry_attempts=settings.retry_attempts,
            maximum_event_age_in_seconds=settings.max_event_age_seconds,
            destination_config={
                "on_success": {"destination": on_success},
                "on_failure": {"destination": self.failure_queue.arn},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[grants]),
        )
