"""Pizza orders (seed 002): the fake payment the order workflow calls."""
