"""The Pulumi program: read the stack's configuration, build the systems, export entry points."""

import pulumi

from components.api_workflow import ApiWorkflow, ApiWorkflowArgs
from components.settings import StackSettings

settings = StackSettings.from_config(pulumi.Config())

api_workflow = ApiWorkflow(
    "api-workflow", ApiWorkflowArgs(observability=settings.observability, api=settings.api)
)
pulumi.export("apiWorkflowUrl", api_workflow.url)
pulumi.export("apiWorkflowStateMachineArn", api_workflow.state_machine.arn)
pulumi.export("apiWorkflowTableName", api_workflow.table.name)
