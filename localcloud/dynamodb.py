"""DynamoDB in moto, made safe for concurrent callers.

moto's DynamoDB backend keeps items in plain dicts and was written for one caller at a time: a
read that serializes an item (``dynamo_to_dict``) while another thread updates it fails with
"dictionary changed size during iteration". localcloud calls it from many threads at once (the
endpoint's request threads, executions, functions), and AWS answers each request atomically, so
every DynamoDB request is handled under one lock: requests are short, and correctness matters
more here than parallel DynamoDB throughput.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

from localcloud.moto_patches import Patches


class DynamoDBFixes:
    def __init__(self) -> None:
        self._patches = Patches()
        self._lock = threading.RLock()

    def install(self) -> None:
        lock = self._lock
        original = DynamoHandler.call_action

        def call_action(handler: Any) -> Any:
            with lock:
                return original(handler)

        self._patches.patch(DynamoHandler, "call_action", call_action)

    def uninstall(self) -> None:
        self._patches.undo()
