"""Orders (seed 002) as its callers see it: the GraphQL API with its key, the order notifications,
and the table, queue and executions behind them.

GraphQL requests are plain JSON POSTs (``query``, ``variables``), as any HTTP client sends them.
Notifications are read the way a subscriber reads them: from a queue of the caller's own subscribed
to the topic.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from demo.client import set_environment_variable
from localcloud import LocalCloud

ORDER_FIELDS = "id name quantity restaurantId orderStatus createdAt errorMessage"
POST_ORDER = f"""
mutation PostOrder($input: OrderInput!) {{ postOrder(input: $input) {{ {ORDER_FIELDS} }} }}
"""
UPDATE_ORDER = f"""
mutation UpdateOrder($input: UpdateOrderInput!) {{
  updateOrder(input: $input) {{ {ORDER_FIELDS} }}
}}
"""
DELETE_ORDER = "mutation DeleteOrder($id: String!) { deleteOrder(id: $id) }"
GET_ORDER = f"query GetOrder($id: String!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
LIST_ORDERS = f"""
query ListOrders($limit: Int, $nextToken: String) {{
  orders(limit: $limit, nextToken: $nextToken) {{ items {{ {ORDER_FIELDS} }} nextToken }}
}}
"""


class Orders:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.url: str = cloud.outputs["ordersGraphqlUrl"]
        self.api_key: str = cloud.outputs["ordersApiKey"]
        self.table_name: str = cloud.outputs["ordersTableName"]
        self.state_machine_arn: str = cloud.outputs["ordersStateMachineArn"]
        self.topic_arn: str = cloud.outputs["ordersTopicArn"]
        self.queue_url: str = cloud.outputs["ordersQueueUrl"]
        self.dead_letter_queue_url: str = cloud.outputs["ordersDeadLetterQueueUrl"]

    # -- the GraphQL API ---------------------------------------------------------------------

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, api_key: str | None = None
    ) -> tuple[int, Any]:
        """POST one operation with the API key (or ``api_key``): the status and decoded answer."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "x-api-key": self.api_key if api_key is None else api_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def post(self, name: str, quantity: Any, restaurant_id: str) -> tuple[int, Any]:
        order = {"name": name, "quantity": quantity, "restaurantId": restaurant_id}
        return self.graphql(POST_ORDER, {"input": order})

    def update(self, order_id: str, name: str, quantity: int, restaurant_id: str) -> Any:
        order = {"id": order_id, "name": name, "quantity": quantity, "restaurantId": restaurant_id}
        return self.graphql(UPDATE_ORDER, {"input": order})[1]

    def delete(self, order_id: str) -> Any:
        return self.graphql(DELETE_ORDER, {"id": order_id})[1]

    def get(self, order_id: str) -> Any:
        return self.graphql(GET_ORDER, {"id": order_id})[1]

    def page(self, limit: int, next_token: str | None = None) -> Any:
        return self.graphql(LIST_ORDERS, {"limit": limit, "nextToken": next_token})[1]

    # -- behind the API ----------------------------------------------------------------------

    def payment_function(self) -> str:
        """The function the workflow's ProcessPayment state invokes, read from its definition."""
        definition = json.loads(
            self.cloud.client("stepfunctions").describe_state_machine(
                stateMachineArn=self.state_machine_arn
            )["definition"]
        )
        return str(definition["States"]["ProcessPayment"]["Parameters"]["FunctionName"])

    def set_payment_failure_rate(self, rate: str) -> str:
        """Make the payment fail with probability ``rate`` (0 to 1); returns the rate it had."""
        return set_environment_variable(
            self.cloud, self.payment_function(), "PAYMENT_FAILURE_RATE", rate
        )

    def execution_arn(self, order_id: str) -> str:
        """Each order's execution is named after its id (its queue message's id)."""
        machine = self.state_machine_arn.replace(":stateMachine:", ":execution:")
        return f"{machine}:{order_id}"

    def settled(self, order_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """The order's finished execution, once the consumer has started it and it has ended."""
        return self.cloud.wait_started(self.execution_arn(order_id), timeout)

    def stored(self, order_id: str, user: str = "demo_user") -> dict[str, Any] | None:
        """The order as the table holds it (DynamoDB's typed attribute values)."""
        key = {"user_id": {"S": user}, "id": {"S": order_id}}
        item: dict[str, Any] | None = (
            self.cloud.client("dynamodb").get_item(TableName=self.table_name, Key=key).get("Item")
        )
        return item

    def executions(self) -> list[dict[str, Any]]:
        paginator = self.cloud.client("stepfunctions").get_paginator("list_executions")
        pages = paginator.paginate(stateMachineArn=self.state_machine_arn)
        return [execution for page in pages for execution in page["executions"]]
