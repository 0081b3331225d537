"""Pizza orders (seed 002): the ``postOrder`` mutation, which queues an order for processing."""
