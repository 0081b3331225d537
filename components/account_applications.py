"""AccountApplications (seed 003, "The Art of the State"): bank account applications checked in
parallel, approved, or held for a human review by callback.

Submit stores an application and starts the workflow named after it. The workflow checks the name
and address in parallel through the data-checking service; a clean application is approved, a
flagged one waits ("Pending Review") for the review function to resume it with the reviewer's
decision, or for the configured review timeout, after which it is marked REVIEW_TIMED_OUT and
rejected. A name that cannot be checked (``UnprocessableDataException``) flags the application as
unprocessable. Find lists applications by state through the table's ``state`` index.

Every function has its own role with exactly the calls it makes: record changes are UpdateItem
(conditional on the expected state), find is Query on the ``state`` index, only submit may start
(and look up) executions, and only review may answer the workflow's callback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.durability import Durability
from components.function import PythonFunction
from components.settings import AccountApplicationsSettings, Observability
from components.state_machine import StateMachine, StateMachineArgs
from components.system import System
from components.table import GlobalIndex, Key, Table, TableArgs

STATE_INDEX = "state"
# The record model and table adapter, and the generic helpers it is built on.
RECORD_PACKAGES = ("applications", "lambda_support")


@dataclass
class AccountApplicationsArgs:
    observability: Observability
    settings: AccountApplicationsSettings
    durability: Durability = field(default_factory=Durability)


class AccountApplications(System):
    seed = "003"

    table: Table
    submit: PythonFunction
    flag: PythonFunction
    find: PythonFunction
    approve: PythonFunction
    reject: PythonFunction
    review: PythonFunction
    data_checking: PythonFunction
    state_machine: StateMachine

    def __init__(
        self, name: str, args: AccountApplicationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "serverless-workflows:account_applications:AccountApplications",
            name,
            args.observability,
            opts,
        )
        child = pulumi.ResourceOptions(parent=self)

        self.table = Table(
            f"{name}-applications",
            TableArgs(
                partition_key=Key("id"),
                global_indexes=[GlobalIndex(STATE_INDEX, partition_key=Key("state"))],
                durability=args.durability,
            ),
            opts=child,
        )

        # Every function that reads or changes records finds the table by this name.
        table_environment: dict[str, pulumi.Input[str]] = {"TABLE_NAME": self.table.name}

        # Pure checks: no records, no AWS calls.
        self.data_checking = self._function(
            "data-checking",
            "data_checking",
            "Checks an applicant's name or address",
            shared=(),
            environment={},
        )
        self.flag = self._function(
            "flag",
            "flag_application",
            "Flags an application for review, as unprocessable, or as not reviewed in time",
            shared=RECORD_PACKAGES,
            environment=table_environment,
        )
        self.approve = self._function(
            "approve",
            "approve_application",
            "Approves an application",
            shared=RECORD_PACKAGES,
            environment=table_environment,
        )
        self.reject = self._function(
            "reject",
            "reject_application",
            "Rejects an application",
            shared=RECORD_PACKAGES,
            environment=table_environment,
        )
        for function, purpose in (
            (self.flag, "flag-applications"),
            (self.approve, "approve-applications"),
            (self.reject, "reject-applications"),
        ):
            self.table.grant(function, purpose, ["dynamodb:UpdateItem"])

        self.state_machine = StateMachine(
            f"{name}-workflow",
            StateMachineArgs(
                definition="account_applications.asl.json",
                substitutions={
                    "DataCheckingFunctionArn": self.data_checking.arn,
                    "FlagFunctionArn": self.flag.arn,
                    "ApproveFunctionArn": self.approve.arn,
                    "RejectFunctionArn": self.reject.arn,
                    "ReviewTimeoutSeconds": args.settings.review_timeout_seconds,
                    "TableName": self.table.name,
                },
                type="STANDARD",  # a review may wait far beyond Express's five minutes
                observability=args.observability,
            ),
            opts=child,
        )

        self.submit = self._function(
            "submit",
            "submit_application",
            "Stores an application and starts its workflow",
            shared=RECORD_PACKAGES,
            environment={**table_environment, "STATE_MACHINE_ARN": self.state_machine.arn},
        )
        # UpdateItem creates or re-claims the record; DeleteItem withdraws it when no execution
        # could be started.
        self.table.grant(
            self.submit, "submit-applications", ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        )
        self.submit.grant("start-executions", self.state_machine.start_execution_statements())
        self.submit.grant("describe-executions", self.state_machine.describe_execution_statements())

        self.find = self._function(
            "find",
            "find_applications",
            "Lists the applications in a state, a page at a time",
            shared=RECORD_PACKAGES,
            environment=table_environment,
        )
        self.table.grant(self.find, "query-by-state", ["dynamodb:Query"], indexes=[STATE_INDEX])

        self.review = self._function(
            "review",
            "review_application",
            "Records a reviewer's decision and resumes the workflow",
            shared=RECORD_PACKAGES,
            environment=table_environment,
        )
        self.table.grant(self.review, "review-applications", ["dynamodb:UpdateItem"])
        self.review.grant("resume-workflow", self.state_machine.task_response_statements())

        self.register_outputs(
            {
                "stateMachineArn": self.state_machine.arn,
                "tableName": self.table.name,
                "submitFunctionName": self.submit.name,
                "findFunctionName": self.find.name,
                "reviewFunctionName": self.review.name,
            }
        )
