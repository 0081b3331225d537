"""Pizza orders (seed 002): starts the order workflow for each order taken from the queue."""
