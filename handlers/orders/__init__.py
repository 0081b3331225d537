"""Pizza orders (seed 002): what every orders function shares.

The order and its validation (``model``), the GraphQL API's error types (``errors``), the queue
message an accepted order travels in (``messages``), the orders table (``repository``) and whose
orders a call is about (``caller``). Bundled with a function only if its code imports it.
"""
