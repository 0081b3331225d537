"""The Pulumi program: read the stack's configuration, build the systems, export entry points."""

import pulumi

from components.account_applications import AccountApplications, AccountApplicationsArgs
from components.api_workflow import ApiWorkflow, ApiWorkflowArgs
from components.loan_processor import LoanProcessor, LoanProcessorArgs
from components.mock_apis import MockApis, MockApisArgs
from components.operations import Operations, OperationsArgs, Watched
from components.order_processing import OrderProcessing, OrderProcessingArgs
from components.settings import StackSettings
from components.task_tracker import TaskTracker, TaskTrackerArgs

settings = StackSettings.from_config(pulumi.Config())

api_workflow = ApiWorkflow(
    "api-workflow",
    ApiWorkflowArgs(
        observability=settings.observability, api=settings.api, durability=settings.durability
    ),
)
pulumi.export("apiWorkflowUrl", api_workflow.url)
pulumi.export("apiWorkflowStateMachineArn", api_workflow.state_machine.arn)
pulumi.export("apiWorkflowTableName", api_workflow.table.name)

task_tracker = TaskTracker(
    "task-tracker",
    TaskTrackerArgs(
        observability=settings.observability,
        wait_seconds=settings.task_wait_seconds,
        durability=settings.durability,
    ),
)
pulumi.export("taskTrackerFunctionName", task_tracker.starter.name)
pulumi.export("taskTrackerStateMachineArn", task_tracker.state_machine.arn)
pulumi.export("tasksTableName", task_tracker.table.name)

account_applications = AccountApplications(
    "account-applications",
    AccountApplicationsArgs(
        observability=settings.observability,
        settings=settings.account_applications,
        durability=settings.durability,
    ),
)
pulumi.export("accountApplicationsStateMachineArn", account_applications.state_machine.arn)
pulumi.export("accountApplicationsTableName", account_applications.table.name)
pulumi.export("submitApplicationFunctionName", account_applications.submit.name)
pulumi.export("findApplicationsFunctionName", account_applications.find.name)
pulumi.export("reviewApplicationFunctionName", account_applications.review.name)

orders = OrderProcessing(
    "order-processing",
    OrderProcessingArgs(
        observability=settings.observability,
        settings=settings.orders,
        durability=settings.durability,
    ),
)
pulumi.export("ordersGraphqlUrl", orders.api.url)
pulumi.export("ordersApiKey", orders.api.key)
pulumi.export("ordersQueueUrl", orders.queue.url)
pulumi.export("ordersDeadLetterQueueUrl", orders.queue.dead_letter_url)
pulumi.export("ordersTableName", orders.table.name)
pulumi.export("ordersStateMachineArn", orders.state_machine.arn)
pulumi.export("ordersTopicArn", orders.topic.arn)

loan_apis = MockApis(
    "loan-mock-apis",
    MockApisArgs(observability=settings.observability, settings=settings.loans),
)
loans = LoanProcessor(
    "loan-processor",
    LoanProcessorArgs(
        observability=settings.observability,
        settings=settings.loans,
        apis=loan_apis,
        durability=settings.durability,
    ),
)
pulumi.export("loanProcessorInputFunctionName", loans.identity_check.name)
pulumi.export("loanProcessorOutputQueueUrl", loans.output_queue.url)
pulumi.export("loanProcessorFailureQueueUrl", loans.failure_queue.url)
pulumi.export("identityCheckApiUrl", loan_apis.identity_check_url)
pulumi.export("creditReferenceApiUrl", loan_apis.credit_reference_url)

operations = Operations(
    "operations",
    OperationsArgs(
        email=settings.alarm_email,
        watched=Watched(
            state_machines={
                "api-workflow": api_workflow.state_machine,
                "task-tracker": task_tracker.state_machine,
                "account-applications": account_applications.state_machine,
                "order-processing": orders.state_machine,
            },
            functions=[
                function
                for system in (
                    api_workflow,
                    task_tracker,
                    account_applications,
                    orders,
                    loan_apis,
                    loans,
                )
                for function in system.functions
            ],
            dead_letter_queues={
                "order-processing-dead-letters": orders.queue.dead_letter_queue,
                "loan-processor-failures": loans.failure_queue,
            },
            http_apis={
                "api-workflow": api_workflow.http_api,
                "identity-check-api": loan_apis.identity_check,
                "credit-reference-api": loan_apis.credit_reference,
            },
        ),
    ),
)
pulumi.export("operationsTopicArn", operations.topic_arn)
