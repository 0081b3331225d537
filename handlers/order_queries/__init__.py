"""Pizza orders (seed 002): the ``orders`` and ``order`` queries of the GraphQL API."""
