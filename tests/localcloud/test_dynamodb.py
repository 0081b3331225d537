"""DynamoDB under concurrent callers: each request is answered whole, as AWS answers it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3

from tests.conftest import create_table


def test_concurrent_updates_and_reads_of_one_item_all_succeed(aws):
    # Given one item that many threads update (adding attributes) and read at once; moto alone
    # may fail a read with "dictionary changed size during iteration" while it serializes it.
    dynamodb = boto3.client("dynamodb")
    create_table("counters")
    dynamodb.put_item(TableName="counters", Item={"id": {"S": "c"}})

    def work(worker: int) -> int:
        for step in range(15):
            dynamodb.update_item(
                TableName="counters",
                Key={"id": {"S": "c"}},
                UpdateExpression="SET #a = :v",
                ExpressionAttributeNames={"#a": f"w{worker}s{step}"},
                ExpressionAttributeValues={":v": {"N": str(step)}},
            )
            dynamodb.scan(TableName="counters")
        return worker

    with ThreadPoolExecutor(max_workers=8) as pool:
        finished = list(pool.map(work, range(8)))

    assert finished == list(range(8))
    item = dynamodb.get_item(TableName="counters", Key={"id": {"S": "c"}})["Item"]
    assert len(item) == 1 + 8 * 15
