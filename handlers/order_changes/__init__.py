"""Pizza orders (seed 002): the ``updateOrder`` and ``deleteOrder`` mutations."""
